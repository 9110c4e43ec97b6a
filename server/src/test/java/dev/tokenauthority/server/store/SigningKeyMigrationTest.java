package dev.tokenauthority.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenauthority.server.testing.TestStores;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** V3 upgrades a store bootstrapped before key rotation existed. */
class SigningKeyMigrationTest {
  static final String ADMIN_SCOPES = "tokens:read tokens:write tokens:revoke records:update faults:read "
      + "directory:read directory:write tenants:write";

  @TempDir Path dataDir;

  @Test
  void aV1StoreGetsOneCurrentKeyRetiresTheOthersAndGrantsKeyScopesToTheBootstrapAdminOnly() throws Exception {
    String url = TestStores.url(dataDir);
    Flyway.configure().dataSource(url, null, null).locations("classpath:db/migration").target("1").load().migrate();
    try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
      s.execute("INSERT INTO tenants VALUES ('ten_1', 'Default', CURRENT_TIMESTAMP)");
      s.execute("INSERT INTO bootstrap VALUES (1, 'ten_1', CURRENT_TIMESTAMP)");
      user(c, "usr_admin", ADMIN_SCOPES);
      user(c, "usr_other", ADMIN_SCOPES); // granted tenants:write by the admin: not the bootstrap admin
      token(c, "tok_boot", "bootstrap-admin", "usr_admin", null, ADMIN_SCOPES);
      token(c, "tok_made", "made-later", "usr_admin", "tok_boot", ADMIN_SCOPES);
      // two unretired keys: what two nodes starting at once on an empty store could leave
      s.execute("INSERT INTO signing_keys VALUES ('key_old', 'ES256', 'pub-old', 'sealed-old',"
          + " TIMESTAMP WITH TIME ZONE '2030-01-01 00:00:00Z', NULL)");
      s.execute("INSERT INTO signing_keys VALUES ('key_new', 'ES256', 'pub-new', 'sealed-new',"
          + " TIMESTAMP WITH TIME ZONE '2030-01-01 00:00:01Z', NULL)");
    }

    Database.open(url, null, null, 2).close(); // migrates to the newest version

    try (Connection c = DriverManager.getConnection(url)) {
      assertThat(one(c, "SELECT CASE WHEN is_current THEN 'yes' END FROM signing_keys WHERE kid = 'key_new'"))
          .isEqualTo("yes");
      assertThat(one(c, "SELECT private_key_sealed FROM signing_keys WHERE kid = 'key_new'")).isEqualTo("sealed-new");
      assertThat(one(c, "SELECT retired_at FROM signing_keys WHERE kid = 'key_new'")).isNull();
      assertThat(one(c, "SELECT is_current FROM signing_keys WHERE kid = 'key_old'")).isNull();
      assertThat(one(c, "SELECT private_key_sealed FROM signing_keys WHERE kid = 'key_old'")).isNull();
      assertThat(one(c, "SELECT retired_at FROM signing_keys WHERE kid = 'key_old'")).isNotNull();

      // V3 grants keys:* to the bootstrap admin; V4 then grants audit:read to every tenant admin
      assertThat(one(c, "SELECT scopes FROM users WHERE id = 'usr_admin'"))
          .isEqualTo(ADMIN_SCOPES + " keys:read keys:write audit:read");
      assertThat(one(c, "SELECT scopes FROM tokens WHERE id = 'tok_boot'"))
          .isEqualTo(ADMIN_SCOPES + " keys:read keys:write audit:read");
      assertThat(one(c, "SELECT scopes FROM users WHERE id = 'usr_other'")).isEqualTo(ADMIN_SCOPES + " audit:read");
      assertThat(one(c, "SELECT scopes FROM tokens WHERE id = 'tok_made'")).isEqualTo(ADMIN_SCOPES + " audit:read");

      assertThat(indexNames(c, "tokens")).contains("tokens_by_signing_key");
    }
  }

  /** The lower-cased index names of {@code table} (H2 upper-cases unquoted names, PostgreSQL lower-cases them). */
  private static Set<String> indexNames(Connection c, String table) throws Exception {
    Set<String> names = new HashSet<>();
    for (String name : new String[] {table, table.toUpperCase(Locale.ROOT)}) {
      try (ResultSet rs = c.getMetaData().getIndexInfo(null, null, name, false, false)) {
        while (rs.next()) {
          if (rs.getString("INDEX_NAME") != null) {
            names.add(rs.getString("INDEX_NAME").toLowerCase(Locale.ROOT));
          }
        }
      }
    }
    return names;
  }

  private static void user(Connection c, String id, String scopes) throws Exception {
    try (PreparedStatement s = c.prepareStatement("INSERT INTO users VALUES (?, 'ten_1', ?, ?, '', '', '', '', '', '',"
        + " 'HUMAN', TRUE, FALSE, FALSE, TRUE, TRUE, TRUE, 'ADMIN', '', ?, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)")) {
      s.setString(1, id);
      s.setString(2, id + "-uuid");
      s.setString(3, id + "@localhost");
      s.setString(4, scopes);
      s.execute();
    }
  }

  private static void token(Connection c, String id, String name, String userId, String createdByTokenId,
      String scopes) throws Exception {
    try (PreparedStatement s = c.prepareStatement("INSERT INTO tokens (id, kind, tenant_id, user_id, created_by_user_id,"
        + " created_by_token_id, name, unique_name, secret_hash, scopes, uuid, change_sequence, created_at, updated_at)"
        + " VALUES (?, 'WORKSPACE', 'ten_1', ?, ?, ?, ?, ?, ?, ?, ?, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)")) {
      s.setString(1, id);
      s.setString(2, userId);
      s.setString(3, userId);
      s.setString(4, createdByTokenId);
      s.setString(5, name);
      s.setString(6, name);
      s.setString(7, id + "-hash");
      s.setString(8, scopes);
      s.setString(9, id + "-uuid");
      s.execute();
    }
  }

  private static String one(Connection c, String sql) throws Exception {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      assertThat(rs.next()).as(sql).isTrue();
      return rs.getString(1);
    }
  }
}
