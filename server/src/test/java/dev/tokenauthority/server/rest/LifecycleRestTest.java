package dev.tokenauthority.server.rest;

import static dev.tokenauthority.server.testing.JsonShape.Type.ARRAY;
import static dev.tokenauthority.server.testing.JsonShape.Type.NULL;
import static dev.tokenauthority.server.testing.JsonShape.Type.STRING;
import static dev.tokenauthority.server.testing.JsonShape.Type.TIME;
import static dev.tokenauthority.server.testing.JsonShape.Type.BOOLEAN;
import static dev.tokenauthority.server.testing.JsonShape.assertShape;
import static dev.tokenauthority.server.testing.JsonShape.assertStatus;
import static dev.tokenauthority.server.testing.JsonShape.badFields;
import static dev.tokenauthority.server.testing.JsonShape.body;
import static dev.tokenauthority.server.testing.JsonShape.shape;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The token lifecycle over REST, in Tooken's URL style (GET/DELETE /tokens/{id}) and at
 * /v1/tokens:* for introspection and bulk revocation. Like RestConformanceTest it runs
 * against the embedded gateway or TA_REST_BASE_URL.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LifecycleRestTest {
  @TempDir static Path dataDir;
  RestTarget target;
  String admin;
  final String run = UUID.randomUUID().toString().substring(0, 8);

  @BeforeAll
  void start() throws Exception {
    target = RestTarget.open(dataDir);
    admin = target.admin();
  }

  @AfterAll
  void stop() throws Exception {
    target.close();
  }

  private JsonObject create(String name, String scopes) throws Exception {
    return body(target.post("/tokens", "{\"name\": \"" + name + " " + run + "\", \"scopes\": [" + scopes + "]}", admin), 201);
  }

  private JsonObject get(String path, String bearer, int status) throws Exception {
    return body(target.send(target.request(path).header("Authorization", "Bearer " + bearer).GET()), status);
  }

  private JsonObject delete(String path, int status) throws Exception {
    return body(target.send(target.request(path).header("Authorization", "Bearer " + admin).DELETE()), status);
  }

  @Test
  void getAnswersTheTokenWithoutItsSecretAndWithItsLastUse() throws Exception {
    JsonObject created = create("read me", "\"tokens:read\"");
    String id = created.get("id").getAsString();
    JsonObject read = assertShape(get("/tokens/" + id, admin, 200), shape("id", STRING, "name", STRING, "scopes", ARRAY,
        "status", STRING, "created_at", TIME, "expires_at", NULL, "last_used_at", NULL, "created_by", STRING));
    assertThat(read.get("status").getAsString()).isEqualTo("active");
    get("/tokens", created.get("token").getAsString(), 200); // a use
    assertThat(get("/tokens/" + id, admin, 200).get("last_used_at").getAsString()).isNotEmpty();
    assertStatus(target.send(target.request("/tokens/tok_nope").header("Authorization", "Bearer " + admin).GET()),
        404, 5, "RESOURCE_NOT_FOUND");
  }

  @Test
  void listPagesThroughEveryTokenOnce() throws Exception {
    List<String> mine = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      mine.add(create("page " + i, "\"tokens:read\"").get("id").getAsString());
    }
    List<String> seen = new ArrayList<>();
    String pageToken = "";
    do {
      JsonObject page = assertShape(get("/tokens?page_size=2" + (pageToken.isEmpty() ? "" : "&page_token=" + pageToken),
          admin, 200), shape("tokens", ARRAY, "next_page_token", STRING));
      for (JsonElement token : page.getAsJsonArray("tokens")) {
        assertThat(token.getAsJsonObject().has("token")).isFalse();
        seen.add(token.getAsJsonObject().get("id").getAsString());
      }
      pageToken = page.get("next_page_token").getAsString();
    } while (!pageToken.isEmpty());
    assertThat(seen).doesNotHaveDuplicates().containsAll(mine);
    assertThat(badFields(assertStatus(target.send(target.request("/tokens?page_size=501&page_token=zz")
        .header("Authorization", "Bearer " + admin).GET()), 400, 3, "INVALID_FIELD")))
        .containsExactlyInAnyOrder("page_size", "page_token");
  }

  @Test
  void deleteRevokesAtOnceAndIsIdempotent() throws Exception {
    JsonObject created = create("doomed", "\"tokens:read\"");
    String id = created.get("id").getAsString();
    String secret = created.get("token").getAsString();
    assertThat(delete("/tokens/" + id, 200).get("status").getAsString()).isEqualTo("revoked");
    assertThat(delete("/tokens/" + id, 200).get("status").getAsString()).isEqualTo("revoked");
    assertStatus(target.send(target.request("/tokens").header("Authorization", "Bearer " + secret).GET()),
        401, 16, "CREDENTIAL_REVOKED");
    JsonObject inactive = body(target.post("/v1/tokens:introspect", "{\"token\": \"" + secret + "\"}", admin), 200);
    assertThat(inactive.toString()).isEqualTo("{\"active\":false}");
  }

  @Test
  void introspectionAndAccessChecks() throws Exception {
    JsonObject created = create("introspected", "\"tokens:read\", \"tokens:write\"");
    JsonObject answer = assertShape(body(target.post("/v1/tokens:introspect",
        "{\"token\": \"" + created.get("token").getAsString() + "\"}", admin), 200),
        shape("active", BOOLEAN, "scope", STRING, "username", STRING, "token_type", STRING, "exp", STRING,
            "iat", STRING, "sub", STRING, "jti", STRING, "tenant_id", STRING, "resource", STRING));
    assertThat(answer.get("scope").getAsString()).isEqualTo("tokens:read tokens:write");
    assertThat(answer.get("jti").getAsString()).isEqualTo(created.get("id").getAsString());
    assertThat(body(target.post("/v1/tokens:introspect", "{\"token\": \"garbage\"}", admin), 200).toString())
        .isEqualTo("{\"active\":false}");
    JsonObject allowed = body(target.post("/v1/tokens:check", "{\"token\": \"" + created.get("token").getAsString()
        + "\", \"action\": \"tokens:write\"}", admin), 200);
    assertThat(allowed.get("allowed").getAsBoolean()).isTrue();
    JsonObject denied = body(target.post("/v1/tokens:check", "{\"token\": \"" + created.get("token").getAsString()
        + "\", \"action\": \"tokens:revoke\"}", admin), 200);
    assertThat(denied.get("allowed").getAsBoolean()).isFalse();
    assertThat(denied.get("reason").getAsString()).isEqualTo("the token does not hold tokens:revoke");
  }

  @Test
  void bulkRevocationByCreatingToken() throws Exception {
    JsonObject minter = create("minter", "\"tokens:read\", \"tokens:write\"");
    String minted = body(target.post("/tokens", "{\"name\": \"child " + run + "\", \"scopes\": [\"tokens:read\"]}",
        minter.get("token").getAsString()), 201).get("token").getAsString();
    JsonObject revoked = assertShape(body(target.post("/v1/tokens:revokeCreatedBy",
        "{\"created_by_token_id\": \"" + minter.get("id").getAsString() + "\"}", admin), 200), shape("revoked_count", STRING));
    assertThat(revoked.get("revoked_count").getAsString()).isEqualTo("1");
    assertStatus(target.send(target.request("/tokens").header("Authorization", "Bearer " + minted).GET()),
        401, 16, "CREDENTIAL_REVOKED");
    assertThat(badFields(assertStatus(target.post("/v1/tokens:revokeCreatedBy", "{}", admin), 400, 3, "INVALID_FIELD")))
        .containsExactly("created_by_user_id");
    // found by RestGatewayFuzzTest: an ID longer than any ID was a 500 (it did not fit the audit row)
    assertThat(badFields(assertStatus(target.post("/v1/tokens:revokeCreatedBy",
        "{\"created_by_token_id\": \"" + "a".repeat(101) + "\"}", admin), 400, 3, "INVALID_FIELD")))
        .containsExactly("created_by_token_id");
  }
}
