package dev.tokenauthority.server;

import dev.tokenauthority.server.core.AuthRateLimiter;
import dev.tokenauthority.server.core.ShareLinks;
import dev.tokenauthority.server.store.Database;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
 * @param dbPoolSize most pooled connections, at least {@link #MIN_DB_POOL_SIZE}
 * @param dbConnectTimeout how long a call waits for a database connection before it fails with
 *     UNAVAILABLE, from {@link #MIN_DB_CONNECT_TIMEOUT} to {@link #MAX_DB_CONNECT_TIMEOUT}
 * @param masterKey base64 of the 32-byte master key, or null to use {@code <dataDir>/master.key}
 * @param issuer the {@code iss} claim of every JWT
 * @param publicUrl the public base URL of the REST edge; share links start with it
 * @param adminEmail email of the admin user created on first start
 * @param shutdownGrace how long in-flight calls may finish on shutdown
 * @param corsOrigins browser origins (exact match) the REST gateway allows cross-origin calls from
 * @param keyRotationInterval rotate the JWT signing key once it is this old; zero never rotates on a schedule
 * @param shareLinkTarget where a resolved share link redirects: an absolute http(s) URL template in which
 *     {@code {token}} stands for the fault token's JWT
 * @param trustedProxies addresses or CIDR networks, besides in-process and loopback peers, whose
 *     {@code x-forwarded-for} header is believed to name the client (for the audit log)
 * @param auditAuthFailuresPerSecond most failed authentications of no known token recorded one
 *     by one per second; the rest are counted in one audit row
 * @param authFailuresPerMinute failed authentications one client address may make in a burst,
 *     and per minute after it, before its credentials are refused unread (at least 1)
 * @param metricsPort the Prometheus endpoint's port ({@code GET /metrics}): 0 turns metrics off,
 *     {@link #ANY_FREE_PORT} picks a free one
 * @param maxCallDuration the server-side deadline: every API call is answered within it (a
 *     client's shorter deadline wins), from {@link #MIN_MAX_CALL_DURATION} to {@link #MAX_MAX_CALL_DURATION}
 * @param maxConcurrentCalls most API calls executing at once, gRPC and REST together (load
 *     shedding); 0 means {@link #AUTO_CALLS_PER_DB_CONNECTION} per pooled database connection
 *     (see {@link #effectiveMaxConcurrentCalls})
 * @param maxQueuedCalls most API calls waiting (up to {@code CallLimiter.MAX_WAIT}) for one of those
 *     slots; beyond, a call is refused at once with RESOURCE_EXHAUSTED ({@code OVERLOADED}); 0: none wait
 * @param tlsCert PEM certificate chain (leaf first) of the gRPC port and the REST gateway, or null
 *     for plaintext; with it, both serve TLS only
 * @param tlsKey the PEM private key of {@code tlsCert}; set exactly when {@code tlsCert} is
 * @param tlsClientCa PEM bundle of the CAs client certificates must chain to, or null
 * @param tlsClientAuth whether a TLS client must present a certificate signed by {@code tlsClientCa}
 *     (mutual TLS): NONE (never asked), OPTIONAL (asked; verified when sent) or REQUIRE
 * @param lookupCacheEntries tokens (and as many users) authentication and introspection keep in
 *     memory, on the embedded store only (0: none); see {@code store.LookupCache}
 */
public record ServerConfig(
    int grpcPort,
    int httpPort,
    Path dataDir,
    String dbUrl,
    String dbUser,
    String dbPassword,
    int dbPoolSize,
    Duration dbConnectTimeout,
    String masterKey,
    String issuer,
    String publicUrl,
    String adminEmail,
    Duration shutdownGrace,
    Set<String> corsOrigins,
    Duration keyRotationInterval, String shareLinkTarget, Set<String> trustedProxies,
    int auditAuthFailuresPerSecond,
    int authFailuresPerMinute,
    int metricsPort,
    Duration maxCallDuration,
    int maxConcurrentCalls,
    int maxQueuedCalls,
    Path tlsCert,
    Path tlsKey,
    Path tlsClientCa,
    TlsClientAuth tlsClientAuth,
    int lookupCacheEntries) {

  /** Whether TLS clients must present a certificate (mutual TLS). */
  public enum TlsClientAuth {
    /** Clients are not asked for a certificate. */
    NONE,
    /** Clients are asked; a certificate that is sent must verify, and none is fine. */
    OPTIONAL,
    /** Every connection needs a certificate that verifies against the client CA: no certificate, no handshake. */
    REQUIRE;

    /** {@code none}, {@code optional} or {@code require}, in any case; anything else is an IllegalArgumentException. */
    public static TlsClientAuth parse(String text) {
      try {
        return valueOf(text.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("'" + text + "' is not a client-auth mode: use none, optional or require");
      }
    }
  }

  public ServerConfig {
    if (maxConcurrentCalls < 0 || maxQueuedCalls < 0) {
      throw new IllegalArgumentException("the most concurrent and queued calls must be 0 or more, not "
          + maxConcurrentCalls + " and " + maxQueuedCalls);
    }
    if (lookupCacheEntries < 0) {
      throw new IllegalArgumentException("the lookup cache entries must be 0 or more, not " + lookupCacheEntries);
    }
    checkDbPoolSize(dbPoolSize);
    checkDbConnectTimeout(dbConnectTimeout);
    checkMaxCallDuration(maxCallDuration);
    if (authFailuresPerMinute < 1) {
      throw new IllegalArgumentException("the failed authentications allowed per client address and minute must be "
          + "at least 1, not " + authFailuresPerMinute);
    }
    corsOrigins = Set.copyOf(corsOrigins);
    trustedProxies = Set.copyOf(trustedProxies);
    checkKeyRotationInterval(keyRotationInterval);
    ShareLinks.checkTarget(shareLinkTarget);
    tlsClientAuth = tlsClientAuth == null ? TlsClientAuth.NONE : tlsClientAuth;
    checkTls(tlsCert, tlsKey, tlsClientCa, tlsClientAuth);
  }

  /**
   * Throws IllegalArgumentException (one line, naming the flags) unless the TLS settings go
   * together: certificate and key both or neither; a client CA or client auth only with TLS;
   * client auth optional or require only with a client CA.
   */
  public static void checkTls(Path tlsCert, Path tlsKey, Path tlsClientCa, TlsClientAuth tlsClientAuth) {
    if (tlsClientAuth == null) {
      tlsClientAuth = TlsClientAuth.NONE;
    }
    if ((tlsCert == null) != (tlsKey == null)) {
      throw new IllegalArgumentException("--tls-cert and --tls-key go together: give both (TLS) or neither (plaintext)");
    }
    if (tlsCert == null && (tlsClientCa != null || tlsClientAuth != TlsClientAuth.NONE)) {
      throw new IllegalArgumentException("--tls-client-ca and --tls-client-auth need TLS: give --tls-cert and --tls-key too");
    }
    if (tlsClientAuth != TlsClientAuth.NONE && tlsClientCa == null) {
      throw new IllegalArgumentException("--tls-client-auth " + tlsClientAuth.name().toLowerCase(Locale.ROOT)
          + " needs --tls-client-ca (the PEM bundle of the CAs that sign client certificates)");
    }
  }

  /** Whether the gRPC port and the REST gateway serve TLS. */
  public boolean tlsEnabled() {
    return tlsCert != null;
  }

  public static final int DEFAULT_GRPC_PORT = 50051;
  public static final int DEFAULT_HTTP_PORT = 8080;
  /** An {@code httpPort} that binds the gateway to any free port (tests). */
  public static final int ANY_FREE_PORT = -1;
  public static final String DEFAULT_PUBLIC_URL = "http://localhost:8080";
  public static final Duration DEFAULT_KEY_ROTATION_INTERVAL = Duration.ofDays(90);
  /**
   * The shortest scheduled rotation interval: every retired key stays published while its
   * tokens live (up to 30 days), so shorter intervals only swell the JWKS.
   */
  public static final Duration MIN_KEY_ROTATION_INTERVAL = Duration.ofHours(1);
  /** A duration as {@code --key-rotation-interval} takes it: {@code 0}, {@code <n>d|h|m|s} or ISO-8601. */
  private static final Pattern SHORT_DURATION = Pattern.compile("(\\d{1,9})([dhms])");
  /**
   * A placeholder dashboard (the example origin envoy/envoy.yaml allows) to configure for
   * real. The JWT goes in the fragment, which browsers send to no server and put in no
   * Referer header: only the dashboard's own script reads it.
   */
  public static final String DEFAULT_SHARE_LINK_TARGET = "https://dashboard.example.com/faults#token={token}";
  public static final int DEFAULT_AUDIT_AUTH_FAILURES_PER_SECOND = 100;
  public static final int DEFAULT_AUTH_FAILURES_PER_MINUTE = AuthRateLimiter.DEFAULT_ADDRESS_FAILURES_PER_MINUTE;
  /** The Prometheus convention for an exporter's port. */
  public static final int DEFAULT_METRICS_PORT = 9464;
  /**
   * Concurrent calls per pooled database connection when {@code maxConcurrentCalls} is 0: a call
   * holds a connection for only part of its time (hashing, signing, encoding and the network are
   * the rest), so a few calls per connection keep the pool busy without unbounded queueing.
   */
  public static final int AUTO_CALLS_PER_DB_CONNECTION = 4;
  public static final int DEFAULT_MAX_QUEUED_CALLS = 40;
  /** Tokens (and as many users) kept for authentication and introspection on the embedded store: about 10 MB each. */
  public static final int DEFAULT_LOOKUP_CACHE_ENTRIES = Database.DEFAULT_LOOKUP_CACHE_ENTRIES;
  /** Flyway holds two connections while it migrates at start, so a smaller pool never starts. */
  public static final int MIN_DB_POOL_SIZE = 2;
  public static final Duration DEFAULT_DB_CONNECT_TIMEOUT = Duration.ofSeconds(2);
  /** HikariCP's own lower bound. */
  public static final Duration MIN_DB_CONNECT_TIMEOUT = Duration.ofMillis(250);
  /** Longer, and callers (and health checks) wait on a dead database instead of failing fast. */
  public static final Duration MAX_DB_CONNECT_TIMEOUT = Duration.ofSeconds(30);
  /** How long an API call may take, unless its client set a shorter deadline. */
  public static final Duration DEFAULT_MAX_CALL_DURATION = Duration.ofSeconds(30);
  /** Shorter, and ordinary calls on a busy machine would be cut (tests use it to force a cut). */
  public static final Duration MIN_MAX_CALL_DURATION = Duration.ofMillis(100);
  /** Longer bounds nothing useful: a call held an hour holds its thread and connection an hour. */
  public static final Duration MAX_MAX_CALL_DURATION = Duration.ofHours(1);
  /** A duration as {@code --db-connect-timeout} takes it: {@code <n>ms}, {@code <n>s} or {@code <n>m}. */
  private static final Pattern SHORT_TIMEOUT = Pattern.compile("(\\d{1,9})(ms|s|m)");

  /** Defaults for a data dir: embedded H2, generated master key. */
  public static ServerConfig defaults(Path dataDir) {
    return new ServerConfig(DEFAULT_GRPC_PORT, DEFAULT_HTTP_PORT, dataDir, null, null, null, 10, DEFAULT_DB_CONNECT_TIMEOUT, null, DEFAULT_PUBLIC_URL,
        DEFAULT_PUBLIC_URL, "admin@localhost", Duration.ofSeconds(10), Set.of(), DEFAULT_KEY_ROTATION_INTERVAL,
        DEFAULT_SHARE_LINK_TARGET, Set.of(), DEFAULT_AUDIT_AUTH_FAILURES_PER_SECOND, DEFAULT_AUTH_FAILURES_PER_MINUTE,
        DEFAULT_METRICS_PORT, DEFAULT_MAX_CALL_DURATION, 0, DEFAULT_MAX_QUEUED_CALLS, null, null, null,
        TlsClientAuth.NONE, DEFAULT_LOOKUP_CACHE_ENTRIES);
  }

  public ServerConfig withGrpcPort(int port) {
    return edit(c -> c.grpcPort = port);
  }

  public ServerConfig withHttpPort(int port) {
    return edit(c -> c.httpPort = port);
  }

  public ServerConfig withDbUrl(String url) {
    return edit(c -> c.dbUrl = url);
  }

  public ServerConfig withDbPoolSize(int size) {
    return edit(c -> c.dbPoolSize = size);
  }

  public ServerConfig withDbConnectTimeout(Duration timeout) {
    return edit(c -> c.dbConnectTimeout = timeout);
  }

  /** The same settings with {@code key} (base64 of 32 bytes) as the master key: nodes of one cluster share it. */
  public ServerConfig withMasterKey(String key) {
    return edit(c -> c.masterKey = key);
  }

  public ServerConfig withShutdownGrace(Duration grace) {
    return edit(c -> c.shutdownGrace = grace);
  }

  public ServerConfig withCorsOrigins(Set<String> origins) {
    return edit(c -> c.corsOrigins = origins);
  }

  public ServerConfig withKeyRotationInterval(Duration interval) {
    return edit(c -> c.keyRotationInterval = interval);
  }

  /**
   * Parses a key rotation interval: {@code 0} (never), a whole number of days, hours,
   * minutes or seconds ({@code 30d}, {@code 12h}, {@code 90m}, {@code 3600s}), or an
   * ISO-8601 duration ({@code P90D}, {@code PT36H}); anything else, or an interval under
   * {@link #MIN_KEY_ROTATION_INTERVAL}, is an IllegalArgumentException saying what to write.
   */
  public static Duration parseKeyRotationInterval(String text) {
    String trimmed = text.trim();
    if (trimmed.equals("0")) {
      return Duration.ZERO;
    }
    Matcher simple = SHORT_DURATION.matcher(trimmed.toLowerCase(Locale.ROOT));
    if (simple.matches()) {
      long amount = Long.parseLong(simple.group(1));
      return checkKeyRotationInterval(switch (simple.group(2)) {
        case "d" -> Duration.ofDays(amount);
        case "h" -> Duration.ofHours(amount);
        case "m" -> Duration.ofMinutes(amount);
        default -> Duration.ofSeconds(amount); // "s"
      });
    }
    try {
      return checkKeyRotationInterval(Duration.parse(trimmed));
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("'" + text + "' is not a duration: use 0 (never), e.g. 30d or 12h, "
          + "or ISO-8601 such as P90D", e);
    }
  }

  private static Duration checkKeyRotationInterval(Duration interval) {
    if (!interval.isZero() && interval.compareTo(MIN_KEY_ROTATION_INTERVAL) < 0) {
      throw new IllegalArgumentException("the key rotation interval must be 0 (never) or at least 1 hour, not "
          + interval);
    }
    return interval;
  }

  /**
   * Parses a database connect timeout: a whole number of milliseconds, seconds or minutes
   * ({@code 500ms}, {@code 2s}) or an ISO-8601 duration ({@code PT2S}), from 250 ms to 30 s;
   * anything else is an IllegalArgumentException saying what to write.
   */
  public static Duration parseDbConnectTimeout(String text) {
    return checkDbConnectTimeout(parseShortTimeout(text, "2s", "PT2S"));
  }

  private static Duration checkDbConnectTimeout(Duration timeout) {
    if (timeout == null || timeout.compareTo(MIN_DB_CONNECT_TIMEOUT) < 0 || timeout.compareTo(MAX_DB_CONNECT_TIMEOUT) > 0) {
      throw new IllegalArgumentException("the database connect timeout must be from 250ms to 30s, not "
          + (timeout == null ? "unset" : timeout.toMillis() + "ms"));
    }
    return timeout;
  }

  private static void checkDbPoolSize(int size) {
    if (size < MIN_DB_POOL_SIZE) {
      throw new IllegalArgumentException("the database pool size must be at least " + MIN_DB_POOL_SIZE
          + " (schema migration at start holds two connections), not " + size);
    }
  }

  public ServerConfig withShareLinkTarget(String target) {
    return edit(c -> c.shareLinkTarget = target);
  }

  public ServerConfig withAuditAuthFailuresPerSecond(int perSecond) {
    return edit(c -> c.auditAuthFailuresPerSecond = perSecond);
  }

  public ServerConfig withAuthFailuresPerMinute(int perMinute) {
    return edit(c -> c.authFailuresPerMinute = perMinute);
  }

  public ServerConfig withMetricsPort(int port) {
    return edit(c -> c.metricsPort = port);
  }

  public ServerConfig withMaxCallDuration(Duration duration) {
    return edit(c -> c.maxCallDuration = duration);
  }

  /**
   * Parses a maximum call duration: a whole number of milliseconds, seconds or minutes
   * ({@code 500ms}, {@code 30s}, {@code 2m}) or an ISO-8601 duration ({@code PT30S}), from
   * 100 ms to 1 hour; anything else is an IllegalArgumentException saying what to write.
   */
  public static Duration parseMaxCallDuration(String text) {
    return checkMaxCallDuration(parseShortTimeout(text, "30s", "PT30S"));
  }

  private static Duration checkMaxCallDuration(Duration duration) {
    if (duration == null || duration.compareTo(MIN_MAX_CALL_DURATION) < 0
        || duration.compareTo(MAX_MAX_CALL_DURATION) > 0) {
      throw new IllegalArgumentException("the maximum call duration must be from 100ms to 1h, not "
          + (duration == null ? "unset" : duration.toMillis() + "ms"));
    }
    return duration;
  }

  /** {@code <n>ms}, {@code <n>s}, {@code <n>m} or ISO-8601; {@code example}s name the forms in the error. */
  private static Duration parseShortTimeout(String text, String example, String isoExample) {
    String trimmed = text.trim();
    Matcher simple = SHORT_TIMEOUT.matcher(trimmed.toLowerCase(Locale.ROOT));
    if (simple.matches()) {
      long amount = Long.parseLong(simple.group(1));
      return switch (simple.group(2)) {
        case "ms" -> Duration.ofMillis(amount);
        case "m" -> Duration.ofMinutes(amount);
        default -> Duration.ofSeconds(amount); // "s"
      };
    }
    try {
      return Duration.parse(trimmed);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("'" + text + "' is not a duration: write e.g. 500ms or " + example
          + ", or ISO-8601 such as " + isoExample, e);
    }
  }

  public ServerConfig withMaxConcurrentCalls(int calls) {
    return edit(c -> c.maxConcurrentCalls = calls);
  }

  public ServerConfig withMaxQueuedCalls(int calls) {
    return edit(c -> c.maxQueuedCalls = calls);
  }

  public ServerConfig withLookupCacheEntries(int entries) {
    return edit(c -> c.lookupCacheEntries = entries);
  }

  /** The cap on concurrently executing calls in effect: the configured one, else 4 per pooled connection. */
  public int effectiveMaxConcurrentCalls() {
    return maxConcurrentCalls > 0 ? maxConcurrentCalls : AUTO_CALLS_PER_DB_CONNECTION * dbPoolSize;
  }

  /** The same settings serving TLS with the PEM certificate chain {@code cert} and its private key {@code key}. */
  public ServerConfig withTls(Path cert, Path key) {
    return edit(c -> {
      c.tlsCert = cert;
      c.tlsKey = key;
    });
  }

  /** The same settings asking TLS clients for a certificate signed by a CA of the PEM bundle {@code clientCa}. */
  public ServerConfig withTlsClientAuth(TlsClientAuth mode, Path clientCa) {
    return edit(c -> {
      c.tlsClientAuth = mode;
      c.tlsClientCa = clientCa;
    });
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

  /** The same settings with one changed (what every {@code with...} method does). */
  private ServerConfig edit(Consumer<Editor> change) {
    Editor editor = new Editor(this);
    change.accept(editor);
    return editor.build();
  }

  /** A mutable copy of a config: a new setting is added here once, not to every with-method. */
  private static final class Editor {
    int grpcPort;
    int httpPort;
    Path dataDir;
    String dbUrl;
    String dbUser;
    String dbPassword;
    int dbPoolSize;
    Duration dbConnectTimeout;
    String masterKey;
    String issuer;
    String publicUrl;
    String adminEmail;
    Duration shutdownGrace;
    Set<String> corsOrigins;
    Duration keyRotationInterval;
    String shareLinkTarget;
    Set<String> trustedProxies;
    int auditAuthFailuresPerSecond;
    int authFailuresPerMinute;
    int metricsPort;
    Duration maxCallDuration;
    int maxConcurrentCalls;
    int maxQueuedCalls;
    Path tlsCert;
    Path tlsKey;
    Path tlsClientCa;
    TlsClientAuth tlsClientAuth;
    int lookupCacheEntries;

    Editor(ServerConfig config) {
      grpcPort = config.grpcPort;
      httpPort = config.httpPort;
      dataDir = config.dataDir;
      dbUrl = config.dbUrl;
      dbUser = config.dbUser;
      dbPassword = config.dbPassword;
      dbPoolSize = config.dbPoolSize;
      dbConnectTimeout = config.dbConnectTimeout;
      masterKey = config.masterKey;
      issuer = config.issuer;
      publicUrl = config.publicUrl;
      adminEmail = config.adminEmail;
      shutdownGrace = config.shutdownGrace;
      corsOrigins = config.corsOrigins;
      keyRotationInterval = config.keyRotationInterval;
      shareLinkTarget = config.shareLinkTarget;
      trustedProxies = config.trustedProxies;
      auditAuthFailuresPerSecond = config.auditAuthFailuresPerSecond;
      authFailuresPerMinute = config.authFailuresPerMinute;
      metricsPort = config.metricsPort;
      maxCallDuration = config.maxCallDuration;
      maxConcurrentCalls = config.maxConcurrentCalls;
      maxQueuedCalls = config.maxQueuedCalls;
      tlsCert = config.tlsCert;
      tlsKey = config.tlsKey;
      tlsClientCa = config.tlsClientCa;
      tlsClientAuth = config.tlsClientAuth;
      lookupCacheEntries = config.lookupCacheEntries;
    }

    ServerConfig build() {
      return new ServerConfig(grpcPort, httpPort, dataDir, dbUrl, dbUser, dbPassword, dbPoolSize, dbConnectTimeout,
          masterKey, issuer, publicUrl, adminEmail, shutdownGrace, corsOrigins, keyRotationInterval, shareLinkTarget,
          trustedProxies, auditAuthFailuresPerSecond, authFailuresPerMinute,
          metricsPort, maxCallDuration, maxConcurrentCalls, maxQueuedCalls, tlsCert, tlsKey, tlsClientCa, tlsClientAuth,
          lookupCacheEntries);
    }
  }
}
