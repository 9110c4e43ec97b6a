package dev.tokenauthority.server.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.ConnectionException;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.argument.AbstractArgumentFactory;
import org.jdbi.v3.core.argument.Argument;
import org.jdbi.v3.core.config.ConfigRegistry;
import org.jdbi.v3.sqlobject.SqlObjectPlugin;

/** The connection pool, the schema (Flyway) and the JDBI handle every repository uses. */
public final class Database implements AutoCloseable {
  /** SQLSTATE of a unique-constraint violation, the same on H2 and PostgreSQL. */
  private static final String UNIQUE_VIOLATION = "23505";
  /** SQLSTATE class 08: connection exception (the same on H2 and PostgreSQL). */
  private static final String CONNECTION_EXCEPTION_CLASS = "08";
  /** PostgreSQL admin_shutdown, crash_shutdown, cannot_connect_now: the server is going or not yet there. */
  private static final Set<String> SERVER_GOING_AWAY = Set.of("57P01", "57P02", "57P03");
  /** How long a caller waits for a pooled connection unless told otherwise. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);

  /** Tokens and users a lookup cache holds unless told otherwise (each about 1 KB). */
  public static final int DEFAULT_LOOKUP_CACHE_ENTRIES = 10_000;

  private final HikariDataSource dataSource;
  private final Jdbi jdbi;
  private final LookupCache lookups;
  private final GroupCommit groupCommit;

  private Database(HikariDataSource dataSource, String url, int lookupCacheEntries, MeterRegistry metrics) {
    this.dataSource = dataSource;
    this.jdbi = Jdbi.create(dataSource).installPlugin(new SqlObjectPlugin());
    // Times travel as UTC OffsetDateTime so that every node reads the same instant,
    // whatever its JVM time zone.
    jdbi.registerArgument(new InstantArgumentFactory());
    jdbi.registerColumnMapper(Instant.class, (rs, column, ctx) -> {
      OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
      return value == null ? null : value.toInstant();
    });
    for (Class<?> row : List.of(Rows.TenantRow.class, Rows.UserRow.class, Rows.RecordRow.class, Rows.AccountRow.class,
        Rows.ModuleRow.class, Rows.ModuleFilterRow.class, Rows.TokenRow.class, Rows.SigningKeyRow.class,
        Rows.SigningKeyStatusRow.class, Rows.TokenModuleRow.class, Rows.AuditRow.class)) {
      jdbi.registerRowMapper(SpecializedOnceMapper.factory(row));
    }
    this.lookups = LookupCache.attach(jdbi, url, lookupCacheEntries);
    this.groupCommit = GroupCommit.attach(jdbi, url, metrics);
  }

  /** Opens a pool on {@code url}, migrates the schema to the newest version, and returns it. */
  public static Database open(String url, String user, String password, int maxPoolSize) {
    return open(url, user, password, maxPoolSize, DEFAULT_CONNECT_TIMEOUT);
  }

  /**
   * As {@link #open(String, String, String, int)}; a call waits at most {@code connectTimeout}
   * for a pooled connection, so that when the database is gone calls fail within that bound
   * instead of queueing (Hikari's default is 30 s).
   */
  public static Database open(String url, String user, String password, int maxPoolSize, Duration connectTimeout) {
    return open(url, user, password, maxPoolSize, connectTimeout, null);
  }

  /**
   * As {@link #open(String, String, String, int, Duration)}; the pool reports its usage
   * ({@code hikaricp_connections_active}, {@code _idle}, {@code _pending}, ...; tag
   * {@code pool="token-authority"}) to {@code metrics}, unless that is null.
   */
  public static Database open(String url, String user, String password, int maxPoolSize, Duration connectTimeout,
      MeterRegistry metrics) {
    return open(url, user, password, maxPoolSize, connectTimeout, metrics, DEFAULT_LOOKUP_CACHE_ENTRIES);
  }

