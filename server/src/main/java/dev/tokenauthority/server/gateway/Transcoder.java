package dev.tokenauthority.server.gateway;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Timestamp;
import com.google.protobuf.TypeRegistry;
import com.google.protobuf.util.JsonFormat;
import com.google.protobuf.util.Timestamps;
import dev.tokenauthority.server.gateway.HttpRoutes.Route;
import java.text.ParseException;
import java.util.List;
import java.util.Map;

/**
 * JSON ⇄ protobuf the way Envoy's grpc_json_transcoder is configured in envoy/envoy.yaml:
 * path variables and query parameters bind request fields (scalars, and RFC 3339 text for a
 * {@code google.protobuf.Timestamp}), {@code body} names the field
 * the JSON body fills ({@code *} for the whole request), {@code response_body} the field
 * that is answered; names are the {@code json_name}s (the seeds'), fields without presence
 * are always printed, unknown JSON fields and unknown query parameters are rejected.
 */
final class Transcoder {
  private final JsonFormat.Parser parser;
  private final JsonFormat.Printer printer;

  /** A request the gateway refuses before any gRPC call: HTTP 400. */
  static final class BadRequest extends Exception {
    BadRequest(String message) {
      super(message, null, false, false);
    }
  }

  Transcoder(List<Descriptor> messageTypes) {
    TypeRegistry types = TypeRegistry.newBuilder().add(messageTypes).build();
    this.parser = JsonFormat.parser().usingTypeRegistry(types);
    this.printer = JsonFormat.printer().usingTypeRegistry(types).alwaysPrintFieldsWithNoPresence()
        .omittingInsignificantWhitespace();
  }

  /** The request message of {@code route}, from the path variables, query parameters and JSON body. */
  DynamicMessage request(Route route, Map<String, String> variables, Map<String, List<String>> query, String body)
      throws BadRequest {
    Descriptor type = route.method().getInputType();
    DynamicMessage.Builder request = DynamicMessage.newBuilder(type);
    if (!route.body().isEmpty()) {
      String json = body.isBlank() ? "{}" : body;
      try {
        if (route.body().equals("*")) {
          parser.merge(json, request);
        } else {
          FieldDescriptor field = field(type, route.body());
          DynamicMessage.Builder part = DynamicMessage.newBuilder(field.getMessageType());
          parser.merge(json, part);
          request.setField(field, part.build());
        }
      } catch (InvalidProtocolBufferException e) {
        throw new BadRequest("The request body is not valid JSON for " + type.getName() + ": " + reason(e));
      }
    } else if (!body.isBlank()) {
      throw new BadRequest(route.verb() + " " + route.pattern() + " takes no request body");
    }
    for (Map.Entry<String, String> variable : variables.entrySet()) {
      set(request, variable.getKey(), List.of(variable.getValue()), "path variable");
    }
    for (Map.Entry<String, List<String>> parameter : query.entrySet()) {
      if (route.body().equals("*")) {
        throw new BadRequest("Unknown query parameter '" + parameter.getKey() + "': this method takes none");
      }
      set(request, parameter.getKey(), parameter.getValue(), "query parameter");
    }
    return request.build();
  }

  /**
   * What is wrong with the JSON, without the Java exception names the JSON library puts in
   * its messages ({@code java.io.EOFException: End of input at line 1 column 6} says
   * "End of input at line 1 column 6"): a caller's mistake is answered in words, not in
   * the server's internals.
   */
  static String reason(InvalidProtocolBufferException e) {
    String message = e.getMessage() == null ? "" : EXCEPTION_NAME.matcher(e.getMessage()).replaceAll("").trim();
    return message.isEmpty() ? "it cannot be parsed" : message;
  }

  /** A qualified Java exception or error class name and its colon, as Throwable.toString() writes it. */
  private static final java.util.regex.Pattern EXCEPTION_NAME =
      java.util.regex.Pattern.compile("(?:[a-z][A-Za-z0-9_$]*\\.)+[A-Z][A-Za-z0-9_$]*(?:Exception|Error)(?::\\s*|\\b)");

  /** The JSON answer: the whole response, or its {@code response_body} field. */
  String response(Route route, Message response) throws InvalidProtocolBufferException {
    if (route.responseBody().isEmpty()) {
      return printer.print(response);
    }
    Object value = response.getField(field(response.getDescriptorForType(), route.responseBody()));
    return value instanceof Message message ? printer.print(message) : String.valueOf(value);
  }

