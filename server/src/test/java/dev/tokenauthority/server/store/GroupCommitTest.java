package dev.tokenauthority.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Transactions that share a commit keep their own outcome: one that fails rolls back alone,
 * a commit that fails fails every caller in it, and nothing returns before its commit.
 */
class GroupCommitTest {
  final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
  Database database;
  GroupCommit commits;

  @BeforeEach
  void open() {
    database = Database.open("jdbc:h2:mem:group-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", null, null, 4,
        Database.DEFAULT_CONNECT_TIMEOUT, metrics);
    database.jdbi().useHandle(handle -> handle.execute("CREATE TABLE items (id VARCHAR(20) PRIMARY KEY)"));
    commits = database.groupCommit();
  }

  @AfterEach
  void close() {
    database.close();
  }

  static void insert(Handle handle, String id) {
    handle.execute("INSERT INTO items (id) VALUES (?)", id);
  }

  List<String> stored() {
    return database.jdbi().withHandle(handle -> handle.createQuery("SELECT id FROM items ORDER BY id")
        .mapTo(String.class).list());
  }

  DistributionSummary batches() {
    return metrics.get("tokenauthority.store.commit.batch").summary();
  }

  /** Occupies the committer until {@code release} opens, so that what is given meanwhile forms one batch. */
  CompletableFuture<Void> holdCommitter(CountDownLatch release) {
    CountDownLatch running = new CountDownLatch(1);
    CompletableFuture<Void> held = CompletableFuture.runAsync(() -> commits.useTransaction(handle -> {
      running.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
      insert(handle, "held");
    }));
    await(running);
    return held;
  }

  /** Runs {@code work} on its own thread and returns once that thread waits for its commit. */
  <R> CompletableFuture<R> queued(Function<Handle, R> work) throws InterruptedException {
    AtomicReference<Thread> thread = new AtomicReference<>();
    CompletableFuture<R> result = CompletableFuture.supplyAsync(() -> {
      thread.set(Thread.currentThread());
      return commits.inTransaction(work::apply);
    }, runnable -> new Thread(runnable).start());
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (thread.get() == null || thread.get().getState() != Thread.State.WAITING) {
      assertThat(System.nanoTime()).as("queued within 10 s").isLessThan(deadline);
      Thread.sleep(1);
    }
    return result;
  }

  /** As {@link #queued}, for work that inserts {@code id} and returns it. */
  CompletableFuture<String> queuedInsert(String id) throws InterruptedException {
    return queued(handle -> {
      insert(handle, id);
      return id;
    });
  }

  static void await(CountDownLatch latch) {
    try {
      assertThat(latch.await(10, TimeUnit.SECONDS)).isTrue();
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  static Throwable failureOf(CompletableFuture<?> future) throws InterruptedException {
    try {
      future.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (TimeoutException e) {
      throw new AssertionError("no outcome within 10 s", e);
    }
    throw new AssertionError("expected a failure, got a result");
  }

  @Test
  void aLoneTransactionReturnsItsResultOnceCommitted() {
    assertThat(commits.grouped()).isTrue();
    String result = commits.inTransaction(handle -> {
      insert(handle, "a");
      return "done";
    });
    assertThat(result).isEqualTo("done");
    assertThat(stored()).containsExactly("a");
    assertThat(batches().count()).isEqualTo(1);
  }

  @Test
  void transactionsWaitingTogetherShareOneCommitAndAFailureRollsBackOnlyItsOwnStatements() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<Void> held = holdCommitter(release);
    CompletableFuture<String> first = queuedInsert("a");
    CompletableFuture<String> failing = queued(handle -> {
      insert(handle, "b");
      insert(handle, "a"); // taken by the transaction before it, in the same database transaction
      return "b";
    });
    CompletableFuture<String> last = queuedInsert("c");
    release.countDown();

    held.get(10, TimeUnit.SECONDS);
    assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("a");
    assertThat(last.get(10, TimeUnit.SECONDS)).isEqualTo("c");
    assertThat(Database.isUniqueViolation(failureOf(failing))).isTrue();
    assertThat(stored()).containsExactly("a", "c", "held");
    assertThat(batches().count()).isEqualTo(2);
    assertThat(batches().max()).isEqualTo(3);
  }

  @Test
  void aLoneTransactionThatFailsStoresNothingAndItsCallerGetsTheFailure() {
    assertThatThrownBy(() -> commits.useTransaction(handle -> {
      insert(handle, "a");
      throw new IllegalArgumentException("refused");
    })).isInstanceOf(IllegalArgumentException.class).hasMessage("refused");
    assertThat(stored()).isEmpty();
    commits.useTransaction(handle -> insert(handle, "a"));
    assertThat(stored()).containsExactly("a");
  }

  @Test
  void whenTheSharedTransactionBreaksEveryCallerFailsAndNothingIsStored() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<Void> held = holdCommitter(release);
    CompletableFuture<String> before = queuedInsert("a");
    CompletableFuture<String> breaking = queued(handle -> {
      try {
        handle.getConnection().close(); // the connection is lost mid-batch
      } catch (SQLException e) {
        throw new IllegalStateException(e);
      }
      return "b";
    });
    CompletableFuture<String> after = queuedInsert("c");
    release.countDown();

    held.get(10, TimeUnit.SECONDS); // a batch of its own, committed before the others were taken
    assertThat(failureOf(before)).isNotNull();
    assertThat(failureOf(breaking)).isNotNull();
    assertThat(failureOf(after)).isNotNull();
    assertThat(stored()).containsExactly("held");
    commits.useTransaction(handle -> insert(handle, "d")); // the next batch gets a working connection
    assertThat(stored()).containsExactly("d", "held");
  }

  @Test
  void aGroupedTransactionCannotStartAnother() {
    assertThatThrownBy(() -> commits.useTransaction(handle -> commits.useTransaction(inner -> insert(inner, "a"))))
        .isInstanceOf(IllegalStateException.class);
    assertThat(stored()).isEmpty();
  }

  @Test
  void closingCommitsWhatWasGivenThenRefusesAsUnavailable() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<Void> held = holdCommitter(release);
    CompletableFuture<String> queued = queuedInsert("a");
    CompletableFuture<Void> closing = CompletableFuture.runAsync(commits::close);
    Thread.sleep(50);
    assertThat(closing).isNotDone(); // it waits for the committer
    release.countDown();

    closing.get(10, TimeUnit.SECONDS);
    held.get(10, TimeUnit.SECONDS);
    assertThat(queued.get(10, TimeUnit.SECONDS)).isEqualTo("a");
    assertThat(stored()).containsExactly("a", "held");
    assertThatThrownBy(() -> commits.useTransaction(handle -> insert(handle, "b")))
        .satisfies(e -> assertThat(Database.isUnavailable(e)).isTrue());
  }

  @Test
  void aStoreOtherProcessesWriteRunsEachTransactionOnItsCallersThread() {
    GroupCommit own = GroupCommit.attach(database.jdbi(), "jdbc:postgresql://127.0.0.1:5432/postgres", metrics);
    Thread caller = Thread.currentThread();
    AtomicReference<Thread> ranOn = new AtomicReference<>();
    own.useTransaction(handle -> {
      ranOn.set(Thread.currentThread());
      insert(handle, "a");
    });
    assertThat(own.grouped()).isFalse();
    assertThat(ranOn).hasValue(caller);
    assertThat(stored()).containsExactly("a");
    own.close();
  }
}
