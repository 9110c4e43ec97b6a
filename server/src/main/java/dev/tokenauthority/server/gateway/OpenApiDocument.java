package dev.tokenauthority.server.gateway;

import com.google.api.FieldBehavior;
import com.google.api.FieldBehaviorProto;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.protobuf.DescriptorProtos.SourceCodeInfo;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import dev.tokenauthority.server.api.AltostratErrors;
import dev.tokenauthority.server.gateway.HttpRoutes.Route;
import dev.tokenauthority.v1.ApiOptionsProto;
import dev.tokenauthority.v1.ErrorDetails;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The OpenAPI 3.0.3 document of the REST API, generated from the same descriptor set the
 * gateway routes with (and Envoy transcodes with), so it cannot drift from what is served:
 * one operation per {@code google.api.http} rule (additional bindings included), request and
 * response schemas in the proto3 JSON mapping under the fields' {@code json_name}s, the
 * proto comments as descriptions, {@code field_behavior} REQUIRED / OUTPUT_ONLY as
 * {@code required} / {@code readOnly}, {@code (tokenauthority.v1.json_null_when_unset)} as
 * {@code nullable}, {@code (tokenauthority.v1.http_success_status)} as the success status,
 * {@code (tokenauthority.v1.public_method)} as "no credential", and
 * {@code (tokenauthority.v1.altostrat_error_body)} as the Altostrat error body.
 *
 * <p>No external generator is used: the ones that read {@code google.api.http} rules
 * (gnostic's and grpc-gateway's protoc plugins) are Go binaries that no registry this
 * project builds from ships. Built once, when the gateway starts.
 */
final class OpenApiDocument {
  /** Where the gateway serves it. */
  static final String PATH = "/openapi.json";

  static final String STATUS_SCHEMA = "google.rpc.Status";
  static final String ANY_SCHEMA = "google.protobuf.Any";
  static final String ALTOSTRAT_SCHEMA = "AltostratError";

  /**
   * Success statuses a service chooses at run time (through {@code RestResponse}) instead of
   * declaring them with {@code http_success_status}: the share link redirects.
   */
  static final Map<String, Integer> RUN_TIME_SUCCESS_STATUS =
      Map.of("tokenauthority.v1.FaultTokenService.ResolveShareLink", 302);

  /** Error statuses a service chooses at run time, beyond the gRPC code's own: a gone share link. */
  private static final Map<String, Map<Integer, String>> RUN_TIME_ERROR_STATUSES = Map.of(
      "tokenauthority.v1.FaultTokenService.ResolveShareLink",
      Map.of(410, "The link's token has expired or been revoked (reason RESOURCE_GONE)."));

  private final String json;

  private OpenApiDocument(String json) {
    this.json = json;
  }

  /** The document for {@code routes}; fails if it cannot describe one of them. */
  static OpenApiDocument of(HttpRoutes routes) {
    return new OpenApiDocument(new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create()
        .toJson(new Builder(routes.routes(), routes.messageTypes()).build()));
  }

  /** The document as JSON text. */
  String json() {
    return json;
  }

  /** {@code /a/{b=c/*}:d} → {@code /a/{b}:d}: OpenAPI names a path parameter only. */
  static String openApiPath(String pattern) {
    return pattern.replaceAll("\\{([^}=]+)=[^}]*}", "{$1}");
  }

  private static final class Builder {
    private static final Pattern VARIABLE = Pattern.compile("\\{([^}=]+)(=[^}]*)?}");

    private final List<Route> routes;
    private final List<Descriptor> messageTypes;
    /** Schemas to write, by component name; the values are filled as they are reached. */
    private final Map<String, JsonObject> schemas = new TreeMap<>();
    private final Deque<Descriptor> pendingMessages = new ArrayDeque<>();
    private final Map<FileDescriptor, Map<List<Integer>, String>> comments = new HashMap<>();

    Builder(List<Route> routes, List<Descriptor> messageTypes) {
      this.routes = routes;
      this.messageTypes = messageTypes;
    }

