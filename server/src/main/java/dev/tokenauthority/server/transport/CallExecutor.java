package dev.tokenauthority.server.transport;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads the API calls run on, on gRPC and behind the REST gateway. grpc-java's default
 * executor is a cached pool: each task is handed to an idle thread through a
 * {@code SynchronousQueue}, or a new thread is started. On two cores shared with the clients
 * that hand-off, not the calls' work, bounded the server (bench: echo 46,000/s on the cached
 * pool, 110,000/s on this one; opaque introspection 32,000/s, 74,000/s). On a fixed pool fed by
 * a queue, a thread that finishes a task takes the next one without waiting for a partner.
 *
 * <p>A fixed pool must not starve: if every thread blocked, the tasks that would unblock them
 * (the end of an admitted call) could never run. A thread blocks only inside a call the
 * {@code CallLimiter} admitted or while a call waits for admission, so a pool of
 * {@code blockingCalls} (slots + queue) plus {@link #SPARE_THREADS} always has a thread for the
 * rest: health checks, refusals, the tasks that close calls and free slots.
 */
public final class CallExecutor {
  /** Threads beyond those that may block: they keep the pool moving when all of those do. */
  public static final int SPARE_THREADS = 4;
  /** Threads of an idle server end after this long (a burst's threads are not kept forever). */
  private static final long IDLE_SECONDS = 60;
  /** The prefix of the pool's thread names. */
  public static final String THREAD_PREFIX = "ta-call-";

  private CallExecutor() {}

  /** A pool for a server on which at most {@code blockingCalls} calls can block a thread at once. */
  public static ThreadPoolExecutor create(int blockingCalls) {
    int threads = blockingCalls + SPARE_THREADS;
    ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, IDLE_SECONDS, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), daemonThreads());
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }

  private static ThreadFactory daemonThreads() {
    AtomicInteger next = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, THREAD_PREFIX + next.incrementAndGet());
      thread.setDaemon(true); // like gRPC's own pool: a call stuck at exit does not hold the JVM up
      return thread;
    };
  }
}
