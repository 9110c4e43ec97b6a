package dev.tokenauthority.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenauthority.server.testing.TestStores;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** V5 on a store that already holds tokens: each was last changed by its creator. */
class UpdatedByMigrationTest {

  @TempDir Path dataDir;

  @Test
  void existingTokensWereLastChangedByTheirCreator() throws Exception {
    String url = TestStores.url(dataDir);
    Flyway.configure().dataSource(url, null, null).locations("classpath:db/migration").target("2").load().migrate();
    try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
      s.execute("INSERT INTO tenants VALUES ('ten_1', 'Acme', CURRENT_TIMESTAMP)");
      s.execute("""
          INSERT INTO users (id, tenant_id, uuid, email, first_name, last_name, title, bio, business_group, image,
              user_type, active, externally_managed, show_developer_tools, show_onboarding, show_scrollbars,
              show_welcome_message, roles, favorite_links, scopes, change_sequence, created_at, updated_at)
          VALUES ('usr_1', 'ten_1', 'u', 'a@example.com', '', '', '', '', '', '', 'HUMAN', TRUE, FALSE, FALSE,
              TRUE, TRUE, TRUE, '', '', '', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)""");
      s.execute("""
          INSERT INTO tokens (id, kind, tenant_id, user_id, created_by_user_id, created_by_token_id, name, scopes,
              uuid, change_sequence, created_at, updated_at)
          VALUES ('tok_1', 'WORKSPACE', 'ten_1', 'usr_1', 'usr_1', NULL, 'bootstrap', '', 'u', 1,
                  CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
                 ('apt_1', 'ACCOUNT_API', 'ten_1', 'usr_1', 'usr_1', 'tok_1', 'sync', '', 'u', 1,
                  CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)""");
    }

    Database.open(url, null, null, 2).close(); // migrates the rest

    try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT id, updated_by_user_id, updated_by_token_id FROM tokens ORDER BY id")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("apt_1");
      assertThat(rs.getString(2)).isEqualTo("usr_1");
      assertThat(rs.getString(3)).isEqualTo("tok_1");
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("tok_1");
      assertThat(rs.getString(2)).isEqualTo("usr_1");
      assertThat(rs.getString(3)).isNull();
      assertThat(rs.next()).isFalse();
    }
  }
}
