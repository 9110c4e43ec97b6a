package dev.tokenauthority.bench.load;

import io.grpc.Channel;
import io.grpc.Status;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Recorder;

/**
 * Drives one operation over a set of connections, asynchronously: a call's completion, on the
 * transport thread that read it, starts the next one. No thread per call and no hand-off
 * leaves the most of the two cores to the server.
 * <ul>
 *   <li>closed loop: a fixed number of calls outstanding per connection; gives the peak.
 *   <li>open loop: calls started at a fixed rate whatever the answers; latency counts from when
 *       each call was due, so a server that falls behind is not flattered (no coordinated omission).
 * </ul>
 */
final class LoadDriver implements AutoCloseable {
  private static final long DRAIN_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);
  /** An unexpected failure delays the next call a little: no busy loop on a broken server, no deep recursion. */
  private static final long RETRY_DELAY_MILLIS = 1;

  private final List<? extends Channel> connections;
  private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(runnable -> {
    Thread thread = new Thread(runnable, "load-retry");
    thread.setDaemon(true);
    return thread;
  });

  LoadDriver(List<? extends Channel> connections) {
    this.connections = connections;
  }

  /** Calls whose start and end both fall in the window after {@code warmup} are measured. */
  Measurement closedLoop(Operation<?, ?> operation, int outstandingPerConnection, Duration warmup,
      Duration duration) throws InterruptedException {
    Window window = new Window(warmup, duration, Long.MAX_VALUE);
    for (Channel connection : connections) {
      for (int i = 0; i < outstandingPerConnection; i++) {
        startClosed(operation, connection, window);
      }
    }
    window.sleepUntilEnd();
    window.stopping = true;
    window.awaitDrained(DRAIN_TIMEOUT_NANOS);
    return window.measurement(operation, "closed", 0);
  }

  /** Calls {@code operation} {@code count} times as fast as a closed loop goes, measuring nothing: fills the store. */
  void repeat(Operation<?, ?> operation, int outstandingPerConnection, long count) throws InterruptedException {
    Window window = new Window(Duration.ofDays(365), Duration.ZERO, count);
    for (Channel connection : connections) {
      for (int i = 0; i < outstandingPerConnection; i++) {
        startClosed(operation, connection, window);
      }
    }
    window.awaitDrained(Long.MAX_VALUE); // every call has a deadline: this ends
    if (window.failures.sum() > 0) {
      throw new IllegalStateException(window.failures.sum() + " of " + count + " " + operation.name
          + " calls failed, e.g. " + window.firstFailure);
    }
  }

  /** Calls due in the window after {@code warmup} are measured, each until it ends. */
  Measurement openLoop(Operation<?, ?> operation, double callsPerSecond, int maxOutstanding, Duration warmup,
      Duration duration) throws InterruptedException {
    Window window = new Window(warmup, duration, Long.MAX_VALUE);
    Semaphore outstanding = new Semaphore(maxOutstanding);
    double intervalNanos = 1e9 / callsPerSecond;
    long origin = System.nanoTime();
    for (long i = 0; ; i++) {
      long due = origin + (long) (i * intervalNanos);
      if (due >= window.end) {
        break;
      }
      for (long now = System.nanoTime(); now < due; now = System.nanoTime()) {
        LockSupport.parkNanos(due - now);
      }
      // at the cap the pacer waits, and the late calls' latencies count that wait
      outstanding.acquire();
      window.inFlight.incrementAndGet();
      operation.start(connections.get((int) (i % connections.size())), status -> {
        window.complete(due, System.nanoTime(), due >= window.start, status, operation);
        outstanding.release();
      });
    }
    window.awaitDrained(DRAIN_TIMEOUT_NANOS);
    return window.measurement(operation, "open", callsPerSecond);
  }

  private void startClosed(Operation<?, ?> operation, Channel connection, Window window) {
    if (window.stopping || window.started.incrementAndGet() > window.limit) {
      return;
    }
    long start = System.nanoTime();
    window.inFlight.incrementAndGet();
    operation.start(connection, status -> {
      long end = System.nanoTime();
      // the next call starts before this one leaves the in-flight count, so a drain never sees 0 early
      if (status.getCode() == operation.expected) {
        startClosed(operation, connection, window);
      } else {
        retries.schedule(() -> startClosed(operation, connection, window), RETRY_DELAY_MILLIS, TimeUnit.MILLISECONDS);
      }
      window.complete(start, end, start >= window.start && end <= window.end, status, operation);
    });
  }

  @Override
  public void close() {
    retries.shutdownNow();
  }

  /** One run's measuring window and what it saw. */
  private static final class Window {
    final long start;
    final long end;
    final long limit;
    final Recorder latencies = new Recorder(3);
    final LongAdder failures = new LongAdder();
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicLong started = new AtomicLong();
    volatile boolean stopping;
    volatile Status firstFailure;

    Window(Duration warmup, Duration duration, long limit) {
      this.start = System.nanoTime() + warmup.toNanos();
      this.end = start + duration.toNanos();
      this.limit = limit;
    }

    void complete(long from, long to, boolean measured, Status status, Operation<?, ?> operation) {
      boolean asExpected = status.getCode() == operation.expected;
      if (!asExpected && firstFailure == null) {
        firstFailure = status;
      }
      if (measured) {
        if (asExpected) {
          latencies.recordValue(to - from);
        } else {
          failures.increment();
        }
      } else if (!asExpected && limit != Long.MAX_VALUE) {
        failures.increment(); // a fill counts every failure
      }
      inFlight.decrementAndGet();
    }

    void sleepUntilEnd() throws InterruptedException {
      for (long now = System.nanoTime(); now < end; now = System.nanoTime()) {
        TimeUnit.NANOSECONDS.sleep(Math.min(end - now, TimeUnit.MILLISECONDS.toNanos(100)));
      }
    }

    void awaitDrained(long timeoutNanos) throws InterruptedException {
      long waitStart = System.nanoTime();
      while (inFlight.get() > 0 && System.nanoTime() - waitStart < timeoutNanos) {
        TimeUnit.MILLISECONDS.sleep(5);
      }
    }

    Measurement measurement(Operation<?, ?> operation, String mode, double targetRate) {
      Status failure = firstFailure;
      return new Measurement(operation.name, operation.description, mode, targetRate, latencies.getIntervalHistogram(),
          failures.sum(), (end - start) / 1e9,
          failure == null ? null : failure.getCode() + ": " + failure.getDescription());
    }
  }
}
