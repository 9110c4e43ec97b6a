package dev.tokenauthority.server.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.argument.AbstractArgumentFactory;
import org.jdbi.v3.core.argument.Argument;
import org.jdbi.v3.core.config.ConfigRegistry;
import org.jdbi.v3.sqlobject.SqlObjectPlugin;

/** The connection pool, the schema (Flyway) and the JDBI handle every repository uses. */
public final class Database implements AutoCloseable {
  /** SQLSTATE of a unique-constraint violation, the same on H2 and PostgreSQL. */
  private static final String UNIQUE_VIOLATION = "23505";

  private final HikariDataSource dataSource;
  private final Jdbi jdbi;

  private Database(HikariDataSource dataSource) {
    this.dataSource = dataSource;
    this.jdbi = Jdbi.create(dataSource).installPlugin(new SqlObjectPlugin());
    // Times travel as UTC OffsetDateTime so that every node reads the same instant,
    // whatever its JVM time zone.
    jdbi.registerArgument(new InstantArgumentFactory());
    jdbi.registerColumnMapper(Instant.class, (rs, column, ctx) -> {
      OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
      return value == null ? null : value.toInstant();
    });
  }

  /** Opens a pool on {@code url}, migrates the schema to the newest version, and returns it. */
  public static Database open(String url, String user, String password, int maxPoolSize) {
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
    HikariDataSource dataSource = new HikariDataSource(config);
    try {
      Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
      return new Database(dataSource);
    } catch (RuntimeException e) {
      dataSource.close();
      throw e;
    }
  }

  public Jdbi jdbi() {
    return jdbi;
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

  @Override
  public void close() {
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