  /**
   * As {@link #open(String, String, String, int, Duration, MeterRegistry)}, with a
   * {@link LookupCache} of at most {@code lookupCacheEntries} tokens and users (0: none) where
   * this process is the store's only writer.
   */
  public static Database open(String url, String user, String password, int maxPoolSize, Duration connectTimeout,
      MeterRegistry metrics, int lookupCacheEntries) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    if (user != null) {
      config.setUsername(user);
    }
    if (password != null) {
      config.setPassword(password);
    }
    config.setMaximumPoolSize(maxPoolSize);
    config.setPoolName("token-authority");
    config.setConnectionTimeout(connectTimeout.toMillis());
    // Do not connect in the constructor: when the database is down Hikari would log the
    // failure with a stack trace. Flyway's first connection fails instead, within
    // connectTimeout, and the caller reports it (Main: one line).
    config.setInitializationFailTimeout(-1);
    if (metrics != null) {
      config.setMetricsTrackerFactory(new MicrometerMetricsTrackerFactory(metrics));
    }
    HikariDataSource dataSource = new HikariDataSource(config);
    try {
      Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
      return new Database(dataSource, url, lookupCacheEntries, metrics);
    } catch (RuntimeException e) {
      dataSource.close();
      throw e;
    }
  }

  public Jdbi jdbi() {
    return jdbi;
  }

  /** Tokens and users as last read, valid until a write commits (a pass-through for a shared store). */
  public LookupCache lookups() {
    return lookups;
  }

  /** Short write transactions (mints, revocations) that may share a commit with other callers'. */
  public GroupCommit groupCommit() {
    return groupCommit;
  }

  /** Whether {@code e} (or a cause) is a unique-constraint violation. */
  public static boolean isUniqueViolation(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql && UNIQUE_VIOLATION.equals(sql.getSQLState())) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether {@code e} (or a cause) says the database cannot be reached, rather than that a
   * statement was wrong: no pooled connection within the connect timeout, a connection that
   * broke or was refused (SQLSTATE class 08), or a server shutting down or starting up
   * (PostgreSQL 57P01–57P03). Callers see these as UNAVAILABLE and may retry.
   */
  public static boolean isUnavailable(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ConnectionException || t instanceof SQLTransientConnectionException
          || t instanceof SQLNonTransientConnectionException) {
        return true;
      }
      if (t instanceof SQLException sql && sql.getSQLState() != null
          && (sql.getSQLState().startsWith(CONNECTION_EXCEPTION_CLASS) || SERVER_GOING_AWAY.contains(sql.getSQLState()))) {
        return true;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }

  /**
   * A one-line description of an outage for the log: the innermost SQL exception's SQLSTATE
   * and message (the driver's words, e.g. "Connection refused"), never a statement or its
   * arguments, which JDBI's own messages include.
   */
  public static String describe(Throwable e) {
    SQLException innermost = null;
    for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
      if (t instanceof SQLException sql) {
        innermost = sql;
      }
    }
    if (innermost == null) {
      return e.getClass().getSimpleName();
    }
    String message = innermost.getMessage() == null ? "" : innermost.getMessage().lines().findFirst().orElse("");
    return (innermost.getSQLState() == null ? "" : "SQLSTATE " + innermost.getSQLState() + ": ") + message;
  }

  /**
   * Checks that a pooled connection answers {@code SELECT 1} within {@code timeout} (plus the
   * wait for a connection, at most the connect timeout); throws what the driver threw otherwise.
   */
  public void ping(Duration timeout) throws SQLException {
    try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
      statement.setQueryTimeout((int) Math.max(1, timeout.toSeconds()));
      statement.execute("SELECT 1");
    }
  }

  @Override
  public void close() {
    groupCommit.close();
    dataSource.close();
  }

  private static final class InstantArgumentFactory extends AbstractArgumentFactory<Instant> {
    InstantArgumentFactory() {
      super(Types.TIMESTAMP_WITH_TIMEZONE);
    }

    @Override
    protected Argument build(Instant value, ConfigRegistry config) {
      return (position, statement, ctx) -> statement.setObject(position, value.atOffset(ZoneOffset.UTC));
    }
  }
}
