package dev.tokenauthority.server.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.interfaces.ECPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * Reads a running server's store (H2 or PostgreSQL, as {@link TestStores} chose) directly, from the
 * same JVM: what tests need to check that is not, or not yet, exposed by the API.
 */
public final class StoreProbe {
  private final String url;

  public StoreProbe(Path dataDir) {
    this.url = TestStores.url(dataDir);
  }

  public Connection connect() throws Exception {
    return DriverManager.getConnection(url);
  }

  /** The one value {@code sql} selects; fails unless there is exactly one row. */
  public String single(String sql, String... parameters) throws Exception {
    try (Connection c = connect(); PreparedStatement s = c.prepareStatement(sql)) {
      for (int i = 0; i < parameters.length; i++) {
        s.setString(i + 1, parameters[i]);
      }
      try (ResultSet rs = s.executeQuery()) {
        assertThat(rs.next()).as("a row for %s", sql).isTrue();
        String value = rs.getString(1);
        assertThat(rs.next()).as("only one row for %s", sql).isFalse();
        return value;
      }
    }
  }

  public String bootstrapTenantId() throws Exception {
    return single("SELECT tenant_id FROM bootstrap");
  }

  public String bootstrapAdminUserId() throws Exception {
    return single("SELECT id FROM users WHERE tenant_id = ? AND email = ?", bootstrapTenantId(), "admin@localhost");
  }

  /** The public half of signing key {@code kid}: base64 X.509 DER in {@code signing_keys}. */
  public ECPublicKey publicKey(String kid) throws Exception {
    String encoded = single("SELECT public_key FROM signing_keys WHERE kid = ?", kid);
    return (ECPublicKey) KeyFactory.getInstance("EC")
        .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(encoded)));
  }

  /** Every non-null value of every character column of every table of the store. */
  public List<String> everyTextValue() throws Exception {
    List<String> values = new ArrayList<>();
    try (Connection c = connect()) {
      List<String[]> columns = new ArrayList<>();
      try (ResultSet rs = c.createStatement().executeQuery(
          // the store's own schema: PUBLIC on H2, the test's schema on PostgreSQL
          "SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME FROM INFORMATION_SCHEMA.COLUMNS"
              + " WHERE TABLE_SCHEMA = CURRENT_SCHEMA AND UPPER(DATA_TYPE) IN"
              + " ('CHARACTER VARYING', 'CHARACTER', 'VARCHAR_IGNORECASE', 'CHARACTER LARGE OBJECT', 'TEXT')")) {
        while (rs.next()) {
          columns.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3)});
        }
      }
      assertThat(columns).as("character columns found")
          .extracting(col -> (col[1] + "." + col[2]).toLowerCase(Locale.ROOT))
          .contains("tokens.id", "users.email", "signing_keys.public_key", "signing_keys.private_key_sealed");
      for (String[] col : columns) {
        String sql = "SELECT \"" + col[2] + "\" FROM \"" + col[0] + "\".\"" + col[1] + "\"";
        try (ResultSet rs = c.createStatement().executeQuery(sql)) {
          while (rs.next()) {
            String value = rs.getString(1);
            if (value != null) {
              values.add(value);
            }
          }
        }
      }
    }
    return values;
  }
}
