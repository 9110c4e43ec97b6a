package dev.tokenauthority.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.util.JsonFormat;
import dev.tokenauthority.server.ServerConfig;
import dev.tokenauthority.server.TokenAuthorityServer;
import dev.tokenauthority.v1.WorkspaceToken;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ta} against a real server on a loopback port, authenticated as the bootstrap admin. */
class CliTest {
  @TempDir static Path dataDir;
  static TokenAuthorityServer server;
  static String admin;
  static Map<String, String> env;

  @BeforeAll
  static void start() throws Exception {
    server = new TokenAuthorityServer(ServerConfig.defaults(dataDir).withGrpcPort(0).withHttpPort(0).withMetricsPort(0), Clock.systemUTC())
        .start(NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)));
    admin = Files.readString(server.bootstrapFile(), StandardCharsets.US_ASCII).trim();
    env = Map.of("TA_ADDR", "127.0.0.1:" + server.port(), "TA_TOKEN", admin);
  }

  @AfterAll
  static void stop() throws Exception {
    server.stop();
  }

  private static Ta ok(String... args) {
    Ta ta = Ta.run(env, args);
    assertThat(ta.code()).as("ta %s: %s", String.join(" ", args), ta).isZero();
    assertThat(ta.all()).as("the credential is never printed").doesNotContain(admin);
    return ta;
  }

  private static JsonObject json(String... args) {
    String[] withJson = new String[args.length + 2];
    withJson[0] = "--output";
    withJson[1] = "json";
    System.arraycopy(args, 0, withJson, 2, args.length);
    return JsonParser.parseString(ok(withJson).out()).getAsJsonObject();
  }

  private static String secret(Ta ta) {
    Matcher m = Pattern.compile("secret \\(shown only now; store it\\): (\\S+)").matcher(ta.out());
    assertThat(m.find()).as(ta.toString()).isTrue();
    return m.group(1);
  }

  @Test
  void workspaceTokenLifecycleWithIntrospectionBeforeAndAfterRevoke() throws Exception {
    Ta created = ok("workspace-token", "create", "--name", "ci", "--scope", "tokens:read,tokens:introspect",
        "--expires-at", "30d");
    assertThat(created.out()).startsWith("ID").contains("NAME", "STATUS", "SCOPES", "active", "ci");
    String secret = secret(created);

    JsonObject active = json("introspect", secret);
    assertThat(active.get("active").getAsBoolean()).isTrue();
    String id = active.get("jti").getAsString();

    Ta list = ok("workspace-token", "list");
    assertThat(list.out().lines().findFirst().orElseThrow()).contains("ID", "NAME", "STATUS", "CREATED", "EXPIRES");
    assertThat(list.out()).contains(id);
    assertThat(list.out()).doesNotContain(secret);

    JsonObject got = json("workspace-token", "get", id);
    WorkspaceToken.Builder parsed = WorkspaceToken.newBuilder();
    JsonFormat.parser().merge(got.toString(), parsed);
    assertThat(parsed.getId()).isEqualTo(id);
    assertThat(parsed.getScopesList()).containsExactly("tokens:read", "tokens:introspect");
    assertThat(parsed.hasToken()).isFalse();

    Ta revoked = ok("workspace-token", "revoke", id);
    assertThat(revoked.out()).contains("revoked");
    assertThat(json("introspect", secret).get("active").getAsBoolean()).isFalse();
    assertThat(ok("introspect", secret).out()).startsWith("ACTIVE").contains("false");
  }

  @Test
  void globalOptionsWorkBeforeAndAfterTheSubcommand() {
    String before = ok("--output", "json", "--addr", env.get("TA_ADDR"), "keys", "jwks").out();
    String after = ok("keys", "jwks", "--addr", env.get("TA_ADDR"), "-o", "json").out();
    assertThat(JsonParser.parseString(before).getAsJsonObject().getAsJsonArray("keys")).isNotEmpty();
    assertThat(after).isEqualTo(before);
    // --token overrides TA_TOKEN
    Map<String, String> wrongEnv = new HashMap<>(env);
    wrongEnv.put("TA_TOKEN", "ta_wrong_secret_value_0001");
    Ta ta = Ta.run(wrongEnv, "workspace-token", "list", "--token", admin);
    assertThat(ta.code()).as(ta.toString()).isZero();
    assertThat(ta.all()).doesNotContain(admin);
  }

  @Test
  void mintsEveryKind() {
    ok("directory", "record", "create", "--id", "rec-cli", "--title", "CLI record");
    ok("directory", "account", "create", "--id", "acc-cli", "--name", "Acme");
    ok("directory", "module", "create", "--id", "mod-cli", "--name", "Reports");

    Ta record = ok("record-token", "create", "--record", "rec-cli", "--expires-in", "2h");
    assertThat(record.out()).startsWith("KEY").contains("rec-cli");
    String recordJwt = secret(record);
    Ta recordList = ok("record-token", "list", "--record", "rec-cli");
    String key = recordList.out().lines().skip(1).findFirst().orElseThrow().split("\\s+")[0];
    assertThat(ok("record-token", "get", "--record", "rec-cli", key).out()).contains(key, "active");
    JsonObject check = json("check-access", recordJwt, "--action", "records:update", "--resource", "records/rec-cli");
    assertThat(check.get("allowed").getAsBoolean()).as(check.toString()).isTrue();
    ok("record-token", "revoke", "--record", "rec-cli", key);
    assertThat(json("introspect", recordJwt).get("active").getAsBoolean()).isFalse();

    Ta fault = ok("fault-token", "create", "--expire-after-minutes", "60");
    assertThat(fault.out()).contains("share link: ");
    JsonObject faults = json("fault-token", "list");
    String faultId = faults.getAsJsonArray("tokens").get(0).getAsJsonObject().get("id").getAsString();
    assertThat(ok("fault-token", "get", faultId).out()).contains(faultId);
    assertThat(json("introspect", secret(fault)).get("active").getAsBoolean()).isTrue();
    ok("fault-token", "revoke", faultId);

    Ta api = ok("api-token", "create", "--account", "acc-cli", "--name", "reports", "--module", "mod-cli");
    assertThat(api.out()).contains("acc-cli", "mod-cli");
    String apiSecret = secret(api);
    String apiId = json("introspect", apiSecret).get("jti").getAsString();
    assertThat(ok("api-token", "list", "--account", "acc-cli").out()).contains(apiId);
    assertThat(ok("api-token", "get", apiId).out()).contains("reports");
    ok("api-token", "revoke", apiId);

    Ta access = ok("access-token", "create", "--name", "laptop", "--expires-at", "2099-01-01T00:00:00Z");
    String accessSecret = secret(access);
    JsonObject accessJson = json("introspect", accessSecret);
    String accessId = accessJson.get("jti").getAsString();
    Ta updated = ok("access-token", "update", accessId, "--name", "desktop");
    assertThat(updated.out()).contains("desktop", "2099-01-01T00:00:00Z");
    assertThat(ok("access-token", "list").out()).contains(accessId);
    assertThat(ok("access-token", "get", accessId).out()).contains("desktop");
    // a stale change sequence is the caller's problem: exit 4
    Ta stale = Ta.run(env, "access-token", "update", accessId, "--name", "x", "--change-sequence", "0");
    assertThat(stale.code()).as(stale.toString()).isEqualTo(ExitCodes.CALLER);
    // an access token authenticates with x-api-key
    Ta viaApiKey = Ta.run(Map.of("TA_ADDR", env.get("TA_ADDR"), "TA_TOKEN", accessSecret), "--api-key",
        "workspace-token", "list");
    assertThat(viaApiKey.code()).as(viaApiKey.toString()).isNotEqualTo(ExitCodes.AUTH);
    assertThat(viaApiKey.all()).doesNotContain(accessSecret);
    ok("access-token", "revoke", accessId);
  }

  @Test
  void bulkRevokeShowsAFinalCount() {
    List<String> ids = new java.util.ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ids.add(json("workspace-token", "create", "--name", "bulk-" + i, "--scope", "tokens:read").get("id").getAsString());
    }
    Ta ta = ok("workspace-token", "revoke", ids.get(0), ids.get(1), ids.get(2));
    assertThat(ta.err()).contains("revoked 3 of 3");
    assertThat(ta.out().lines().count()).isEqualTo(4); // header + 3 rows

    Ta json = ok("-o", "json", "workspace-token", "revoke", ids.get(0), ids.get(1));
    JsonArray array = JsonParser.parseString(json.out()).getAsJsonArray();
    assertThat(array).hasSize(2);

    // one missing among several: the others are still revoked, the exit code says "not found"
    Ta partial = Ta.run(env, "workspace-token", "revoke", ids.get(2), "wt_does_not_exist");
    assertThat(partial.code()).as(partial.toString()).isEqualTo(ExitCodes.CALLER);
    assertThat(partial.err()).contains("revoked 1 of 2 (1 failed)", "wt_does_not_exist", "NOT_FOUND");
  }

  @Test
  void revokeCreatedByReportsTheCount() throws Exception {
    JsonObject minter = json("workspace-token", "create", "--name", "minter", "--scope", "tokens:read,tokens:write");
    String minterSecret = minter.get("token").getAsString();
    Map<String, String> asMinter = Map.of("TA_ADDR", env.get("TA_ADDR"), "TA_TOKEN", minterSecret);
    for (int i = 0; i < 2; i++) {
      Ta child = Ta.run(asMinter, "workspace-token", "create", "--name", "child-" + i, "--scope", "tokens:read");
      assertThat(child.code()).as(child.toString()).isZero();
    }
    Ta ta = ok("revoke-created-by", "--token-id", minter.get("id").getAsString());
    assertThat(ta.err()).contains("revoked 2 tokens");
    assertThat(ta.out()).startsWith("REVOKED").contains("2");
  }

  @Test
  void keysDirectoryAndAudit() {
    Ta jwks = ok("keys", "jwks");
    assertThat(jwks.out()).startsWith("KID").contains("EC", "ES256");
    Ta rotated = ok("-o", "json", "keys", "rotate");
    String kid = JsonParser.parseString(rotated.out()).getAsJsonObject().get("kid").getAsString();
    assertThat(ok("keys", "list").out()).startsWith("KID").contains(kid, "CURRENT", "RETIRED");

    Ta tenant = ok("directory", "tenant", "create", "--name", "Other", "--admin-email", "other@example.com");
    assertThat(tenant.out()).contains("other@example.com", "admin token secret");
    Ta user = ok("directory", "user", "create", "--email", "dev@example.com", "--first-name", "Dee", "--scope", "tokens:read");
    assertThat(user.out()).startsWith("ID").contains("dev@example.com");
    Ta duplicate = Ta.run(env, "directory", "record", "create", "--id", "rec-dup");
    assertThat(duplicate.code()).isZero();
    Ta again = Ta.run(env, "directory", "record", "create", "--id", "rec-dup");
    assertThat(again.code()).as(again.toString()).isEqualTo(ExitCodes.CALLER);
    assertThat(again.err()).contains("ALREADY_EXISTS");

    Ta audit = ok("audit", "list", "--page-size", "5", "--since", "1h");
    assertThat(audit.out()).startsWith("TIME").contains("ACTION", "OUTCOME");
    JsonObject page = json("audit", "list", "--page-size", "2");
    assertThat(page.getAsJsonArray("auditEvents")).hasSize(2);
    Ta all = ok("audit", "list", "--page-size", "2", "--all");
    assertThat(all.err()).containsPattern("fetched \\d+ in \\d+ pages");
    assertThat(all.out().lines().count()).isGreaterThan(3);
  }

  @Test
  void errorsMapToExitCodesAndNeverShowTheCredential() throws Exception {
    Ta missing = Ta.run(env, "workspace-token", "get", "wt_nope");
    assertThat(missing.code()).as(missing.toString()).isEqualTo(ExitCodes.CALLER);
    assertThat(missing.err()).contains("NOT_FOUND", "RESOURCE_NOT_FOUND");

    Ta invalid = Ta.run(env, "workspace-token", "create", "--name", "x", "--scope", "no:such-scope");
    assertThat(invalid.code()).as(invalid.toString()).isEqualTo(ExitCodes.CALLER);
    assertThat(invalid.err()).contains("INVALID_ARGUMENT", "scopes");

    String wrong = "ta_definitely_not_a_valid_secret_42";
    for (Ta ta : List.of(
        Ta.run(Map.of("TA_ADDR", env.get("TA_ADDR"), "TA_TOKEN", wrong), "workspace-token", "list"),
        Ta.run(Map.of("TA_ADDR", env.get("TA_ADDR")), "--token", wrong, "workspace-token", "list"),
        Ta.run(Map.of("TA_ADDR", env.get("TA_ADDR")), "--token=" + wrong, "keys", "list"))) {
      assertThat(ta.code()).as(ta.toString()).isEqualTo(ExitCodes.AUTH);
      assertThat(ta.err()).contains("UNAUTHENTICATED");
      assertThat(ta.all()).doesNotContain(wrong);
    }

    Path file = dataDir.resolve("cli-token");
    Files.writeString(file, wrong + "\n");
    Ta fromFile = Ta.run(Map.of("TA_ADDR", env.get("TA_ADDR")), "--token-file", file.toString(), "workspace-token", "list");
    assertThat(fromFile.code()).isEqualTo(ExitCodes.AUTH);
    assertThat(fromFile.all()).doesNotContain(wrong);
    Files.writeString(file, admin + "\n");
    assertThat(Ta.run(Map.of("TA_ADDR", env.get("TA_ADDR")), "--token-file", file.toString(), "workspace-token", "list")
        .code()).isZero();

    // a tenant admin lacks keys:read: permission denied is an auth error too
    String tenantAdmin = json("directory", "tenant", "create", "--name", "Scoped", "--admin-email", "s@example.com")
        .getAsJsonObject("adminToken").get("token").getAsString();
    Ta denied = Ta.run(Map.of("TA_ADDR", env.get("TA_ADDR"), "TA_TOKEN", tenantAdmin), "keys", "list");
    assertThat(denied.code()).as(denied.toString()).isEqualTo(ExitCodes.AUTH);
    assertThat(denied.err()).contains("PERMISSION_DENIED");
    assertThat(denied.all()).doesNotContain(tenantAdmin);
  }
}
