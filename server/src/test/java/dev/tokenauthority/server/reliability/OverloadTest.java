package dev.tokenauthority.server.reliability;

import static dev.tokenauthority.server.testing.Errors.errorInfo;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.rpc.RetryInfo;
import dev.tokenauthority.client.Credentials;
import dev.tokenauthority.client.TokenAuthorityClient;
import dev.tokenauthority.server.Main;
import dev.tokenauthority.server.ServerConfig;
import dev.tokenauthority.server.TokenAuthorityServer;
import dev.tokenauthority.server.api.CallLimiter;
import dev.tokenauthority.server.testing.HoldService;
import dev.tokenauthority.server.testing.MetricsScrape;
import dev.tokenauthority.server.testing.TestStores;
import dev.tokenauthority.v1.CreateWorkspaceTokenRequest;
import dev.tokenauthority.v1.ListWorkspaceTokensRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.protobuf.StatusProto;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.StreamObserver;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Overload is shed, not queued: with a cap of {@value #CAP} concurrent calls and no queue,
 * {@value #CAP} calls held in flight by a test service under the same limiter take every slot;
 * then every further API call, over gRPC and over REST, is refused at once (while the held
 * calls still run) with RESOURCE_EXHAUSTED {@code OVERLOADED} + RetryInfo / HTTP 429 +
 * Retry-After; health and reflection still answer; the held calls complete OK; and afterwards
 * the server serves normally.
 */
@Timeout(120)
class OverloadTest {
  private static final Logger LOG = LoggerFactory.getLogger(OverloadTest.class);
  private static final int CAP = 4;
  private static final int REFUSED_GRPC = 24;
  private static final int FLOOD_CLIENTS = 32;
  private static final int FLOOD_MILLIS = 3000;

  @TempDir Path dataDir;
  private final HoldService hold = new HoldService();
  private TokenAuthorityServer server;
  private ManagedChannel channel;
  private TokenAuthorityClient admin;
  private ExecutorService pool;

  @BeforeEach
  void start() throws Exception {
    ServerConfig config = TestStores.config(dataDir).withGrpcPort(0).withHttpPort(ServerConfig.ANY_FREE_PORT)
        .withMetricsPort(ServerConfig.ANY_FREE_PORT).withMaxConcurrentCalls(CAP).withMaxQueuedCalls(0);
    server = new TokenAuthorityServer(config, Clock.systemUTC());
    server.start(Main.grpcServerBuilder(0).addService(ServerInterceptors.intercept(hold.service(), server.callLimiter())));
    channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
    admin = new TokenAuthorityClient(channel, Credentials.bearer(
        Files.readString(server.bootstrapFile(), StandardCharsets.US_ASCII).trim()));
    pool = Executors.newFixedThreadPool(8);
  }

  @AfterEach
  void stop() throws Exception {
    hold.release();
    pool.shutdownNow();
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.stop();
  }

  @Test
  void callsBeyondTheCapAreRefusedAtOnceWhileHealthAndReflectionStillAnswer() throws Exception {
    List<ListenableFuture<String>> held = fillEverySlot();

    // every further call is refused, while the held ones still run: not queued behind them
    long started = System.nanoTime();
    List<Future<StatusRuntimeException>> refusals = new ArrayList<>();
    for (int i = 0; i < REFUSED_GRPC; i++) {
      int n = i;
      refusals.add(pool.submit(() -> refusal(() -> {
        if (n % 3 == 0) {
          admin.createWorkspaceToken(CreateWorkspaceTokenRequest.newBuilder().setName("shed-" + n)
              .addScopes("tokens:read").build());
        } else if (n % 3 == 1) {
          admin.listWorkspaceTokens(ListWorkspaceTokensRequest.getDefaultInstance());
        } else {
          HoldService.call(channel, "one too many").get(30, TimeUnit.SECONDS);
        }
      })));
    }
    for (Future<StatusRuntimeException> refusal : refusals) {
      StatusRuntimeException e = refusal.get(30, TimeUnit.SECONDS);
      assertOverloaded(e);
    }
    double refusedWithinMillis = (System.nanoTime() - started) / 1e6;
    assertThat(held).as("the held calls are still running").noneMatch(ListenableFuture::isDone);
    LOG.info("OverloadTest: {} gRPC calls beyond a cap of {} refused within {} ms in all, while the held calls ran",
        REFUSED_GRPC, CAP, String.format("%.1f", refusedWithinMillis));

    // health and reflection are never shed
    assertThat(HealthGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
        .check(HealthCheckRequest.getDefaultInstance()).getStatus()).isEqualTo(ServingStatus.SERVING);
    assertThat(HealthGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
        .check(HealthCheckRequest.newBuilder().setService("tokenauthority.v1.WorkspaceTokenService").build())
        .getStatus()).isEqualTo(ServingStatus.SERVING);
    assertThat(listServicesByReflection()).contains("tokenauthority.v1.WorkspaceTokenService");
    assertThat(server.callLimiter().active()).isEqualTo(CAP);

    // the held calls complete normally once released, and the server serves again
    hold.release();
    for (ListenableFuture<String> call : held) {
      assertThat(call.get(30, TimeUnit.SECONDS)).startsWith("held-");
    }
    assertThat(admin.createWorkspaceToken(CreateWorkspaceTokenRequest.newBuilder().setName("after")
        .addScopes("tokens:read").build()).getStatus()).isEqualTo("active");
    assertThat(admin.listWorkspaceTokens(ListWorkspaceTokensRequest.getDefaultInstance()).getTokensList())
        .extracting(t -> t.getName()).contains("after").noneMatch(name -> name.startsWith("shed-"));
    awaitNoActiveCalls();

    String scrape = MetricsScrape.of(server.metricsPort());
    assertThat(MetricsScrape.value(scrape, "tokenauthority_calls_shed_total")).isGreaterThanOrEqualTo(REFUSED_GRPC);
    assertThat(scrape).contains("tokenauthority_calls_max " + (double) CAP);
    assertThat(scrape).containsPattern("grpc_server_processing_duration_seconds_count\\{[^}]*method=\"ListWorkspaceTokens\""
        + "[^}]*statusCode=\"RESOURCE_EXHAUSTED\"");
  }

  @Test
  void overRestTheRefusalIs429WithRetryAfterAndTheSameErrorBody() throws Exception {
    List<ListenableFuture<String>> held = fillEverySlot(); // gRPC and REST share one cap
    String admin = Files.readString(server.bootstrapFile(), StandardCharsets.US_ASCII).trim();
    HttpClient http = HttpClient.newHttpClient();
    String base = "http://127.0.0.1:" + server.httpPort();
    List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      responses.add(http.sendAsync(HttpRequest.newBuilder(URI.create(base + "/tokens")).timeout(Duration.ofSeconds(30))
          .header("Authorization", "Bearer " + admin).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"name\": \"rest-shed-" + i + "\", \"scopes\": [\"tokens:read\"]}"))
          .build(), HttpResponse.BodyHandlers.ofString()));
      responses.add(http.sendAsync(HttpRequest.newBuilder(URI.create(base + "/tokens")).timeout(Duration.ofSeconds(30))
          .header("Authorization", "Bearer " + admin).GET().build(), HttpResponse.BodyHandlers.ofString()));
    }
    for (CompletableFuture<HttpResponse<String>> future : responses) {
      HttpResponse<String> response = future.get(30, TimeUnit.SECONDS);
      assertThat(response.statusCode()).as(response.body()).isEqualTo(429);
      assertThat(response.headers().firstValue("Retry-After")).hasValue("1");
      assertThat(response.body()).contains("\"reason\":\"OVERLOADED\"").contains("google.rpc.RetryInfo")
          .doesNotContain("Exception");
    }
    // seed 001's routes answer in their own error shape
    HttpResponse<String> fault = http.send(HttpRequest.newBuilder(URI.create(base + "/fault/token"))
        .header("Authorization", "Bearer " + admin).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"expire_after_minutes\": 60}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(fault.statusCode()).isEqualTo(429);
    assertThat(fault.body()).contains("\"code\":\"rate_limited\"");
    assertThat(fault.headers().firstValue("Retry-After")).hasValue("1");
    assertThat(held).noneMatch(ListenableFuture::isDone);

    hold.release();
    for (ListenableFuture<String> call : held) {
      call.get(30, TimeUnit.SECONDS);
    }
    HttpResponse<String> after = http.send(HttpRequest.newBuilder(URI.create(base + "/tokens"))
        .header("Authorization", "Bearer " + admin).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"name\": \"rest-after\", \"scopes\": [\"tokens:read\"]}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(after.statusCode()).as(after.body()).isEqualTo(201);
  }

  /**
   * Real calls, no held ones: {@value #FLOOD_CLIENTS} clients in a closed loop against the cap of
   * {@value #CAP} for {@value #FLOOD_MILLIS} ms. Every answer is either served or shed with
   * OVERLOADED / 429 + Retry-After (never INTERNAL, UNKNOWN, UNAVAILABLE or a timeout), and
   * both happen; the counts go to the log.
   */
  @Test
  void underARealFloodEveryCallIsServedOrShedAndNothingElse() throws Exception {
    String secret = Files.readString(server.bootstrapFile(), StandardCharsets.US_ASCII).trim();
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    String base = "http://127.0.0.1:" + server.httpPort();
    java.util.Map<String, Integer> outcomes = new java.util.concurrent.ConcurrentHashMap<>();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(FLOOD_MILLIS);
    ExecutorService flood = Executors.newFixedThreadPool(FLOOD_CLIENTS);
    List<Future<?>> clients = new ArrayList<>();
    for (int c = 0; c < FLOOD_CLIENTS; c++) {
      int client = c;
      clients.add(flood.submit(() -> {
        for (int i = 0; System.nanoTime() < deadline; i++) {
          String outcome;
          if (client % 4 == 3) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + "/tokens"))
                .header("Authorization", "Bearer " + secret).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(
                    "{\"name\": \"flood-rest-" + client + "-" + i + "\", \"scopes\": [\"tokens:read\"]}")).build(),
                HttpResponse.BodyHandlers.ofString());
            outcome = "HTTP " + response.statusCode();
            if (response.statusCode() == 429 && (!response.body().contains("\"reason\":\"OVERLOADED\"")
                || !response.headers().firstValue("Retry-After").equals(java.util.Optional.of("1")))) {
              outcome = "HTTP 429 without OVERLOADED and Retry-After: " + response.body();
            }
          } else {
            try {
              admin.withDeadline(Duration.ofSeconds(30)).createWorkspaceToken(CreateWorkspaceTokenRequest.newBuilder()
                  .setName("flood-" + client + "-" + i).addScopes("tokens:read").build());
              outcome = "OK";
            } catch (StatusRuntimeException e) {
              outcome = e.getStatus().getCode() + (e.getStatus().getCode() == Status.Code.RESOURCE_EXHAUSTED
                  ? " " + errorInfo(e).getReason() : " " + e.getStatus().getDescription());
            }
          }
          outcomes.merge(outcome, 1, Integer::sum);
        }
        return null;
      }));
    }
    try {
      for (Future<?> client : clients) {
        client.get(60, TimeUnit.SECONDS);
      }
    } finally {
      flood.shutdownNow();
    }
    LOG.info("OverloadTest: {} clients for {} ms against a cap of {}: {}", FLOOD_CLIENTS, FLOOD_MILLIS, CAP, outcomes);
    assertThat(outcomes.keySet()).as("served or shed, nothing else")
        .isSubsetOf("OK", "RESOURCE_EXHAUSTED OVERLOADED", "HTTP 201", "HTTP 429");
    assertThat(outcomes.getOrDefault("OK", 0) + outcomes.getOrDefault("HTTP 201", 0)).as("served").isPositive();
    assertThat(outcomes.getOrDefault("RESOURCE_EXHAUSTED OVERLOADED", 0) + outcomes.getOrDefault("HTTP 429", 0))
        .as("shed").isPositive();
    awaitNoActiveCalls();
    assertThat(admin.createWorkspaceToken(CreateWorkspaceTokenRequest.newBuilder().setName("after-flood")
        .addScopes("tokens:read").build()).getStatus()).isEqualTo("active");
  }

  /** Holds {@value #CAP} calls under the limiter and waits until all of them run. */
  private List<ListenableFuture<String>> fillEverySlot() throws InterruptedException {
    List<ListenableFuture<String>> held = new ArrayList<>();
    for (int i = 0; i < CAP; i++) {
      held.add(HoldService.call(channel, "held-" + i));
    }
    assertThat(hold.awaitEntered(CAP)).as("%d calls held", CAP).isTrue();
    return held;
  }

  static void assertOverloaded(StatusRuntimeException e) throws Exception {
    assertThat(e).as("refused").isNotNull();
    assertThat(e.getStatus().getCode()).as(e.getStatus().toString()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(errorInfo(e).getReason()).isEqualTo("OVERLOADED");
    com.google.rpc.Status status = StatusProto.fromThrowable(e);
    RetryInfo retry = status.getDetailsList().stream().filter(a -> a.is(RetryInfo.class)).findFirst().orElseThrow()
        .unpack(RetryInfo.class);
    assertThat(Duration.ofSeconds(retry.getRetryDelay().getSeconds(), retry.getRetryDelay().getNanos()))
        .isEqualTo(CallLimiter.RETRY_AFTER);
    assertThat(e.getStatus().getDescription()).doesNotContain("Exception");
  }

  private static StatusRuntimeException refusal(ThrowingRunnable call) {
    try {
      call.run();
      return null;
    } catch (StatusRuntimeException e) {
      return e;
    } catch (java.util.concurrent.ExecutionException e) {
      return e.getCause() instanceof StatusRuntimeException s ? s : null;
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  interface ThrowingRunnable {
    void run() throws Exception;
  }

  private List<String> listServicesByReflection() throws Exception {
    CompletableFuture<List<String>> names = new CompletableFuture<>();
    StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(channel)
        .withDeadlineAfter(10, TimeUnit.SECONDS).serverReflectionInfo(new StreamObserver<>() {
          @Override
          public void onNext(ServerReflectionResponse response) {
            names.complete(response.getListServicesResponse().getServiceList().stream().map(s -> s.getName()).toList());
          }

          @Override
          public void onError(Throwable t) {
            names.completeExceptionally(t);
          }

          @Override
          public void onCompleted() {
            names.complete(List.of());
          }
        });
    requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
    requests.onCompleted();
    return names.get(10, TimeUnit.SECONDS);
  }

  private void awaitNoActiveCalls() throws InterruptedException {
    for (int i = 0; i < 500 && server.callLimiter().active() > 0; i++) {
      Thread.sleep(10); // the slot of a finished call is given back as its close returns
    }
    assertThat(server.callLimiter().active()).isZero();
  }

}
