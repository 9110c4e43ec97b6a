package dev.tokenauthority.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.tokenauthority.server.testing.LogCapture;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Health follows the store: NOT_SERVING while it is unreachable, SERVING once it returns; never after stop. */
class StoreHealthMonitorTest {
  private static final String SERVICE = "tokenauthority.v1.TokenService";

  private final HealthStatusManager health = new HealthStatusManager();
  private final AtomicBoolean storeUp = new AtomicBoolean(true);
  private final AtomicInteger checks = new AtomicInteger();
  private LogCapture monitorLog;
  private StoreHealthMonitor monitor;
  private Server server;
  private ManagedChannel channel;
  private HealthGrpc.HealthBlockingStub stub;

  @BeforeEach
  void start() throws Exception {
    String name = InProcessServerBuilder.generateName();
    server = InProcessServerBuilder.forName(name).directExecutor().addService(health.getHealthService()).build().start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    stub = HealthGrpc.newBlockingStub(channel);
    health.setStatus(SERVICE, ServingStatus.SERVING);
    health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, ServingStatus.SERVING);
    monitor = new StoreHealthMonitor(() -> {
      checks.incrementAndGet();
      if (!storeUp.get()) {
        throw new SQLTransientConnectionException("token-authority - Connection is not available, request timed out after 2000ms");
      }
    }, health, List.of(SERVICE));
    monitorLog = LogCapture.of(StoreHealthMonitor.class.getName());
  }

  @AfterEach
  void stop() throws Exception {
    monitorLog.close();
    monitor.stop();
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void notServingWhileTheStoreFailsAndServingOnceItReturns() {
    monitor.check();
    assertStatus(ServingStatus.SERVING);

    storeUp.set(false);
    monitor.check();
    assertStatus(ServingStatus.NOT_SERVING);
    monitor.check();
    monitor.check();
    assertStatus(ServingStatus.NOT_SERVING);

    storeUp.set(true);
    monitor.check();
    assertStatus(ServingStatus.SERVING);

    // one line per transition, not one per check, and no stack trace
    List<ILoggingEvent> logged = monitorLog.events();
    assertThat(logged).extracting(ILoggingEvent::getLevel).containsExactly(Level.WARN, Level.INFO);
    assertThat(logged).allSatisfy(r -> assertThat(r.getThrowableProxy()).isNull());
    assertThat(logged.get(0).getFormattedMessage()).contains("unreachable").contains("request timed out");
  }

  @Test
  void theScheduledChecksFollowTheStoreWithinSeconds() throws Exception {
    monitor.start();
    storeUp.set(false);
    awaitStatus(ServingStatus.NOT_SERVING, Duration.ofSeconds(5));
    storeUp.set(true);
    awaitStatus(ServingStatus.SERVING, Duration.ofSeconds(5));
    assertThat(checks.get()).isGreaterThanOrEqualTo(2);
  }

  @Test
  void noStatusChangesAfterStop() throws Exception {
    monitor.start();
    monitor.stop();
    int checked = checks.get();
    storeUp.set(false);
    monitor.check(); // a check racing with stop changes nothing
    Thread.sleep(StoreHealthMonitor.INTERVAL.toMillis() * 2);
    assertStatus(ServingStatus.SERVING);
    assertThat(checks.get()).as("no scheduled check after stop").isEqualTo(checked + 1);
  }

  @Test
  void neverFlipsTheTerminalStateOfShutdown() {
    storeUp.set(false);
    monitor.check();
    assertStatus(ServingStatus.NOT_SERVING);
    health.enterTerminalState(); // as the server does on shutdown, after stopping the monitor
    storeUp.set(true);
    monitor.check();
    assertStatus(ServingStatus.NOT_SERVING);
  }

  private void assertStatus(ServingStatus expected) {
    assertThat(stub.check(HealthCheckRequest.getDefaultInstance()).getStatus()).isEqualTo(expected);
    assertThat(stub.check(HealthCheckRequest.newBuilder().setService(SERVICE).build()).getStatus()).isEqualTo(expected);
  }

  private void awaitStatus(ServingStatus expected, Duration bound) throws InterruptedException {
    long deadline = System.nanoTime() + bound.toNanos();
    while (stub.check(HealthCheckRequest.getDefaultInstance()).getStatus() != expected) {
      assertThat(System.nanoTime()).as("health %s within %s", expected, bound).isLessThan(deadline);
      Thread.sleep(20);
    }
    assertStatus(expected);
  }
}
