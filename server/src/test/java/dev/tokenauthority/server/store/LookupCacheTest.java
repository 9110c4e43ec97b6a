package dev.tokenauthority.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tokenauthority.server.store.Rows.TenantRow;
import dev.tokenauthority.server.store.Rows.UserRow;
import dev.tokenauthority.server.testing.TestStores;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The lookup cache serves a row from memory only while no UPDATE or DELETE has committed since it was read. */
class LookupCacheTest {
  static final Instant NOW = Instant.parse("2026-11-24T00:00:00Z");
  Database database;
  DirectoryRepository directory;
  final AtomicInteger loads = new AtomicInteger();

  @BeforeEach
  void open() {
    database = Database.open("jdbc:h2:mem:lookup-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", null, null, 4);
    directory = database.jdbi().onDemand(DirectoryRepository.class);
    directory.insertTenant(new TenantRow("ten_1", "Acme", NOW));
    directory.insertUser(user("usr_1", "ada@example.com"));
  }

  @AfterEach
  void close() {
    database.close();
  }

  static UserRow user(String id, String email) {
    return new UserRow(id, "ten_1", UUID.randomUUID().toString(), email, "Ada", "L", "", "", "", "", "member",
        true, false, false, false, false, false, "", "", "tokens:read", 1, NOW, NOW);
  }

  Optional<UserRow> lookup() {
    return database.lookups().user("ten_1", "usr_1", () -> {
      loads.incrementAndGet();
      return directory.findUser("ten_1", "usr_1");
    });
  }

  String email() {
    return lookup().orElseThrow().email();
  }

  void update(String email) {
    database.jdbi().useHandle(handle -> handle.execute("UPDATE users SET email = ? WHERE id = 'usr_1'", email));
  }

  @Test
  void aSecondLookupIsServedFromMemory() {
    assertThat(database.lookups().enabled()).isTrue();
    assertThat(email()).isEqualTo("ada@example.com");
    assertThat(email()).isEqualTo("ada@example.com");
    assertThat(loads).hasValue(1);
  }

  @Test
  void aCommittedUpdateIsSeenByTheNextLookup() {
    email();
    update("grace@example.com");
    assertThat(email()).isEqualTo("grace@example.com");
    assertThat(loads).hasValue(2);
  }

  @Test
  void aRowReadWhileAnUpdateIsUncommittedIsNotServedAfterTheCommit() {
    database.jdbi().useTransaction(handle -> {
      handle.execute("UPDATE users SET email = 'grace@example.com' WHERE id = 'usr_1'");
      // Another thread still reads the committed row, and the cache keeps it for now.
      assertThat(CompletableFuture.supplyAsync(this::email).join()).isEqualTo("ada@example.com");
      assertThat(CompletableFuture.supplyAsync(this::email).join()).isEqualTo("ada@example.com");
      assertThat(loads).hasValue(1);
    });
    assertThat(email()).isEqualTo("grace@example.com");
  }

  @Test
  void aTransactionThatWroteReadsItsOwnRowsAndCachesNone() {
    email();
    try {
      database.jdbi().useTransaction(handle -> {
        handle.execute("UPDATE users SET email = 'grace@example.com' WHERE id = 'usr_1'");
        assertThat(email()).isEqualTo("grace@example.com");
        throw new IllegalStateException("roll back");
      });
    } catch (IllegalStateException expected) {
      // rolled back: the uncommitted row must not have been remembered
    }
    assertThat(email()).isEqualTo("ada@example.com");
  }

  @Test
  void aRolledBackUpdateLeavesEntriesValid() {
    email();
    try {
      database.jdbi().useTransaction(handle -> {
        handle.execute("UPDATE users SET email = 'grace@example.com' WHERE id = 'usr_1'");
        throw new IllegalStateException("roll back");
      });
    } catch (IllegalStateException expected) {
      // rolled back
    }
    assertThat(email()).isEqualTo("ada@example.com");
    assertThat(loads).hasValue(1);
  }

  @Test
  void insertsAndLastUseBookkeepingLeaveEntriesValid() {
    email();
    directory.insertUser(user("usr_2", "grace@example.com"));
    database.jdbi().useHandle(handle -> handle.createUpdate(TokenRepository.TOUCH)
        .bind("id", "tok_none").bind("now", NOW).bind("since", NOW).execute());
    email();
    assertThat(loads).hasValue(1);
  }

  @Test
  void aDeleteIsSeenByTheNextLookup() {
    email();
    database.jdbi().useHandle(handle -> handle.execute("DELETE FROM users WHERE id = 'usr_1'"));
    assertThat(lookup()).isEmpty();
  }

  @Test
  void missesAreNotRemembered() {
    database.lookups().user("ten_1", "usr_9", () -> {
      loads.incrementAndGet();
      return directory.findUser("ten_1", "usr_9");
    });
    directory.insertUser(user("usr_9", "new@example.com"));
    assertThat(database.lookups().user("ten_1", "usr_9", () -> directory.findUser("ten_1", "usr_9")))
        .map(UserRow::email).contains("new@example.com");
  }

  @Test
  void zeroEntriesReadsTheDatabaseEveryTime() {
    try (Database uncached = Database.open("jdbc:h2:mem:lookup-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1",
        null, null, 2, Database.DEFAULT_CONNECT_TIMEOUT, null, 0)) {
      assertThat(uncached.lookups().enabled()).isFalse();
      for (int i = 0; i < 2; i++) {
        uncached.lookups().user("t", "u", () -> {
          loads.incrementAndGet();
          return Optional.of(user("u", "a@b"));
        });
      }
      assertThat(loads).hasValue(2);
    }
  }

  @Test
  void aStoreOtherServersShareIsNeverCached() {
    assumeTrue(TestStores.postgres(), "needs " + TestStores.POSTGRES_URL_ENV);
    try (Database shared = Database.open(TestStores.newPostgresDatabase("lookup_cache"), null, null, 2)) {
      assertThat(shared.lookups().enabled()).isFalse();
    }
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "jdbc:h2:file:/var/lib/ta/tokenauthority;WRITE_DELAY=0 | true",
      "jdbc:h2:mem:test;DB_CLOSE_DELAY=-1                    | true",
      "jdbc:h2:./data/tokenauthority                         | true",
      "jdbc:h2:file:/var/lib/ta/tokenauthority;AUTO_SERVER=TRUE | false",
      "jdbc:h2:file:/x;auto_server = true                    | false",
      "jdbc:h2:tcp://db:9092/tokenauthority                  | false",
      "jdbc:h2:ssl://db:9092/tokenauthority                  | false",
      "jdbc:postgresql://127.0.0.1:5432/tokens               | false"})
  void onlyAnEmbeddedH2StoreHasOneWriter(String url, boolean oneWriter) {
    assertThat(LookupCache.onlyThisProcessWrites(url)).isEqualTo(oneWriter);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "SELECT * FROM tokens WHERE secret_hash = :hash | false",
      "  select 1                                      | false",
      "INSERT INTO tokens (id) VALUES (:id)            | false",
      "UPDATE tokens SET revoked_at = :now              | true",
      "update users set active = false                 | true",
      "DELETE FROM tokens WHERE id = :id               | true",
      "MERGE INTO users KEY (id) VALUES (:id)          | true"})
  void everyStatementButReadsAndInsertsMovesTheVersion(String sql, boolean moves) {
    assertThat(LookupCache.movesVersion(sql)).isEqualTo(moves);
    assertThat(LookupCache.movesVersion(TokenRepository.TOUCH)).isFalse();
  }
}
