package dev.tokenauthority.server;

import dev.tokenauthority.server.store.Database;
import dev.tokenauthority.server.transport.ServerTls;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Starts a Token Authority server on Netty. Every flag has a {@code TA_*} environment twin and
 * a key in the optional config file; a flag beats the environment, which beats the file, which
 * beats the built-in default ({@link ConfigDefaults}).
 */
@Command(name = "token-authority", mixinStandardHelpOptions = true, version = "Token Authority 0.1.0",
    description = "Mints, verifies and revokes tokens over gRPC.", sortOptions = false,
    defaultValueProvider = ConfigDefaults.class,
    footer = {"", "Each option may also be set by its TA_* environment variable or, without the leading dashes, "
        + "as a key of the --config properties file (e.g. grpc-port=50051). Precedence: command-line flag, "
        + "then environment, then config file, then the default shown."})
public final class Main implements Callable<Integer> {

  @Spec
  CommandLine.Model.CommandSpec spec;

  /** The environment the {@code TA_*} variables are read from (tests pass their own). */
  final Map<String, String> env;

  public Main() {
    this(System.getenv());
  }

  Main(Map<String, String> env) {
    this.env = Map.copyOf(env);
  }

  /** The Main a command spec was built from. */
  static Main of(CommandLine.Model.CommandSpec spec) {
    return (Main) spec.userObject();
  }

  @Option(names = ConfigDefaults.CONFIG_OPTION, paramLabel = "<file>",
      description = "A properties file of settings: keys are the long option names without the dashes, e.g. "
          + "grpc-port=50051; flags and TA_* variables override it. It may hold db-password and master-key: "
          + "make it readable by the server's user only (chmod 600) (env TA_CONFIG; default none).")
  Path configFile;

  @Option(names = "--log-level", defaultValue = "${env:TA_LOG_LEVEL:-INFO}", converter = LogLevelConverter.class,
      description = "Root log level: TRACE, DEBUG, INFO, WARN or ERROR (env TA_LOG_LEVEL; default ${DEFAULT-VALUE}).")
  Logs.LogLevel logLevel;

  @Option(names = "--log-format", defaultValue = "${env:TA_LOG_FORMAT:-text}", converter = LogFormatConverter.class,
      description = "Log lines as text or as one JSON object each (env TA_LOG_FORMAT; default ${DEFAULT-VALUE}).")
  Logs.Format logFormat;

