package dev.tokenauthority.server.gateway;

import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsServer;
import dev.tokenauthority.server.TransportLimits;
import dev.tokenauthority.server.api.AltostratErrors;
import dev.tokenauthority.server.api.ClientCertificates;
import dev.tokenauthority.server.api.RequestLogInterceptor;
import dev.tokenauthority.server.api.RestEdgeHeaders;
import dev.tokenauthority.server.gateway.HttpRoutes.Match;
import dev.tokenauthority.server.gateway.HttpRoutes.Route;
import dev.tokenauthority.server.gateway.HttpRoutes.WrongVerb;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import dev.tokenauthority.server.api.CallLimiter;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.Phaser;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded REST gateway: what Envoy's transcoder does in production (envoy/envoy.yaml),
 * in the server's own process, for laptops and CI where there is no Envoy. Routes come
 * from the descriptor set's HTTP rules; every request becomes a real gRPC call over an
 * in-process channel, so authentication, metadata, deadlines and errors are the gRPC
 * ones. Status codes follow Envoy's gRPC→HTTP table; error bodies are the
 * {@code google.rpc.Status} JSON Envoy's {@code convert_grpc_status} produces; the server's
 * {@link RestEdgeHeaders} become the status line and JSON nulls, as envoy/rest_edge.lua
 * makes them for Envoy.
 */
