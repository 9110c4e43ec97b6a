package dev.tokenauthority.server.api;

import dev.tokenauthority.server.core.Failure;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Load shedding: at most {@code maxConcurrentCalls} API calls execute at once, on gRPC and
 * through the embedded REST gateway together (one instance wraps every API service on both).
 * A call that finds every slot taken waits up to {@link #MAX_WAIT} for one, if fewer than
 * {@code maxQueuedCalls} calls are already waiting; otherwise, or when the wait runs out, it is
 * answered at once with RESOURCE_EXHAUSTED, reason {@code OVERLOADED} and a
 * {@code google.rpc.RetryInfo} of {@link #RETRY_AFTER} (HTTP 429 with {@code Retry-After}),
 * before authentication or any other work. Health and reflection are not API services and are
 * never wrapped, so never refused.
 *
 * <p>Why RESOURCE_EXHAUSTED and not UNAVAILABLE: the Java client retries UNAVAILABLE on
 * idempotent methods (up to 4 attempts), and so may other clients' retry policies; shedding
 * with UNAVAILABLE would turn every refused read into up to 4 calls just when the server is
 * refusing load (a retry storm). RESOURCE_EXHAUSTED is retried by no default policy, and
 * RetryInfo tells the caller when to try again.
 *
 * <p>Cost on the call path: admission is one non-blocking {@link Semaphore#tryAcquire()} (a
 * CAS, no lock) and release one CAS plus one more to make it happen once; two small forwarding
 * objects and a flag per admitted call. Only a call that finds no free slot touches the waiting
 * counter or parks its thread. A slot is held from admission until the call is closed, or
 * cancelled by the client; gRPC delivers a cancellation after a running handler returns, so a
 * handler still at work keeps its slot and the cap holds.
 */
public final class CallLimiter implements ServerInterceptor {
  /** The longest a call waits for a free slot before it is refused. */
  public static final Duration MAX_WAIT = Duration.ofMillis(100);
  /** The delay a refused caller is told to wait ({@code RetryInfo}, {@code Retry-After}). */
  public static final Duration RETRY_AFTER = Duration.ofSeconds(1);

  private final int maxConcurrentCalls;
  private final int maxQueuedCalls;
  private final long maxWaitNanos;
  private final Semaphore slots;
  private final AtomicInteger waiting = new AtomicInteger();
  private final Runnable onShed;

  /**
   * {@code onShed} runs once per refused call (a metrics counter; it must be cheap and must
   * not throw).
   */
  public CallLimiter(int maxConcurrentCalls, int maxQueuedCalls, Duration maxWait, Runnable onShed) {
    if (maxConcurrentCalls < 1 || maxQueuedCalls < 0) {
      throw new IllegalArgumentException("at least 1 concurrent call and 0 queued calls, not "
          + maxConcurrentCalls + " and " + maxQueuedCalls);
    }
    this.maxConcurrentCalls = maxConcurrentCalls;
    this.maxQueuedCalls = maxQueuedCalls;
    this.maxWaitNanos = maxWait.toNanos();
    this.slots = new Semaphore(maxConcurrentCalls);
    this.onShed = onShed;
  }

  public int maxConcurrentCalls() {
    return maxConcurrentCalls;
  }

  public int maxQueuedCalls() {
    return maxQueuedCalls;
  }

  /** Calls executing now (admitted and not yet closed or cancelled). */
  public int active() {
    return maxConcurrentCalls - slots.availablePermits();
  }

  /** Calls waiting for a slot now. */
  public int waiting() {
    return waiting.get();
  }

  /** The status a refused call gets (also what the REST gateway answers when its own queue is full). */
  public static io.grpc.StatusException overloaded() {
    return ErrorMapper.toStatus(Failure.overloaded(RETRY_AFTER));
  }

  /** Counts a call refused elsewhere for the same reason (the REST gateway's full queue). */
  public void shedElsewhere() {
    onShed.run();
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    if (!slots.tryAcquire() && !awaitSlot()) {
      onShed.run();
      io.grpc.StatusException refused = overloaded();
      call.close(refused.getStatus(), refused.getTrailers() == null ? new Metadata() : refused.getTrailers());
      return new ServerCall.Listener<>() {};
    }
    Slot slot = new Slot();
    ServerCall.Listener<Q> delegate;
    try {
      delegate = next.startCall(new SimpleForwardingServerCall<>(call) {
        @Override
        public void close(Status status, Metadata trailers) {
          try {
            super.close(status, trailers);
          } finally {
            slot.release();
          }
        }
      }, headers);
    } catch (RuntimeException | Error e) {
      slot.release();
      throw e;
    }
    return new SimpleForwardingServerCallListener<>(delegate) {
      @Override
      public void onCancel() {
        try {
          super.onCancel();
        } finally {
          slot.release();
        }
      }

      @Override
      public void onComplete() {
        try {
          super.onComplete();
        } finally {
          slot.release();
        }
      }
    };
  }

  /** Waits up to {@link #MAX_WAIT} for a slot, if the queue has room; whether one was taken. */
  private boolean awaitSlot() {
    if (maxQueuedCalls == 0 || maxWaitNanos <= 0) {
      return false;
    }
    if (waiting.incrementAndGet() > maxQueuedCalls) {
      waiting.decrementAndGet();
      return false;
    }
    try {
      return slots.tryAcquire(maxWaitNanos, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } finally {
      waiting.decrementAndGet();
    }
  }

  /** One admitted call's slot, given back exactly once. */
  private final class Slot extends AtomicBoolean {
    void release() {
      if (compareAndSet(false, true)) {
        slots.release();
      }
    }
  }
}
