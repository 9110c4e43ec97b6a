package dev.tokenauthority.server.api;

import static dev.tokenauthority.server.testing.Errors.errorInfo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.common.util.concurrent.ListenableFuture;
import dev.tokenauthority.server.testing.HoldService;
import io.grpc.Attributes;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The call limiter's queue: a call that finds no slot waits if the queue has room, else is refused at once. */
@Timeout(60)
class CallLimiterTest {
  private static final Logger LOG = LoggerFactory.getLogger(CallLimiterTest.class);
  private final HoldService hold = new HoldService();
  private final AtomicInteger shed = new AtomicInteger();
  private Server server;
  private ManagedChannel channel;

  private CallLimiter serve(int slots, int queue, Duration maxWait) throws Exception {
    CallLimiter limiter = new CallLimiter(slots, queue, maxWait, shed::incrementAndGet);
    String name = InProcessServerBuilder.generateName();
    server = InProcessServerBuilder.forName(name) // the default executor: a thread per call, as on Netty
        .addService(ServerInterceptors.intercept(hold.service(), limiter)).build().start();
    channel = InProcessChannelBuilder.forName(name).build();
    return limiter;
  }

  @AfterEach
  void stop() throws Exception {
    hold.release();
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void aQueuedCallRunsWhenASlotFreesAndOneBeyondTheQueueIsRefusedAtOnce() throws Exception {
    CallLimiter limiter = serve(1, 1, Duration.ofSeconds(30));
    ListenableFuture<String> first = HoldService.call(channel, "first");
    assertThat(hold.awaitEntered(1)).isTrue();
    ListenableFuture<String> queued = HoldService.call(channel, "queued");
    for (int i = 0; i < 3000 && limiter.waiting() == 0; i++) {
      Thread.sleep(10);
    }
    assertThat(limiter.waiting()).as("one call waits for the slot").isEqualTo(1);

    // the queue is full: refused at once, while the first still holds the slot and the second waits
    StatusRuntimeException refused = refusal(HoldService.call(channel, "third"));
    assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(errorInfo(refused).getReason()).isEqualTo("OVERLOADED");
    assertThat(first.isDone()).isFalse();
    assertThat(queued.isDone()).isFalse();
    assertThat(shed.get()).isEqualTo(1);

    hold.release();
    assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("first");
    assertThat(queued.get(10, TimeUnit.SECONDS)).as("admitted once the slot was free").isEqualTo("queued");
    assertThat(limiter.waiting()).isZero();
    assertThat(shed.get()).isEqualTo(1);
  }

  @Test
  void aCallThatWaitsInVainIsRefusedWhenItsWaitRunsOut() throws Exception {
    CallLimiter limiter = serve(1, 4, Duration.ofMillis(50));
    ListenableFuture<String> first = HoldService.call(channel, "first");
    assertThat(hold.awaitEntered(1)).isTrue();
    StatusRuntimeException refused = refusal(HoldService.call(channel, "waits"));
    assertThat(errorInfo(refused).getReason()).isEqualTo("OVERLOADED");
    assertThat(first.isDone()).isFalse();
    assertThat(limiter.waiting()).isZero();
    assertThat(limiter.active()).isEqualTo(1);
    hold.release();
    first.get(10, TimeUnit.SECONDS);
  }

  @Test
  void aCancelledCallKeepsItsSlotUntilItsHandlerReturns() throws Exception {
    CallLimiter limiter = serve(1, 0, Duration.ZERO);
    ListenableFuture<String> first = HoldService.call(channel, "first");
    assertThat(hold.awaitEntered(1)).isTrue();
    first.cancel(true); // the client gives up; the handler still runs, and still counts
    assertThat(errorInfo(refusal(HoldService.call(channel, "second"))).getReason()).isEqualTo("OVERLOADED");
    assertThat(limiter.active()).isEqualTo(1);
    hold.release();
    for (int i = 0; i < 1000 && limiter.active() > 0; i++) {
      Thread.sleep(10);
    }
    assertThat(limiter.active()).as("the slot is given back once the handler returns").isZero();
  }

  /**
   * The admission path's cost, for the README: admit and release through the interceptor with a
   * do-nothing call, on one thread. A figure for the log, not an assertion.
   */
  @Test
  void admissionCostIsLogged() {
    CallLimiter limiter = new CallLimiter(64, 0, Duration.ZERO, () -> { });
    ServerCall<String, String> call = new NoopCall();
    int rounds = 200_000;
    long started = 0;
    for (int i = 0; i < 2 * rounds; i++) {
      if (i == rounds) {
        started = System.nanoTime(); // the first half warms up
      }
      limiter.interceptCall(call, new Metadata(), (c, h) -> new ServerCall.Listener<String>() {})
          .onComplete();
    }
    double nanos = (System.nanoTime() - started) / (double) rounds;
    assertThat(limiter.active()).isZero();
    LOG.info("CallLimiter: admit + release of one call took {} ns on average over {} calls (one thread, "
        + "do-nothing call)", String.format("%.0f", nanos), rounds);
  }

  private static StatusRuntimeException refusal(ListenableFuture<String> call) throws Exception {
    ExecutionException e = catchThrowableOfType(ExecutionException.class, () -> call.get(30, TimeUnit.SECONDS));
    assertThat(e).as("refused").isNotNull();
    return (StatusRuntimeException) e.getCause();
  }

  private static final class NoopCall extends ServerCall<String, String> {
    @Override
    public void request(int numMessages) {}

    @Override
    public void sendHeaders(Metadata headers) {}

    @Override
    public void sendMessage(String message) {}

    @Override
    public void close(Status status, Metadata trailers) {}

    @Override
    public boolean isCancelled() {
      return false;
    }

    @Override
    public Attributes getAttributes() {
      return Attributes.EMPTY;
    }

    @Override
    public MethodDescriptor<String, String> getMethodDescriptor() {
      return HoldService.HOLD;
    }
  }
}
