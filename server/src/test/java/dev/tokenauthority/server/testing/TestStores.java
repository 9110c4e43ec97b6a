package dev.tokenauthority.server.testing;

import dev.tokenauthority.server.ServerConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The store every test server runs on. By default the H2 file store in the test's data dir;
 * in the PostgreSQL run (system property {@code ta.test.store=postgres}, set by the
 * {@code postgres} Maven profile when {@code TA_TEST_POSTGRES_URL} names a server), a schema
 * per data dir inside a database created for this run and dropped when it ends, so runs never
 * see each other's data and a restart on the same data dir finds the same store.
 */
public final class TestStores {
  /** Where the PostgreSQL run connects to create its databases, e.g. jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres. */
  public static final String POSTGRES_URL_ENV = "TA_TEST_POSTGRES_URL";
  private static final List<String> CREATED = new ArrayList<>();
  private static String runDatabase;

  private TestStores() {}

  /** Whether this run's servers use PostgreSQL. */
  public static boolean postgres() {
    return "postgres".equals(System.getProperty("ta.test.store"));
  }

  /** Defaults for {@code dataDir}, on this run's store; metrics off (their port is fixed by default). */
  public static ServerConfig config(Path dataDir) {
    ServerConfig defaults = ServerConfig.defaults(dataDir).withMetricsPort(0);
    return postgres() ? defaults.withDbUrl(schemaUrl(dataDir)) : defaults;
  }

  /** The JDBC URL of {@code dataDir}'s store (H2 file or PostgreSQL schema). */
  public static String url(Path dataDir) {
    return config(dataDir).effectiveDbUrl();
  }

  /**
   * A new, empty PostgreSQL database of its own (dropped when the run ends), for tests that
   * need a whole database: several nodes starting on it, or its connections cut.
   */
  public static synchronized String newPostgresDatabase(String purpose) {
    String name = "ta_test_" + purpose + "_" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("MMddHHmmss"))
        + "_" + Integer.toString(ThreadLocalRandom.current().nextInt(1 << 30), 36);
    execute(adminUrl(), "CREATE DATABASE " + name);
    if (CREATED.isEmpty()) {
      Runtime.getRuntime().addShutdownHook(new Thread(TestStores::dropCreated, "drop-test-databases"));
    }
    CREATED.add(name);
    return withDatabase(adminUrl(), name);
  }

  private static synchronized String schemaUrl(Path dataDir) {
    if (runDatabase == null) {
      runDatabase = newPostgresDatabase("run");
    }
    String schema = "s_" + HexFormat.of().formatHex(sha256(dataDir.toAbsolutePath().normalize().toString()), 0, 10);
    execute(runDatabase, "CREATE SCHEMA IF NOT EXISTS " + schema);
    return runDatabase + "&currentSchema=" + schema;
  }

  /** The URL of database {@code name} on the same server, with the same parameters. */
  private static String withDatabase(String url, String name) {
    int query = url.indexOf('?');
    String base = query < 0 ? url : url.substring(0, query);
    String parameters = query < 0 ? "" : url.substring(query + 1);
    String server = base.substring(0, base.lastIndexOf('/') + 1);
    return server + name + "?" + (parameters.isEmpty() ? "ApplicationName=token-authority-test" : parameters);
  }

  private static String adminUrl() {
    String url = System.getenv(POSTGRES_URL_ENV);
    if (url == null || url.isBlank()) {
      throw new IllegalStateException("The PostgreSQL run needs " + POSTGRES_URL_ENV
          + " (e.g. jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres)");
    }
    return url;
  }

  private static void execute(String url, String sql) {
    try (Connection connection = DriverManager.getConnection(url); Statement statement = connection.createStatement()) {
      statement.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException("PostgreSQL at " + url + " refused: " + sql, e);
    }
  }

  private static synchronized void dropCreated() {
    for (String name : CREATED) {
      try {
        execute(adminUrl(), "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
      } catch (RuntimeException e) {
        System.err.println("Could not drop test database " + name + ": " + e.getMessage());
      }
    }
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