    JsonObject build() {
      JsonObject document = new JsonObject();
      document.addProperty("openapi", "3.0.3");
      document.add("info", info());
      Map<String, JsonObject> paths = new TreeMap<>();
      Map<String, Integer> bindingsSeen = new HashMap<>();
      Map<String, ServiceDescriptor> services = new TreeMap<>();
      for (Route route : routes) {
        String path = openApiPath(route.pattern());
        if (path.equals(PATH)) {
          throw new IllegalStateException(route.method().getFullName() + " claims " + PATH + ", which serves this document");
        }
        String verb = route.verb().toLowerCase(java.util.Locale.ROOT);
        JsonObject item = paths.computeIfAbsent(path, p -> new JsonObject());
        if (item.has(verb)) {
          throw new IllegalStateException("two HTTP rules for " + route.verb() + " " + path);
        }
        int binding = bindingsSeen.merge(route.method().getFullName(), 1, Integer::sum);
        item.add(verb, operation(route, binding));
        services.put(route.method().getService().getFullName(), route.method().getService());
      }
      JsonObject pathsJson = new JsonObject();
      paths.forEach(pathsJson::add);
      document.add("paths", pathsJson);

      JsonArray tags = new JsonArray();
      for (ServiceDescriptor service : services.values()) {
        JsonObject tag = new JsonObject();
        tag.addProperty("name", service.getName());
        describe(tag, comment(service.getFile(), List.of(6, service.getIndex())));
        tags.add(tag);
      }
      document.add("tags", tags);

      JsonObject components = new JsonObject();
      components.add("securitySchemes", securitySchemes());
      errorSchemas();
      while (!pendingMessages.isEmpty()) {
        Descriptor message = pendingMessages.pop();
        schemas.put(message.getFullName(), messageSchema(message, Set.of()));
      }
      JsonObject schemasJson = new JsonObject();
      schemas.forEach(schemasJson::add);
      components.add("schemas", schemasJson);
      document.add("components", components);
      return document;
    }

    private JsonObject info() {
      JsonObject info = new JsonObject();
      info.addProperty("title", "Token Authority REST API");
      String pkg = routes.isEmpty() ? "" : routes.get(0).method().getFile().getPackage();
      info.addProperty("version", pkg.substring(pkg.lastIndexOf('.') + 1));
      info.addProperty("description", "Every HTTP path the REST edge (the embedded gateway, or Envoy's transcoder) "
          + "serves, generated from the google.api.http rules of the " + pkg + " protos. Fields are named by their "
          + "json_name; every field without presence (scalars, lists, maps) is printed even when empty, zero or "
          + "false; int64 values are JSON strings; times are RFC 3339 strings. Errors are a google.rpc.Status "
          + "JSON (one google.rpc.ErrorInfo detail, plus a google.rpc.BadRequest for invalid input), except where "
          + "an operation documents the Altostrat error body. This document is served at GET " + PATH + ".");
      return info;
    }

    private static JsonObject securitySchemes() {
      JsonObject schemes = new JsonObject();
      JsonObject bearer = new JsonObject();
      bearer.addProperty("type", "http");
      bearer.addProperty("scheme", "bearer");
      bearer.addProperty("description", "A token this authority issued, as `Authorization: Bearer <secret>`.");
      schemes.add("bearerAuth", bearer);
      JsonObject apiKey = new JsonObject();
      apiKey.addProperty("type", "apiKey");
      apiKey.addProperty("in", "header");
      apiKey.addProperty("name", "x-api-key");
      apiKey.addProperty("description", "The same secret in the `x-api-key` header.");
      schemes.add("apiKeyAuth", apiKey);
      return schemes;
    }

