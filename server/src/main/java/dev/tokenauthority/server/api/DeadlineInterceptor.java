package dev.tokenauthority.server.api;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Deadline;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The server-side deadline: every API call is answered within {@code maxCallDuration}. A
 * call whose client set no deadline, or a later one, runs in a Context with the deadline
 * cut to the cap; a client deadline shorter than the cap is left alone (gRPC enforces it).
 * When the cap passes first, the call is closed DEADLINE_EXCEEDED at once (HTTP 504 through
 * the REST edge), even if its handler is still blocked (on a database lock, say): the
 * handler's later answer is dropped. Like any deadline, it says nothing about whether the
 * work was done: a write blocked past the cap may still commit when it unblocks.
 */
public final class DeadlineInterceptor implements ServerInterceptor, AutoCloseable {
  private final Duration maxCallDuration;
  private final ScheduledThreadPoolExecutor timer;

  public DeadlineInterceptor(Duration maxCallDuration) {
    this.maxCallDuration = maxCallDuration;
    this.timer = new ScheduledThreadPoolExecutor(1, runnable -> {
      Thread thread = new Thread(runnable, "call-deadline");
      thread.setDaemon(true);
      return thread;
    });
    timer.setRemoveOnCancelPolicy(true); // a call that finishes in time leaves nothing behind
  }

  public Duration maxCallDuration() {
    return maxCallDuration;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    Deadline cap = Deadline.after(maxCallDuration.toNanos(), TimeUnit.NANOSECONDS);
    Deadline client = Context.current().getDeadline();
    if (client != null && client.isBefore(cap)) {
      return next.startCall(call, headers); // the client's deadline is the shorter: gRPC enforces it
    }
    Context.CancellableContext context = Context.current().withDeadline(cap, timer);
    OnceClosed<Q, R> closing = new OnceClosed<>(call);
    Executor direct = Runnable::run;
    context.addListener(cancelled -> {
      if (cancelled.getDeadline() != null && cancelled.getDeadline().isExpired()) {
        closing.close(Status.DEADLINE_EXCEEDED.withDescription("The call did not finish within the server's limit of "
            + maxCallDuration.toMillis() + " ms."), new Metadata());
      }
    }, direct);
    ServerCall.Listener<Q> listener;
    try {
      listener = Contexts.interceptCall(context, closing, headers, next);
    } catch (RuntimeException e) {
      context.cancel(null);
      throw e;
    }
    return new SimpleForwardingServerCallListener<>(listener) {
      @Override
      public void onComplete() {
        try {
          super.onComplete();
        } finally {
          context.cancel(null); // the call is over: its timer goes
        }
      }

      @Override
      public void onCancel() {
        try {
          super.onCancel();
        } finally {
          context.cancel(null);
        }
      }
    };
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }

  /**
   * A call that two threads may close (the handler, and the deadline's timer): the first
   * close wins, and whatever the other sends afterwards is dropped, as ServerCall must not
   * be used after close or from two threads at once.
   */
  private static final class OnceClosed<Q, R> extends SimpleForwardingServerCall<Q, R> {
    private boolean closed;

    OnceClosed(ServerCall<Q, R> call) {
      super(call);
    }

    @Override
    public synchronized void sendHeaders(Metadata headers) {
      if (!closed) {
        super.sendHeaders(headers);
      }
    }

    @Override
    public synchronized void sendMessage(R message) {
      if (!closed) {
        super.sendMessage(message);
      }
    }

    @Override
    public synchronized void close(Status status, Metadata trailers) {
      if (!closed) {
        closed = true;
        super.close(status, trailers);
      }
    }

    @Override
    public synchronized boolean isCancelled() {
      return closed || super.isCancelled();
    }
  }
}
