package dev.tokenauthority.server.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tokenauthority.client.Credentials;
import dev.tokenauthority.client.TokenAuthorityClient;
import dev.tokenauthority.server.Main;
import dev.tokenauthority.server.ServerConfig;
import dev.tokenauthority.server.TokenAuthorityServer;
import dev.tokenauthority.server.testing.GatewayWorkers;
import dev.tokenauthority.server.testing.HoldService;
import dev.tokenauthority.server.testing.InProcessAuthority;
import dev.tokenauthority.server.testing.TestStores;
import dev.tokenauthority.v1.CreateWorkspaceTokenRequest;
import dev.tokenauthority.v1.WorkspaceToken;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
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
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Graceful shutdown under load: while clients mint, {@link TokenAuthorityServer#stop} is called
 * with calls held in flight. Calls that had started complete OK; calls sent after the stop began
 * are refused at once (gRPC UNAVAILABLE; REST 503, then connection refused), never INTERNAL,
 * UNKNOWN or a hang; and every token whose mint was acknowledged is in the store when it is
 * opened again.
 */
@Timeout(180)
class ShutdownUnderLoadTest {
  private static final Logger LOG = LoggerFactory.getLogger(ShutdownUnderLoadTest.class);
  private static final int CLIENTS = 6;

  @TempDir Path dataDir;
  private final HoldService hold = new HoldService();
  /** id → secret of every token whose mint was acknowledged. */
  private final Map<String, String> acknowledged = new ConcurrentHashMap<>();
  /** Every outcome other than an acknowledged mint: gRPC code names, HTTP statuses, exception types. */
  private final Map<String, Integer> refusals = new ConcurrentHashMap<>();

  @Test
  void overGrpcInFlightCallsFinishAndNewOnesAreRefusedWithUnavailable() throws Exception {
    TokenAuthorityServer server = start(0);
    ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
    ExecutorService clients = Executors.newFixedThreadPool(CLIENTS + 1);
    try {
      TokenAuthorityClient admin = new TokenAuthorityClient(channel, Credentials.bearer(adminSecret(server)));
      AtomicBoolean done = new AtomicBoolean();
      List<Future<?>> load = new ArrayList<>();
      for (int c = 0; c < CLIENTS; c++) {
        int client = c;
        load.add(clients.submit(() -> mintOverGrpc(admin, client, done)));
      }
      awaitAcknowledged(50);
      List<ListenableFuture<String>> held = List.of(HoldService.call(channel, "held-0"), HoldService.call(channel, "held-1"));
      assertThat(hold.awaitEntered(2)).isTrue();

      long stopStarted = System.nanoTime();
      Future<?> stopping = clients.submit(() -> {
        server.stop();
        return null;
      });
      awaitRefusedOnANewConnection(server.port());
      // the stop waits for the held calls; meanwhile new calls, on the old connection too, are refused. The
      // listener closes before the client has read the server's GOAWAY, so a call started in that window may
      // still be accepted (gRPC's graceful shutdown admits streams until its second GOAWAY): such a call must
      // then be acknowledged and stored like any other; the next ones are refused.
      long probe = System.nanoTime();
      StatusRuntimeException refused = null;
      int racedWithGoAway = 0;
      while (refused == null && System.nanoTime() - probe < TimeUnit.SECONDS.toNanos(10)) {
        try {
          WorkspaceToken late = admin.withDeadline(Duration.ofSeconds(10)).createWorkspaceToken(
              CreateWorkspaceTokenRequest.newBuilder().setName("too-late-" + racedWithGoAway).addScopes("tokens:read").build());
          acknowledged.put(late.getId(), late.getToken());
          racedWithGoAway++;
        } catch (StatusRuntimeException e) {
          refused = e;
        }
      }
      double refusedMillis = (System.nanoTime() - probe) / 1e6;
      assertThat(refused).as("a new call during the stop is refused").isNotNull();
      assertThat(refused.getStatus().getCode()).as(refused.getStatus().toString()).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(held).noneMatch(ListenableFuture::isDone);
      assertThat(stopping.isDone()).as("stop waits for the calls in flight").isFalse();

      hold.release();
      for (ListenableFuture<String> call : held) {
        assertThat(call.get(30, TimeUnit.SECONDS)).startsWith("held-");
      }
      stopping.get(60, TimeUnit.SECONDS);
      double stopMillis = (System.nanoTime() - stopStarted) / 1e6;
      done.set(true);
      for (Future<?> client : load) {
        client.get(30, TimeUnit.SECONDS);
      }
      assertThat(refusals.keySet()).as("every call not acknowledged was refused with UNAVAILABLE").containsOnly("UNAVAILABLE");
      LOG.info("ShutdownUnderLoadTest (gRPC): {} mints acknowledged, refusals {}, a new call during the stop refused "
          + "in {} ms ({} accepted before the client read the GOAWAY), stop took {} ms (held calls released by the test)",
          acknowledged.size(), refusals, String.format("%.1f", refusedMillis), racedWithGoAway,
          String.format("%.0f", stopMillis));
    } finally {
      hold.release();
      clients.shutdownNow();
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    assertEveryAcknowledgedTokenIsStored();
  }

  @Test
  void overRestInFlightRequestsFinishAndNewOnesGet503ThenConnectionRefused() throws Exception {
    TokenAuthorityServer server = start(ServerConfig.ANY_FREE_PORT);
    String secret = adminSecret(server);
    String base = "http://127.0.0.1:" + server.httpPort();
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    ExecutorService clients = Executors.newFixedThreadPool(CLIENTS + 1);
    try {
      AtomicBoolean done = new AtomicBoolean();
      List<Future<?>> load = new ArrayList<>();
      for (int c = 0; c < CLIENTS; c++) {
        int client = c;
        load.add(clients.submit(() -> mintOverRest(http, base, secret, client, done)));
      }
      awaitAcknowledged(30);

      String body = "{\"name\": \"in-flight\", \"scopes\": [\"tokens:read\"]}";
      try (Socket slow = new Socket("127.0.0.1", server.httpPort())) {
        OutputStream out = slow.getOutputStream();
        out.write(("POST /tokens HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + secret
            + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length() + "\r\nConnection: close\r\n\r\n"
            + body.substring(0, 10)).getBytes(StandardCharsets.US_ASCII));
        out.flush();
        GatewayWorkers.awaitOneReadingABody();

        Future<?> stopping = clients.submit(() -> {
          server.stop();
          return null;
        });
        HttpResponse<String> refused = awaitRest503(http, base, secret);
        assertThat(refused.body()).contains("shutting down").doesNotContain("Exception");
        assertThat(stopping.isDone()).as("stop waits for the request in flight").isFalse();

        out.write(body.substring(10).getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String response = new String(slow.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(response).startsWith("HTTP/1.1 201");
        JsonObject minted = JsonParser.parseString(response.substring(response.indexOf("\r\n\r\n") + 4)).getAsJsonObject();
        acknowledged.put(minted.get("id").getAsString(), minted.get("token").getAsString());
        stopping.get(60, TimeUnit.SECONDS);
      }
      // stopped: the port no longer accepts connections
      IOException closed = catchThrowableOfType(IOException.class, () -> http.send(HttpRequest.newBuilder(
          URI.create(base + "/tokens")).header("Authorization", "Bearer " + secret).timeout(Duration.ofSeconds(10))
          .GET().build(), HttpResponse.BodyHandlers.ofString()));
      assertThat(closed).isNotNull();
      done.set(true);
      for (Future<?> client : load) {
        client.get(30, TimeUnit.SECONDS);
      }
      assertThat(refusals.keySet()).as("every request not acknowledged got 503 or a closed connection")
          .isSubsetOf("503", "IOException", "ConnectException", "HttpConnectTimeoutException");
      LOG.info("ShutdownUnderLoadTest (REST): {} mints acknowledged (the held request's included), refusals {}",
          acknowledged.size(), refusals);
    } finally {
      clients.shutdownNow();
    }
    assertEveryAcknowledgedTokenIsStored();
  }

  private TokenAuthorityServer start(int httpPort) throws IOException {
    ServerConfig config = TestStores.config(dataDir).withGrpcPort(0).withHttpPort(httpPort)
        .withShutdownGrace(Duration.ofSeconds(30));
    TokenAuthorityServer server = new TokenAuthorityServer(config, Clock.systemUTC());
    return server.start(Main.grpcServerBuilder(0).addService(ServerInterceptors.intercept(hold.service(),
        server.callLimiter())));
  }

  private static String adminSecret(TokenAuthorityServer server) throws IOException {
    return Files.readString(server.bootstrapFile(), StandardCharsets.US_ASCII).trim();
  }

  /** Mints until told to stop or refused; a refused client stops (the server is going away). */
  private void mintOverGrpc(TokenAuthorityClient admin, int client, AtomicBoolean done) {
    for (int i = 0; !done.get(); i++) {
      try {
        WorkspaceToken token = admin.createWorkspaceToken(CreateWorkspaceTokenRequest.newBuilder()
            .setName("grpc-" + client + "-" + i).addScopes("tokens:read").build());
        acknowledged.put(token.getId(), token.getToken());
      } catch (StatusRuntimeException e) {
        refusals.merge(e.getStatus().getCode().name(), 1, Integer::sum);
        if (e.getStatus().getCode() == Status.Code.UNAVAILABLE) {
          return;
        }
      }
    }
  }

  private void mintOverRest(HttpClient http, String base, String secret, int client, AtomicBoolean done) {
    for (int i = 0; !done.get(); i++) {
      try {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + "/tokens"))
            .header("Authorization", "Bearer " + secret).header("Content-Type", "application/json")
            .timeout(Duration.ofSeconds(30))
            .POST(HttpRequest.BodyPublishers.ofString("{\"name\": \"rest-" + client + "-" + i
                + "\", \"scopes\": [\"tokens:read\"]}")).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 201) {
          JsonObject minted = JsonParser.parseString(response.body()).getAsJsonObject();
          acknowledged.put(minted.get("id").getAsString(), minted.get("token").getAsString());
          continue;
        }
        refusals.merge(Integer.toString(response.statusCode()), 1, Integer::sum);
        if (response.statusCode() == 503) {
          return;
        }
      } catch (IOException e) {
        refusals.merge(e.getClass().getSimpleName(), 1, Integer::sum);
        return;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private void awaitAcknowledged(int mints) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (acknowledged.size() < mints && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(acknowledged.size()).as("mints acknowledged before the stop").isGreaterThanOrEqualTo(mints);
  }

  /** Waits (bounded) until a new gRPC connection is refused: the server has begun to shut down. */
  private static void awaitRefusedOnANewConnection(int port) throws InterruptedException {
    for (int i = 0; i < 500; i++) {
      ManagedChannel probe = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
      try {
        HealthGrpc.newBlockingStub(probe).withDeadlineAfter(5, TimeUnit.SECONDS).check(HealthCheckRequest.getDefaultInstance());
      } catch (StatusRuntimeException e) {
        assertThat(e.getStatus().getCode()).as(e.getStatus().toString()).isEqualTo(Status.Code.UNAVAILABLE);
        return;
      } finally {
        probe.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
      Thread.sleep(10);
    }
    throw new AssertionError("the server still accepted new calls 5 s after stop began");
  }

  private static HttpResponse<String> awaitRest503(HttpClient http, String base, String secret) throws Exception {
    for (int i = 0; i < 500; i++) {
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + "/tokens"))
          .header("Authorization", "Bearer " + secret).timeout(Duration.ofSeconds(10)).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() == 503) {
        return response;
      }
      assertThat(response.statusCode()).isEqualTo(200);
      Thread.sleep(10);
    }
    throw new AssertionError("the gateway did not refuse new requests within 5 s of stop");
  }

  /** Opens the store again (a new server on the same data dir) and finds every acknowledged token, active. */
  private void assertEveryAcknowledgedTokenIsStored() {
    try (InProcessAuthority reopened = InProcessAuthority.start(dataDir)) {
      TokenAuthorityClient admin = reopened.admin();
      List<String> lost = new ArrayList<>();
      acknowledged.forEach((id, secret) -> {
        if (!admin.introspectToken(secret).getActive()) {
          lost.add(id);
        }
      });
      assertThat(lost).as("acknowledged mints missing after the shutdown").isEmpty();
      LOG.info("ShutdownUnderLoadTest: all {} acknowledged tokens found active after reopening the store",
          acknowledged.size());
    }
  }
}