    private JsonObject operation(Route route, int binding) {
      MethodDescriptor method = route.method();
      JsonObject operation = new JsonObject();
      operation.addProperty("operationId", method.getFullName() + (binding == 1 ? "" : "_" + binding));
      JsonArray tags = new JsonArray();
      tags.add(method.getService().getName());
      operation.add("tags", tags);
      String comment = comment(method.getFile(), List.of(6, method.getService().getIndex(), 2, method.getIndex()));
      if (comment != null) {
        operation.addProperty("summary", firstSentence(comment));
        operation.addProperty("description", comment);
      }
      boolean isPublic = method.getOptions().getExtension(ApiOptionsProto.publicMethod);
      JsonArray security = new JsonArray();
      if (!isPublic) {
        for (String scheme : List.of("bearerAuth", "apiKeyAuth")) {
          JsonObject requirement = new JsonObject();
          requirement.add(scheme, new JsonArray());
          security.add(requirement);
        }
      }
      operation.add("security", security);

      Descriptor input = method.getInputType();
      Set<String> pathFields = new LinkedHashSet<>();
      JsonArray parameters = new JsonArray();
      Matcher variables = VARIABLE.matcher(route.pattern());
      while (variables.find()) {
        String fieldPath = variables.group(1);
        pathFields.add(fieldPath);
        FieldDescriptor field = resolve(input, fieldPath);
        JsonObject parameter = new JsonObject();
        parameter.addProperty("name", fieldPath);
        parameter.addProperty("in", "path");
        parameter.addProperty("required", true);
        describe(parameter, fieldComment(field));
        parameter.add("schema", valueSchema(field));
        parameters.add(parameter);
      }
      if (!route.body().equals("*")) {
        Set<String> excluded = new HashSet<>(pathFields);
        if (!route.body().isEmpty()) {
          excluded.add(route.body());
        }
        queryParameters(input, "", "", excluded, new HashSet<>(), parameters);
      }
      if (!parameters.isEmpty()) {
        operation.add("parameters", parameters);
      }
      if (!route.body().isEmpty()) {
        operation.add("requestBody", requestBody(route, pathFields));
      }
      operation.add("responses", responses(route, isPublic));
      return operation;
    }

    /**
     * Query parameters, as the gateway and Envoy bind them: every field not bound by the path
     * or the body, named by its json_name; fields of a (non-repeated) message field by dotted
     * names; a Timestamp as RFC 3339 text.
     */
    private void queryParameters(Descriptor type, String protoPrefix, String jsonPrefix, Set<String> excluded,
        Set<Descriptor> visiting, JsonArray parameters) {
      if (!visiting.add(type)) {
        return;
      }
      for (FieldDescriptor field : type.getFields()) {
        String protoPath = protoPrefix + field.getName();
        if (excluded.contains(protoPath)) {
          continue;
        }
        String jsonPath = jsonPrefix + field.getJsonName();
        if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE && !isTimestamp(field.getMessageType())) {
          if (!field.isRepeated() && !isWellKnown(field.getMessageType())) {
            queryParameters(field.getMessageType(), protoPath + ".", jsonPath + ".", excluded, visiting, parameters);
          }
          continue; // not expressible as query text (the gateway rejects it)
        }
        JsonObject parameter = new JsonObject();
        parameter.addProperty("name", jsonPath);
        parameter.addProperty("in", "query");
        if (behaviors(field).contains(FieldBehavior.REQUIRED)) {
          parameter.addProperty("required", true);
        }
        String description = fieldComment(field);
        if (!jsonPath.equals(protoPath)) {
          String alias = "Also accepted as `" + protoPath + "`.";
          description = description == null ? alias : description + "\n\n" + alias;
        }
        describe(parameter, description);
        JsonObject schema = valueSchema(field);
        if (field.isRepeated()) {
          JsonObject array = new JsonObject();
          array.addProperty("type", "array");
          array.add("items", schema);
          schema = array;
          parameter.addProperty("style", "form");
          parameter.addProperty("explode", true);
        }
        parameter.add("schema", schema);
        parameters.add(parameter);
      }
      visiting.remove(type);
    }

