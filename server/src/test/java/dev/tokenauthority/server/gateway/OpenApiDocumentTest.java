package dev.tokenauthority.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.api.AnnotationsProto;
import com.google.api.FieldBehavior;
import com.google.api.FieldBehaviorProto;
import com.google.api.HttpRule;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.DescriptorProtos.MethodDescriptorProto;
import com.google.protobuf.DescriptorProtos.ServiceDescriptorProto;
import com.google.protobuf.ExtensionRegistry;
import dev.tokenauthority.server.ServerConfig;
import dev.tokenauthority.server.TokenAuthorityServer;
import dev.tokenauthority.server.testing.TestStores;
import dev.tokenauthority.v1.ApiOptionsProto;
import io.grpc.inprocess.InProcessServerBuilder;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * GET /openapi.json, fetched over real HTTP from a running gateway, checked against the
 * descriptor set read here on its own (not through HttpRoutes): exactly one operation per HTTP
 * rule, the declared success statuses, credentials, field_behavior and json_null_when_unset,
 * resolvable references, a real OpenAPI parser's verdict, and a seed's shape as the server
 * really answers it. Each structural check is also run on a broken copy, to show it can fail.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenApiDocumentTest {
  private static final Set<String> VERBS = Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");

  TokenAuthorityServer server;
  final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
  String admin;
  HttpResponse<String> served;
  JsonObject document;
  Descriptors descriptors;

  @BeforeAll
  void start(@TempDir Path dataDir) throws Exception {
    server = new TokenAuthorityServer(TestStores.config(dataDir).withHttpPort(ServerConfig.ANY_FREE_PORT),
        Clock.systemUTC()).start(InProcessServerBuilder.forName(InProcessServerBuilder.generateName()));
    admin = Files.readString(server.bootstrapFile(), StandardCharsets.US_ASCII).trim();
    served = http.send(to("/openapi.json").GET().build(), HttpResponse.BodyHandlers.ofString()); // no credential
    document = JsonParser.parseString(served.body()).getAsJsonObject();
    descriptors = Descriptors.read();
    Files.writeString(Path.of("target", "openapi.json"), served.body()); // to read, or to feed another validator
  }

  @AfterAll
  void stop() throws Exception {
    server.stop();
  }

  HttpRequest.Builder to(String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + path));
  }

  @Test
  void isServedWithoutCredentialAsJson() {
    assertThat(served.statusCode()).isEqualTo(200);
    assertThat(served.headers().firstValue("content-type")).hasValue("application/json");
    assertThat(document.get("openapi").getAsString()).isEqualTo("3.0.3");
    assertThat(document.getAsJsonObject("info").get("version").getAsString()).isEqualTo("v1");
  }

  @Test
  void hasExactlyTheDescriptorsHttpRules() {
    assertThat(descriptors.rules).hasSizeGreaterThan(30); // the descriptor was really read
    assertThat(operations(document)).isEqualTo(descriptors.rules);
    assertThat(pathProblems(document, descriptors)).isEmpty();
  }

  @Test
  void successStatusesAreTheDeclaredOnes() {
    assertThat(statusProblems(document, descriptors)).isEmpty();
    JsonObject responses = operation(document, "post", "/tokens").getAsJsonObject("responses");
    assertThat(responses.keySet()).contains("201").doesNotContain("200");
  }

  @Test
  void credentialsAreRequiredExceptByPublicMethods() {
    assertThat(securityProblems(document, descriptors)).isEmpty();
    assertThat(operation(document, "get", "/.well-known/jwks.json").getAsJsonArray("security")).isEmpty();
    assertThat(operation(document, "get", "/s/{code}").getAsJsonArray("security")).isEmpty();
    assertThat(operation(document, "get", "/tokens").getAsJsonArray("security")).isNotEmpty();
  }

  @Test
  void everyRequestFieldIsAPathOrQueryParameterOrInTheBody() {
    assertThat(parameterProblems(document, descriptors)).isEmpty();
  }

  @Test
  void everyReferenceResolves() {
    assertThat(referenceProblems(document)).isEmpty();
  }

  @Test
  void fieldsFollowFieldBehaviorAndJsonNulls() {
    assertThat(fieldProblems(document, descriptors)).isEmpty();
  }

  @Test
  void aRealOpenApiParserAcceptsIt() {
    ParseOptions options = new ParseOptions();
    options.setResolve(true);
    SwaggerParseResult result = new OpenAPIV3Parser().readContents(served.body(), null, options);
    assertThat(result.getMessages()).isEmpty();
    assertThat(result.getOpenAPI().getPaths()).hasSize(document.getAsJsonObject("paths").size());
  }

  @Test
  void workspaceTokenCreationMatchesSeed004AndWhatTheServerAnswers() throws Exception {
    JsonObject post = operation(document, "post", "/tokens");
    JsonObject request = component(document, post.getAsJsonObject("requestBody").getAsJsonObject("content")
        .getAsJsonObject("application/json").getAsJsonObject("schema"));
    assertThat(request.getAsJsonObject("properties").keySet()).containsExactly("name", "scopes", "expires_at");
    assertThat(strings(request.getAsJsonArray("required"))).containsExactly("name", "scopes");
    assertThat(request.getAsJsonObject("properties").getAsJsonObject("expires_at").get("format").getAsString())
        .isEqualTo("date-time");

    JsonObject created = component(document, post.getAsJsonObject("responses").getAsJsonObject("201")
        .getAsJsonObject("content").getAsJsonObject("application/json").getAsJsonObject("schema"));
    JsonObject properties = created.getAsJsonObject("properties");
    assertThat(properties.keySet()).containsExactly("id", "token", "name", "scopes", "status", "created_at",
        "expires_at", "last_used_at", "created_by");
    assertThat(properties.getAsJsonObject("expires_at").get("nullable").getAsBoolean()).isTrue();
    assertThat(properties.getAsJsonObject("id").get("readOnly").getAsBoolean()).isTrue();

    HttpResponse<String> answer = http.send(to("/tokens").header("Authorization", "Bearer " + admin)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"name\": \"openapi\", \"scopes\": [\"tokens:read\"]}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(answer.statusCode()).isEqualTo(201);
    assertThat(JsonParser.parseString(answer.body()).getAsJsonObject().keySet())
        .isEqualTo(properties.keySet()); // every field printed, under the documented names

    JsonObject list = operation(document, "get", "/tokens");
    List<String> parameters = new ArrayList<>();
    list.getAsJsonArray("parameters").forEach(p -> parameters.add(p.getAsJsonObject().get("in").getAsString() + ":"
        + p.getAsJsonObject().get("name").getAsString()));
    assertThat(parameters).containsExactly("query:page_size", "query:page_token", "query:status");
  }

  @Test
  void pathVariablesAreParametersAndLeaveTheBody() {
    JsonObject create = operation(document, "post", "/api/v1/records/{record}/tokens");
    JsonObject parameter = create.getAsJsonArray("parameters").get(0).getAsJsonObject();
    assertThat(parameter.get("name").getAsString()).isEqualTo("record");
    assertThat(parameter.get("in").getAsString()).isEqualTo("path");
    JsonObject body = component(document, create.getAsJsonObject("requestBody").getAsJsonObject("content")
        .getAsJsonObject("application/json").getAsJsonObject("schema"));
    assertThat(body.getAsJsonObject("properties").keySet()).containsExactly("expires_in");
    assertThat(body.getAsJsonObject("properties").getAsJsonObject("expires_in").get("type").getAsString())
        .isEqualTo("string"); // int64 in proto3 JSON
  }

  @Test
  void errorsUseTheStatusOrTheAltostratBody() throws Exception {
    JsonObject tokens = operation(document, "post", "/tokens").getAsJsonObject("responses");
    assertThat(tokens.keySet()).contains("400", "401", "403", "409", "500", "503", "default");
    assertThat(schemaRef(tokens.getAsJsonObject("401"))).endsWith("/google.rpc.Status");
    JsonObject fault = operation(document, "post", "/fault/token").getAsJsonObject("responses");
    assertThat(schemaRef(fault.getAsJsonObject("400"))).endsWith("/AltostratError");

    JsonObject link = operation(document, "get", "/s/{code}").getAsJsonObject("responses");
    assertThat(link.keySet()).contains("302", "404", "410").doesNotContain("200", "401", "403");
    JsonObject malformed = link.getAsJsonObject("400").getAsJsonObject("content").getAsJsonObject("application/json")
        .getAsJsonObject("schema");
    assertThat(malformed.toString()).contains("/AltostratError", "/google.rpc.Status"); // /s/ is outside /fault/
    HttpResponse<String> refused = http.send(to("/s/x?unknown=1").GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(JsonParser.parseString(refused.body()).getAsJsonObject().keySet()).contains("code", "message");

    HttpResponse<String> unknown = http.send(to("/s/nosuchcode").GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(unknown.statusCode()).isEqualTo(404);
    JsonObject body = JsonParser.parseString(unknown.body()).getAsJsonObject();
    assertThat(body.keySet()).isEqualTo(
        document.getAsJsonObject("components").getAsJsonObject("schemas").getAsJsonObject("AltostratError")
            .getAsJsonObject("properties").keySet());
  }

  /** Every check, run on a copy broken in the way it looks for, reports the break. */
  @Test
  void eachCheckCatchesWhatItChecks() {
    assertThat(pathProblems(broken(d -> d.getAsJsonObject("paths").remove("/tokens/{id}")), descriptors)).isNotEmpty();
    assertThat(pathProblems(broken(d -> d.getAsJsonObject("paths").add("/extra", operationItem())), descriptors))
        .isNotEmpty();
    assertThat(pathProblems(broken(d -> d.getAsJsonObject("paths").getAsJsonObject("/tokens")
        .add("put", operationItem().get("get"))), descriptors)).isNotEmpty();
    assertThat(statusProblems(broken(d -> {
      JsonObject responses = operation(d, "post", "/tokens").getAsJsonObject("responses");
      responses.add("200", responses.remove("201"));
    }), descriptors)).isNotEmpty();
    assertThat(statusProblems(broken(d -> {
      JsonObject responses = operation(d, "get", "/tokens").getAsJsonObject("responses");
      responses.add("201", responses.remove("200"));
    }), descriptors)).isNotEmpty();
    assertThat(securityProblems(broken(d -> operation(d, "get", "/tokens").add("security", new JsonArray())),
        descriptors)).isNotEmpty();
    assertThat(parameterProblems(broken(d -> operation(d, "get", "/tokens").getAsJsonArray("parameters").remove(0)),
        descriptors)).isNotEmpty();
    assertThat(parameterProblems(broken(d -> schema(d, "tokenauthority.v1.CreateRecordTokenRequest.body")
        .getAsJsonObject("properties").add("record", new JsonObject())), descriptors)).isNotEmpty();
    assertThat(referenceProblems(broken(d -> d.getAsJsonObject("components").getAsJsonObject("schemas")
        .remove("tokenauthority.v1.WorkspaceToken")))).isNotEmpty();
    assertThat(fieldProblems(broken(d -> schema(d, "tokenauthority.v1.CreateWorkspaceTokenRequest")
        .remove("required")), descriptors)).isNotEmpty();
    assertThat(fieldProblems(broken(d -> schema(d, "tokenauthority.v1.WorkspaceToken").getAsJsonObject("properties")
        .getAsJsonObject("id").remove("readOnly")), descriptors)).isNotEmpty();
    assertThat(fieldProblems(broken(d -> schema(d, "tokenauthority.v1.WorkspaceToken").getAsJsonObject("properties")
        .getAsJsonObject("expires_at").remove("nullable")), descriptors)).isNotEmpty();
    assertThat(fieldProblems(broken(d -> schema(d, "tokenauthority.v1.WorkspaceToken").getAsJsonObject("properties")
        .remove("created_by")), descriptors)).isNotEmpty();
  }

  // ---- the checks ----

  /** The (VERB path) pairs of the document's operations. */
  static Set<String> operations(JsonObject document) {
    Set<String> operations = new TreeSet<>();
    for (Map.Entry<String, JsonElement> path : document.getAsJsonObject("paths").entrySet()) {
      for (String key : path.getValue().getAsJsonObject().keySet()) {
        if (VERBS.contains(key)) {
          operations.add(key.toUpperCase(Locale.ROOT) + " " + path.getKey());
        }
      }
    }
    return operations;
  }

  static List<String> pathProblems(JsonObject document, Descriptors descriptors) {
    List<String> problems = new ArrayList<>();
    Set<String> documented = operations(document);
    for (String rule : descriptors.rules) {
      if (!documented.contains(rule)) {
        problems.add("missing: " + rule);
      }
    }
    for (String operation : documented) {
      if (!descriptors.rules.contains(operation)) {
        problems.add("extra: " + operation);
      }
    }
    return problems;
  }

  static List<String> statusProblems(JsonObject document, Descriptors descriptors) {
    List<String> problems = new ArrayList<>();
    forEachOperation(document, (key, operation) -> {
      MethodDescriptorProto method = descriptors.method(operation);
      int declared = method.getOptions().getExtension(ApiOptionsProto.httpSuccessStatus);
      int expected = OpenApiDocument.RUN_TIME_SUCCESS_STATUS.getOrDefault(
          operation.get("operationId").getAsString(), declared == 0 ? 200 : declared);
      Set<String> successes = new TreeSet<>();
      operation.getAsJsonObject("responses").keySet().stream().filter(s -> s.matches("[123]\\d\\d")).forEach(successes::add);
      if (!successes.equals(Set.of(Integer.toString(expected)))) {
        problems.add(key + ": success " + successes + ", declared " + expected);
      }
    });
    return problems;
  }

  static List<String> securityProblems(JsonObject document, Descriptors descriptors) {
    List<String> problems = new ArrayList<>();
    forEachOperation(document, (key, operation) -> {
      boolean isPublic = descriptors.method(operation).getOptions().getExtension(ApiOptionsProto.publicMethod);
      JsonArray security = operation.getAsJsonArray("security");
      if (security == null || security.isEmpty() != isPublic) {
        problems.add(key + ": security " + security + " but public_method " + isPublic);
      }
      if (!isPublic && !operation.getAsJsonObject("responses").has("401")) {
        problems.add(key + ": takes a credential but documents no 401");
      }
    });
    return problems;
  }

  /**
   * Every field of each request reaches the server one way, as the edge binds it: a path variable,
   * the body (the whole request for body "*", less the path's fields), or a query parameter.
   */
  static List<String> parameterProblems(JsonObject document, Descriptors descriptors) {
    List<String> problems = new ArrayList<>();
    forEachOperation(document, (key, operation) -> {
      MethodDescriptorProto method = descriptors.method(operation);
      DescriptorProto request = descriptors.messages.get(method.getInputType().substring(1));
      HttpRule rule = descriptors.rule(key);
      List<String> bound = new ArrayList<>(); // proto names of the top-level fields, once per way bound
      JsonArray parameters = operation.has("parameters") ? operation.getAsJsonArray("parameters") : new JsonArray();
      for (JsonElement element : parameters) {
        String name = element.getAsJsonObject().get("name").getAsString().split("\\.")[0];
        request.getFieldList().stream().filter(f -> f.getName().equals(name) || f.getJsonName().equals(name))
            .findFirst().ifPresentOrElse(f -> {
              if (!bound.contains(f.getName())) {
                bound.add(f.getName());
              }
            }, () -> problems.add(key + ": parameter " + name + " is no field of " + request.getName()));
      }
      if (rule.getBody().equals("*")) {
        JsonObject body = component(document, operation.getAsJsonObject("requestBody").getAsJsonObject("content")
            .getAsJsonObject("application/json").getAsJsonObject("schema"));
        for (String property : body.getAsJsonObject("properties").keySet()) {
          request.getFieldList().stream().filter(f -> f.getJsonName().equals(property)).findFirst()
              .ifPresentOrElse(f -> bound.add(f.getName()),
                  () -> problems.add(key + ": body property " + property + " is no field of " + request.getName()));
        }
      } else if (!rule.getBody().isEmpty()) {
        bound.add(rule.getBody());
      }
      List<String> fields = new ArrayList<>();
      request.getFieldList().forEach(f -> fields.add(f.getName()));
      if (!new TreeSet<>(bound).equals(new TreeSet<>(fields)) || bound.size() != fields.size()) {
        problems.add(key + ": binds " + bound + " of fields " + fields);
      }
    });
    return problems;
  }

  static List<String> referenceProblems(JsonObject document) {
    List<String> problems = new ArrayList<>();
    walk(document, element -> {
      if (element.isJsonObject() && element.getAsJsonObject().has("$ref")) {
        String ref = element.getAsJsonObject().get("$ref").getAsString();
        JsonElement target = document;
        for (String token : ref.substring(2).split("/")) {
          target = target != null && target.isJsonObject() ? target.getAsJsonObject().get(token) : null;
        }
        if (!ref.startsWith("#/") || target == null || !target.isJsonObject()) {
          problems.add("unresolved " + ref);
        }
      }
    });
    return problems;
  }

  /** Every proto message documented as a component: its fields, required, readOnly and nullable. */
  static List<String> fieldProblems(JsonObject document, Descriptors descriptors) {
    List<String> problems = new ArrayList<>();
    JsonObject schemas = document.getAsJsonObject("components").getAsJsonObject("schemas");
    int checked = 0;
    for (Map.Entry<String, DescriptorProto> entry : descriptors.messages.entrySet()) {
      JsonObject schema = schemas.getAsJsonObject(entry.getKey());
      if (schema == null || entry.getKey().startsWith("google.protobuf.")) { // well-known types: their JSON forms
        continue;
      }
      checked++;
      Set<String> required = new HashSet<>(schema.has("required") ? strings(schema.getAsJsonArray("required")) : List.of());
      JsonObject properties = schema.getAsJsonObject("properties");
      Set<String> expectedRequired = new HashSet<>();
      for (FieldDescriptorProto field : entry.getValue().getFieldList()) {
        String name = field.getJsonName();
        JsonObject property = properties.getAsJsonObject(name);
        if (property == null) {
          problems.add(entry.getKey() + " lacks " + name);
          continue;
        }
        List<FieldBehavior> behaviors = field.getOptions().getExtension(FieldBehaviorProto.fieldBehavior);
        if (behaviors.contains(FieldBehavior.REQUIRED)) {
          expectedRequired.add(name);
        }
        boolean readOnly = property.has("readOnly") && property.get("readOnly").getAsBoolean();
        if (readOnly != behaviors.contains(FieldBehavior.OUTPUT_ONLY)) {
          problems.add(entry.getKey() + "." + name + ": readOnly " + readOnly + ", field_behavior " + behaviors);
        }
        boolean nullable = property.has("nullable") && property.get("nullable").getAsBoolean();
        boolean nullWhenUnset = field.getOptions().getExtension(ApiOptionsProto.jsonNullWhenUnset);
        if (nullWhenUnset && !nullable) {
          problems.add(entry.getKey() + "." + name + " is json_null_when_unset but not nullable");
        }
      }
      if (properties.size() != entry.getValue().getFieldCount()) {
        problems.add(entry.getKey() + ": " + properties.size() + " properties for " + entry.getValue().getFieldCount()
            + " fields");
      }
      if (!required.equals(expectedRequired)) {
        problems.add(entry.getKey() + ": required " + required + ", field_behavior REQUIRED " + expectedRequired);
      }
    }
    if (checked < 30) {
      problems.add("only " + checked + " message schemas found");
    }
    // every route's response message is documented (requests may be all path and query parameters)
    forEachOperation(document, (key, operation) -> {
      String type = descriptors.method(operation).getOutputType().substring(1);
      if (!schemas.has(type)) {
        problems.add(key + ": no schema for " + type);
      }
    });
    return problems;
  }

  // ---- helpers ----

  static void forEachOperation(JsonObject document, java.util.function.BiConsumer<String, JsonObject> action) {
    for (Map.Entry<String, JsonElement> path : document.getAsJsonObject("paths").entrySet()) {
      for (Map.Entry<String, JsonElement> entry : path.getValue().getAsJsonObject().entrySet()) {
        if (VERBS.contains(entry.getKey())) {
          action.accept(entry.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey(), entry.getValue().getAsJsonObject());
        }
      }
    }
  }

  static void walk(JsonElement element, Consumer<JsonElement> visitor) {
    visitor.accept(element);
    if (element.isJsonObject()) {
      element.getAsJsonObject().entrySet().forEach(e -> walk(e.getValue(), visitor));
    } else if (element.isJsonArray()) {
      element.getAsJsonArray().forEach(e -> walk(e, visitor));
    }
  }

  static JsonObject operation(JsonObject document, String verb, String path) {
    JsonObject item = document.getAsJsonObject("paths").getAsJsonObject(path);
    assertThat(item).as(path).isNotNull();
    assertThat(item.has(verb)).as(verb + " " + path).isTrue();
    return item.getAsJsonObject(verb);
  }

  static JsonObject schema(JsonObject document, String name) {
    return document.getAsJsonObject("components").getAsJsonObject("schemas").getAsJsonObject(name);
  }

  static JsonObject component(JsonObject document, JsonObject ref) {
    String name = ref.get("$ref").getAsString().substring("#/components/schemas/".length());
    return schema(document, name);
  }

  static String schemaRef(JsonObject response) {
    return response.getAsJsonObject("content").getAsJsonObject("application/json").getAsJsonObject("schema")
        .get("$ref").getAsString();
  }

  static List<String> strings(JsonArray array) {
    List<String> strings = new ArrayList<>();
    array.forEach(e -> strings.add(e.getAsString()));
    return strings;
  }

  JsonObject broken(Consumer<JsonObject> breakIt) {
    JsonObject copy = document.deepCopy();
    breakIt.accept(copy);
    return copy;
  }

  static JsonObject operationItem() {
    JsonObject operation = new JsonObject();
    operation.addProperty("operationId", "tokenauthority.v1.WorkspaceTokenService.ListWorkspaceTokens");
    JsonObject responses = new JsonObject();
    responses.add("200", new JsonObject());
    operation.add("responses", responses);
    operation.add("security", new JsonArray());
    JsonObject item = new JsonObject();
    item.add("get", operation);
    return item;
  }

  /** The descriptor set on the classpath, read without HttpRoutes: its HTTP rules and messages. */
  static final class Descriptors {
    /** "VERB /path" of every rule and additional binding, path variables as {name}. */
    final Set<String> rules = new TreeSet<>();
    final Map<String, MethodDescriptorProto> methods = new HashMap<>();
    /** The rule of each "VERB /path". */
    final Map<String, HttpRule> byOperation = new HashMap<>();
    final Map<String, DescriptorProto> messages = new HashMap<>();

    static Descriptors read() throws Exception {
      ExtensionRegistry registry = ExtensionRegistry.newInstance();
      AnnotationsProto.registerAllExtensions(registry);
      ApiOptionsProto.registerAllExtensions(registry);
      FieldBehaviorProto.registerAllExtensions(registry);
      FileDescriptorSet set;
      try (InputStream in = OpenApiDocumentTest.class.getResourceAsStream("/tokenauthority.pb")) {
        set = FileDescriptorSet.parseFrom(in, registry);
      }
      Descriptors descriptors = new Descriptors();
      for (FileDescriptorProto file : set.getFileList()) {
        String prefix = file.getPackage().isEmpty() ? "" : file.getPackage() + ".";
        for (DescriptorProto message : file.getMessageTypeList()) {
          descriptors.addMessage(prefix, message);
        }
        for (ServiceDescriptorProto service : file.getServiceList()) {
          for (MethodDescriptorProto method : service.getMethodList()) {
            if (!method.getOptions().hasExtension(AnnotationsProto.http)) {
              continue;
            }
            descriptors.methods.put(prefix + service.getName() + "." + method.getName(), method);
            HttpRule rule = method.getOptions().getExtension(AnnotationsProto.http);
            List<HttpRule> bindings = new ArrayList<>(List.of(rule));
            bindings.addAll(rule.getAdditionalBindingsList());
            for (HttpRule binding : bindings) {
              descriptors.rules.add(rule(binding));
              descriptors.byOperation.put(rule(binding), binding);
            }
          }
        }
      }
      return descriptors;
    }

    private void addMessage(String prefix, DescriptorProto message) {
      if (message.getOptions().getMapEntry()) {
        return;
      }
      messages.put(prefix + message.getName(), message);
      for (DescriptorProto nested : message.getNestedTypeList()) {
        addMessage(prefix + message.getName() + ".", nested);
      }
    }

    private static String rule(HttpRule rule) {
      String verbAndPath = switch (rule.getPatternCase()) {
        case GET -> "GET " + rule.getGet();
        case POST -> "POST " + rule.getPost();
        case PUT -> "PUT " + rule.getPut();
        case PATCH -> "PATCH " + rule.getPatch();
        case DELETE -> "DELETE " + rule.getDelete();
        case CUSTOM -> rule.getCustom().getKind().toUpperCase(Locale.ROOT) + " " + rule.getCustom().getPath();
        default -> throw new IllegalStateException("a rule without a pattern: " + rule);
      };
      return verbAndPath.replaceAll("\\{([^}=]+)=[^}]*}", "{$1}");
    }

    /** The HTTP rule an operation documents, found by its verb and path. */
    HttpRule rule(String operation) {
      HttpRule rule = byOperation.get(operation);
      assertThat(rule).as("the rule of " + operation).isNotNull();
      return rule;
    }

    /** The RPC an operation documents, by its operationId (the RPC's full name, maybe suffixed _2, _3...). */
    MethodDescriptorProto method(JsonObject operation) {
      String id = operation.get("operationId").getAsString().replaceFirst("_\\d+$", "");
      MethodDescriptorProto method = methods.get(id);
      assertThat(method).as("the RPC of operationId " + id).isNotNull();
      return method;
    }
  }
}
