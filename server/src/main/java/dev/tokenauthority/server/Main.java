package dev.tokenauthority.server;

import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.logging.LogManager;
import java.util.logging.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Starts a Token Authority server on Netty. Every flag has a {@code TA_*} environment twin. */
@Command(name = "token-authority", mixinStandardHelpOptions = true, version = "Token Authority 0.1.0",
    description = "Mints, verifies and revokes tokens over gRPC.", sortOptions = false)
public final class Main implements Callable<Integer> {

  @Option(names = "--grpc-port", defaultValue = "${env:TA_GRPC_PORT:-50051}",
      description = "gRPC port (env TA_GRPC_PORT; default ${DEFAULT-VALUE}).")
  int grpcPort;

  @Option(names = "--http-port", defaultValue = "${env:TA_HTTP_PORT:-8080}",
      description = "Embedded REST gateway port; 0 turns it off (env TA_HTTP_PORT; default ${DEFAULT-VALUE}).")
  int httpPort;

  @Option(names = "--data-dir", defaultValue = "${env:TA_DATA_DIR:-./data}",
      description = "Directory of the H2 file, the master key and the bootstrap token (env TA_DATA_DIR; default ${DEFAULT-VALUE}).")
  Path dataDir;

  @Option(names = "--db-url", defaultValue = "${env:TA_DB_URL}",
      description = "JDBC URL (env TA_DB_URL; default: the H2 file store in the data dir).")
  String dbUrl;

  @Option(names = "--db-user", defaultValue = "${env:TA_DB_USER}", description = "Database user (env TA_DB_USER).")
  String dbUser;

  @Option(names = "--db-password", defaultValue = "${env:TA_DB_PASSWORD}",
      description = "Database password (env TA_DB_PASSWORD; prefer the environment).")
  String dbPassword;

  @Option(names = "--db-pool-size", defaultValue = "${env:TA_DB_POOL_SIZE:-10}",
      description = "Most pooled database connections (env TA_DB_POOL_SIZE; default ${DEFAULT-VALUE}).")
  int dbPoolSize;

  @Option(names = "--master-key", defaultValue = "${env:TA_MASTER_KEY}",
      description = "Base64 of the 32-byte key sealing JWT signing keys (env TA_MASTER_KEY; "
          + "default: <data-dir>/master.key, generated once).")
  String masterKey;

  @Option(names = "--public-url", defaultValue = "${env:TA_PUBLIC_URL:-" + ServerConfig.DEFAULT_PUBLIC_URL + "}",
      description = "Public base URL of the REST edge; share links start with it (env TA_PUBLIC_URL; default ${DEFAULT-VALUE}).")
  String publicUrl;

  @Option(names = "--issuer", defaultValue = "${env:TA_ISSUER}",
      description = "The iss claim of minted JWTs (env TA_ISSUER; default: the public URL).")
  String issuer;

  @Option(names = "--admin-email", defaultValue = "${env:TA_ADMIN_EMAIL:-admin@localhost}",
      description = "Email of the admin created on first start (env TA_ADMIN_EMAIL; default ${DEFAULT-VALUE}).")
  String adminEmail;

  @Option(names = "--shutdown-grace-seconds", defaultValue = "${env:TA_SHUTDOWN_GRACE_SECONDS:-10}",
      description = "Seconds in-flight calls may take to finish on shutdown (env TA_SHUTDOWN_GRACE_SECONDS; default ${DEFAULT-VALUE}).")
  int shutdownGraceSeconds;

  @Option(names = "--cors-origins", split = ",", defaultValue = "${env:TA_CORS_ORIGINS}",
      description = "Browser origins allowed to call the REST gateway cross-origin, comma-separated, exact match "
          + "(env TA_CORS_ORIGINS; default none).")
  List<String> corsOrigins;

  @Option(names = "--share-link-target", defaultValue = "${env:TA_SHARE_LINK_TARGET}",
      description = "Where share links (GET /s/<code>) redirect while their fault token is active: an absolute "
          + "http(s) URL in which {token} stands for the JWT (env TA_SHARE_LINK_TARGET; default "
          + ServerConfig.DEFAULT_SHARE_LINK_TARGET + ", a placeholder to replace).")
  String shareLinkTarget;