    private JsonObject requestBody(Route route, Set<String> pathFields) {
      Descriptor input = route.method().getInputType();
      JsonObject schema;
      if (route.body().equals("*")) {
        Set<String> topLevel = new HashSet<>();
        pathFields.forEach(p -> topLevel.add(p.split("\\.", 2)[0]));
        if (topLevel.isEmpty()) {
          schema = ref(input);
        } else {
          // The path binds some fields: the body is the request without them.
          String name = input.getFullName() + ".body";
          schemas.put(name, messageSchema(input, topLevel));
          schema = ref(name);
        }
      } else {
        FieldDescriptor field = input.findFieldByName(route.body());
        if (field == null || field.getJavaType() != FieldDescriptor.JavaType.MESSAGE || field.isRepeated()) {
          throw new IllegalStateException(route.method().getFullName() + ": body " + route.body()
              + " is not a message field of " + input.getFullName());
        }
        schema = ref(field.getMessageType());
      }
      JsonObject body = new JsonObject();
      String description = route.body().equals("*") ? null : fieldComment(input.findFieldByName(route.body()));
      describe(body, description);
      body.add("content", content(schema));
      body.addProperty("required", true);
      return body;
    }

    private JsonObject responses(Route route, boolean isPublic) {
      MethodDescriptor method = route.method();
      JsonObject responses = new JsonObject();
      int declared = method.getOptions().getExtension(ApiOptionsProto.httpSuccessStatus);
      int success = RUN_TIME_SUCCESS_STATUS.getOrDefault(method.getFullName(), declared == 0 ? 200 : declared);
      JsonObject ok = new JsonObject();
      ok.addProperty("description", successDescription(success));
      JsonObject schema;
      if (route.responseBody().isEmpty()) {
        schema = ref(method.getOutputType());
      } else {
        FieldDescriptor field = method.getOutputType().findFieldByName(route.responseBody());
        if (field == null) {
          throw new IllegalStateException(method.getFullName() + ": response_body " + route.responseBody()
              + " is not a field of " + method.getOutputType().getFullName());
        }
        schema = fieldSchema(field);
      }
      if (success == 302) {
        JsonObject headers = new JsonObject();
        JsonObject location = new JsonObject();
        location.addProperty("description", "Where the link leads.");
        location.add("schema", scalar("string", null));
        headers.add("Location", location);
        ok.add("headers", headers);
      }
      ok.add("content", content(schema));
      responses.add(Integer.toString(success), ok);

      boolean altostrat = method.getService().getOptions().getExtension(ApiOptionsProto.altostratErrorBody);
      Map<Integer, String> errors = new TreeMap<>();
      errors.put(400, "Invalid input (INVALID_ARGUMENT, FAILED_PRECONDITION), a malformed JSON body, or an unknown "
          + "field or query parameter.");
      if (!isPublic) {
        errors.put(401, "No credential, or one that is malformed, unknown, expired or revoked (UNAUTHENTICATED).");
        errors.put(403, "The credential lacks a scope the call needs (PERMISSION_DENIED).");
      }
      // 404 and 409 where the path names an object or the proto comments document them; creates and
      // updates may meet a taken unique key or a stale change sequence. Anything else: "default".
      String documented = documentedErrors(method);
      if (route.pattern().contains("{") || documented.contains("NOT_FOUND")) {
        errors.put(404, "A named or referenced object does not exist in the caller's tenant (NOT_FOUND).");
      }
      String name = method.getName();
      if (name.startsWith("Create") || name.startsWith("Update") || documented.contains("ALREADY_EXISTS")
          || documented.contains("ABORTED")) {
        errors.put(409, "An object with the same unique key already exists (ALREADY_EXISTS), or the object "
            + "changed since it was read (ABORTED).");
      }
      if (!route.body().isEmpty()) {
        errors.put(413, "The request body exceeds 1 MiB.");
        errors.put(415, "The request body is not JSON (Content-Type: application/json).");
      }
      errors.put(500, "An unexpected server fault (INTERNAL); the incident is in the server log.");
      errors.put(503, "The storage is unreachable, or the server is shutting down (UNAVAILABLE); retry later.");
      errors.put(504, "The call's deadline passed (DEADLINE_EXCEEDED).");
      errors.putAll(RUN_TIME_ERROR_STATUSES.getOrDefault(method.getFullName(), Map.of()));
      JsonObject errorContent = content(ref(altostrat ? ALTOSTRAT_SCHEMA : STATUS_SCHEMA));
      // Errors the edge decides itself (malformed request, shutting down, its own fault) get the Altostrat
      // body only under its path prefix (both edges: RestGateway, envoy/rest_edge.lua); elsewhere the
      // routes of an Altostrat service may answer either body.
      boolean mixed = altostrat && !route.pattern().startsWith(AltostratErrors.PATH_PREFIX);
      JsonObject eitherContent = errorContent;
      if (mixed) {
        JsonObject either = new JsonObject();
        JsonArray oneOf = new JsonArray();
        oneOf.add(ref(ALTOSTRAT_SCHEMA));
        oneOf.add(ref(STATUS_SCHEMA));
        either.add("oneOf", oneOf);
        either.addProperty("description", "The Altostrat body when the service answered; the google.rpc.Status "
            + "JSON when the REST edge refused the request itself.");
        eitherContent = content(either);
      }
      Set<Integer> edgeDecided = Set.of(400, 413, 415, 500, 503);
      for (Map.Entry<Integer, String> error : errors.entrySet()) {
        JsonObject response = new JsonObject();
        response.addProperty("description", error.getValue());
        response.add("content", (edgeDecided.contains(error.getKey()) ? eitherContent : errorContent).deepCopy());
        responses.add(Integer.toString(error.getKey()), response);
      }
      JsonObject other = new JsonObject();
      other.addProperty("description", "Any other error, with the HTTP status of its gRPC code as Envoy maps it.");
      other.add("content", eitherContent.deepCopy());
      responses.add("default", other);
      return responses;
    }

