package dev.tokenauthority.server.fuzz;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.Any;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The promises every answer to a bad (or good) request keeps, whatever the input: no
 * INTERNAL / UNKNOWN / HTTP 500, no stack trace or Java class name, and every rejection of
 * invalid input names a field that exists in the request. Each check throws AssertionError
 * with the evidence.
 */
public final class Outcomes {
  /** What a stack trace or a leaked exception looks like in a message. */
  private static final List<String> TRACE_MARKERS = List.of("\tat ", "at dev.", "at java.", "Exception", "Caused by");
  /** A stack frame's source position ({@code Foo.java:42)}): an echoed "x.java" and the ": " after it are not one. */
  private static final Pattern SOURCE_POSITION = Pattern.compile("\\.java:\\d+\\)");
  private static final Set<Status.Code> NEVER = Set.of(Status.Code.INTERNAL, Status.Code.UNKNOWN,
      Status.Code.DATA_LOSS, Status.Code.UNIMPLEMENTED, Status.Code.UNAVAILABLE, Status.Code.DEADLINE_EXCEEDED);
  private static final Pattern ALTOSTRAT_FIELD = Pattern.compile("The '([^']*)' parameter");

  private Outcomes() {}

  /**
   * A gRPC error for {@code request} (its text, to tell an echo from a leak): an allowed code,
   * exactly one ErrorInfo, no trace, and for INVALID_ARGUMENT a BadRequest whose every field
   * exists in one of {@code types}. Returns the violated fields.
   */
  public static List<String> checkGrpcError(StatusRuntimeException e, String request, Descriptor... types) {
    Status.Code code = e.getStatus().getCode();
    if (NEVER.contains(code)) {
      throw new AssertionError("answered " + e.getStatus() + " to " + request);
    }
    String description = String.valueOf(e.getStatus().getDescription());
    noTrace(description, request);
    com.google.rpc.Status status = StatusProto.fromThrowable(e);
    if (status == null) {
      throw new AssertionError(code + " without google.rpc.Status details: " + description);
    }
    List<ErrorInfo> infos = new ArrayList<>();
    List<BadRequest.FieldViolation> violations = new ArrayList<>();
    for (Any detail : status.getDetailsList()) {
      try {
        if (detail.is(ErrorInfo.class)) {
          infos.add(detail.unpack(ErrorInfo.class));
        } else if (detail.is(BadRequest.class)) {
          violations.addAll(detail.unpack(BadRequest.class).getFieldViolationsList());
        }
      } catch (InvalidProtocolBufferException ex) {
        throw new AssertionError("an error detail does not unpack", ex);
      }
    }
    if (infos.size() != 1) {
      throw new AssertionError(code + " with " + infos.size() + " ErrorInfo: " + description);
    }
    if (code == Status.Code.INVALID_ARGUMENT && violations.isEmpty()) {
      throw new AssertionError("INVALID_ARGUMENT names no field: " + description + " for " + request);
    }
    List<String> fields = new ArrayList<>();
    for (BadRequest.FieldViolation violation : violations) {
      checkField(violation.getField(), description, types);
      if (violation.getDescription().isBlank()) {
        throw new AssertionError("a violation of " + violation.getField() + " says nothing: " + description);
      }
      fields.add(violation.getField());
    }
    return fields;
  }

