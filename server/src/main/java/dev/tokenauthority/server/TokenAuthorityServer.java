package dev.tokenauthority.server;

import dev.tokenauthority.server.api.ApiServices;
import dev.tokenauthority.server.api.CallLimiter;
import dev.tokenauthority.server.api.DeadlineInterceptor;
import dev.tokenauthority.server.api.MetadataLimitInterceptor;
import dev.tokenauthority.server.core.AccessTokens;
import dev.tokenauthority.server.core.AccountApiTokens;
import dev.tokenauthority.server.core.Audit;
import dev.tokenauthority.server.core.AuthRateLimiter;
import dev.tokenauthority.server.core.CoreMetrics;
import dev.tokenauthority.server.core.Directory;
import dev.tokenauthority.server.core.MasterKey;
import dev.tokenauthority.server.core.Secrets;
import dev.tokenauthority.server.core.ShareLinks;
import dev.tokenauthority.server.core.SigningKeys;
import dev.tokenauthority.server.core.Tenants;
import dev.tokenauthority.server.core.TokenCore;
import dev.tokenauthority.server.core.TokenLifecycle;
import dev.tokenauthority.server.gateway.RestGateway;
import dev.tokenauthority.server.metrics.Metrics;
import dev.tokenauthority.server.store.Database;
import dev.tokenauthority.server.transport.ServerTls;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerServiceDefinition;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires the store, the core and the API services, and owns the gRPC server's life:
 * {@link #start}, {@link #stop}, {@link #blockUntilShutdown}. It takes any
 * {@link ServerBuilder}, so tests run it in-process and {@link Main} on Netty.
 */
public final class TokenAuthorityServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TokenAuthorityServer.class);
  /** The name of the thread that reloads and rotates the signing keys. */
  static final String KEY_MAINTENANCE_THREAD = "signing-key-maintenance";

  private final ServerConfig config;
  private final Database database;
  private final Audit audit;
  private final List<ServerServiceDefinition> services;
  private final HealthStatusManager health = new HealthStatusManager();
  private final Path bootstrapFile;
  private final SigningKeys keys;
  private ScheduledExecutorService keyMaintenance;
  /** Whether the last key maintenance failed for a store outage (logged once, not every run). */
  private boolean keyMaintenanceDown;
  private StoreHealthMonitor storeHealth;
  private Server server;
  private Server gatewayBackend;
  private ManagedChannel gatewayChannel;
  private RestGateway gateway;
  /** The Prometheus metrics and their endpoint, or null when {@code metricsPort} is 0. */
  private final Metrics metrics;
  /** The server-side deadline of every API call ({@code maxCallDuration}); its timer thread stops with the server. */
  private final DeadlineInterceptor deadline;
  /** The one cap on concurrently executing API calls, gRPC and REST together. */
  private final CallLimiter limiter;
  /** The TLS of the gRPC port and the REST gateway, or null for plaintext. */
  private final ServerTls tls;

  /**
   * Opens (and migrates) the store, loads the signing keys (rotating first if the current
   * key is older than the configured interval), and bootstraps an empty store.
   */
  public TokenAuthorityServer(ServerConfig config, Clock clock) throws IOException {
    this.config = config;
    this.tls = ServerTls.load(config, clock); // first: a bad TLS file is a usage error, before the store opens
    this.metrics = config.metricsPort() == 0 ? null : new Metrics();
    this.deadline = new DeadlineInterceptor(config.maxCallDuration());
    try {
      this.database = Database.open(config.effectiveDbUrl(), config.dbUser(), config.dbPassword(), config.dbPoolSize(),
          config.dbConnectTimeout(), metrics == null ? null : metrics.registry(), config.lookupCacheEntries());
    } catch (RuntimeException e) {
      closeMetrics();
      throw e;
    }
    try {
      Secrets secrets = new Secrets();
      this.audit = new Audit(database, secrets, clock, config.auditAuthFailuresPerSecond());
      this.keys = new SigningKeys(database, MasterKey.load(config.masterKey(), config.dataDir()), clock,
          () -> secrets.newId("key_", 24), audit);
      keys.start();
      keys.rotateIfDue(config.keyRotationInterval());
      Directory directory = new Directory(database, audit, secrets, clock);
      TokenCore tokens = new TokenCore(database, directory, audit, secrets, keys, clock, config.issuer(),
          config.publicUrl(), metrics == null ? CoreMetrics.NONE : metrics,
          new AuthRateLimiter(clock, config.authFailuresPerMinute()));
      Tenants tenants = new Tenants(database, directory, tokens, audit, secrets, clock);
      this.bootstrapFile = tenants.bootstrapIfEmpty(config.adminEmail(), config.dataDir());
      TokenLifecycle lifecycle = new TokenLifecycle(database, directory, audit, clock);
      this.limiter = new CallLimiter(config.effectiveMaxConcurrentCalls(), config.maxQueuedCalls(), CallLimiter.MAX_WAIT,
          metrics == null ? () -> { } : metrics::callShed);
      if (metrics != null) {
        metrics.bindCallLimiter(limiter::active, limiter::waiting, limiter.maxConcurrentCalls());
      }
      this.services = ApiServices.create(tokens, lifecycle, new AccessTokens(database, directory, lifecycle, audit, clock),
          new AccountApiTokens(database, directory, lifecycle), directory, tenants, keys,
          new ShareLinks(database, clock, config.shareLinkTarget()), audit, config.trustedProxies(), deadline,
          limiter);
    } catch (IOException | RuntimeException e) {
      database.close();
      closeMetrics();
      throw e;
    }
  }

  /**
   * Adds the API, health and reflection services to {@code builder} and starts serving, with
   * the {@link TransportLimits} on message and metadata size (whatever the transport's own
   * defaults: grpc-java's are 4 MiB and 8 KiB). With TLS configured, {@code builder} must be a
   * {@link NettyServerBuilder} (the TLS is set on it).
   */
  public TokenAuthorityServer start(ServerBuilder<?> builder) throws IOException {
    if (tls != null) {
      if (!(builder instanceof NettyServerBuilder netty)) {
        throw new IllegalStateException("TLS is configured: serve it on a NettyServerBuilder (Main.grpcServerBuilder)");
      }
      netty.sslContext(tls.grpcContext());
    }
    limit(builder);
    services.forEach(builder::addService);
    builder.addService(health.getHealthService()).addService(ProtoReflectionServiceV1.newInstance());
    if (metrics != null) {
      builder.intercept(metrics.grpcInterceptor(Metrics.GRPC)); // outermost: sees auth's refusals, health too
    }
    server = builder.build().start();
    if (config.httpPort() != 0) {
      startGateway();
    }
    if (metrics != null) {
      metrics.serve(config.metricsPort() == ServerConfig.ANY_FREE_PORT ? 0 : config.metricsPort());
    }
    startKeyMaintenance();
    services.forEach(s -> health.setStatus(s.getServiceDescriptor().getName(), ServingStatus.SERVING));
    health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, ServingStatus.SERVING);
    storeHealth = StoreHealthMonitor.of(database, health,
        services.stream().map(s -> s.getServiceDescriptor().getName()).toList());
    storeHealth.start();
    return this;
  }

  /** Sets the {@link TransportLimits} a gRPC server enforces itself. */
  static ServerBuilder<?> limit(ServerBuilder<?> builder) {
    return builder.maxInboundMessageSize(TransportLimits.MAX_MESSAGE_BYTES)
        .maxInboundMetadataSize(TransportLimits.TRANSPORT_METADATA_BYTES)
        .intercept(new MetadataLimitInterceptor()); // added before metrics': metrics counts its refusals
  }

  /**
   * The REST gateway calls the same service definitions (interceptors included) through an
   * in-process server. Its handlers run on gRPC's executor, not on the HTTP worker's thread:
   * a worker blocked inside a handler could not receive the call's DEADLINE_EXCEEDED, so the
   * server-side deadline (and the gateway's own) would not bound REST calls.
   */
  private void startGateway() throws IOException {
    String name = "rest-gateway-" + UUID.randomUUID();
    InProcessServerBuilder backend = InProcessServerBuilder.forName(name);
    limit(backend);
    services.forEach(backend::addService);
    if (metrics != null) {
      backend.intercept(metrics.grpcInterceptor(Metrics.REST)); // REST calls count too, as transport="rest"
    }
    gatewayBackend = backend.build().start();
    gatewayChannel = InProcessChannelBuilder.forName(name).directExecutor().build();
    // enough workers that REST calls alone can fill the limiter's slots and queue: beyond that
    // the limiter refuses them at once, so the gateway's own (bounded) queue stays short
    int workers = Math.max(8, limiter.maxConcurrentCalls() + limiter.maxQueuedCalls());
    gateway = RestGateway.start(config.httpPort() == ServerConfig.ANY_FREE_PORT ? 0 : config.httpPort(),
        gatewayChannel, config.corsOrigins(), workers, workers, limiter::shedElsewhere,
        tls == null ? null : tls.httpsConfigurator());
  }

  /**
   * Every {@link SigningKeys#REFRESH_INTERVAL}, on a thread of its own: reload the signing
   * keys (other nodes may have rotated) and rotate if the current key is older than the
   * configured interval. A failure is logged and retried next time; a store outage is logged
   * once (one line, no stack trace) and its end once, not every run.
   */
  private void startKeyMaintenance() {
    keyMaintenance = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, KEY_MAINTENANCE_THREAD);
      thread.setDaemon(true);
      return thread;
    });
    long period = SigningKeys.REFRESH_INTERVAL.toMillis();
    keyMaintenance.scheduleWithFixedDelay(() -> {
      try {
        keys.refresh();
        keys.rotateIfDue(config.keyRotationInterval());
        if (keyMaintenanceDown) {
          keyMaintenanceDown = false;
          LOG.info("Signing key maintenance resumed: the token store is reachable again");
        }
      } catch (RuntimeException e) {
        if (!Database.isUnavailable(e)) {
          LOG.warn("Signing key maintenance failed; retrying in "
              + SigningKeys.REFRESH_INTERVAL.toSeconds() + " s", e);
        } else if (!keyMaintenanceDown) {
          keyMaintenanceDown = true;
          LOG.warn("Signing key maintenance paused: the token store is unavailable (" + Database.describe(e)
              + "); retrying every " + SigningKeys.REFRESH_INTERVAL.toSeconds() + " s");
        }
      }
    }, period, period, TimeUnit.MILLISECONDS);
  }

  /**
   * The cap every API call passes (gRPC and REST). Services an embedder adds to the builder
   * before {@link #start} can be put under the same cap with
   * {@code ServerInterceptors.intercept(service, server.callLimiter())}.
   */
  public CallLimiter callLimiter() {
    return limiter;
  }

  /** The store (tests close it to cut the database away from a running server). */
  Database database() {
    return database;
  }

  /** The REST gateway's port, or 0 when it is off. */
  public int httpPort() {
    return gateway == null ? 0 : gateway.port();
  }

  /** The Prometheus endpoint's port, or 0 when metrics are off. */
  public int metricsPort() {
    return metrics == null ? 0 : metrics.port();
  }

  /** The port the server listens on (-1 in-process). */
  public int port() {
    return server.getPort();
  }

  /** The bootstrap token file written by this start, or null if the store was already bootstrapped. */
  public Path bootstrapFile() {
    return bootstrapFile;
  }

  /**
   * Graceful stop: health turns NOT_SERVING (load balancers drain), new calls are refused,
   * in-flight calls get the configured grace, then the rest are cancelled and the store closes.
   */
  public void stop() throws InterruptedException {
    if (storeHealth != null) {
      storeHealth.stop(); // before the health manager's terminal state, which no check may undo
    }
    if (keyMaintenance != null) {
      keyMaintenance.shutdownNow();
      keyMaintenance.awaitTermination(5, TimeUnit.SECONDS);
    }
    if (gateway != null) {
      gateway.stop((int) Math.min(config.shutdownGrace().toSeconds(), 5));
      gatewayChannel.shutdownNow();
      gatewayBackend.shutdownNow();
    }
    if (server != null) {
      health.enterTerminalState();
      server.shutdown();
      if (!server.awaitTermination(config.shutdownGrace().toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warn("In-flight calls did not finish within " + config.shutdownGrace() + "; cancelling them");
        server.shutdownNow();
        server.awaitTermination(5, TimeUnit.SECONDS);
      }
    }
    audit.flush(); // the count of failed authentications not recorded one by one, if any
    database.close();
    closeMetrics();
  }

  /** Closes what the constructor started besides the store: the deadline timer and the metrics. */
  private void closeMetrics() {
    deadline.close();
    if (metrics != null) {
      metrics.close();
    }
  }

  public void blockUntilShutdown() throws InterruptedException {
    server.awaitTermination();
  }

  @Override
  public void close() throws InterruptedException {
    stop();
  }
}