    /** The comments of {@code method} and of its request message's fields, where errors are documented. */
    private String documentedErrors(MethodDescriptor method) {
      StringBuilder text = new StringBuilder();
      text.append(comment(method.getFile(), List.of(6, method.getService().getIndex(), 2, method.getIndex())));
      for (FieldDescriptor field : method.getInputType().getFields()) {
        text.append(' ').append(fieldComment(field));
      }
      return text.toString();
    }

    private static String successDescription(int status) {
      return switch (status) {
        case 200 -> "OK";
        case 201 -> "Created";
        case 302 -> "Found: a redirect to the `Location` header (the body carries the same location)";
        default -> "Success";
      };
    }

    /** google.rpc.Status (with google.protobuf.Any) and the Altostrat error body. */
    private void errorSchemas() {
      JsonObject status = new JsonObject();
      status.addProperty("type", "object");
      status.addProperty("description", "The error, as Envoy's `convert_grpc_status` prints a gRPC status: its "
          + "code, message and details (exactly one google.rpc.ErrorInfo whose `reason` is an ErrorReason name, "
          + "plus a google.rpc.BadRequest naming each bad field by its JSON name when input was invalid).");
      JsonObject properties = new JsonObject();
      properties.add("code", scalar("integer", "int32", "The gRPC status code (3 INVALID_ARGUMENT, 5 NOT_FOUND, ...)."));
      properties.add("message", scalar("string", null, "A developer-facing message in English."));
      JsonObject details = new JsonObject();
      details.addProperty("type", "array");
      details.addProperty("description", "google.rpc.ErrorInfo, and google.rpc.BadRequest for invalid input.");
      details.add("items", ref(ANY_SCHEMA));
      properties.add("details", details);
      status.add("properties", properties);
      JsonArray required = new JsonArray();
      List.of("code", "message", "details").forEach(required::add);
      status.add("required", required);
      schemas.put(STATUS_SCHEMA, status);
      schemas.put(ANY_SCHEMA, anySchema());
      // The detail types, so their shapes are documented too (the descriptor set's copy has the comments).
      reach(messageTypes.stream().filter(m -> m.getFullName().equals(ErrorDetails.getDescriptor().getFullName()))
          .findFirst().orElse(ErrorDetails.getDescriptor()));

      JsonObject altostrat = new JsonObject();
      altostrat.addProperty("type", "object");
      altostrat.addProperty("description", "The Altostrat Faults API error body (seed 001).");
      JsonObject fields = new JsonObject();
      fields.add("type", scalar("string", null, "`invalid_request_error`, `authentication_error`, `permission_error`, "
          + "`rate_limit_error` or `api_error`."));
      fields.add("code", scalar("string", null, "`parameter_missing`, `parameter_invalid`, `api_key_invalid`, "
          + "`permission_denied`, `resource_missing`, `resource_gone`, `internal_server_error`, ..."));
      fields.add("message", scalar("string", null, "A human-readable message."));
      fields.add("doc_url", scalar("string", "uri", "https://docs.altostrat.io/errors/ followed by the code."));
      altostrat.add("properties", fields);
      JsonArray all = new JsonArray();
      List.of("type", "code", "message", "doc_url").forEach(all::add);
      altostrat.add("required", all);
      schemas.put(ALTOSTRAT_SCHEMA, altostrat);
    }

