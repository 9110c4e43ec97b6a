package dev.tokenauthority.server.rest;

import static dev.tokenauthority.server.testing.JsonShape.Type.NUMBER;
import static dev.tokenauthority.server.testing.JsonShape.Type.STRING;
import static dev.tokenauthority.server.testing.JsonShape.Type.TIME;
import static dev.tokenauthority.server.testing.JsonShape.assertAltostratError;
import static dev.tokenauthority.server.testing.JsonShape.assertShape;
import static dev.tokenauthority.server.testing.JsonShape.assertStatus;
import static dev.tokenauthority.server.testing.JsonShape.badFields;
import static dev.tokenauthority.server.testing.JsonShape.body;
import static dev.tokenauthority.server.testing.JsonShape.shape;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.tokenauthority.server.testing.ForgedJwts;
import dev.tokenauthority.server.testing.JsonShape.Type;
import dev.tokenauthority.server.testing.MutableClock;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lifecycle of seed 000's record tokens and seed 001's fault tokens over REST, in each
 * seed's URL style: {@code /api/v1/records/{record}/tokens[/{key}]} (google.rpc.Status
 * errors) and {@code /fault/tokens}, {@code /fault/token/{id}} (Altostrat errors). Like
 * RestConformanceTest it runs against the embedded gateway or TA_REST_BASE_URL; the expiry
 * tests need the embedded server's movable clock and are skipped against an external edge.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JwtLifecycleRestTest {
  private static final Map<String, Type> RECORD_TOKEN = shape("company_id", STRING, "companyId", STRING,
      "created_at", TIME, "createdAt", TIME, "expires_at", TIME, "key", STRING, "record_id", STRING, "type", STRING,
      "user_id", STRING, "userId", STRING, "status", STRING);
  private static final Map<String, Type> FAULT_TOKEN = shape("type", STRING, "expires_in_minutes", NUMBER,
      "expires_at", TIME, "id", STRING, "status", STRING);

  @TempDir static Path dataDir;
  RestTarget target;
  String admin;
  /** Holds tokens:read only. */
  String reader;
  /** Holds tokens:write, records:update and faults:read: may mint, not read. */
  String minter;
  final String run = UUID.randomUUID().toString().substring(0, 8);
  final String record = "rec-" + run;
  final String otherRecord = "rec-other-" + run;

  @BeforeAll
  void start() throws Exception {
    target = RestTarget.openWithClock(dataDir);
    admin = target.admin();
    body(target.post("/v1/records", "{\"id\": \"" + record + "\"}", admin), 200);
    body(target.post("/v1/records", "{\"id\": \"" + otherRecord + "\"}", admin), 200);
    reader = workspaceToken("reader", "\"tokens:read\"");
    minter = workspaceToken("minter", "\"tokens:write\", \"records:update\", \"faults:read\"");
  }

  @AfterAll
  void stop() throws Exception {
    target.close();
  }

  private String workspaceToken(String name, String scopes) throws Exception {
    return body(target.post("/tokens", "{\"name\": \"" + name + " " + run + "\", \"scopes\": [" + scopes + "]}", admin),
        201).get("token").getAsString();
  }

  private HttpResponse<String> get(String path, String bearer) throws Exception {
    return target.send(target.request(path).header("Authorization", "Bearer " + bearer).GET());
  }

  private HttpResponse<String> delete(String path, String bearer) throws Exception {
    return target.send(target.request(path).header("Authorization", "Bearer " + bearer).DELETE());
  }

  private JsonObject recordToken(String recordId, int seconds) throws Exception {
    return body(target.post("/api/v1/records/" + recordId + "/tokens", "{\"expires_in\": " + seconds + "}", admin), 201);
  }

  private JsonObject faultToken(int minutes) throws Exception {
    return body(target.post("/fault/token", "{\"expire_after_minutes\": " + minutes + "}", admin), 200);
  }

  /** {@code created} as reads answer it: without the fields only creation returns. */
  private static JsonObject withoutSecrets(JsonObject created, String status) {
    JsonObject read = created.deepCopy();
    read.remove("token");
    read.remove("short_link");
    read.addProperty("status", status);
    return read;
  }

  /** Every token of a listing at {@code path} (with query), paging with page_size=2, by {@code idField}. */
  private List<JsonObject> listAll(String path, String idField) throws Exception {
    List<JsonObject> all = new ArrayList<>();
    String pageToken = "";
    do {
      String query = (path.contains("?") ? "&" : "?") + "page_size=2" + (pageToken.isEmpty() ? "" : "&page_token=" + pageToken);
      JsonObject page = body(get(path + query, admin), 200);
      assertThat(page.keySet()).containsExactlyInAnyOrder("tokens", "next_page_token");
      for (JsonElement token : page.getAsJsonArray("tokens")) {
        all.add(token.getAsJsonObject());
      }
      pageToken = page.get("next_page_token").getAsString();
    } while (!pageToken.isEmpty());
    assertThat(all).extracting(t -> t.get(idField).getAsString()).doesNotHaveDuplicates();
    return all;
  }

  // ---------------------------------------------------------------- forged JWTs

  /** As IntrospectionTest.everyForgeryOfAGenuineJwtIsInactive, through the REST path. */
  @Test
  void everyForgeryOfAGenuineJwtIntrospectsInactive() throws Exception {
    for (String genuine : List.of(recordToken(record, 3600).get("token").getAsString(),
        faultToken(5).get("token").getAsString())) {
      assertThat(body(target.post("/v1/tokens:introspect", "{\"token\": \"" + genuine + "\"}", admin), 200)
          .get("active").getAsBoolean()).isTrue();
      for (Map.Entry<String, String> forged : ForgedJwts.of(genuine).entrySet()) {
        assertThat(body(target.post("/v1/tokens:introspect", "{\"token\": \"" + forged.getValue() + "\"}", admin),
            200).toString()).as(forged.getKey()).isEqualTo("{\"active\":false}");
      }
    }
  }

  // ---------------------------------------------------------------- seed 000: record tokens

  @Test
  void recordTokenReadsAnswerTheCreatedFieldsWithoutTheJwt() throws Exception {
    JsonObject created = recordToken(record, 3600);
    String key = created.get("key").getAsString();
    JsonObject read = assertShape(body(get("/api/v1/records/" + record + "/tokens/" + key, admin), 200), RECORD_TOKEN);
    assertThat(read).isEqualTo(withoutSecrets(created, "active"));

    assertStatus(get("/api/v1/records/" + record + "/tokens/rtk_nope", admin), 404, 5, "RESOURCE_NOT_FOUND");
    assertStatus(get("/api/v1/records/" + otherRecord + "/tokens/" + key, admin), 404, 5, "RESOURCE_NOT_FOUND");
    assertStatus(delete("/api/v1/records/" + otherRecord + "/tokens/" + key, admin), 404, 5, "RESOURCE_NOT_FOUND");
    assertStatus(get("/api/v1/records/no-such-" + run + "/tokens", admin), 404, 5, "RESOURCE_NOT_FOUND");
  }

  @Test
  void recordTokensArePagedByRecordAndFilteredByStatus() throws Exception {
    List<String> mine = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      mine.add(recordToken(record, 3600).get("key").getAsString());
    }
    String others = recordToken(otherRecord, 3600).get("key").getAsString();
    List<JsonObject> listed = listAll("/api/v1/records/" + record + "/tokens", "key");
    listed.forEach(t -> assertShape(t, RECORD_TOKEN));
    assertThat(listed).allSatisfy(t -> assertThat(t.get("record_id").getAsString()).isEqualTo(record));
    assertThat(listed).extracting(t -> t.get("key").getAsString()).containsAll(mine).doesNotContain(others);

    delete("/api/v1/records/" + record + "/tokens/" + mine.get(0), admin);
    assertThat(listAll("/api/v1/records/" + record + "/tokens?status=revoked", "key"))
        .extracting(t -> t.get("key").getAsString()).contains(mine.get(0)).doesNotContain(mine.get(1));
    assertThat(listAll("/api/v1/records/" + record + "/tokens?status=active", "key"))
        .extracting(t -> t.get("key").getAsString()).contains(mine.get(1), mine.get(2)).doesNotContain(mine.get(0));
    assertThat(badFields(assertStatus(get("/api/v1/records/" + record + "/tokens?page_size=501&page_token=zz&status=gone",
        admin), 400, 3, "INVALID_FIELD"))).containsExactlyInAnyOrder("page_size", "page_token", "status");
  }

  @Test
  void recordTokenRevocationIsImmediateAndIdempotent() throws Exception {
    JsonObject created = recordToken(record, 3600);
    String path = "/api/v1/records/" + record + "/tokens/" + created.get("key").getAsString();
    String jwt = created.get("token").getAsString();
    String check = "{\"token\": \"" + jwt + "\", \"action\": \"records:update\", \"resource\": \"records/" + record + "\"}";
    assertThat(body(target.post("/v1/tokens:check", check, admin), 200).get("allowed").getAsBoolean()).isTrue();

    JsonObject revoked = assertShape(body(delete(path, admin), 200), RECORD_TOKEN);
    assertThat(revoked).isEqualTo(withoutSecrets(created, "revoked"));
    assertThat(body(delete(path, admin), 200)).isEqualTo(revoked);
    assertThat(body(get(path, admin), 200).get("status").getAsString()).isEqualTo("revoked");
    assertThat(body(target.post("/v1/tokens:introspect", "{\"token\": \"" + jwt + "\"}", admin), 200).toString())
        .isEqualTo("{\"active\":false}");
    JsonObject denied = body(target.post("/v1/tokens:check", check, admin), 200);
    assertThat(denied.get("allowed").getAsBoolean()).isFalse();
    assertThat(denied.get("reason").getAsString()).isEqualTo("the token is not active");
  }

  @Test
  void recordTokenReadsAndRevocationNeedTheirScopes() throws Exception {
    String path = "/api/v1/records/" + record + "/tokens/" + recordToken(record, 3600).get("key").getAsString();
    assertStatus(delete(path, reader), 403, 7, "SCOPE_MISSING");
    assertStatus(get(path, minter), 403, 7, "SCOPE_MISSING");
    assertStatus(get("/api/v1/records/" + record + "/tokens", minter), 403, 7, "SCOPE_MISSING");
    assertStatus(target.send(target.request(path).GET()), 401, 16, "CREDENTIAL_MISSING");
    assertThat(body(get(path, reader), 200).get("status").getAsString()).isEqualTo("active");
  }

  @Test
  void recordTokenExpiryIsExactAtReadTime() throws Exception {
    MutableClock clock = movableClock();
    JsonObject created = recordToken(record, 60);
    String path = "/api/v1/records/" + record + "/tokens/" + created.get("key").getAsString();
    String introspect = "{\"token\": \"" + created.get("token").getAsString() + "\"}";
    Instant expiry = Instant.parse(created.get("expires_at").getAsString());

    clock.set(expiry.minusMillis(1));
    assertThat(body(get(path, admin), 200).get("status").getAsString()).isEqualTo("active");
    assertThat(body(target.post("/v1/tokens:introspect", introspect, admin), 200).get("active").getAsBoolean()).isTrue();
    clock.set(expiry);
    assertThat(body(get(path, admin), 200).get("status").getAsString()).isEqualTo("expired");
    assertThat(body(target.post("/v1/tokens:introspect", introspect, admin), 200).toString()).isEqualTo("{\"active\":false}");
    assertThat(listAll("/api/v1/records/" + record + "/tokens?status=expired", "key"))
        .extracting(t -> t.get("key").getAsString()).contains(created.get("key").getAsString());
  }

  // ---------------------------------------------------------------- seed 001: fault tokens

  @Test
  void faultTokenReadsAnswerTheCreatedFieldsWithoutTheJwtOrShareLink() throws Exception {
    JsonObject created = faultToken(45);
    String id = created.get("id").getAsString();
    JsonObject read = assertShape(body(get("/fault/token/" + id, admin), 200), FAULT_TOKEN);
    assertThat(read).isEqualTo(withoutSecrets(created, "active"));
    assertThat(read.get("expires_in_minutes").getAsInt()).isEqualTo(45);

    assertAltostratError(get("/fault/token/ftk_nope", admin), 404, "invalid_request_error", "resource_missing");
  }

  @Test
  void faultTokensArePagedAndFilteredByStatus() throws Exception {
    List<String> mine = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      mine.add(faultToken(60).get("id").getAsString());
    }
    List<JsonObject> listed = listAll("/fault/tokens", "id");
    listed.forEach(t -> assertShape(t, FAULT_TOKEN));
    assertThat(listed).extracting(t -> t.get("id").getAsString()).containsAll(mine);

    delete("/fault/token/" + mine.get(0), admin);
    assertThat(listAll("/fault/tokens?status=revoked", "id")).extracting(t -> t.get("id").getAsString())
        .contains(mine.get(0)).doesNotContain(mine.get(1));
    assertThat(listAll("/fault/tokens?status=active", "id")).extracting(t -> t.get("id").getAsString())
        .contains(mine.get(1), mine.get(2)).doesNotContain(mine.get(0));
    assertThat(assertAltostratError(get("/fault/tokens?page_size=501&status=gone", admin), 400,
        "invalid_request_error", "parameter_invalid").get("message").getAsString()).contains("page_size").contains("status");
  }

  @Test
  void faultTokenRevocationIsImmediateAndIdempotent() throws Exception {
    JsonObject created = faultToken(60);
    String path = "/fault/token/" + created.get("id").getAsString();
    String jwt = created.get("token").getAsString();
    String check = "{\"token\": \"" + jwt + "\", \"action\": \"faults:read\", \"resource\": \"faults\"}";
    assertThat(body(target.post("/v1/tokens:check", check, admin), 200).get("allowed").getAsBoolean()).isTrue();

    JsonObject revoked = assertShape(body(delete(path, admin), 200), FAULT_TOKEN);
    assertThat(revoked).isEqualTo(withoutSecrets(created, "revoked"));
    assertThat(body(delete(path, admin), 200)).isEqualTo(revoked);
    assertThat(body(target.post("/v1/tokens:introspect", "{\"token\": \"" + jwt + "\"}", admin), 200).toString())
        .isEqualTo("{\"active\":false}");
    assertThat(body(target.post("/v1/tokens:check", check, admin), 200).get("allowed").getAsBoolean()).isFalse();
  }

  @Test
  void faultTokenReadsAndRevocationNeedTheirScopes() throws Exception {
    String path = "/fault/token/" + faultToken(60).get("id").getAsString();
    assertAltostratError(delete(path, reader), 403, "permission_error", "permission_denied");
    assertAltostratError(get(path, minter), 403, "permission_error", "permission_denied");
    assertAltostratError(get("/fault/tokens", minter), 403, "permission_error", "permission_denied");
    assertAltostratError(target.send(target.request(path).GET()), 401, "authentication_error", "api_key_invalid");
    assertThat(body(get(path, reader), 200).get("status").getAsString()).isEqualTo("active");
  }

  @Test
  void faultTokenExpiryIsExactAtReadTime() throws Exception {
    MutableClock clock = movableClock();
    JsonObject created = faultToken(1);
    String path = "/fault/token/" + created.get("id").getAsString();
    Instant expiry = Instant.parse(created.get("expires_at").getAsString());

    clock.set(expiry.minusMillis(1));
    assertThat(body(get(path, admin), 200).get("status").getAsString()).isEqualTo("active");
    clock.set(expiry);
    assertThat(body(get(path, admin), 200).get("status").getAsString()).isEqualTo("expired");
    assertThat(body(target.post("/v1/tokens:introspect", "{\"token\": \"" + created.get("token").getAsString() + "\"}",
        admin), 200).toString()).isEqualTo("{\"active\":false}");
    assertThat(listAll("/fault/tokens?status=expired", "id")).extracting(t -> t.get("id").getAsString())
        .contains(created.get("id").getAsString());
  }

  // ---------------------------------------------------------------- both: tenants

  @Test
  void anotherTenantsTokensAreNotFound() throws Exception {
    String recordKey = recordToken(record, 3600).get("key").getAsString();
    String faultId = faultToken(60).get("id").getAsString();
    String globex = body(target.post("/v1/tenants", "{\"tenant\": {\"name\": \"Globex " + run
        + "\"}, \"admin_email\": \"owner-" + run + "@globex.example\"}", admin), 200)
        .getAsJsonObject("adminToken").get("token").getAsString();
    body(target.post("/v1/records", "{\"id\": \"" + record + "\"}", globex), 200); // same record ID, another company

    assertStatus(get("/api/v1/records/" + record + "/tokens/" + recordKey, globex), 404, 5, "RESOURCE_NOT_FOUND");
    assertStatus(delete("/api/v1/records/" + record + "/tokens/" + recordKey, globex), 404, 5, "RESOURCE_NOT_FOUND");
    assertThat(body(get("/api/v1/records/" + record + "/tokens", globex), 200).getAsJsonArray("tokens")).isEmpty();
    assertAltostratError(get("/fault/token/" + faultId, globex), 404, "invalid_request_error", "resource_missing");
    assertAltostratError(delete("/fault/token/" + faultId, globex), 404, "invalid_request_error", "resource_missing");
    assertThat(body(get("/fault/tokens", globex), 200).getAsJsonArray("tokens")).isEmpty();
    assertThat(body(get("/fault/token/" + faultId, admin), 200).get("status").getAsString()).isEqualTo("active");
  }

  private MutableClock movableClock() {
    assumeTrue(target.clock().isPresent(), "needs the embedded server's clock; " + RestTarget.BASE_URL_ENV + " is set");
    return target.clock().get();
  }
}
