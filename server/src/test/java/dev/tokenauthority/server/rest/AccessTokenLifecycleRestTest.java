package dev.tokenauthority.server.rest;

import static dev.tokenauthority.server.testing.JsonShape.Type.ARRAY;
import static dev.tokenauthority.server.testing.JsonShape.Type.NULL;
import static dev.tokenauthority.server.testing.JsonShape.Type.NUMBER;
import static dev.tokenauthority.server.testing.JsonShape.Type.OBJECT;
import static dev.tokenauthority.server.testing.JsonShape.Type.STRING;
import static dev.tokenauthority.server.testing.JsonShape.Type.TIME;
import static dev.tokenauthority.server.testing.JsonShape.assertShape;
import static dev.tokenauthority.server.testing.JsonShape.assertStatus;
import static dev.tokenauthority.server.testing.JsonShape.badFields;
import static dev.tokenauthority.server.testing.JsonShape.body;
import static dev.tokenauthority.server.testing.JsonShape.shape;
import static dev.tokenauthority.server.testing.JsonShape.with;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import dev.tokenauthority.server.testing.JsonShape;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
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
 * Seed 003's access tokens after minting, over REST in Kodexa's style: GET, PUT (optimistic
 * locking on changeSequence) and DELETE at /api/access-tokens/{id}, GET /api/access-tokens.
 * Like RestConformanceTest it runs against the embedded gateway or TA_REST_BASE_URL.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AccessTokenLifecycleRestTest {
  /** Every key of an access token as read: seed 003's, plus `status`; never `token`. */
  static final Map<String, JsonShape.Type> AS_READ = shape("changeSequence", NUMBER, "createdOn", TIME,
      "expiresAt", NULL, "id", STRING, "name", STRING, "updatedOn", TIME, "user", OBJECT, "userId", STRING,
      "uuid", STRING, "status", STRING);

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

  private JsonObject create(String name) throws Exception {
    return body(target.post("/api/access-tokens", "{\"name\": \"" + name + " " + run + "\"}", admin), 200);
  }

  private HttpResponse<String> get(String path, String secret) throws Exception {
    return target.send(target.request(path).header("x-api-key", secret).GET());
  }

  private HttpResponse<String> put(String id, JsonObject token) throws Exception {
    return target.send(target.request("/api/access-tokens/" + id).header("x-api-key", admin)
        .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(token.toString())));
  }

  private HttpResponse<String> delete(String id) throws Exception {
    return target.send(target.request("/api/access-tokens/" + id).header("x-api-key", admin).DELETE());
  }

  @Test
  void getAnswersTheTokenWithoutItsSecret() throws Exception {
    JsonObject created = create("read me");
    String id = created.get("id").getAsString();
    JsonObject read = assertShape(body(get("/api/access-tokens/" + id, admin), 200), AS_READ);
    created.remove("token");
    assertThat(read).isEqualTo(created);
    assertThat(read.get("status").getAsString()).isEqualTo("active");
    assertStatus(get("/api/access-tokens/" + UUID.randomUUID(), admin), 404, 5, "RESOURCE_NOT_FOUND");
  }

  @Test
  void listPagesThroughEveryTokenOnce() throws Exception {
    List<String> mine = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      mine.add(create("page " + i).get("id").getAsString());
    }
    List<String> seen = new ArrayList<>();
    String pageToken = "";
    do {
      JsonObject page = assertShape(body(get("/api/access-tokens?pageSize=2"
          + (pageToken.isEmpty() ? "" : "&pageToken=" + pageToken), admin), 200),
          shape("accessTokens", ARRAY, "nextPageToken", STRING));
      assertThat(page.getAsJsonArray("accessTokens")).hasSizeLessThanOrEqualTo(2);
      for (JsonElement token : page.getAsJsonArray("accessTokens")) {
        seen.add(assertShape(token.getAsJsonObject(), AS_READ).get("id").getAsString());
      }
      pageToken = page.get("nextPageToken").getAsString();
    } while (!pageToken.isEmpty());
    assertThat(seen).doesNotHaveDuplicates().containsAll(mine);
    assertThat(badFields(assertStatus(get("/api/access-tokens?pageSize=501&pageToken=zz&status=gone", admin),
        400, 3, "INVALID_FIELD"))).containsExactlyInAnyOrder("pageSize", "pageToken", "status");
  }

  @Test
  void putReplacesNameAndExpiryUnderOptimisticLocking() throws Exception {
    String id = create("laptop").get("id").getAsString();
    JsonObject read = body(get("/api/access-tokens/" + id, admin), 200);

    JsonObject renamed = read.deepCopy(); // what was read, changed: the output-only fields go back as they came
    renamed.addProperty("name", "old laptop " + run);
    renamed.addProperty("expiresAt", "2099-01-01T00:00:00.123Z");
    JsonObject updated = assertShape(body(put(id, renamed), 200), with(AS_READ, "expiresAt", TIME));
    assertThat(updated.get("name").getAsString()).isEqualTo("old laptop " + run);
    assertThat(updated.get("expiresAt").getAsString()).isEqualTo("2099-01-01T00:00:00.123Z");
    assertThat(updated.get("changeSequence").getAsInt()).isEqualTo(2);
    assertThat(updated.get("createdOn")).isEqualTo(read.get("createdOn"));
    assertThat(body(get("/api/access-tokens/" + id, admin), 200)).isEqualTo(updated);

    JsonObject stale = assertStatus(put(id, renamed), 409, 10, "CHANGE_SEQUENCE_MISMATCH");
    assertThat(stale.getAsJsonArray("details")).anySatisfy(detail -> assertThat(detail.getAsJsonObject()
        .getAsJsonObject("metadata").get("changeSequence").getAsString()).isEqualTo("2"));

    updated.add("expiresAt", JsonNull.INSTANCE); // clears it: the token never expires
    JsonObject cleared = assertShape(body(put(id, updated), 200), AS_READ);
    assertThat(cleared.get("changeSequence").getAsInt()).isEqualTo(3);

    cleared.addProperty("expiresAt", "2001-01-01T00:00:00Z");
    cleared.addProperty("name", "");
    assertThat(badFields(assertStatus(put(id, cleared), 400, 3, "INVALID_FIELD")))
        .containsExactlyInAnyOrder("name", "expiresAt");
  }

  @Test
  void deleteRevokesAtOnceIsIdempotentAndFinal() throws Exception {
    JsonObject created = create("doomed");
    String id = created.get("id").getAsString();
    String secret = created.get("token").getAsString();
    assertThat(body(get("/api/access-tokens/" + id, secret), 200).get("status").getAsString()).isEqualTo("active");

    JsonObject revoked = assertShape(body(delete(id), 200), AS_READ);
    assertThat(revoked.get("status").getAsString()).isEqualTo("revoked");
    assertThat(revoked.get("changeSequence").getAsInt()).isEqualTo(2);
    assertThat(body(delete(id), 200)).isEqualTo(revoked);
    assertStatus(get("/api/access-tokens/" + id, secret), 401, 16, "CREDENTIAL_REVOKED");
    assertThat(body(target.post("/v1/tokens:introspect", "{\"token\": \"" + secret + "\"}", admin), 200).toString())
        .isEqualTo("{\"active\":false}");
    revoked.addProperty("name", "revived");
    assertStatus(put(id, revoked), 400, 9, "TOKEN_INACTIVE");
  }
}
