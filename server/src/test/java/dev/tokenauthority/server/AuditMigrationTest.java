package dev.tokenauthority.server;

import static dev.tokenauthority.server.testing.Errors.expect;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenauthority.server.testing.AuditPages;
import dev.tokenauthority.server.testing.InProcessAuthority;
import dev.tokenauthority.server.testing.StoreProbe;
import dev.tokenauthority.v1.AccessToken;
import dev.tokenauthority.v1.CreateTenantRequest;
import dev.tokenauthority.v1.CreateWorkspaceTokenRequest;
import dev.tokenauthority.v1.ListAuditEventsRequest;
import dev.tokenauthority.v1.Tenant;
import io.grpc.Status;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store created before the audit log (V4) gets it on the next start, and its admins get
 * {@code audit:read}: without it nobody could ever read the log, since no token can be granted
 * a scope its creator lacks.
 */
class AuditMigrationTest {
  @TempDir Path dataDir;

  @Test
  void adminsOfAStoreFromBeforeTheAuditLogCanReadItAfterTheMigration() throws Exception {
    String ownerSecret;
    String accessSecret;
    String readerSecret;
    try (InProcessAuthority authority = InProcessAuthority.start(dataDir)) {
      ownerSecret = authority.admin().createTenant(CreateTenantRequest.newBuilder()
          .setTenant(Tenant.newBuilder().setName("Globex")).setAdminEmail("owner@globex.example").build())
          .getAdminToken().getToken();
      accessSecret = authority.admin().createAccessToken(AccessToken.newBuilder().setName("cli").build()).getToken();
      readerSecret = authority.admin().createWorkspaceToken(CreateWorkspaceTokenRequest.newBuilder()
          .setName("reader").addScopes("tokens:read").addScopes("directory:read").build()).getToken();
      // back to the store as it was before V4 (and the later V5, V6, V7; V7 only widens
      // columns, so it applies again unchanged): no audit table, no
      // audit:read anywhere
      try (Connection c = new StoreProbe(dataDir).connect(); Statement s = c.createStatement()) {
        s.executeUpdate("DROP TABLE audit_events");
        s.executeUpdate("ALTER TABLE tokens DROP CONSTRAINT tokens_updated_by_user");
        s.executeUpdate("ALTER TABLE tokens DROP COLUMN updated_by_user_id");
        s.executeUpdate("ALTER TABLE tokens DROP COLUMN updated_by_token_id");
        s.executeUpdate("ALTER TABLE tokens DROP COLUMN share_jwt_sealed");
        s.executeUpdate("DELETE FROM \"flyway_schema_history\" WHERE \"version\" IN ('4', '5', '6', '7')");
        assertThat(s.executeUpdate("UPDATE users SET scopes = REPLACE(scopes, ' audit:read', '')"
            + " WHERE scopes LIKE '%audit:read%'")).isEqualTo(2);
        assertThat(s.executeUpdate("UPDATE tokens SET scopes = REPLACE(scopes, ' audit:read', '')"
            + " WHERE scopes LIKE '%audit:read%'")).isEqualTo(3);
      }
    }

    try (InProcessAuthority authority = InProcessAuthority.start(dataDir)) {
      StoreProbe store = new StoreProbe(dataDir);
      assertThat(store.single("SELECT scopes FROM users WHERE email = ?", "owner@globex.example"))
          .endsWith(" audit:read");
      // the bootstrap admin, a tenant admin and an access token holding every admin scope can read the log
      assertThat(AuditPages.all(authority.admin(), "token.mint")).isEmpty();
      assertThat(AuditPages.all(authority.client(ownerSecret), "token.mint")).isEmpty();
      assertThat(AuditPages.all(authority.client(accessSecret), "token.mint")).isEmpty();
      // a token that is not an admin's gains nothing
      assertThat(store.single("SELECT scopes FROM tokens WHERE name = ?", "reader"))
          .isEqualTo("tokens:read directory:read");
      expect(Status.Code.PERMISSION_DENIED, "SCOPE_MISSING", () -> authority.client(readerSecret)
          .listAuditEvents(ListAuditEventsRequest.getDefaultInstance()));
    }
  }
}
