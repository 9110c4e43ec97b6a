package dev.tokenauthority.server.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tokenauthority.server.core.CoreMetrics;
import dev.tokenauthority.server.core.Failure;
import dev.tokenauthority.server.core.TokenKind;
import io.grpc.ServerInterceptor;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.grpc.MetricCollectingServerInterceptor;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The server's Prometheus metrics: one registry, the core's counters (tokens minted by kind,
 * credentials refused by reason), the gRPC binder's per-method counters and latency
 * histograms, the connection pool's gauges (registered by the store) and the JVM's, served as
 * {@code GET /metrics} on a port of its own. Labels only ever hold enum names, method names,
 * status codes and fixed words: never a secret, a credential or an identifier.
 */
public final class Metrics implements CoreMetrics, AutoCloseable {
  /** The text exposition format Prometheus scrapes. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
  /** The {@code transport} label of calls over gRPC. */
  public static final String GRPC = "grpc";
  /** The {@code transport} label of calls through the embedded REST gateway. */
  public static final String REST = "rest";
  /**
   * Only the credential refusals (and the rate limiter's, which stand in for them); other
   * reasons never reach {@link #authenticationFailed}.
   */
  private static final List<Failure.Reason> AUTH_REASONS = List.of(Failure.Reason.CREDENTIAL_MISSING,
      Failure.Reason.CREDENTIAL_INVALID, Failure.Reason.CREDENTIAL_EXPIRED, Failure.Reason.CREDENTIAL_REVOKED,
      Failure.Reason.AUTH_RATE_LIMITED);
  /**
   * Latency histogram buckets: Prometheus' customary set, 1 ms to 10 s. Fixed buckets keep
   * the series per method and code few (a percentile histogram would publish about 70).
   */
  private static final Duration[] LATENCY_BUCKETS = {Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5),
      Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100),
      Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500),
      Duration.ofSeconds(5), Duration.ofSeconds(10)};

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Map<TokenKind, Counter> minted = new EnumMap<>(TokenKind.class);
  private final Map<Failure.Reason, Counter> refused = new EnumMap<>(Failure.Reason.class);
  private final Counter shed;
  private final JvmGcMetrics gc = new JvmGcMetrics();
  private HttpServer http;

  public Metrics() {
    for (TokenKind kind : TokenKind.values()) { // every kind present from the start, at 0
      minted.put(kind, Counter.builder("tokenauthority.tokens.minted")
          .description("Tokens minted and stored, by kind").tag("kind", kind.name()).register(registry));
    }
    for (Failure.Reason reason : AUTH_REASONS) {
      refused.put(reason, authFailures(reason));
    }
    shed = Counter.builder("tokenauthority.calls.shed")
        .description("API calls refused with RESOURCE_EXHAUSTED OVERLOADED (HTTP 429) because the server was at capacity")
        .register(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
  }

  private Counter authFailures(Failure.Reason reason) {
    return Counter.builder("tokenauthority.auth.failures")
        .description("Credentials refused, by reason (the API's ErrorReason)").tag("reason", reason.name())
        .register(registry);
  }

  /** The registry: the store's pool reports to it. */
  public MeterRegistry registry() {
    return registry;
  }

  @Override
  public void minted(TokenKind kind) {
    minted.get(kind).increment();
  }

  @Override
  public void authenticationFailed(Failure.Reason reason) {
    Counter counter = refused.get(reason); // the map is only read after construction: no lock
    (counter != null ? counter : authFailures(reason)).increment();
  }

  /** Counts one call refused for overload (the call limiter's, or the REST gateway's full queue). */
  public void callShed() {
    shed.increment();
  }

  /**
   * Gauges of the call limiter, read at scrape time only: {@code tokenauthority_calls_active}
   * (executing), {@code tokenauthority_calls_waiting} (waiting for a slot) and
   * {@code tokenauthority_calls_max} (the cap).
   */
  public void bindCallLimiter(java.util.function.IntSupplier active, java.util.function.IntSupplier waiting, int max) {
    io.micrometer.core.instrument.Gauge.builder("tokenauthority.calls.active", active::getAsInt)
        .description("API calls executing now (gRPC and REST)").register(registry);
    io.micrometer.core.instrument.Gauge.builder("tokenauthority.calls.waiting", waiting::getAsInt)
        .description("API calls waiting for a free slot").register(registry);
    io.micrometer.core.instrument.Gauge.builder("tokenauthority.calls.max", () -> max)
        .description("The most API calls that may execute at once (--max-concurrent-calls)").register(registry);
  }

  /**
   * Micrometer's gRPC binder for every call on one transport: {@code grpc_server_requests_received},
   * {@code grpc_server_responses_sent} and the {@code grpc_server_processing_duration_seconds}
   * histogram, labelled with service, method, methodType, statusCode (the timer) and
   * {@code transport} ({@link #GRPC} or {@link #REST}).
   */
  public ServerInterceptor grpcInterceptor(String transport) {
    return new MetricCollectingServerInterceptor(registry, counter -> counter.tag("transport", transport),
        timer -> timer.tag("transport", transport).serviceLevelObjectives(LATENCY_BUCKETS));
  }

  /** The current scrape, as {@code GET /metrics} answers it. */
  public String scrape() {
    return registry.scrape();
  }

  /**
   * Serves {@code GET /metrics} on {@code port} (0: any free port), on every interface like
   * the other ports; returns the port bound.
   */
  public int serve(int port) throws IOException {
    http = HttpServer.create(new InetSocketAddress(port), 0);
    http.createContext("/", this::handle);
    http.start();
    return http.getAddress().getPort();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!exchange.getRequestURI().getPath().equals("/metrics")) {
        exchange.sendResponseHeaders(404, -1);
        return;
      }
      boolean head = exchange.getRequestMethod().equals("HEAD");
      if (!head && !exchange.getRequestMethod().equals("GET")) {
        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        exchange.sendResponseHeaders(405, -1);
        return;
      }
      byte[] body = scrape().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
      exchange.sendResponseHeaders(200, head ? -1 : body.length);
      if (!head) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      }
    }
  }

  /** The endpoint's port, or 0 when it is not served. */
  public int port() {
    return http == null ? 0 : http.getAddress().getPort();
  }

  /** Stops the endpoint and the GC listener. */
  @Override
  public void close() {
    if (http != null) {
      http.stop(0);
    }
    gc.close();
    registry.close();
  }
}