public final class RestGateway implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RestGateway.class);

  static {
    // TCP_NODELAY on the gateway's connections (read once, when the JDK's HTTP server is first
    // used). Over HTTPS the JDK server sends the headers and the body as separate TLS records;
    // with Nagle's algorithm the body then waits for the client's delayed ACK: 40+ ms a response.
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
  }
  /** The largest request body accepted (HTTP 413 beyond): the gRPC message cap. */
  public static final int MAX_BODY_BYTES = TransportLimits.MAX_MESSAGE_BYTES;
  /** Deadline of the gRPC call when the request sets no {@code grpc-timeout}. */
  private static final long DEFAULT_DEADLINE_MILLIS = 30_000;
  /** Request headers passed on as gRPC metadata. */
  private static final List<Metadata.Key<String>> FORWARDED = List.of(
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER),
      Metadata.Key.of("x-api-key", Metadata.ASCII_STRING_MARSHALLER));

  /**
   * The client's address, passed on as Envoy does with {@code use_remote_address}: appended to
   * whatever {@code x-forwarded-for} the request carried, so the server (which trusts this
   * in-process hop) finds the real peer as the last entry and cannot be fooled by the rest.
   */
  private static final Metadata.Key<String> FORWARDED_FOR =
      Metadata.Key.of("x-forwarded-for", Metadata.ASCII_STRING_MARSHALLER);

  /** Response metadata passed on as HTTP headers (what a service may set through RestResponse). */
  private static final List<Metadata.Key<String>> PASSED_THROUGH = List.of(
      Metadata.Key.of("location", Metadata.ASCII_STRING_MARSHALLER),
      Metadata.Key.of("cache-control", Metadata.ASCII_STRING_MARSHALLER));

  /** Requests the overflow thread may hold before connections are closed unanswered. */
  private static final int OVERFLOW_QUEUE = 1024;

  private final HttpServer server;
  private final ExecutorService executor;
  private final ExecutorService overflow;
  private final HttpRoutes routes;
  private final Transcoder transcoder;
  private final Channel channel;
  private final Map<String, MethodDescriptor<DynamicMessage, DynamicMessage>> methods = new ConcurrentHashMap<>();
  /** Exchanges being handled, so that stop can wait for them (and only them). */
  private final Phaser inFlight = new Phaser(1);
  private volatile boolean stopping;

  private final CorsPolicy cors;
  /** The OpenAPI document of {@link #routes}, served at {@link OpenApiDocument#PATH}. */
  private final OpenApiDocument openApi;

  private RestGateway(HttpServer server, ExecutorService executor, ExecutorService overflow, HttpRoutes routes,
      Channel channel, CorsPolicy cors) {
    this.server = server;
    this.overflow = overflow;
    this.openApi = OpenApiDocument.of(routes); // once, at start: a rule it cannot describe fails the start
    this.cors = cors;
    this.executor = executor;
    this.routes = routes;
    this.transcoder = new Transcoder(routes.messageTypes());
    this.channel = channel;
  }

  /**
   * Serves the HTTP rules of the packaged descriptor set on {@code port} (0: any free port),
   * calling {@code channel}; browsers from {@code corsOrigins} may call it cross-origin.
   */
  public static RestGateway start(int port, Channel channel, Set<String> corsOrigins) throws IOException {
    int workers = Math.max(8, 4 * Runtime.getRuntime().availableProcessors());
    return start(port, channel, corsOrigins, workers, workers, () -> { });
  }

  /**
   * As {@link #start(int, Channel, Set)}, with {@code workers} threads handling requests and at
   * most {@code queued} requests waiting for one. A request beyond that is never queued: a
   * thread of its own answers it at once with 429, reason {@code OVERLOADED}, and
   * {@code Retry-After} (as the call limiter answers when its slots are full), and
   * {@code onShed} counts it; if even that thread is swamped, the connection is closed.
   */
  public static RestGateway start(int port, Channel channel, Set<String> corsOrigins, int workers, int queued,
      Runnable onShed) throws IOException {
    return start(port, channel, corsOrigins, workers, queued, onShed, null);
  }

  /**
   * As {@link #start(int, Channel, Set, int, int, Runnable)}, serving HTTPS only when
   * {@code https} is not null (its SSL context and parameters: certificate, protocols, client
   * auth). A verified client certificate is forwarded to the gRPC call in
   * {@link ClientCertificates#FORWARDED_CERTIFICATE}.
   */
  public static RestGateway start(int port, Channel channel, Set<String> corsOrigins, int workers, int queued,
      Runnable onShed, HttpsConfigurator https) throws IOException {
    HttpRoutes routes = HttpRoutes.fromClasspath("/tokenauthority.pb");
    HttpServer server;
    if (https == null) {
      server = HttpServer.create(new InetSocketAddress(port), 0);
    } else {
      HttpsServer secure = HttpsServer.create(new InetSocketAddress(port), 0);
      secure.setHttpsConfigurator(https);
      server = secure;
    }
    ThreadPoolExecutor overflow = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
        new ArrayBlockingQueue<>(OVERFLOW_QUEUE), runnable -> new OverflowThread(runnable, onShed),
        new ThreadPoolExecutor.AbortPolicy()); // HttpServer closes the connection of a rejected exchange
    ThreadPoolExecutor executor = new ThreadPoolExecutor(workers, workers, 60, TimeUnit.SECONDS,
        queued == 0 ? new SynchronousQueue<>() : new ArrayBlockingQueue<>(queued), runnable -> {
          Thread thread = new Thread(runnable, "rest-gateway");
          thread.setDaemon(true);
          return thread;
        }, (runnable, full) -> overflow.execute(runnable));
    executor.allowCoreThreadTimeOut(true);
    server.setExecutor(executor);
    RestGateway gateway = new RestGateway(server, executor, overflow, routes, channel, new CorsPolicy(corsOrigins));
    server.createContext("/", gateway::handle);
    server.start();
    return gateway;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** Answers one exchange (package-private so the fuzz test can drive it without a socket). */
  void handle(HttpExchange exchange) throws IOException {
    inFlight.register();
    try (exchange) {
      if (stopping) {
        exchange.getResponseHeaders().set("Connection", "close");
        error(exchange, 503, Status.Code.UNAVAILABLE, "The server is shutting down; retry on another instance.");
        return;
      }
      if (Thread.currentThread() instanceof OverflowThread shedding) {
        overloaded(exchange, shedding.onShed);
        return;
      }
      if (refusedOverLimits(exchange)) {
        return;
      }
      boolean preflight = cors.isAllowedPreflight(exchange.getRequestMethod(), exchange.getRequestHeaders());
      cors.decorate(exchange.getRequestHeaders(), exchange.getResponseHeaders(), preflight);
      if (preflight) {
        exchange.sendResponseHeaders(200, -1); // as Envoy's cors filter answers a preflight
        return;
      }
      String path = exchange.getRequestURI().getRawPath();
      if (path.equals(OpenApiDocument.PATH) && exchange.getRequestMethod().equals("GET")) {
        send(exchange, 200, openApi.json()); // no credential: the API's shape is no secret
        return;
      }
      HttpRoutes.Resolution resolution = routes.resolve(exchange.getRequestMethod(), path);
      if (resolution instanceof Match match) {
        call(exchange, match);
      } else if (resolution instanceof WrongVerb wrong) {
        exchange.getResponseHeaders().set("Allow", String.join(", ", wrong.allowed()));
        error(exchange, 405, Status.Code.UNIMPLEMENTED,
            path + " does not answer " + exchange.getRequestMethod() + "; it answers " + wrong.allowed() + ".");
      } else {
        error(exchange, 404, Status.Code.NOT_FOUND, "No REST method at " + path + ".");
      }
    } catch (RuntimeException | IOException e) {
      LOG.error("REST gateway fault", e);
      error(exchange, 500, Status.Code.INTERNAL, "An internal error occurred in the REST gateway.");
    } finally {
      inFlight.arriveAndDeregister();
    }
  }

  /**
   * Answers 414 for a request target (path and query) over {@link TransportLimits#MAX_URL_CHARS}
   * and 431 for more than {@link TransportLimits#MAX_HEADER_COUNT} header lines or more than
   * {@link TransportLimits#MAX_METADATA_BYTES} of headers (name + value + 32 bytes each, as
   * HTTP/2 and gRPC count metadata), with the JSON error body; true if it answered. The JDK's
   * HTTP server parses up to its own, higher ceilings first (sun.net.httpserver.maxReqHeaders,
   * 200 lines, and sun.net.httpserver.maxReqHeaderSize, 380 KiB, on Java 17 and 25 alike) and
   * closes the connection without an answer past them.
   */
  private boolean refusedOverLimits(HttpExchange exchange) throws IOException {
    String query = exchange.getRequestURI().getRawQuery();
    int target = exchange.getRequestURI().getRawPath().length() + (query == null ? 0 : query.length() + 1);
    if (target > TransportLimits.MAX_URL_CHARS) {
      error(exchange, 414, Status.Code.INVALID_ARGUMENT, "The request target (" + target
          + " characters) exceeds the limit of " + TransportLimits.MAX_URL_CHARS + ".");
      return true;
    }
    long size = 0;
    int lines = 0;
    for (Map.Entry<String, List<String>> header : exchange.getRequestHeaders().entrySet()) {
      for (String value : header.getValue()) {
        lines++;
        size += header.getKey().length() + value.length() + 32;
      }
    }
    if (lines > TransportLimits.MAX_HEADER_COUNT || size > TransportLimits.MAX_METADATA_BYTES) {
      error(exchange, 431, Status.Code.RESOURCE_EXHAUSTED, "The request headers (" + lines + " lines, " + size
          + " bytes counted as name + value + 32 each) exceed the limit of " + TransportLimits.MAX_HEADER_COUNT
          + " lines and " + TransportLimits.MAX_METADATA_BYTES + " bytes.");
      return true;
    }
    return false;
  }

  private void call(HttpExchange exchange, Match match) throws IOException {
    Route route = match.route();
    byte[] body = readBody(exchange.getRequestBody());
    if (body == null) {
      error(exchange, 413, Status.Code.INVALID_ARGUMENT, "The request body exceeds " + MAX_BODY_BYTES + " bytes.");
      return;
    }
    if (body.length > 0 && !isJson(exchange.getRequestHeaders().getFirst("Content-Type"))) {
      error(exchange, 415, Status.Code.INVALID_ARGUMENT, "The request body must be JSON (Content-Type: application/json).");
      return;
    }
    DynamicMessage request;
    try {
      request = transcoder.request(route, match.variables(), query(exchange.getRequestURI().getRawQuery()),
          new String(body, StandardCharsets.UTF_8));
    } catch (Transcoder.BadRequest e) {
      error(exchange, 400, Status.Code.INVALID_ARGUMENT, e.getMessage());
      return;
    }
    Metadata headers = new Metadata();
    for (Metadata.Key<String> key : FORWARDED) {
      String value = exchange.getRequestHeaders().getFirst(key.name());
      if (value != null) {
        headers.put(key, value);
      }
    }
    headers.put(FORWARDED_FOR, forwardedFor(exchange));
    if (exchange instanceof HttpsExchange secure) {
      // verified by this gateway's handshake; only this in-process hop may set it (never copied from the request)
      byte[] certificate = ClientCertificates.leafDer(secure.getSSLSession());
      if (certificate != null) {
        headers.put(ClientCertificates.FORWARDED_CERTIFICATE, certificate);
      }
    }
    headers.put(RequestLogInterceptor.TRANSPORT, "rest");
    AtomicReference<Metadata> responseHeaders = new AtomicReference<>();
    AtomicReference<Metadata> trailers = new AtomicReference<>();
    Channel call = ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers),
        MetadataUtils.newCaptureMetadataInterceptor(responseHeaders, trailers));
    long deadline = GrpcTimeout.millis(exchange.getRequestHeaders().getFirst("grpc-timeout"), DEFAULT_DEADLINE_MILLIS);
    Message response;
    try {
      response = ClientCalls.blockingUnaryCall(call, method(route),
          CallOptions.DEFAULT.withDeadlineAfter(deadline, TimeUnit.MILLISECONDS), request);
    } catch (StatusRuntimeException e) {
      Metadata errorTrailers = e.getTrailers() == null ? new Metadata() : e.getTrailers();
      passThrough(errorTrailers, exchange);
      retryAfter(StatusProto.fromThrowable(e), exchange);
      String errorBody = errorTrailers.get(RestEdgeHeaders.ERROR_BODY_KEY);
      if (errorBody == null) {
        com.google.rpc.Status status = StatusProto.fromThrowable(e);
        if (status == null) {
          status = com.google.rpc.Status.newBuilder().setCode(e.getStatus().getCode().value())
              .setMessage(String.valueOf(e.getStatus().getDescription())).build();
        }
        errorBody = transcoder.print(status);
      }
      send(exchange, errorStatus(e.getStatus().getCode(), errorTrailers.get(RestEdgeHeaders.STATUS_KEY)), errorBody);
      return;
    }
    Metadata edge = responseHeaders.get() == null ? new Metadata() : responseHeaders.get();
    passThrough(edge, exchange);
    String declared = edge.get(RestEdgeHeaders.STATUS_KEY);
    String nulls = edge.get(RestEdgeHeaders.JSON_NULLS_KEY);
    send(exchange, declared == null ? 200 : Integer.parseInt(declared),
        JsonNulls.apply(transcoder.response(route, response), route.responseBody().isEmpty() ? nulls : null));
  }

  /**
   * The answer to a request that found every worker busy and the queue full: what the call
   * limiter answers (429, {@code OVERLOADED}, {@code RetryInfo} and {@code Retry-After}), without
   * reading the body or calling the server.
   */
  private void overloaded(HttpExchange exchange, Runnable onShed) throws IOException {
    onShed.run();
    io.grpc.StatusException refused = CallLimiter.overloaded();
    Metadata trailers = refused.getTrailers() == null ? new Metadata() : refused.getTrailers();
    com.google.rpc.Status status = StatusProto.fromStatusAndTrailers(refused.getStatus(), trailers);
    retryAfter(status, exchange);
    String body = exchange.getRequestURI().getRawPath().startsWith(AltostratErrors.PATH_PREFIX)
        ? AltostratErrors.forStatus(refused.getStatus(), trailers) : transcoder.print(status);
    send(exchange, HttpStatuses.of(refused.getStatus().getCode()), body);
  }

  /** A thread that answers only requests the workers had no room for. */
  private static final class OverflowThread extends Thread {
    final Runnable onShed;

    OverflowThread(Runnable runnable, Runnable onShed) {
      super(runnable, "rest-gateway-overflow");
      setDaemon(true);
      this.onShed = onShed;
    }
  }

  /** Every incoming {@code x-forwarded-for} value, in order, then the HTTP client's own address. */
  private static String forwardedFor(HttpExchange exchange) {
    List<String> hops = new ArrayList<>();
    List<String> incoming = exchange.getRequestHeaders().get(FORWARDED_FOR.name());
    if (incoming != null) {
      incoming.stream().filter(value -> !value.isBlank()).forEach(hops::add);
    }
    hops.add(exchange.getRemoteAddress().getAddress().getHostAddress());
    return String.join(", ", hops);
  }

  /**
   * {@code Retry-After} (whole seconds, rounded up) from the error's {@code google.rpc.RetryInfo},
   * if it has one: a rate-limited authentication (429) says when to try again.
   */
  private static void retryAfter(com.google.rpc.Status status, HttpExchange exchange) {
    if (status == null) {
      return;
    }
    for (com.google.protobuf.Any detail : status.getDetailsList()) {
      if (detail.is(com.google.rpc.RetryInfo.class)) {
        try {
          com.google.protobuf.Duration delay = detail.unpack(com.google.rpc.RetryInfo.class).getRetryDelay();
          long seconds = Math.max(0, delay.getSeconds() + (delay.getNanos() > 0 ? 1 : 0));
          exchange.getResponseHeaders().set("Retry-After", Long.toString(seconds));
        } catch (com.google.protobuf.InvalidProtocolBufferException ignored) {
          // a detail that does not parse says nothing about retrying
        }
        return;
      }
    }
  }

  /** Envoy's status for {@code code}, unless the service chose another error status (as rest_edge.lua decides). */
  private static int errorStatus(Status.Code code, String declared) {
    int chosen = declared == null ? 0 : Integer.parseInt(declared);
    return chosen >= 400 ? chosen : HttpStatuses.of(code);
  }

  /** The response headers a service set for REST callers ({@code RestResponse}), as Envoy passes them on. */
  private static void passThrough(Metadata metadata, HttpExchange exchange) {
    for (Metadata.Key<String> key : PASSED_THROUGH) {
      String value = metadata.get(key);
      if (value != null) {
        exchange.getResponseHeaders().set(key.name(), value);
      }
    }
  }

  private MethodDescriptor<DynamicMessage, DynamicMessage> method(Route route) {
    return methods.computeIfAbsent(route.method().getFullName(), name -> MethodDescriptor
        .<DynamicMessage, DynamicMessage>newBuilder()
        .setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(MethodDescriptor.generateFullMethodName(
            route.method().getService().getFullName(), route.method().getName()))
        .setRequestMarshaller(ProtoUtils.marshaller(DynamicMessage.getDefaultInstance(route.method().getInputType())))
        .setResponseMarshaller(ProtoUtils.marshaller(DynamicMessage.getDefaultInstance(route.method().getOutputType())))
        .build());
  }

  /** The body, or null if it is longer than {@link #MAX_BODY_BYTES}. */
  private static byte[] readBody(InputStream in) throws IOException {
    byte[] body = in.readNBytes(MAX_BODY_BYTES + 1);
    return body.length > MAX_BODY_BYTES ? null : body;
  }

  private static boolean isJson(String contentType) {
    if (contentType == null) {
      return false;
    }
    String type = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    return type.equals("application/json") || type.endsWith("+json");
  }

  private static Map<String, List<String>> query(String raw) {
    Map<String, List<String>> parameters = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return parameters;
    }
    for (String pair : raw.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      String[] kv = pair.split("=", 2);
      String key = URLDecoder.decode(kv[0], StandardCharsets.UTF_8);
      String value = kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "";
      parameters.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
    }
    return parameters;
  }

  /**
   * Answers an error the gateway decides itself: the {@code google.rpc.Status} JSON, or under
   * the Altostrat routes the Altostrat body, as Envoy's transcoder and Lua filter answer.
   */
  private void error(HttpExchange exchange, int httpStatus, Status.Code code, String message) throws IOException {
    if (exchange.getRequestURI().getRawPath().startsWith(AltostratErrors.PATH_PREFIX)) {
      send(exchange, httpStatus, AltostratErrors.forEdge(httpStatus));
      return;
    }
    try {
      send(exchange, httpStatus, transcoder.print(
          com.google.rpc.Status.newBuilder().setCode(code.value()).setMessage(message).build()));
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("a google.rpc.Status always prints", e);
    }
  }

  private static void send(HttpExchange exchange, int status, String json) throws IOException {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  /**
   * Answers new requests 503, lets in-flight ones finish for up to {@code graceSeconds},
   * then closes every connection. (HttpServer.stop(delay) itself waits the whole delay
   * while idle keep-alive connections are open, before JDK 22.)
   */
  public void stop(int graceSeconds) {
    stopping = true;
    try {
      inFlight.awaitAdvanceInterruptibly(inFlight.arrive(), graceSeconds, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (TimeoutException e) {
      LOG.warn("REST requests still running after " + graceSeconds + " s; closing their connections");
    }
    server.stop(0);
    executor.shutdownNow();
    overflow.shutdownNow();
  }

  @Override
  public void close() {
    stop(0);
  }
}