    private JsonObject messageSchema(Descriptor message, Set<String> without) {
      JsonObject schema = new JsonObject();
      schema.addProperty("type", "object");
      describe(schema, comment(message.getFile(), messagePath(message)));
      JsonObject properties = new JsonObject();
      JsonArray required = new JsonArray();
      for (FieldDescriptor field : message.getFields()) {
        if (without.contains(field.getName())) {
          continue;
        }
        properties.add(field.getJsonName(), fieldSchema(field));
        if (behaviors(field).contains(FieldBehavior.REQUIRED)) {
          required.add(field.getJsonName());
        }
      }
      schema.add("properties", properties);
      if (!required.isEmpty()) {
        schema.add("required", required);
      }
      schema.addProperty("additionalProperties", false); // the edge rejects unknown fields
      return schema;
    }

    /** A field's schema with its description, readOnly and nullable markers. */
    private JsonObject fieldSchema(FieldDescriptor field) {
      JsonObject schema;
      if (field.isMapField()) {
        schema = new JsonObject();
        schema.addProperty("type", "object");
        schema.add("additionalProperties", valueSchema(field.getMessageType().findFieldByName("value")));
      } else if (field.isRepeated()) {
        schema = new JsonObject();
        schema.addProperty("type", "array");
        schema.add("items", valueSchema(field));
      } else {
        schema = valueSchema(field);
      }
      boolean readOnly = behaviors(field).contains(FieldBehavior.OUTPUT_ONLY);
      boolean nullable = field.getOptions().getExtension(ApiOptionsProto.jsonNullWhenUnset);
      String description = fieldComment(field);
      if (schema.has("$ref") && (readOnly || nullable || description != null)) {
        // OpenAPI 3.0 ignores the siblings of a $ref: wrap it.
        JsonObject wrapped = new JsonObject();
        JsonArray allOf = new JsonArray();
        allOf.add(schema);
        wrapped.add("allOf", allOf);
        schema = wrapped;
      }
      describe(schema, description);
      if (readOnly) {
        schema.addProperty("readOnly", true);
      }
      if (nullable) {
        schema.addProperty("nullable", true);
      }
      return schema;
    }

    /** The schema of one value of {@code field} (an element, for a repeated one). */
    private JsonObject valueSchema(FieldDescriptor field) {
      return switch (field.getType()) {
        case INT32, SINT32, SFIXED32 -> scalar("integer", "int32");
        case UINT32, FIXED32 -> {
          JsonObject schema = scalar("integer", "int64");
          schema.addProperty("minimum", 0);
          yield schema;
        }
        case INT64, SINT64, SFIXED64 -> scalar("string", "int64");
        case UINT64, FIXED64 -> scalar("string", "uint64");
        case FLOAT -> scalar("number", "float");
        case DOUBLE -> scalar("number", "double");
        case BOOL -> scalar("boolean", null);
        case STRING -> scalar("string", null);
        case BYTES -> scalar("string", "byte");
        case ENUM -> ref(enumSchema(field.getEnumType()));
        case MESSAGE, GROUP -> messageValue(field.getMessageType());
      };
    }

