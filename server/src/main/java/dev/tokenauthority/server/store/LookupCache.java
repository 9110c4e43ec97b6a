package dev.tokenauthority.server.store;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tokenauthority.server.store.Rows.TokenRow;
import dev.tokenauthority.server.store.Rows.UserRow;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleListener;
import org.jdbi.v3.core.Handles;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;
import org.jdbi.v3.core.statement.StatementCustomizer;

/**
 * Tokens (by secret hash) and users as last read, so that authenticating a busy credential or
 * introspecting a busy token costs no database round trip.
 *
 * <p>Revocation stays immediate: every committed UPDATE or DELETE made through the Jdbi
 * (revoking, renaming, re-scoping, rotating keys...) moves a version number, and an entry read
 * under an older version is never served. An entry is tagged with the version read
 * <em>before</em> its row was loaded, so a row read while a revocation commits is stale at
 * once. INSERTs leave entries valid: a new row cannot change one already read, and misses are
 * not cached. A thread inside a transaction that has written reads the database, uncached: it
 * may see its own uncommitted rows. Only last-use bookkeeping ({@link TokenRepository#TOUCH}) updates without
 * moving the version; its caller {@linkplain #forget forgets} that one token instead.
 *
 * <p>This is sound only where every write goes through this process: the embedded H2 store,
 * which H2's file lock gives to one process. A store that other servers write (PostgreSQL, an
 * H2 server) gets the {@linkplain #off() pass-through}: each lookup reads the database, and a
 * revocation on one node is seen by the very next call on another.
 */
public final class LookupCache {
  private final Cache<String, Entry<TokenRow>> tokens;
  private final Cache<UserKey, Entry<UserRow>> users;
  private final AtomicLong version = new AtomicLong();
  /** Set on a thread whose transaction has written and not yet ended: its reads may see its own writes. */
  private final ThreadLocal<Boolean> writing = new ThreadLocal<>();

  private record Entry<T>(long version, T value) {}

  private record UserKey(String tenantId, String id) {}

  private LookupCache(int maxEntries) {
    this.tokens = maxEntries == 0 ? null : Caffeine.newBuilder().maximumSize(maxEntries).build();
    this.users = maxEntries == 0 ? null : Caffeine.newBuilder().maximumSize(maxEntries).build();
  }

  /** A cache that caches nothing: every lookup reads the database. */
  public static LookupCache off() {
    return new LookupCache(0);
  }

  /**
   * A cache of at most {@code maxEntries} tokens and as many users, which every committed
   * UPDATE or DELETE through {@code jdbi} invalidates; or {@link #off()} when
   * {@code maxEntries} is 0 or other processes may write the store at {@code jdbcUrl}.
   */
  public static LookupCache attach(Jdbi jdbi, String jdbcUrl, int maxEntries) {
    if (maxEntries <= 0 || !onlyThisProcessWrites(jdbcUrl)) {
      return off();
    }
    LookupCache cache = new LookupCache(maxEntries);
    jdbi.getConfig(Handles.class).addListener(new HandleListener() {
      @Override
      public void handleCreated(Handle handle) {
        handle.addCustomizer(cache.invalidateOnWrite(handle));
      }
    });
    return cache;
  }

  /** An embedded H2 database (file or memory) that no other process can open (no AUTO_SERVER). */
  static boolean onlyThisProcessWrites(String jdbcUrl) {
    String url = jdbcUrl.toLowerCase(Locale.ROOT);
    return url.startsWith("jdbc:h2:") && !url.startsWith("jdbc:h2:tcp:") && !url.startsWith("jdbc:h2:ssl:")
        && !url.replace(" ", "").contains("auto_server=true");
  }

  /** Whether lookups are served from memory (false: every lookup reads the database). */
  public boolean enabled() {
    return tokens != null;
  }

  /** The token whose secret hashes to {@code secretHash}, from memory if no write committed since it was read. */
  public Optional<TokenRow> token(String secretHash, Supplier<Optional<TokenRow>> load) {
    return lookup(tokens, secretHash, load);
  }

  /** The user {@code id} of {@code tenantId}, from memory if no write committed since it was read. */
  public Optional<UserRow> user(String tenantId, String id, Supplier<Optional<UserRow>> load) {
    return lookup(users, new UserKey(tenantId, id), load);
  }

  /** Drops the token with this secret hash, after a write that did not move the version (last use). */
  public void forget(String secretHash) {
    if (tokens != null) {
      tokens.invalidate(secretHash);
    }
  }

  private <K, T> Optional<T> lookup(Cache<K, Entry<T>> cache, K key, Supplier<Optional<T>> load) {
    if (cache == null || writing.get() != null) {
      return load.get();
    }
    long current = version.get();
    Entry<T> entry = cache.getIfPresent(key);
    if (entry != null && entry.version() == current) {
      return Optional.of(entry.value());
    }
    Optional<T> loaded = load.get();
    loaded.ifPresent(value -> cache.put(key, new Entry<>(current, value)));
    return loaded;
  }

  private StatementCustomizer invalidateOnWrite(Handle handle) {
    return new StatementCustomizer() {
      @Override
      public void afterExecution(java.sql.PreparedStatement statement, StatementContext context) {
        if (!movesVersion(context.getRawSql())) {
          return;
        }
        if (!handle.isInTransaction()) {
          version.incrementAndGet();
        } else if (writing.get() == null) {
          writing.set(Boolean.TRUE);
          handle.afterCommit(() -> {
            version.incrementAndGet();
            writing.remove();
          });
          handle.afterRollback(writing::remove);
        }
      }
    };
  }

  /**
   * Whether a statement may change a row already read: anything but a read, an insert, or
   * last-use bookkeeping.
   */
  static boolean movesVersion(String sql) {
    String statement = sql.stripLeading();
    return !(startsWithIgnoreCase(statement, "SELECT") || startsWithIgnoreCase(statement, "INSERT")
        || statement.equals(TokenRepository.TOUCH));
  }

  private static boolean startsWithIgnoreCase(String text, String prefix) {
    return text.regionMatches(true, 0, prefix, 0, prefix.length());
  }
}
