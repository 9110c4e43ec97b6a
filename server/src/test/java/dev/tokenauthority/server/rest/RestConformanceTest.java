package dev.tokenauthority.server.rest;

import static dev.tokenauthority.server.testing.JsonShape.Type.ARRAY;
import static dev.tokenauthority.server.testing.JsonShape.Type.NULL;
import static dev.tokenauthority.server.testing.JsonShape.Type.NUMBER;
import static dev.tokenauthority.server.testing.JsonShape.Type.OBJECT;
import static dev.tokenauthority.server.testing.JsonShape.Type.STRING;
import static dev.tokenauthority.server.testing.JsonShape.Type.TIME;
import static dev.tokenauthority.server.testing.JsonShape.assertAltostratError;
import static dev.tokenauthority.server.testing.JsonShape.assertShape;
import static dev.tokenauthority.server.testing.JsonShape.assertStatus;
import static dev.tokenauthority.server.testing.JsonShape.badFields;
import static dev.tokenauthority.server.testing.JsonShape.body;
import static dev.tokenauthority.server.testing.JsonShape.shape;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The five seeds' documented paths over real HTTP: each seed's example request, its documented
 * status codes, every response field with its JSON type, the fields it shows as null, and the
 * error bodies. Runs against the embedded gateway, or against the REST edge at
 * {@code TA_REST_BASE_URL} (e.g. Envoy) with {@code TA_REST_ADMIN_TOKEN}: every name it
 * creates carries a per-run suffix, so it can run against a server that already holds data.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RestConformanceTest {
  @TempDir static Path dataDir;
  RestTarget target;
  String admin;
  /** A workspace token holding only tokens:read: authenticated, but lacking every mint scope. */
  String reader;
  final String run = UUID.randomUUID().toString().substring(0, 8);
  final String record = "rec-" + run;
  final String account = "acc-" + run;
  final String module = "mod-" + run;

  @BeforeAll
  void start() throws Exception {
    target = RestTarget.open(dataDir);
    admin = target.admin();
    body(target.post("/v1/records", "{\"id\": \"" + record + "\", \"title\": \"Invoice 1\"}", admin), 200);
    body(target.post("/v1/accounts", "{\"id\": \"" + account + "\", \"name\": \"Acme\"}", admin), 200);
    body(target.post("/v1/modules", "{\"id\": \"" + module + "\", \"name\": \"Buyers\"}", admin), 200);
    reader = body(target.post("/tokens", "{\"name\": \"reader " + run + "\", \"scopes\": [\"tokens:read\"]}", admin), 201)
        .get("token").getAsString();
  }

  @AfterAll
  void stop() throws Exception {
    target.close();
  }

  // Seed 000, FlowEQ: POST /api/v1/records/{record}/tokens → 201, 400, 401, 404.

  @Test
  void seed000ExampleRequestAnswers201WithEveryField() throws Exception {
    JsonObject token = assertShape(body(target.post("/api/v1/records/" + record + "/tokens", "{\"expires_in\": 3600}", admin), 201),
        shape("company_id", STRING, "companyId", STRING, "created_at", TIME, "createdAt", TIME, "expires_at", TIME,
            "key", STRING, "record_id", STRING, "type", STRING, "user_id", STRING, "userId", STRING, "token", STRING,
            "status", STRING));
    assertThat(token.get("type").getAsString()).isEqualTo("record");
    assertThat(token.get("record_id").getAsString()).isEqualTo(record);
    assertThat(token.get("companyId")).isEqualTo(token.get("company_id"));
    assertThat(token.get("userId")).isEqualTo(token.get("user_id"));
    assertThat(token.get("createdAt")).isEqualTo(token.get("created_at"));
    assertThat(lifetime(token, "created_at", "expires_at")).isEqualTo(Duration.ofSeconds(3600));
    assertThat(token.get("token").getAsString().split("\\.")).hasSize(3);
  }

  @Test
  void seed000DefaultsToOneDayAndRefusesMoreThanThirty() throws Exception {
    JsonObject token = body(target.post("/api/v1/records/" + record + "/tokens", "{}", admin), 201);
    assertThat(lifetime(token, "created_at", "expires_at")).isEqualTo(Duration.ofDays(1));
    body(target.post("/api/v1/records/" + record + "/tokens", "{\"expires_in\": 2592000}", admin), 201);
    JsonObject tooLong = assertStatus(target.post("/api/v1/records/" + record + "/tokens", "{\"expires_in\": 2592001}", admin),
        400, 3, "INVALID_FIELD");
    assertThat(badFields(tooLong)).containsExactly("expires_in");
  }

  @Test
  void seed000Errors() throws Exception {
    assertStatus(target.post("/api/v1/records/" + record + "/tokens", "{}", null), 401, 16, "CREDENTIAL_MISSING");
    assertStatus(target.post("/api/v1/records/" + record + "/tokens", "{}", "taw_not-a-token"), 401, 16, "CREDENTIAL_INVALID");
    assertStatus(target.post("/api/v1/records/" + record + "/tokens", "{}", reader), 403, 7, "SCOPE_MISSING");
    assertStatus(target.post("/api/v1/records/no-such-" + run + "/tokens", "{}", admin), 404, 5, "RESOURCE_NOT_FOUND");
  }

  // Seed 001, Altostrat: POST /fault/token → 200, 400, 401, 403 with its own error body.

  @Test
  void seed001ExampleRequestAnswers200WithEveryField() throws Exception {
    JsonObject token = assertShape(body(target.post("/fault/token", "{\"expire_after_minutes\": 60}", admin), 200),
        shape("token", STRING, "type", STRING, "expires_in_minutes", NUMBER, "expires_at", TIME, "short_link", STRING,
            "id", STRING, "status", STRING));
    assertThat(token.get("type").getAsString()).isEqualTo("jwt");
    assertThat(token.get("expires_in_minutes").getAsInt()).isEqualTo(60);
    assertThat(token.get("short_link").getAsString()).matches("https?://.+/s/[A-Za-z0-9]{16,}");
    assertThat(Duration.between(Instant.now(), Instant.parse(token.get("expires_at").getAsString())))
        .isBetween(Duration.ofMinutes(59), Duration.ofMinutes(60));
  }

  @Test
  void seed001ErrorsUseItsDocumentedErrorBody() throws Exception {
    assertThat(assertAltostratError(target.post("/fault/token", "{}", admin), 400, "invalid_request_error", "parameter_missing")
        .get("message").getAsString()).isEqualTo("The 'expire_after_minutes' parameter is required for this request.");
    assertAltostratError(target.post("/fault/token", "{\"expire_after_minutes\": 0}", admin), 400,
        "invalid_request_error", "parameter_invalid");
    assertAltostratError(target.post("/fault/token", "{\"expire_after_minutes\": 43201}", admin), 400,
        "invalid_request_error", "parameter_invalid");
    body(target.post("/fault/token", "{\"expire_after_minutes\": 43200}", admin), 200);
    assertAltostratError(target.post("/fault/token", "{\"expire_after_minutes\": 60}", null), 401,
        "authentication_error", "api_key_invalid");
    assertAltostratError(target.post("/fault/token", "{\"expire_after_minutes\": 60}", "taw_not-a-token"), 401,
        "authentication_error", "api_key_invalid");
    assertAltostratError(target.post("/fault/token", "{\"expire_after_minutes\": 60}", reader), 403,
        "permission_error", "permission_denied");
    assertAltostratError(target.post("/fault/token", "{not json", admin), 400, "invalid_request_error", "request_malformed");
  }

  // Seed 002, accounts platform: POST /public/v1/accounts/api-tokens → 201.

  @Test
  void seed002ExampleRequestAnswers201WithEveryField() throws Exception {
    JsonObject token = assertShape(body(target.post("/public/v1/accounts/api-tokens", """
        {"account": {"id": "%s"}, "name": "text", "icon": "text", "description": "text", "modules": [{"id": "%s"}]}"""
        .formatted(account, module), admin), 201),
        shape("id", STRING, "audit", OBJECT, "$meta", OBJECT, "status", STRING, "name", STRING, "token", STRING,
            "account", OBJECT, "modules", ARRAY, "description", STRING, "icon", STRING, "lastAccessAt", NULL));
    assertThat(token.get("status").getAsString()).isEqualTo("active");
    assertThat(token.get("token").getAsString()).startsWith("taa_");
    assertThat(token.getAsJsonObject("$meta").getAsJsonArray("omitted")).isEmpty();
    assertShape(token.getAsJsonObject("account"), shape("id", STRING, "icon", STRING, "type", STRING, "status", STRING, "name", STRING));
    assertThat(token.getAsJsonObject("account").get("name").getAsString()).isEqualTo("Acme");
    assertThat(token.getAsJsonArray("modules").get(0).getAsJsonObject().get("id").getAsString()).isEqualTo(module);
    JsonObject created = token.getAsJsonObject("audit").getAsJsonObject("created");
    assertShape(created, shape("at", TIME, "by", OBJECT));
    assertShape(created.getAsJsonObject("by"), shape("type", STRING, "id", STRING, "email", STRING, "tokenId", STRING));
    assertShape(token.getAsJsonObject("audit").getAsJsonObject("updated"), shape("at", TIME, "by", OBJECT));
  }

  @Test
  void seed002NullsAndErrors() throws Exception {
    JsonObject bare = body(target.post("/public/v1/accounts/api-tokens", "{\"account\": {\"id\": \"" + account + "\"}}", admin), 201);
    assertThat(bare.get("description").isJsonNull()).isTrue();
    assertThat(bare.get("icon").isJsonNull()).isTrue();
    assertThat(badFields(assertStatus(target.post("/public/v1/accounts/api-tokens", "{}", admin), 400, 3, "INVALID_FIELD")))
        .contains("account.id");
    assertStatus(target.post("/public/v1/accounts/api-tokens", "{\"account\": {\"id\": \"" + account + "\"}}", null),
        401, 16, "CREDENTIAL_MISSING");
    assertStatus(target.post("/public/v1/accounts/api-tokens", "{\"account\": {\"id\": \"" + account + "\"}}", reader),
        403, 7, "SCOPE_MISSING");
    assertStatus(target.post("/public/v1/accounts/api-tokens", "{\"account\": {\"id\": \"nope-" + run + "\"}}", admin),
        404, 5, "RESOURCE_NOT_FOUND");
  }

  // Seed 003, Kodexa: POST /api/access-tokens → 200; x-api-key authenticates.

  @Test
  void seed003ExampleRequestAnswers200WithEveryField() throws Exception {
    JsonObject token = assertShape(body(target.post("/api/access-tokens", "{\"name\": \"my laptop\"}", admin), 200),
        shape("changeSequence", NUMBER, "createdOn", TIME, "expiresAt", NULL, "id", STRING, "name", STRING,
            "updatedOn", TIME, "user", OBJECT, "userId", STRING, "uuid", STRING, "token", STRING, "status", STRING));
    assertThat(token.get("changeSequence").getAsInt()).isEqualTo(1);
    assertThat(token.get("createdOn")).isEqualTo(token.get("updatedOn"));
    assertThat(token.getAsJsonObject("user").get("id")).isEqualTo(token.get("userId"));
    var viaApiKey = target.send(target.request("/api/access-tokens").header("Content-Type", "application/json")
        .header("x-api-key", token.get("token").getAsString())
        .POST(HttpRequest.BodyPublishers.ofString("{\"name\": \"via x-api-key\", \"expiresAt\": \"2099-01-01T00:00:00Z\"}")));
    assertThat(body(viaApiKey, 200).get("expiresAt").getAsString()).isEqualTo("2099-01-01T00:00:00Z");
  }

  @Test
  void seed003Errors() throws Exception {
    assertThat(badFields(assertStatus(target.post("/api/access-tokens", "{}", admin), 400, 3, "INVALID_FIELD")))
        .containsExactly("name");
    assertThat(badFields(assertStatus(target.post("/api/access-tokens", "{\"name\": \"x\", \"expiresAt\": \"2001-01-01T00:00:00Z\"}",
        admin), 400, 3, "INVALID_FIELD"))).containsExactly("expiresAt");
    assertStatus(target.post("/api/access-tokens", "{\"name\": \"x\"}", null), 401, 16, "CREDENTIAL_MISSING");
    assertStatus(target.post("/api/access-tokens", "{\"name\": \"x\"}", reader), 403, 7, "SCOPE_MISSING");
    assertStatus(target.post("/api/access-tokens", "{\"name\": \"x\", \"userId\": \"usr_nope\"}", admin), 404, 5,
        "RESOURCE_NOT_FOUND");
  }

  // Seed 004, Tooken: POST /tokens → 201, 400, 401, 403, 409.

  @Test
  void seed004ExampleRequestAnswers201WithEveryField() throws Exception {
    JsonObject token = assertShape(body(target.post("/tokens", """
        {"name": "CI deploy %s", "scopes": ["tokens:read", "tokens:write"], "expires_at": "2099-01-15T09:00:00Z"}"""
        .formatted(run), admin), 201),
        shape("id", STRING, "token", STRING, "name", STRING, "scopes", ARRAY, "status", STRING, "created_at", TIME,
            "expires_at", TIME, "created_by", STRING, "last_used_at", NULL));
    assertThat(token.get("id").getAsString()).matches("tok_[a-z0-9]{24}");
    assertThat(token.get("token").getAsString()).matches("taw_[A-Za-z0-9]{49}");
    assertThat(token.get("status").getAsString()).isEqualTo("active");
    assertThat(token.get("expires_at").getAsString()).isEqualTo("2099-01-15T09:00:00Z");
    assertThat(token.getAsJsonArray("scopes").toString()).isEqualTo("[\"tokens:read\",\"tokens:write\"]");
    JsonObject forever = body(target.post("/tokens", "{\"name\": \"forever " + run + "\", \"scopes\": [\"tokens:read\"]}", admin), 201);
    assertThat(forever.get("expires_at").isJsonNull()).isTrue();
  }

  @Test
  void seed004Errors() throws Exception {
    String name = "{\"name\": \"dup " + run + "\", \"scopes\": [\"tokens:read\"]}";
    body(target.post("/tokens", name, admin), 201);
    assertStatus(target.post("/tokens", name, admin), 409, 6, "RESOURCE_ALREADY_EXISTS");
    assertThat(badFields(assertStatus(target.post("/tokens", "{\"name\": \"\", \"scopes\": []}", admin), 400, 3, "INVALID_FIELD")))
        .containsExactlyInAnyOrder("name", "scopes");
    assertStatus(target.post("/tokens", "{\"name\": \"x\", \"scopes\": [\"tokens:read\"]}", null), 401, 16, "CREDENTIAL_MISSING");
    assertStatus(target.post("/tokens", "{\"name\": \"x\", \"scopes\": [\"tokens:read\"]}", reader), 403, 7, "SCOPE_MISSING");
  }

  private static Duration lifetime(JsonObject token, String from, String to) {
    return Duration.between(Instant.parse(token.get(from).getAsString()), Instant.parse(token.get(to).getAsString()));
  }
}