    /** A message-typed value: the proto3 JSON form of a well-known type, else a reference. */
    private JsonObject messageValue(Descriptor type) {
      switch (type.getFullName()) {
        case "google.protobuf.Timestamp":
          return scalar("string", "date-time");
        case "google.protobuf.Duration":
          return scalar("string", null, "Seconds with an `s` suffix, e.g. `1.5s`.");
        case "google.protobuf.FieldMask":
          return scalar("string", null, "Comma-separated field paths.");
        case "google.protobuf.Struct": {
          JsonObject schema = new JsonObject();
          schema.addProperty("type", "object");
          schema.add("additionalProperties", new JsonObject());
          return schema;
        }
        case "google.protobuf.Value":
          return new JsonObject(); // any JSON value
        case "google.protobuf.ListValue": {
          JsonObject schema = new JsonObject();
          schema.addProperty("type", "array");
          schema.add("items", new JsonObject());
          return schema;
        }
        case "google.protobuf.Empty": {
          JsonObject schema = new JsonObject();
          schema.addProperty("type", "object");
          return schema;
        }
        case "google.protobuf.Any":
          return ref(ANY_SCHEMA);
        case "google.protobuf.DoubleValue", "google.protobuf.FloatValue", "google.protobuf.Int64Value",
            "google.protobuf.UInt64Value", "google.protobuf.Int32Value", "google.protobuf.UInt32Value",
            "google.protobuf.BoolValue", "google.protobuf.StringValue", "google.protobuf.BytesValue": {
          JsonObject schema = valueSchema(type.findFieldByName("value"));
          schema.addProperty("nullable", true);
          return schema;
        }
        default:
          return ref(type);
      }
    }

    private static boolean isTimestamp(Descriptor type) {
      return type.getFullName().equals("google.protobuf.Timestamp");
    }

    private static boolean isWellKnown(Descriptor type) {
      return type.getFullName().startsWith("google.protobuf.");
    }

    private JsonObject ref(Descriptor message) {
      if (message.getFullName().equals("google.protobuf.Any")) {
        return ref(ANY_SCHEMA);
      }
      reach(message);
      return ref(message.getFullName());
    }

    private void reach(Descriptor message) {
      if (!schemas.containsKey(message.getFullName())) {
        schemas.put(message.getFullName(), new JsonObject()); // placeholder, filled from pendingMessages
        pendingMessages.push(message);
      }
      if (!schemas.containsKey(ANY_SCHEMA) && containsAny(message, new HashSet<>())) {
        schemas.put(ANY_SCHEMA, anySchema());
      }
    }

