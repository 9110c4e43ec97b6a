package dev.tokenauthority.server.store;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import org.jdbi.v3.core.ConnectionException;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.HandleConsumer;
import org.jdbi.v3.core.Jdbi;

/**
 * Short write transactions of many callers (mints, revocations) committed together: one commit
 * for every transaction waiting when the previous commit ended.
 *
 * <p>Why: on the embedded H2 store ({@code WRITE_DELAY=0}) each commit writes every B-tree page
 * the transaction changed, so that a killed process loses nothing acknowledged; that write,
 * not the inserts, is what limits a mint. Twenty mints that share a commit share those pages
 * (JMH {@code RepositoryBench}: 16 inserts per commit ran 4–6× as many inserts a second
 * as one per commit). Durability is unchanged: a caller returns only after the commit that
 * carries its work.
 *
 * <p>How: one committer thread takes every waiting transaction (at most {@value #MAX_BATCH}),
 * runs each under a savepoint of one database transaction, and commits. A transaction that
 * throws is rolled back to its savepoint and its caller gets its exception; the others still
 * commit. If the commit itself fails, every caller in it gets that failure and nothing of it
 * is stored. There is no waiting for company: a lone transaction commits at once, and batches
 * grow only while commits are busy.
 *
 * <p>Work given here must be a short sequence of statements on the handle it receives: it must
 * not commit, open a transaction of its own, or wait for anything outside the database, since
 * every caller of the batch waits with it. Where other processes may write the store
 * (PostgreSQL, which merges concurrent commits in its own WAL, or an H2 server) each
 * transaction is simply its own, run by its caller: one committer thread would serialize
 * every network round trip.
 */
public final class GroupCommit implements AutoCloseable {
  static final int MAX_BATCH = 128;

  private final Jdbi jdbi;
  private final BlockingQueue<Work<?>> queue = new LinkedBlockingQueue<>();
  private final Thread committer;
  private final DistributionSummary batchSizes;
  private boolean closed;

  private static final Work<Void> STOP = new Work<>(handle -> null);

  private static final class Work<R> {
    final HandleCallback<R, RuntimeException> callback;
    final CompletableFuture<R> result = new CompletableFuture<>();

    Work(HandleCallback<R, RuntimeException> callback) {
      this.callback = callback;
    }

    R run(Handle handle) {
      return callback.withHandle(handle);
    }
  }

  private GroupCommit(Jdbi jdbi, boolean grouped, MeterRegistry metrics) {
    this.jdbi = jdbi;
    this.batchSizes = metrics == null || !grouped ? null : DistributionSummary.builder("tokenauthority.store.commit.batch")
        .description("Write transactions carried by one commit of the embedded store")
        .register(metrics);
    if (grouped) {
      committer = new Thread(this::commitLoop, "ta-group-commit");
      committer.setDaemon(true);
      committer.start();
    } else {
      committer = null;
    }
  }

  /**
   * Group commits for the store at {@code jdbcUrl} if this process is its only writer (the
   * embedded H2 store), else one transaction per caller. {@code metrics} (or null) gets the
   * number of transactions per commit.
   */
  static GroupCommit attach(Jdbi jdbi, String jdbcUrl, MeterRegistry metrics) {
    return new GroupCommit(jdbi, LookupCache.onlyThisProcessWrites(jdbcUrl), metrics);
  }

  /** Whether transactions share commits (false: each runs on its own, on its caller's thread). */
  public boolean grouped() {
    return committer != null;
  }

  /**
   * Runs {@code callback} in a transaction that commits, possibly with others, before this
   * returns; rethrows what the callback threw (after rolling back its own statements only), or
   * what the commit threw.
   */
  public <R> R inTransaction(HandleCallback<R, RuntimeException> callback) {
    if (committer == null) {
      return jdbi.inTransaction(callback);
    }
    if (Thread.currentThread() == committer) {
      throw new IllegalStateException("a grouped transaction cannot start another one");
    }
    Work<R> work = new Work<>(callback);
    synchronized (this) {
      if (closed) {
        throw new ConnectionException(new SQLException("The store is closed", "08003"));
      }
      queue.add(work);
    }
    try {
      return work.result.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (e.getCause() instanceof Error error) {
        throw error;
      }
      throw e;
    }
  }

  /** As {@link #inTransaction}, for work that returns nothing. */
  public void useTransaction(HandleConsumer<RuntimeException> consumer) {
    inTransaction(handle -> {
      consumer.useHandle(handle);
      return null;
    });
  }

  /** Commits what was given before this call, then stops the committer; later calls fail as unavailable. */
  @Override
  public void close() {
    if (committer == null) {
      return;
    }
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      queue.add(STOP);
    }
    // Not interrupted: an interrupt inside H2's file channel would close the database file.
    boolean interrupted = false;
    while (committer.isAlive()) {
      try {
        committer.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private void commitLoop() {
    List<Work<?>> batch = new ArrayList<>(MAX_BATCH);
    while (true) {
      batch.clear();
      try {
        batch.add(queue.take());
      } catch (InterruptedException e) {
        continue; // nobody interrupts this thread on purpose; only STOP ends it
      }
      queue.drainTo(batch, MAX_BATCH - 1);
      boolean stop = batch.remove(STOP); // STOP is the last thing ever queued
      if (!batch.isEmpty()) {
        commit(batch);
      }
      if (stop) {
        return;
      }
    }
  }

  private void commit(List<Work<?>> batch) {
    Object[] results = new Object[batch.size()];
    Throwable[] failures = new Throwable[batch.size()];
    try {
      jdbi.useTransaction(handle -> {
        if (batch.size() == 1) {
          results[0] = batch.get(0).run(handle); // a failure rolls back the whole transaction: its own
          return;
        }
        for (int i = 0; i < batch.size(); i++) {
          String savepoint = "w" + i;
          handle.savepoint(savepoint);
          try {
            results[i] = batch.get(i).run(handle);
            handle.releaseSavepoint(savepoint);
          } catch (RuntimeException | Error e) {
            failures[i] = e;
            handle.rollbackToSavepoint(savepoint);
          }
        }
      });
    } catch (Throwable e) {
      // Nothing of this batch is stored: each caller gets its own failure, or the commit's.
      for (int i = 0; i < batch.size(); i++) {
        batch.get(i).result.completeExceptionally(failures[i] != null ? failures[i] : e);
      }
      return;
    }
    if (batchSizes != null) {
      batchSizes.record(batch.size());
    }
    for (int i = 0; i < batch.size(); i++) {
      complete(batch.get(i), results[i], failures[i]);
    }
  }

  @SuppressWarnings("unchecked")
  private static <R> void complete(Work<R> work, Object result, Throwable failure) {
    if (failure != null) {
      work.result.completeExceptionally(failure);
    } else {
      work.result.complete((R) result);
    }
  }
}