  /** Any message as JSON with the same options (error bodies). */
  String print(Message message) throws InvalidProtocolBufferException {
    return printer.print(message);
  }

  /** Sets the (possibly nested, dotted) field {@code path} from text, as Envoy does for path and query. */
  private static void set(DynamicMessage.Builder request, String path, List<String> values, String what)
      throws BadRequest {
    String[] parts = path.split("\\.");
    Message.Builder target = request;
    for (int i = 0; i < parts.length - 1; i++) {
      FieldDescriptor field = lookup(target.getDescriptorForType(), parts[i]);
      if (field == null || field.getJavaType() != FieldDescriptor.JavaType.MESSAGE || field.isRepeated()) {
        throw new BadRequest("Unknown " + what + " '" + path + "'");
      }
      target = target.getFieldBuilder(field);
    }
    FieldDescriptor field = lookup(target.getDescriptorForType(), parts[parts.length - 1]);
    if (field != null && !field.isRepeated() && isTimestamp(field)) {
      if (values.size() > 1) {
        throw new BadRequest("The " + what + " '" + path + "' takes one value");
      }
      target.setField(field, timestamp(field, values.get(0), path, what));
      return;
    }
    if (field == null || field.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
      throw new BadRequest("Unknown " + what + " '" + path + "'");
    }
    if (!field.isRepeated() && values.size() > 1) {
      throw new BadRequest("The " + what + " '" + path + "' takes one value");
    }
    for (String text : values) {
      Object value = scalar(field, text, path, what);
      if (field.isRepeated()) {
        target.addRepeatedField(field, value);
      } else {
        target.setField(field, value);
      }
    }
  }

  private static boolean isTimestamp(FieldDescriptor field) {
    return field.getJavaType() == FieldDescriptor.JavaType.MESSAGE
        && field.getMessageType().getFullName().equals(Timestamp.getDescriptor().getFullName());
  }

  /**
   * An RFC 3339 time, as Envoy's transcoder reads a Timestamp from a path or query parameter,
   * as a message of {@code field}'s own type (the descriptor set's Timestamp, not the compiled one).
   */
  private static DynamicMessage timestamp(FieldDescriptor field, String text, String path, String what)
      throws BadRequest {
    Timestamp time;
    try {
      time = Timestamps.parse(text);
    } catch (ParseException e) {
      throw new BadRequest("The " + what + " '" + path + "' has an invalid value '" + text
          + "': it must be an RFC 3339 time such as 2026-01-15T09:00:00Z");
    }
    try {
      return DynamicMessage.parseFrom(field.getMessageType(), time.toByteString());
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("a Timestamp's bytes always parse as a Timestamp", e);
    }
  }

  private static FieldDescriptor lookup(Descriptor type, String name) {
    FieldDescriptor field = type.findFieldByName(name);
    if (field != null) {
      return field;
    }
    return type.getFields().stream().filter(f -> f.getJsonName().equals(name)).findFirst().orElse(null);
  }

  private static Object scalar(FieldDescriptor field, String text, String path, String what) throws BadRequest {
    try {
      return switch (field.getJavaType()) {
        case STRING -> text;
        case INT -> Integer.parseInt(text);
        case LONG -> Long.parseLong(text);
        case FLOAT -> Float.parseFloat(text);
        case DOUBLE -> Double.parseDouble(text);
        case BOOLEAN -> switch (text) {
          case "true" -> true;
          case "false" -> false;
          default -> throw new NumberFormatException();
        };
        case ENUM -> {
          var value = field.getEnumType().findValueByName(text);
          if (value == null) {
            throw new NumberFormatException();
          }
          yield value;
        }
        default -> throw new BadRequest("The " + what + " '" + path + "' cannot be given as text");
      };
    } catch (NumberFormatException e) {
      throw new BadRequest("The " + what + " '" + path + "' has an invalid value '" + text + "'");
    }
  }

  private static FieldDescriptor field(Descriptor type, String name) {
    FieldDescriptor field = type.findFieldByName(name);
    if (field == null) {
      throw new IllegalStateException(type.getFullName() + " has no field " + name + " named by its HTTP rule");
    }
    return field;
  }
}
