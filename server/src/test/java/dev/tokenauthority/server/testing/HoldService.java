package dev.tokenauthority.server.testing;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A test-only gRPC service whose one method holds its call until the test releases it: a
 * deterministic way to keep calls in flight (and, put under the server's call limiter, to
 * occupy its slots). Each call counts {@link #entered} once its handler runs, then waits for
 * {@link #release()} (at most 60 s) and answers its request back.
 */
public final class HoldService {
  public static final MethodDescriptor<String, String> HOLD = MethodDescriptor.<String, String>newBuilder()
      .setType(MethodDescriptor.MethodType.UNARY)
      .setFullMethodName(MethodDescriptor.generateFullMethodName("test.Hold", "Hold"))
      .setRequestMarshaller(new Utf8())
      .setResponseMarshaller(new Utf8())
      .build();

  private final Semaphore entered = new Semaphore(0);
  private final CountDownLatch released = new CountDownLatch(1);

  public ServerServiceDefinition service() {
    return ServerServiceDefinition.builder("test.Hold")
        .addMethod(HOLD, ServerCalls.asyncUnaryCall((request, response) -> {
          entered.release();
          try {
            released.await(60, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          response.onNext(request);
          response.onCompleted();
        }))
        .build();
  }

  /** Waits until {@code calls} more calls are being held; whether they were within 30 s. */
  public boolean awaitEntered(int calls) throws InterruptedException {
    return entered.tryAcquire(calls, 30, TimeUnit.SECONDS);
  }

  /** Lets every held call (and every later one) answer. */
  public void release() {
    released.countDown();
  }

  /** Starts a held call on {@code channel}; the future completes when it is released (or refused). */
  public static com.google.common.util.concurrent.ListenableFuture<String> call(Channel channel, String request) {
    return ClientCalls.futureUnaryCall(channel.newCall(HOLD, CallOptions.DEFAULT.withDeadlineAfter(60, TimeUnit.SECONDS)),
        request);
  }

  private static final class Utf8 implements MethodDescriptor.Marshaller<String> {
    @Override
    public InputStream stream(String value) {
      return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String parse(InputStream stream) {
      try {
        return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
