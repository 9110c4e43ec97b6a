package dev.tokenauthority.server;

import dev.tokenauthority.server.store.Database;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports the store's reachability through gRPC health: every {@link #INTERVAL}, on a daemon
 * thread of its own, it checks the store ({@code SELECT 1} on a pooled connection) and sets
 * every service, and the server as a whole ({@code ""}), NOT_SERVING when the check fails and
 * SERVING again when it passes. Load balancers (Envoy's gRPC health checks) then route away
 * from a node that cannot reach its database, and back once it can, without a restart.
 *
 * <p>It logs one WARNING line when the store goes away and one INFO line when it returns,
 * never a line per check. {@link #stop} must come before the health manager enters its
 * terminal state: after it no check changes any status.
 */
final class StoreHealthMonitor {
  private static final Logger LOG = LoggerFactory.getLogger(StoreHealthMonitor.class);
  /** How often the store is checked. */
  static final Duration INTERVAL = Duration.ofSeconds(1);
  /** How long the {@code SELECT 1} itself may take. */
  static final Duration QUERY_TIMEOUT = Duration.ofSeconds(1);
  static final String THREAD = "store-health";

  /** One check of the store: returns if it is reachable, throws what went wrong if not. */
  @FunctionalInterface
  interface Probe {
    void check() throws Exception;
  }

  private final Probe probe;
  private final HealthStatusManager health;
  private final List<String> services;
  private ScheduledExecutorService executor;
  /** Guarded by this. */
  private boolean up = true;
  /** Guarded by this. */
  private boolean stopped;

  /** {@code services}: the names whose status follows the store's, besides {@code ""}. */
  StoreHealthMonitor(Probe probe, HealthStatusManager health, List<String> services) {
    this.probe = probe;
    this.health = health;
    List<String> all = new ArrayList<>(services);
    all.add(HealthStatusManager.SERVICE_NAME_ALL_SERVICES);
    this.services = List.copyOf(all);
  }

  /** A monitor of {@code database}. */
  static StoreHealthMonitor of(Database database, HealthStatusManager health, List<String> services) {
    return new StoreHealthMonitor(() -> database.ping(QUERY_TIMEOUT), health, services);
  }

  /** Starts checking every {@link #INTERVAL}; the statuses are assumed SERVING until a check fails. */
  synchronized void start() {
    executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, THREAD);
      thread.setDaemon(true);
      return thread;
    });
    long period = INTERVAL.toMillis();
    executor.scheduleWithFixedDelay(this::check, period, period, TimeUnit.MILLISECONDS);
  }

  /** Checks the store once and updates the statuses if it went away or came back. */
  void check() {
    Exception failure = null;
    try {
      probe.check();
    } catch (Exception e) { // never let the scheduled task die
      failure = e;
    }
    synchronized (this) {
      if (stopped) {
        return;
      }
      boolean reachable = failure == null;
      if (reachable == up) {
        return;
      }
      up = reachable;
      ServingStatus status = reachable ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
      services.forEach(name -> health.setStatus(name, status));
      if (reachable) {
        LOG.info("The token store is reachable again; health is SERVING");
      } else {
        LOG.warn("The token store is unreachable (" + Database.describe(failure)
            + "); health is NOT_SERVING until it returns");
      }
    }
  }

  /** Whether the last check found the store reachable. */
  synchronized boolean up() {
    return up;
  }

  /** Stops checking; no status changes after this returns. */
  void stop() throws InterruptedException {
    ScheduledExecutorService running;
    synchronized (this) {
      stopped = true;
      running = executor;
    }
    if (running != null) {
      running.shutdownNow();
      running.awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
