package dev.tokenauthority.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import com.google.protobuf.ListValue;
import com.google.protobuf.Value;
import dev.tokenauthority.client.TokenAuthorityClient;
import dev.tokenauthority.server.testing.InProcessAuthority;
import dev.tokenauthority.server.testing.LogCapture;
import dev.tokenauthority.server.testing.StoreProbe;
import dev.tokenauthority.server.testing.TestStores;
import dev.tokenauthority.v1.AccessToken;
import dev.tokenauthority.v1.Account;
import dev.tokenauthority.v1.ApiToken;
import dev.tokenauthority.v1.CreateTenantRequest;
import dev.tokenauthority.v1.CreateWorkspaceTokenRequest;
import dev.tokenauthority.v1.FaultToken;
import dev.tokenauthority.v1.Module;
import dev.tokenauthority.v1.Record;
import dev.tokenauthority.v1.Tenant;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No secret is ever stored or logged: mint every kind (and fail some calls with those
 * secrets), then search the database, the raw H2 file and the log output for each one.
 */
class SecretHygieneTest {
  /** A credential no one issued, presented too: refused credentials are audited, never stored. */
  static final String GARBAGE = "taw_not-a-real-secret-but-still-never-stored-0123456789";
  @TempDir Path dataDir;

  @Test
  void noSecretReachesTheDatabaseTheStoreFileOrTheLog() throws Exception {
    LogCapture capture = LogCapture.root(Level.ALL);
    List<String> secrets = new ArrayList<>();
    try (InProcessAuthority authority = InProcessAuthority.start(dataDir)) {
      TokenAuthorityClient admin = authority.admin();
      secrets.add(authority.adminSecret());
      secrets.add(admin.createWorkspaceToken(CreateWorkspaceTokenRequest.newBuilder()
          .setName("ws").addScopes("tokens:read").build()).getToken());
      secrets.add(admin.createAccessToken(AccessToken.newBuilder().setName("at").build()).getToken());
      admin.createAccount(Account.newBuilder().setId("acc-1").setName("Acme").build());
      admin.createModule(Module.newBuilder().setId("mod-1").setName("Buyers")
          .putFilters("group.buyers", ListValue.newBuilder().addValues(Value.newBuilder().setStringValue("x")).build())
          .build());
      secrets.add(admin.createApiToken(ApiToken.newBuilder().setAccount(Account.newBuilder().setId("acc-1"))
          .addModules(Module.newBuilder().setId("mod-1")).build()).getToken());
      admin.createRecord(Record.newBuilder().setId("rec-1").build());
      secrets.add(admin.createRecordToken("rec-1", 60L).getToken());
      FaultToken fault = admin.generateFaultToken(5);
      secrets.add(fault.getToken());
      String shortLinkPath = URI.create(fault.getShortLink()).getPath();
      secrets.add(shortLinkPath.substring(shortLinkPath.lastIndexOf('/') + 1));
      secrets.add(admin.createTenant(CreateTenantRequest.newBuilder()
          .setTenant(Tenant.newBuilder().setName("Other")).setAdminEmail("boss@other.test").build())
          .getAdminToken().getToken());
      // failed calls presenting secrets must not echo them either
      for (String secret : Stream.concat(secrets.stream(), Stream.of(GARBAGE)).toList()) {
        try {
          authority.client(secret).createWorkspaceToken(CreateWorkspaceTokenRequest.newBuilder()
              .setName("ws").addScopes("tokens:revoke").build());
        } catch (RuntimeException expected) {
          assertThat(expected.getMessage()).doesNotContain(secret);
        }
      }
      assertThat(secrets).hasSize(8).doesNotHaveDuplicates().allSatisfy(s -> assertThat(s).hasSizeGreaterThan(15));

      List<String> stored = new StoreProbe(dataDir).everyTextValue();
      assertThat(stored).isNotEmpty();
      for (String secret : secrets) {
        assertThat(stored).noneMatch(value -> value.contains(secret));
      }
      assertThat(stored).noneMatch(value -> value.contains(GARBAGE));

      // the audit log, which records every mint and every refused credential: not even a hash or a JWT
      List<String> audit = new ArrayList<>();
      List<String> hashes = new ArrayList<>();
      try (Connection c = new StoreProbe(dataDir).connect(); Statement s = c.createStatement()) {
        try (ResultSet rs = s.executeQuery("SELECT * FROM audit_events")) {
          while (rs.next()) {
            for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
              audit.add(String.valueOf(rs.getString(i)));
            }
          }
        }
        try (ResultSet rs = s.executeQuery("SELECT secret_hash, short_code_hash FROM tokens")) {
          while (rs.next()) {
            for (String hash : new String[] {rs.getString(1), rs.getString(2)}) {
              if (hash != null) {
                hashes.add(hash);
              }
            }
          }
        }
      }
      assertThat(audit).contains("token.mint", "auth.failure", "CREDENTIAL_INVALID");
      assertThat(hashes).hasSizeGreaterThanOrEqualTo(6);
      for (String hash : hashes) {
        assertThat(audit).noneMatch(value -> value.contains(hash));
      }
      assertThat(audit).noneMatch(value -> value.contains("eyJ"));
    } finally {
      capture.close();
    }

    String log = capture.text();
    assertThat(log).contains("bootstrap-token"); // the capture saw the server's log
    assertThat(log).contains("dev.tokenauthority.request"); // and the request log
    // The raw file too, where the store is one (H2); on PostgreSQL the column scan above is the check.
    String storeText = TestStores.postgres() ? ""
        : new String(Files.readAllBytes(dataDir.resolve("tokenauthority.mv.db")), StandardCharsets.ISO_8859_1);
    assertThat(log).doesNotContain(GARBAGE);
    assertThat(storeText).doesNotContain(GARBAGE);
    for (String secret : secrets) {
      assertThat(log).doesNotContain(secret);
      assertThat(storeText).doesNotContain(secret);
    }
  }
}
