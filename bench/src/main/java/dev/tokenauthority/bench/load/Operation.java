package dev.tokenauthority.bench.load;

import io.grpc.CallCredentials;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongFunction;

/**
 * One measured unary RPC: what to call, with which request and credential, and which status
 * counts as success. Each call gets the next number of the operation's own sequence, across
 * every run of it, so names made from it never repeat.
 */
final class Operation<Q, R> {
  private static final long DEADLINE_SECONDS = 10;

  final String name;
  final String description;
  final Status.Code expected;
  private final MethodDescriptor<Q, R> method;
  private final LongFunction<Q> request;
  private final CallCredentials credentials;
  private final Consumer<R> responses;
  private final AtomicLong sequence = new AtomicLong();

  private Operation(String name, String description, MethodDescriptor<Q, R> method, LongFunction<Q> request,
      CallCredentials credentials, Status.Code expected, Consumer<R> responses) {
    this.name = name;
    this.description = description;
    this.method = method;
    this.request = request;
    this.credentials = credentials;
    this.expected = expected;
    this.responses = responses;
  }

  /** A call that must succeed. {@code credentials} null: none sent. */
  static <Q, R> Operation<Q, R> of(String name, String description, MethodDescriptor<Q, R> method,
      LongFunction<Q> request, CallCredentials credentials) {
    return new Operation<>(name, description, method, request, credentials, Status.Code.OK, null);
  }

  /** This operation, handing every response to {@code responses} (on a transport thread). */
  Operation<Q, R> keeping(Consumer<R> responses) {
    return new Operation<>(name, description, method, request, credentials, expected, responses);
  }

  /** A call whose right answer is the error {@code expected}. */
  static <Q, R> Operation<Q, R> failingWith(Status.Code expected, String name, String description,
      MethodDescriptor<Q, R> method, LongFunction<Q> request, CallCredentials credentials) {
    return new Operation<>(name, description, method, request, credentials, expected, null);
  }

  /** Starts a call; {@code done} gets its final status (on a transport thread). */
  void start(Channel channel, Consumer<Status> done) {
    CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS);
    if (credentials != null) {
      options = options.withCallCredentials(credentials);
    }
    ClientCalls.asyncUnaryCall(channel.newCall(method, options), request.apply(sequence.incrementAndGet()), new StreamObserver<R>() {
      @Override
      public void onNext(R response) {
        if (responses != null) {
          responses.accept(response);
        }
      }

      @Override
      public void onError(Throwable t) {
        done.accept(Status.fromThrowable(t));
      }

      @Override
      public void onCompleted() {
        done.accept(Status.OK);
      }
    });
  }
}
