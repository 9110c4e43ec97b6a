package dev.tokenauthority.server.rest;

import static dev.tokenauthority.server.testing.JsonShape.Type.ARRAY;
import static dev.tokenauthority.server.testing.JsonShape.Type.NULL;
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

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import dev.tokenauthority.server.testing.JsonShape;
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
 * Seed 002's account API tokens after minting, over REST in the accounts platform's style:
 * GET and DELETE /public/v1/accounts/api-tokens/{id}, GET /public/v1/accounts/api-tokens.
 * Like RestConformanceTest it runs against the embedded gateway or TA_REST_BASE_URL.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AccountApiTokenLifecycleRestTest {
  static final String PATH = "/public/v1/accounts/api-tokens";
  /** Every key of a token as read (no description, icon or use yet): seed 002's, but never `token`. */
  static final Map<String, JsonShape.Type> AS_READ = shape("id", STRING, "audit", OBJECT, "$meta", OBJECT,
      "status", STRING, "name", STRING, "description", NULL, "icon", NULL, "lastAccessAt", NULL, "account", OBJECT,
      "modules", ARRAY);

  @TempDir static Path dataDir;
  RestTarget target;
  String admin;
  final String run = UUID.randomUUID().toString().substring(0, 8);
  String account;
  String otherAccount;

  @BeforeAll
  void start() throws Exception {
    target = RestTarget.open(dataDir);
    admin = target.admin();
    account = "acc-" + run;
    otherAccount = "acc-other-" + run;
    body(target.post("/v1/accounts", "{\"id\": \"" + account + "\", \"name\": \"Acme\"}", admin), 200);
    body(target.post("/v1/accounts", "{\"id\": \"" + otherAccount + "\", \"name\": \"Globex\"}", admin), 200);
    body(target.post("/v1/modules", "{\"id\": \"mod-" + run + "\", \"name\": \"Buyers\"}", admin), 200);
  }

  @AfterAll
  void stop() throws Exception {
    target.close();
  }

  private JsonObject create(String accountId, String name) throws Exception {
    return body(target.post(PATH, "{\"account\": {\"id\": \"" + accountId + "\"}, \"name\": \"" + name
        + "\", \"modules\": [{\"id\": \"mod-" + run + "\"}]}", admin), 201);
  }

  private HttpResponse<String> get(String path, String secret) throws Exception {
    return target.send(target.request(path).header("Authorization", "Bearer " + secret).GET());
  }

  private HttpResponse<String> delete(String id) throws Exception {
    return target.send(target.request(PATH + "/" + id).header("Authorization", "Bearer " + admin).DELETE());
  }

  @Test
  void getAnswersTheTokenWithoutItsSecretNamingItInMetaAndItsLastAccess() throws Exception {
    JsonObject created = create(account, "read me");
    String id = created.get("id").getAsString();
    String secret = created.get("token").getAsString();
    JsonObject read = assertShape(body(get(PATH + "/" + id, admin), 200), AS_READ);
    assertThat(read.getAsJsonObject("$meta").getAsJsonArray("omitted")).containsExactly(new JsonPrimitive("token"));
    for (String key : List.of("id", "audit", "status", "name", "description", "icon", "lastAccessAt", "account",
        "modules")) {
      assertThat(read.get(key)).as(key).isEqualTo(created.get(key));
    }
    assertStatus(get(PATH, secret), 403, 7, "SCOPE_MISSING"); // authenticated: a use, though it holds no scopes
    assertThat(assertShape(body(get(PATH + "/" + id, admin), 200), with(AS_READ, "lastAccessAt", TIME))
        .get("lastAccessAt").getAsString()).isNotEmpty();
    assertStatus(get(PATH + "/apt_nope", admin), 404, 5, "RESOURCE_NOT_FOUND");
  }

  @Test
  void listPagesThroughOneAccountsTokensOnce() throws Exception {
    List<String> mine = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      mine.add(create(account, "page " + i).get("id").getAsString());
    }
    String elsewhere = create(otherAccount, "elsewhere").get("id").getAsString();
    List<String> seen = new ArrayList<>();
    String pageToken = "";
    do {
      JsonObject page = assertShape(body(get(PATH + "?accountId=" + account + "&pageSize=2"
          + (pageToken.isEmpty() ? "" : "&pageToken=" + pageToken), admin), 200),
          shape("apiTokens", ARRAY, "nextPageToken", STRING));
      for (JsonElement token : page.getAsJsonArray("apiTokens")) {
        seen.add(assertShape(token.getAsJsonObject(), AS_READ).get("id").getAsString());
      }
      pageToken = page.get("nextPageToken").getAsString();
    } while (!pageToken.isEmpty());
    assertThat(seen).doesNotHaveDuplicates().containsAll(mine).doesNotContain(elsewhere);
    assertThat(badFields(assertStatus(get(PATH + "?pageSize=501&pageToken=zz", admin), 400, 3, "INVALID_FIELD")))
        .containsExactlyInAnyOrder("pageSize", "pageToken");
  }

  @Test
  void deleteRevokesAtOnceIsIdempotentAndShowsInTheAudit() throws Exception {
    JsonObject created = create(account, "doomed");
    String id = created.get("id").getAsString();
    String secret = created.get("token").getAsString();
    JsonObject revoked = assertShape(body(delete(id), 200), AS_READ);
    assertThat(revoked.get("status").getAsString()).isEqualTo("revoked");
    JsonObject updated = revoked.getAsJsonObject("audit").getAsJsonObject("updated");
    assertThat(updated.getAsJsonObject("by")).isEqualTo(created.getAsJsonObject("audit").getAsJsonObject("created")
        .getAsJsonObject("by")); // the admin revoked what the admin created
    assertThat(JsonShape.typeOf(updated.get("at"))).isEqualTo(TIME);
    assertThat(body(delete(id), 200)).isEqualTo(revoked);
    assertStatus(get(PATH, secret), 401, 16, "CREDENTIAL_REVOKED");
    JsonArray revokedOnes = body(get(PATH + "?accountId=" + account + "&status=revoked", admin), 200)
        .getAsJsonArray("apiTokens");
    assertThat(revokedOnes).containsExactly(revoked);
  }
}