  static final class LogLevelConverter implements CommandLine.ITypeConverter<Logs.LogLevel> {
    @Override
    public Logs.LogLevel convert(String value) {
      try {
        return Logs.parseLevel(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }

  static final class LogFormatConverter implements CommandLine.ITypeConverter<Logs.Format> {
    @Override
    public Logs.Format convert(String value) {
      try {
        return Logs.parseFormat(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }

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

  @Option(names = "--db-user", defaultValue = "${env:TA_DB_USER}", description = "Database user (env TA_DB_USER; default none).")
  String dbUser;

  @Option(names = "--db-password", defaultValue = "${env:TA_DB_PASSWORD}",
      description = "Database password (env TA_DB_PASSWORD; prefer it or the config file to the command line; default none).")
  String dbPassword;

  @Option(names = "--db-pool-size", defaultValue = "${env:TA_DB_POOL_SIZE:-10}",
      description = "Most pooled database connections (env TA_DB_POOL_SIZE; default ${DEFAULT-VALUE}).")
  int dbPoolSize;

  @Option(names = "--db-connect-timeout", defaultValue = "${env:TA_DB_CONNECT_TIMEOUT:-2s}",
      converter = DbConnectTimeout.class,
      description = "How long a call waits for a database connection before it fails with UNAVAILABLE "
          + "(HTTP 503): e.g. 500ms, 2s, or ISO-8601 such as PT2S; 250ms to 30s (env TA_DB_CONNECT_TIMEOUT; "
          + "default ${DEFAULT-VALUE}).")
  Duration dbConnectTimeout;

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

  /** Parses {@code --db-connect-timeout} as {@link ServerConfig#parseDbConnectTimeout} does. */
  static final class DbConnectTimeout implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      try {
        return ServerConfig.parseDbConnectTimeout(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }

  /**
   * The gRPC transport (Netty, and any settings of it) every served Token Authority runs on.
   * The benchmark harness builds its server with it too, so its echo baseline measures
   * exactly this transport. The request limits ({@link TransportLimits}) are not set here but
   * by {@link TokenAuthorityServer#start}, on whatever builder it is given (tests' own too).
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

  @Option(names = "--auth-failures-per-minute",
      defaultValue = "${env:TA_AUTH_FAILURES_PER_MINUTE:-" + ServerConfig.DEFAULT_AUTH_FAILURES_PER_MINUTE + "}",
      description = "Failed authentications one client address may make in a burst, and per minute after it, before "
          + "its credentials are refused unread (env TA_AUTH_FAILURES_PER_MINUTE; default ${DEFAULT-VALUE}).")
  int authFailuresPerMinute;

  @Option(names = "--metrics-port", defaultValue = "${env:TA_METRICS_PORT:-" + ServerConfig.DEFAULT_METRICS_PORT + "}",
      description = "Port of the Prometheus endpoint (GET /metrics); 0 turns metrics off (env TA_METRICS_PORT; "
          + "default ${DEFAULT-VALUE}).")
  int metricsPort;

  @Option(names = "--max-call-duration", defaultValue = "${env:TA_MAX_CALL_DURATION:-30s}",
      converter = MaxCallDuration.class,
      description = "The server-side deadline: an API call not finished within it is answered DEADLINE_EXCEEDED "
          + "(HTTP 504); a client's shorter deadline wins: e.g. 500ms, 30s, 2m, or ISO-8601 such as PT30S; 100ms "
          + "to 1h (env TA_MAX_CALL_DURATION; default ${DEFAULT-VALUE}).")
  Duration maxCallDuration;

  /** Parses {@code --max-call-duration} as {@link ServerConfig#parseMaxCallDuration} does. */
  static final class MaxCallDuration implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      try {
        return ServerConfig.parseMaxCallDuration(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }

  @Option(names = "--max-concurrent-calls", defaultValue = "${env:TA_MAX_CONCURRENT_CALLS:-0}",
      description = "Most API calls executing at once, gRPC and REST together; beyond it (and the queue below) a call "
          + "is refused at once with RESOURCE_EXHAUSTED / HTTP 429 and Retry-After. 0: "
          + ServerConfig.AUTO_CALLS_PER_DB_CONNECTION + " per pooled database connection (--db-pool-size) "
          + "(env TA_MAX_CONCURRENT_CALLS; default ${DEFAULT-VALUE}).")
  int maxConcurrentCalls;

  @Option(names = "--max-queued-calls",
      defaultValue = "${env:TA_MAX_QUEUED_CALLS:-" + ServerConfig.DEFAULT_MAX_QUEUED_CALLS + "}",
      description = "Most API calls that may wait (up to 100 ms) for a free slot when all are taken; 0: none wait "
          + "(env TA_MAX_QUEUED_CALLS; default ${DEFAULT-VALUE}).")
  int maxQueuedCalls;

  @Option(names = "--lookup-cache-entries",
      defaultValue = "${env:TA_LOOKUP_CACHE_ENTRIES:-" + ServerConfig.DEFAULT_LOOKUP_CACHE_ENTRIES + "}",
      description = "Tokens (and as many users) kept in memory for authentication and introspection, invalidated by "
          + "every committed change; on the embedded H2 store only, a shared store reads the database each time. "
          + "0: none (env TA_LOOKUP_CACHE_ENTRIES; default ${DEFAULT-VALUE}).")
  int lookupCacheEntries;

  @Option(names = "--tls-cert", paramLabel = "<pem>", defaultValue = "${env:TA_TLS_CERT}",
      description = "PEM certificate chain (server certificate first) for TLS; with --tls-key, the gRPC port and the "
          + "REST gateway serve TLS 1.3/1.2 only (env TA_TLS_CERT; default none: plaintext).")
  Path tlsCert;

  @Option(names = "--tls-key", paramLabel = "<pem>", defaultValue = "${env:TA_TLS_KEY}",
      description = "PEM private key of --tls-cert, unencrypted (PKCS#8, PKCS#1 or SEC1); keep it chmod 600 "
          + "(env TA_TLS_KEY; default none).")
  Path tlsKey;

  @Option(names = "--tls-client-ca", paramLabel = "<pem>", defaultValue = "${env:TA_TLS_CLIENT_CA}",
      description = "PEM bundle of the CAs that sign client certificates (mutual TLS) (env TA_TLS_CLIENT_CA; "
          + "default none).")
  Path tlsClientCa;

  @Option(names = "--tls-client-auth", defaultValue = "${env:TA_TLS_CLIENT_AUTH:-none}", converter = TlsClientAuthConverter.class,
      description = "Client certificates: none (not asked), optional (verified when sent) or require (no verified "
          + "certificate, no connection); optional and require need --tls-client-ca (env TA_TLS_CLIENT_AUTH; "
          + "default ${DEFAULT-VALUE}).")
  ServerConfig.TlsClientAuth tlsClientAuth;

  static final class TlsClientAuthConverter implements CommandLine.ITypeConverter<ServerConfig.TlsClientAuth> {
    @Override
    public ServerConfig.TlsClientAuth convert(String value) {
      try {
        return ServerConfig.TlsClientAuth.parse(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }

  /** An operator's mistake in the TLS settings or files: one line, exit code 2, no stack trace. */
  private int tlsUsageError(String message) {
    spec.commandLine().getErr().println("token-authority: " + message);
    spec.commandLine().getErr().flush();
    return CommandLine.ExitCode.USAGE;
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new Main()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    ((ConfigDefaults) spec.defaultValueProvider()).check(spec);
    Logs.configure(logLevel, logFormat);
    if (httpPort < 0 || grpcPort < 0) {
      throw new CommandLine.ParameterException(spec.commandLine(), "ports must be 0 or more");
    }
    if (dbPoolSize < ServerConfig.MIN_DB_POOL_SIZE) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--db-pool-size must be "
          + ServerConfig.MIN_DB_POOL_SIZE + " or more: schema migration at start holds two connections");
    }
    if (auditAuthFailuresPerSecond < 1) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--audit-auth-failures-per-second must be 1 or more");
    }
    if (authFailuresPerMinute < 1) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--auth-failures-per-minute must be 1 or more");
    }
    if (maxConcurrentCalls < 0 || maxQueuedCalls < 0) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--max-concurrent-calls and --max-queued-calls must be 0 or more");
    }
    if (lookupCacheEntries < 0) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--lookup-cache-entries must be 0 or more");
    }
    if (metricsPort < 0) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--metrics-port must be 0 (off) or more");
    }
    try {
      ServerConfig.checkTls(tlsCert, tlsKey, tlsClientCa, tlsClientAuth);
    } catch (IllegalArgumentException e) {
      return tlsUsageError(e.getMessage());
    }
    ServerConfig config;
    try {
      config = new ServerConfig(grpcPort, httpPort, dataDir, dbUrl, dbUser, dbPassword, dbPoolSize, dbConnectTimeout, masterKey,
          issuer == null || issuer.isBlank() ? publicUrl : issuer, publicUrl, adminEmail,
          Duration.ofSeconds(shutdownGraceSeconds), corsOrigins == null ? Set.of() : Set.copyOf(corsOrigins),
          keyRotationInterval, shareLinkTarget == null || shareLinkTarget.isBlank() ? ServerConfig.DEFAULT_SHARE_LINK_TARGET : shareLinkTarget,
          trustedProxies == null ? Set.of() : Set.copyOf(trustedProxies), auditAuthFailuresPerSecond, authFailuresPerMinute,
          metricsPort, maxCallDuration, maxConcurrentCalls, maxQueuedCalls, tlsCert, tlsKey, tlsClientCa, tlsClientAuth,
          lookupCacheEntries);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    TokenAuthorityServer server;
    try {
      server = new TokenAuthorityServer(config, Clock.systemUTC());
    } catch (ServerTls.InvalidTlsFiles e) {
      return tlsUsageError(e.getMessage());
    } catch (RuntimeException e) {
      if (!Database.isUnavailable(e)) {
        throw e;
      }
      // An operator's problem, not a fault of ours: one line, no stack trace.
      spec.commandLine().getErr().println("token-authority: cannot reach the database at " + config.redactedDbUrl()
          + " within " + config.dbConnectTimeout().toMillis() + " ms: " + Database.describe(e));
      spec.commandLine().getErr().flush();
      return 1;
    }
    server.start(grpcServerBuilder(config.grpcPort()));
    LoggerFactory.getLogger(Main.class).info("Token Authority listening on gRPC port " + server.port()
        + (server.httpPort() > 0 ? " and REST port " + server.httpPort() : " (REST gateway off)")
        + (config.tlsEnabled() ? ", TLS only (client certificates: "
            + config.tlsClientAuth().name().toLowerCase(java.util.Locale.ROOT) + ")" : "")
        + " (store " + config.redactedDbUrl()
        + ", data dir " + config.dataDir().toAbsolutePath().normalize() + ")");
    LoggerFactory.getLogger(Main.class).info(server.metricsPort() > 0 ? "Prometheus metrics on port " + server.metricsPort() + " (GET /metrics)"
        : "Metrics off");
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