  /**
   * An HTTP answer to {@code request}: never 500 (no 5xx at all, but 504 when the caller set
   * {@code grpc-timeout}), no trace, a JSON body, and every 400 names a field of one of
   * {@code types} or says in words what is wrong. Returns the fields a 400 named.
   */
  public static List<String> checkHttp(int httpStatus, String body, String request, boolean callerTimeout,
      Descriptor... types) {
    if (httpStatus >= 500 && !(httpStatus == 504 && callerTimeout)) {
      throw new AssertionError("HTTP " + httpStatus + " " + body + " for " + request);
    }
    noTrace(body, request);
    if (httpStatus < 400) {
      return List.of();
    }
    JsonObject json;
    try {
      json = JsonParser.parseString(body).getAsJsonObject();
    } catch (RuntimeException e) {
      throw new AssertionError("HTTP " + httpStatus + " with a body that is no JSON object: " + body);
    }
    List<String> fields = new ArrayList<>();
    if (json.has("doc_url")) { // seed 001's error body
      for (String member : List.of("type", "code", "message")) {
        if (!json.has(member) || json.get(member).getAsString().isBlank()) {
          throw new AssertionError("Altostrat error without " + member + ": " + body);
        }
      }
      if (json.get("code").getAsString().startsWith("parameter_")) {
        Matcher m = ALTOSTRAT_FIELD.matcher(json.get("message").getAsString());
        if (!m.find()) {
          throw new AssertionError("a parameter error names no parameter: " + body);
        }
        do {
          checkField(m.group(1), body, types);
          fields.add(m.group(1));
        } while (m.find());
      }
      return fields;
    }
    JsonElement message = json.get("message");
    if (message == null || message.getAsString().isBlank()) {
      throw new AssertionError("HTTP " + httpStatus + " says nothing: " + body);
    }
    if (json.has("details")) {
      boolean invalidField = false;
      for (JsonElement detail : json.getAsJsonArray("details")) {
        JsonObject d = detail.getAsJsonObject();
        String type = d.get("@type").getAsString();
        if (type.endsWith("google.rpc.ErrorInfo") && "INVALID_FIELD".equals(d.get("reason").getAsString())) {
          invalidField = true;
        }
        if (type.endsWith("google.rpc.BadRequest")) {
          for (JsonElement violation : d.getAsJsonArray("fieldViolations")) {
            String field = violation.getAsJsonObject().get("field").getAsString();
            checkField(field, body, types);
            fields.add(field);
          }
        }
      }
      if (invalidField && fields.isEmpty()) {
        throw new AssertionError("INVALID_FIELD names no field: " + body);
      }
    }
    return fields;
  }

  private static void noTrace(String text, String request) {
    if (SOURCE_POSITION.matcher(text).find() && !SOURCE_POSITION.matcher(request).find()) {
      throw new AssertionError("a stack trace reached the caller: " + text);
    }
    for (String marker : TRACE_MARKERS) {
      if (text.contains(marker) && !request.contains(marker)) {
        throw new AssertionError("a stack trace or Java exception reached the caller (" + marker + "): " + text);
      }
    }
  }

  private static void checkField(String field, String evidence, Descriptor... types) {
    for (Descriptor type : types) {
      if (fieldExists(type, field)) {
        return;
      }
    }
    throw new AssertionError("'" + field + "' is no field of " + List.of(types).stream()
        .map(Descriptor::getName).toList() + ": " + evidence);
  }

  /**
   * Every string in {@code message} (values and map keys, unescaped), so that a check can tell
   * a message that echoes the caller's own text from one that leaks a stack trace.
   */
  public static String rawText(com.google.protobuf.Message message) {
    StringBuilder text = new StringBuilder();
    message.getAllFields().forEach((field, value) -> {
      for (Object item : field.isRepeated() ? (List<?>) value : List.of(value)) {
        if (item instanceof String string) {
          text.append(string).append('\n');
        } else if (item instanceof com.google.protobuf.Message nested) {
          text.append(rawText(nested));
        }
      }
    });
    return text.toString();
  }

  /**
   * Whether {@code path} ({@code user.firstName}, {@code modules[2].id},
   * {@code module.filters.<any key>}, proto or JSON names) names a field of {@code type}.
   */
  public static boolean fieldExists(Descriptor type, String path) {
    String rest = path;
    Descriptor current = type;
    while (true) {
      int dot = rest.indexOf('.');
      String segment = dot < 0 ? rest : rest.substring(0, dot);
      segment = segment.replaceAll("(\\[\\d+])+$", "");
      FieldDescriptor field = current.findFieldByName(segment);
      if (field == null) {
        String name = segment;
        field = current.getFields().stream().filter(f -> f.getJsonName().equals(name)).findFirst().orElse(null);
      }
      if (field == null) {
        return false;
      }
      if (dot < 0 || field.isMapField()) {
        return true; // a map field's remainder is a key
      }
      if (field.getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
        return false;
      }
      current = field.getMessageType();
      rest = rest.substring(dot + 1);
    }
  }
}
