package dev.tokenauthority.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tokenauthority.server.ServerConfig;
import dev.tokenauthority.server.TokenAuthorityServer;
import io.grpc.inprocess.InProcessServerBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded REST gateway over real HTTP: the seeds' paths, status codes and error bodies. */
class RestGatewayTest {
  @TempDir Path dataDir;
  TokenAuthorityServer server;
  HttpClient http = HttpClient.newHttpClient();
  String admin;

  @BeforeEach
  void start() throws Exception {
    server = new TokenAuthorityServer(ServerConfig.defaults(dataDir).withHttpPort(ServerConfig.ANY_FREE_PORT),
        Clock.systemUTC()).start(InProcessServerBuilder.forName(InProcessServerBuilder.generateName()));
    admin = Files.readString(server.bootstrapFile(), StandardCharsets.US_ASCII).trim();
    assertThat(post("/v1/records", "{\"id\": \"rec-1\"}", admin).statusCode()).isEqualTo(200);
    assertThat(post("/v1/accounts", "{\"id\": \"acc-1\", \"name\": \"Acme\"}", admin).statusCode()).isEqualTo(200);
    assertThat(post("/v1/modules", "{\"id\": \"mod-1\", \"name\": \"Buyers\"}", admin).statusCode()).isEqualTo(200);
  }

  @AfterEach
  void stop() throws Exception {
    server.stop();
  }

  HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpRequest.Builder to(String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + path));
  }

  HttpResponse<String> post(String path, String json, String bearer) throws Exception {
    HttpRequest.Builder request = to(path).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json));
    if (bearer != null) {
      request.header("Authorization", "Bearer " + bearer);
    }
    return send(request);
  }

  static JsonObject json(HttpResponse<String> response) {
    assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
    return JsonParser.parseString(response.body()).getAsJsonObject();
  }

  /** The reason of the one ErrorInfo in a google.rpc.Status JSON body. */
  static String reason(JsonObject status) {
    List<String> reasons = new ArrayList<>();
    for (JsonElement detail : status.getAsJsonArray("details")) {
      if (detail.getAsJsonObject().get("@type").getAsString().equals("type.googleapis.com/google.rpc.ErrorInfo")) {
        reasons.add(detail.getAsJsonObject().get("reason").getAsString());
      }
    }
    assertThat(reasons).hasSize(1);
    return reasons.get(0);
  }

  @Test
  void seed004CreatesAWorkspaceTokenWith201() throws Exception {
    var response = post("/tokens", "{\"name\": \"CI deploy\", \"scopes\": [\"tokens:read\"], "
        + "\"expires_at\": \"2099-01-15T09:00:00Z\"}", admin);
    assertThat(response.statusCode()).isEqualTo(201);
    JsonObject token = json(response);
    assertThat(token.get("id").getAsString()).matches("tok_[a-z0-9]{24}");
    assertThat(token.get("token").getAsString()).startsWith("taw_");
    assertThat(token.get("status").getAsString()).isEqualTo("active");
    assertThat(token.get("expires_at").getAsString()).isEqualTo("2099-01-15T09:00:00Z");
    assertThat(token.get("created_by").getAsString()).isEqualTo("admin@localhost");
    assertThat(token.getAsJsonArray("scopes").get(0).getAsString()).isEqualTo("tokens:read");
    assertThat(response.headers().firstValue("x-tokenauthority-http-status")).isEmpty();
    assertThat(response.headers().firstValue("x-tokenauthority-json-nulls")).isEmpty();
    // "Always null on a newly created token"
    assertThat(token.has("last_used_at")).isTrue();
    assertThat(token.get("last_used_at").isJsonNull()).isTrue();
  }

  @Test
  void nullableFieldsTheSeedsShowAsNullArePresentAsNull() throws Exception {
    JsonObject workspace = json(post("/tokens", "{\"name\": \"forever\", \"scopes\": [\"tokens:read\"]}", admin));
    assertThat(workspace.get("expires_at").isJsonNull()).isTrue(); // "or null if no expiration was set"
    assertThat(workspace.get("last_used_at").isJsonNull()).isTrue();

    JsonObject access = json(post("/api/access-tokens", "{\"name\": \"cli\"}", admin));
    assertThat(access.get("expiresAt").isJsonNull()).isTrue();
    assertThat(access.get("userId").getAsString()).isNotEmpty();

    JsonObject api = json(post("/public/v1/accounts/api-tokens", "{\"account\": {\"id\": \"acc-1\"}}", admin));
    assertThat(api.get("lastAccessAt").isJsonNull()).isTrue();
    assertThat(api.get("description").isJsonNull()).isTrue();
    assertThat(api.get("icon").isJsonNull()).isTrue();
    // nested objects and set values are untouched
    assertThat(api.getAsJsonObject("account").get("icon").getAsString()).isEmpty();
    JsonObject described = json(post("/public/v1/accounts/api-tokens",
        "{\"account\": {\"id\": \"acc-1\"}, \"description\": \"a/b ~ \\\"quoted\\\" {x}\"}", admin));
    assertThat(described.get("description").getAsString()).isEqualTo("a/b ~ \"quoted\" {x}");
  }

  @Test
  void seed000CreatesARecordTokenWith201() throws Exception {
    var response = post("/api/v1/records/rec-1/tokens", "{\"expires_in\": 3600}", admin);
    assertThat(response.statusCode()).isEqualTo(201);
    JsonObject token = json(response);
    assertThat(token.get("type").getAsString()).isEqualTo("record");
    assertThat(token.get("record_id").getAsString()).isEqualTo("rec-1");
    assertThat(token.get("companyId").getAsString()).isEqualTo(token.get("company_id").getAsString());
    assertThat(token.get("token").getAsString()).startsWith("eyJ");
    assertThat(post("/api/v1/records/nope/tokens", "{}", admin).statusCode()).isEqualTo(404);
  }

  @Test
  void seed001GeneratesAFaultTokenWith200() throws Exception {
    var response = post("/fault/token", "{\"expire_after_minutes\": 60}", admin);
    assertThat(response.statusCode()).isEqualTo(200);
    JsonObject token = json(response);
    assertThat(token.get("type").getAsString()).isEqualTo("jwt");
    assertThat(token.get("expires_in_minutes").getAsInt()).isEqualTo(60);
    assertThat(token.get("short_link").getAsString()).startsWith("http://localhost:8080/s/");
  }

  /** Seed 001's ErrorResponse: exactly type, code, message and doc_url, all strings. */
  static JsonObject altostratError(HttpResponse<String> response, int status, String type, String code) {
    assertThat(response.statusCode()).isEqualTo(status);
    JsonObject error = json(response);
    assertThat(error.keySet()).containsExactly("type", "code", "message", "doc_url");
    assertThat(error.get("type").getAsString()).isEqualTo(type);
    assertThat(error.get("code").getAsString()).isEqualTo(code);
    assertThat(error.get("message").getAsString()).isNotBlank();
    assertThat(error.get("doc_url").getAsString()).isEqualTo("https://docs.altostrat.io/errors/" + code);
    return error;
  }

  @Test
  void seed001ErrorsUseAltostratsErrorBody() throws Exception {
    JsonObject missing = altostratError(post("/fault/token", "{}", admin), 400, "invalid_request_error", "parameter_missing");
    assertThat(missing.get("message").getAsString())
        .isEqualTo("The 'expire_after_minutes' parameter is required for this request.");
    JsonObject outOfRange = altostratError(post("/fault/token", "{\"expire_after_minutes\": 43201}", admin),
        400, "invalid_request_error", "parameter_invalid");
    assertThat(outOfRange.get("message").getAsString()).startsWith("The 'expire_after_minutes' parameter must be");
    altostratError(post("/fault/token", "{\"expire_after_minutes\": 60}", null), 401, "authentication_error", "api_key_invalid");
    altostratError(post("/fault/token", "{\"expire_after_minutes\": 60}", "taw_garbage"),
        401, "authentication_error", "api_key_invalid");
    String reader = json(post("/tokens", "{\"name\": \"reader\", \"scopes\": [\"tokens:read\"]}", admin))
        .get("token").getAsString();
    altostratError(post("/fault/token", "{\"expire_after_minutes\": 60}", reader), 403, "permission_error", "permission_denied");
    // errors the gateway decides itself under /fault/ have the same shape
    altostratError(post("/fault/token", "{not json", admin), 400, "invalid_request_error", "request_malformed");
    altostratError(post("/fault/nowhere", "{}", admin), 404, "invalid_request_error", "route_not_found");
    altostratError(send(to("/fault/token").GET()), 405, "invalid_request_error", "method_not_allowed");
    altostratError(send(to("/fault/token").header("Content-Type", "text/plain")
        .POST(HttpRequest.BodyPublishers.ofString("x"))), 415, "invalid_request_error", "unsupported_media_type");
  }

  @Test
  void seed002CreatesAnApiTokenWith201FromTheSeedsExampleBody() throws Exception {
    var response = post("/public/v1/accounts/api-tokens", """
        {"account": {"id": "acc-1"}, "name": "text", "icon": "text", "description": "text",
         "modules": [{"id": "mod-1"}]}""", admin);
    assertThat(response.statusCode()).isEqualTo(201);
    JsonObject token = json(response);
    assertThat(token.getAsJsonObject("$meta").getAsJsonArray("omitted")).isEmpty();
    assertThat(token.getAsJsonObject("account").get("name").getAsString()).isEqualTo("Acme");
    assertThat(token.getAsJsonArray("modules").get(0).getAsJsonObject().get("name").getAsString()).isEqualTo("Buyers");
    assertThat(token.getAsJsonObject("audit").getAsJsonObject("created").getAsJsonObject("by")
        .get("email").getAsString()).isEqualTo("admin@localhost");
  }

  @Test
  void seed003CreatesAnAccessTokenWith200AndItWorksAsXApiKey() throws Exception {
    var response = post("/api/access-tokens", "{\"name\": \"cli\"}", admin);
    assertThat(response.statusCode()).isEqualTo(200);
    JsonObject token = json(response);
    assertThat(token.get("changeSequence").getAsInt()).isEqualTo(1);
    assertThat(token.getAsJsonObject("user").get("email").getAsString()).isEqualTo("admin@localhost");
    var viaApiKey = send(to("/tokens").header("Content-Type", "application/json")
        .header("x-api-key", token.get("token").getAsString())
        .POST(HttpRequest.BodyPublishers.ofString("{\"name\": \"via-key\", \"scopes\": [\"tokens:read\"]}")));
    assertThat(viaApiKey.statusCode()).isEqualTo(201);
  }

  @Test
  void grpcErrorsBecomeTheirHttpStatusWithAGoogleRpcStatusBody() throws Exception {
    var missing = post("/tokens", "{\"name\": \"x\", \"scopes\": [\"tokens:read\"]}", null);
    assertThat(missing.statusCode()).isEqualTo(401);
    assertThat(json(missing).get("code").getAsInt()).isEqualTo(16);
    assertThat(reason(json(missing))).isEqualTo("CREDENTIAL_MISSING");

    var invalid = post("/tokens", "{\"name\": \"\", \"scopes\": []}", admin);
    assertThat(invalid.statusCode()).isEqualTo(400);
    JsonObject status = json(invalid);
    List<String> fields = new ArrayList<>();
    for (JsonElement detail : status.getAsJsonArray("details")) {
      if (detail.getAsJsonObject().get("@type").getAsString().endsWith("google.rpc.BadRequest")) {
        detail.getAsJsonObject().getAsJsonArray("fieldViolations")
            .forEach(v -> fields.add(v.getAsJsonObject().get("field").getAsString()));
      }
    }
    assertThat(fields).containsExactlyInAnyOrder("name", "scopes");

    post("/tokens", "{\"name\": \"dup\", \"scopes\": [\"tokens:read\"]}", admin);
    var duplicate = post("/tokens", "{\"name\": \"dup\", \"scopes\": [\"tokens:read\"]}", admin);
    assertThat(duplicate.statusCode()).isEqualTo(409);

    String reader = json(post("/tokens", "{\"name\": \"reader\", \"scopes\": [\"tokens:read\"]}", admin))
        .get("token").getAsString();
    var denied = post("/tokens", "{\"name\": \"y\", \"scopes\": [\"tokens:read\"]}", reader);
    assertThat(denied.statusCode()).isEqualTo(403);
    assertThat(reason(json(denied))).isEqualTo("SCOPE_MISSING");
  }

  @Test
  void theGatewayRefusesWhatItCannotTranscode() throws Exception {
    assertThat(post("/no/such/path", "{}", admin).statusCode()).isEqualTo(404);
    var wrongVerb = send(to("/fault/token").GET());
    assertThat(wrongVerb.statusCode()).isEqualTo(405);
    assertThat(wrongVerb.headers().firstValue("allow")).hasValue("POST");
    assertThat(post("/fault/token", "{not json", admin).statusCode()).isEqualTo(400);
    assertThat(post("/fault/token", "{\"expire_after_minutes\": 5, \"surprise\": 1}", admin).statusCode())
        .isEqualTo(400);
    assertThat(post("/fault/token?surprise=1", "{\"expire_after_minutes\": 5}", admin).statusCode()).isEqualTo(400);
    var tooBig = post("/fault/token", "{\"expire_after_minutes\": 5, \"pad\": \""
        + "x".repeat(RestGateway.MAX_BODY_BYTES) + "\"}", admin);
    assertThat(tooBig.statusCode()).isEqualTo(413);
    var notJson = send(to("/fault/token").header("Content-Type", "text/plain")
        .header("Authorization", "Bearer " + admin).POST(HttpRequest.BodyPublishers.ofString("expire=5")));
    assertThat(notJson.statusCode()).isEqualTo(415);
  }
}