  @Option(names = "--key-rotation-interval", defaultValue = "${env:TA_KEY_ROTATION_INTERVAL:-90d}",
      converter = KeyRotationInterval.class,
      description = "Rotate the JWT signing key once it is this old: 0 (never), e.g. 30d, 12h, or ISO-8601 "
          + "such as P90D; at least 1h (env TA_KEY_ROTATION_INTERVAL; default ${DEFAULT-VALUE}).")
  Duration keyRotationInterval;

  /** Parses {@code --key-rotation-interval} as {@link ServerConfig#parseKeyRotationInterval} does. */
  static final class KeyRotationInterval implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      try {
        return ServerConfig.parseKeyRotationInterval(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }

  /**
   * The gRPC transport (Netty, and any settings of it) every served Token Authority runs on.
   * The benchmark harness builds its server with it too, so its echo baseline measures
   * exactly this transport.
   */
  public static NettyServerBuilder grpcServerBuilder(int port) {
    return NettyServerBuilder.forPort(port);
  }

  @Option(names = "--trusted-proxies", split = ",", defaultValue = "${env:TA_TRUSTED_PROXIES}",
      description = "Addresses or CIDR networks of proxies whose x-forwarded-for names the client in the audit log, "
          + "comma-separated; loopback and in-process peers are always trusted (env TA_TRUSTED_PROXIES; default none).")
  List<String> trustedProxies;

  @Option(names = "--audit-auth-failures-per-second",
      defaultValue = "${env:TA_AUDIT_AUTH_FAILURES_PER_SECOND:-" + ServerConfig.DEFAULT_AUDIT_AUTH_FAILURES_PER_SECOND + "}",
      description = "Most failed authentications of no known token audited one by one per second; the rest are "
          + "counted in one row (env TA_AUDIT_AUTH_FAILURES_PER_SECOND; default ${DEFAULT-VALUE}).")
  int auditAuthFailuresPerSecond;

  public static void main(String[] args) throws IOException {
    try (InputStream logging = Main.class.getResourceAsStream("/logging.properties")) {
      LogManager.getLogManager().readConfiguration(logging);
    }
    System.exit(new CommandLine(new Main()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    if (httpPort < 0 || grpcPort < 0) {
      throw new CommandLine.ParameterException(new CommandLine(this), "ports must be 0 or more");
    }
    if (auditAuthFailuresPerSecond < 1) {
      throw new CommandLine.ParameterException(new CommandLine(this), "--audit-auth-failures-per-second must be 1 or more");
    }
    ServerConfig config;
    try {
      config = new ServerConfig(grpcPort, httpPort, dataDir, dbUrl, dbUser, dbPassword, dbPoolSize, masterKey,
          issuer == null || issuer.isBlank() ? publicUrl : issuer, publicUrl, adminEmail,
          Duration.ofSeconds(shutdownGraceSeconds), corsOrigins == null ? Set.of() : Set.copyOf(corsOrigins),
          keyRotationInterval, shareLinkTarget == null || shareLinkTarget.isBlank() ? ServerConfig.DEFAULT_SHARE_LINK_TARGET : shareLinkTarget,
          trustedProxies == null ? Set.of() : Set.copyOf(trustedProxies), auditAuthFailuresPerSecond);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(new CommandLine(this), e.getMessage());
    }
    TokenAuthorityServer server = new TokenAuthorityServer(config, Clock.systemUTC())
        .start(grpcServerBuilder(config.grpcPort()));
    Logger log = Logger.getLogger(Main.class.getName());
    log.info("Token Authority listening on gRPC port " + server.port()
        + (server.httpPort() > 0 ? " and REST port " + server.httpPort() : " (REST gateway off)") + " (store " + config.redactedDbUrl()
        + ", data dir " + config.dataDir().toAbsolutePath().normalize() + ")");
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        server.stop();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "shutdown"));
    server.blockUntilShutdown();
    return 0;
  }
}