    private static boolean containsAny(Descriptor message, Set<Descriptor> seen) {
      if (!seen.add(message)) {
        return false;
      }
      for (FieldDescriptor field : message.getFields()) {
        if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE
            && (field.getMessageType().getFullName().equals("google.protobuf.Any")
                || containsAny(field.getMessageType(), seen))) {
          return true;
        }
      }
      return false;
    }

    /** {@code {"application/json": {"schema": schema}}}. */
    private static JsonObject content(JsonObject schema) {
      JsonObject media = new JsonObject();
      media.add("schema", schema);
      JsonObject content = new JsonObject();
      content.add("application/json", media);
      return content;
    }

    private static JsonObject ref(String component) {
      JsonObject ref = new JsonObject();
      ref.addProperty("$ref", "#/components/schemas/" + component);
      return ref;
    }

    private String enumSchema(EnumDescriptor type) {
      if (!schemas.containsKey(type.getFullName())) {
        JsonObject schema = new JsonObject();
        schema.addProperty("type", "string");
        List<Integer> path = enumPath(type);
        StringBuilder description = new StringBuilder();
        String comment = comment(type.getFile(), path);
        if (comment != null) {
          description.append(comment);
        }
        JsonArray values = new JsonArray();
        for (EnumValueDescriptor value : type.getValues()) {
          values.add(value.getName());
          List<Integer> valuePath = new ArrayList<>(path);
          valuePath.addAll(List.of(2, value.getIndex()));
          String valueComment = comment(type.getFile(), valuePath);
          if (valueComment != null) {
            description.append(description.length() == 0 ? "" : "\n\n").append("- `").append(value.getName())
                .append("`: ").append(valueComment.replace('\n', ' '));
          }
        }
        describe(schema, description.length() == 0 ? null : description.toString());
        schema.add("enum", values);
        schemas.put(type.getFullName(), schema);
      }
      return type.getFullName();
    }

    private static JsonObject anySchema() {
      JsonObject any = new JsonObject();
      any.addProperty("type", "object");
      any.addProperty("description", "A message of the type `@type` names, its fields beside `@type`.");
      JsonObject properties = new JsonObject();
      properties.add("@type", scalar("string", null, "e.g. `type.googleapis.com/google.rpc.ErrorInfo`."));
      any.add("properties", properties);
      JsonArray required = new JsonArray();
      required.add("@type");
      any.add("required", required);
      any.addProperty("additionalProperties", true);
      return any;
    }

    private static JsonObject scalar(String type, String format) {
      return scalar(type, format, null);
    }

    private static JsonObject scalar(String type, String format, String description) {
      JsonObject schema = new JsonObject();
      schema.addProperty("type", type);
      if (format != null) {
        schema.addProperty("format", format);
      }
      describe(schema, description);
      return schema;
    }

    private static void describe(JsonObject target, String description) {
      if (description != null && !description.isBlank()) {
        target.addProperty("description", description);
      }
    }

    private static List<FieldBehavior> behaviors(FieldDescriptor field) {
      return field.getOptions().getExtension(FieldBehaviorProto.fieldBehavior);
    }

    private static FieldDescriptor resolve(Descriptor type, String path) {
      String[] parts = path.split("\\.");
      FieldDescriptor field = null;
      for (int i = 0; i < parts.length; i++) {
        field = type.findFieldByName(parts[i]);
        if (field == null) {
          throw new IllegalStateException(type.getFullName() + " has no field " + parts[i] + " (path variable " + path + ")");
        }
        if (i < parts.length - 1) {
          type = field.getMessageType();
        }
      }
      return field;
    }

    private String fieldComment(FieldDescriptor field) {
      List<Integer> path = new ArrayList<>(messagePath(field.getContainingType()));
      path.addAll(List.of(2, field.getIndex()));
      return comment(field.getFile(), path);
    }

    private static List<Integer> messagePath(Descriptor message) {
      List<Integer> path = new ArrayList<>();
      if (message.getContainingType() == null) {
        path.addAll(List.of(4, message.getIndex()));
      } else {
        path.addAll(messagePath(message.getContainingType()));
        path.addAll(List.of(3, message.getIndex()));
      }
      return path;
    }

    private static List<Integer> enumPath(EnumDescriptor type) {
      List<Integer> path = new ArrayList<>();
      if (type.getContainingType() == null) {
        path.addAll(List.of(5, type.getIndex()));
      } else {
        path.addAll(messagePath(type.getContainingType()));
        path.addAll(List.of(4, type.getIndex()));
      }
      return path;
    }

    /** The leading comment at {@code path} of {@code file}'s source info, tidied; null if none. */
    private String comment(FileDescriptor file, List<Integer> path) {
      Map<List<Integer>, String> byPath = comments.computeIfAbsent(file, f -> {
        Map<List<Integer>, String> map = new HashMap<>();
        for (SourceCodeInfo.Location location : f.toProto().getSourceCodeInfo().getLocationList()) {
          if (location.hasLeadingComments()) {
            map.putIfAbsent(List.copyOf(location.getPathList()), location.getLeadingComments());
          }
        }
        return map;
      });
      String raw = byPath.get(path);
      if (raw == null) {
        return null;
      }
      // Rejoin the comment's wrapped lines into paragraphs.
      List<String> paragraphs = new ArrayList<>();
      StringBuilder paragraph = new StringBuilder();
      for (String line : raw.split("\n")) {
        String text = line.strip();
        if (text.isEmpty()) {
          if (paragraph.length() > 0) {
            paragraphs.add(paragraph.toString());
            paragraph.setLength(0);
          }
        } else {
          paragraph.append(paragraph.length() == 0 ? "" : " ").append(text);
        }
      }
      if (paragraph.length() > 0) {
        paragraphs.add(paragraph.toString());
      }
      return paragraphs.isEmpty() ? null : String.join("\n\n", paragraphs);
    }

    private static String firstSentence(String text) {
      String first = text.split("\n\n", 2)[0];
      Matcher end = Pattern.compile("(?<!e\\.g)(?<!i\\.e)\\.(\\s|$)").matcher(first);
      return end.find() ? first.substring(0, end.start() + 1) : first;
    }
  }
}
