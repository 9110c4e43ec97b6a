package dev.tokenauthority.server;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;

/**
 * Every setting of a server, in one place. {@link Main} fills it from flags and
 * {@code TA_*} environment variables; tests build it directly.
 *
 * @param grpcPort the gRPC port (0 picks a free one)
 * @param httpPort the embedded REST gateway's port: 0 turns it off, {@link #ANY_FREE_PORT} picks a free one
 * @param dataDir the H2 file, the master key file and the bootstrap token file live here
 * @param dbUrl JDBC URL; null means the H2 file store in {@code dataDir}
 * @param dbUser database user, or null
 * @param dbPassword database password, or null; never logged
 * @param dbPoolSize most pooled connections
 * @param masterKey base64 of the 32-byte master key, or null to use {@code <dataDir>/master.key}
 * @param issuer the {@code iss} claim of every JWT
 * @param publicUrl the public base URL of the REST edge; share links start with it
 * @param adminEmail email of the admin user created on first start
 * @param shutdownGrace how long in-flight calls may finish on shutdown
 * @param corsOrigins browser origins (exact match) the REST gateway allows cross-origin calls from
 * @param trustedProxies addresses or CIDR networks, besides in-process and loopback peers, whose
 *     {@code x-forwarded-for} header is believed to name the client (for the audit log)
 * @param auditAuthFailuresPerSecond most failed authentications of no known token recorded one
 *     by one per second; the rest are counted in one audit row
 */
public record ServerConfig(
    int grpcPort,
    int httpPort,
    Path dataDir,
    String dbUrl,
    String dbUser,
    String dbPassword,
    int dbPoolSize,
    String masterKey,
    String issuer,
    String publicUrl,
    String adminEmail,
    Duration shutdownGrace,
    Set<String> corsOrigins,
    Set<String> trustedProxies,
    int auditAuthFailuresPerSecond) {

  public ServerConfig {
    corsOrigins = Set.copyOf(corsOrigins);
    trustedProxies = Set.copyOf(trustedProxies);
  }

  public static final int DEFAULT_GRPC_PORT = 50051;
  public static final int DEFAULT_HTTP_PORT = 8080;
  /** An {@code httpPort} that binds the gateway to any free port (tests). */
  public static final int ANY_FREE_PORT = -1;
  public static final String DEFAULT_PUBLIC_URL = "http://localhost:8080";
  public static final int DEFAULT_AUDIT_AUTH_FAILURES_PER_SECOND = 100;

  /** Defaults for a data dir: embedded H2, generated master key. */
  public static ServerConfig defaults(Path dataDir) {
    return new ServerConfig(DEFAULT_GRPC_PORT, DEFAULT_HTTP_PORT, dataDir, null, null, null, 10, null, DEFAULT_PUBLIC_URL,
        DEFAULT_PUBLIC_URL, "admin@localhost", Duration.ofSeconds(10), Set.of(), Set.of(),
        DEFAULT_AUDIT_AUTH_FAILURES_PER_SECOND);
  }

  public ServerConfig withGrpcPort(int port) {
    return new ServerConfig(port, httpPort, dataDir, dbUrl, dbUser, dbPassword, dbPoolSize, masterKey, issuer,
        publicUrl, adminEmail, shutdownGrace, corsOrigins, trustedProxies, auditAuthFailuresPerSecond);
  }

  public ServerConfig withHttpPort(int port) {
    return new ServerConfig(grpcPort, port, dataDir, dbUrl, dbUser, dbPassword, dbPoolSize, masterKey, issuer,
        publicUrl, adminEmail, shutdownGrace, corsOrigins, trustedProxies, auditAuthFailuresPerSecond);
  }

  public ServerConfig withCorsOrigins(Set<String> origins) {
    return new ServerConfig(grpcPort, httpPort, dataDir, dbUrl, dbUser, dbPassword, dbPoolSize, masterKey, issuer,
        publicUrl, adminEmail, shutdownGrace, origins, trustedProxies, auditAuthFailuresPerSecond);
  }

  public ServerConfig withAuditAuthFailuresPerSecond(int perSecond) {
    return new ServerConfig(grpcPort, httpPort, dataDir, dbUrl, dbUser, dbPassword, dbPoolSize, masterKey, issuer,
        publicUrl, adminEmail, shutdownGrace, corsOrigins, trustedProxies, perSecond);
  }

  /** The JDBC URL in effect: the configured one, or the H2 file store in the data dir. */
  public String effectiveDbUrl() {
    if (dbUrl != null && !dbUrl.isBlank()) {
      return dbUrl;
    }
    // The server closes H2 itself on shutdown, after in-flight calls finish. WRITE_DELAY=0
    // hands every commit to the OS before the call returns, so a killed process loses no
    // acknowledged token (H2's default batches writes for up to 500 ms).
    return "jdbc:h2:file:" + dataDir.toAbsolutePath().normalize().resolve("tokenauthority")
        + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0";
  }

  /** The JDBC URL with any password parameter masked, fit for a log line. */
  public String redactedDbUrl() {
    return effectiveDbUrl().replaceAll("(?i)(password=)[^&;]*", "$1***");
  }
}
