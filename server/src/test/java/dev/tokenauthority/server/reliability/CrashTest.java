package dev.tokenauthority.server.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.tokenauthority.client.Credentials;
import dev.tokenauthority.client.TokenAuthorityClient;
import dev.tokenauthority.server.Main;
import dev.tokenauthority.server.testing.TestStores;
import dev.tokenauthority.v1.CreateWorkspaceTokenRequest;
import dev.tokenauthority.v1.ListWorkspaceTokensRequest;
import dev.tokenauthority.v1.ListWorkspaceTokensResponse;
import dev.tokenauthority.v1.WorkspaceToken;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing acknowledged is lost when the server dies: a real server process on the H2 file
 * store is killed with SIGKILL while clients mint tokens, restarted on the same files, and
 * every token whose create returned OK must still be there and active; every token the store
 * lists must be whole. Several cycles on one store.
 */
class CrashTest {
  private static final Logger LOG = Logger.getLogger(CrashTest.class.getName());
  private static final int CYCLES = 3;
  private static final int CLIENTS = 4;

  @TempDir Path workDir;

  @Test
  void everyAcknowledgedMintSurvivesSigkill() throws Exception {
    Path dataDir = workDir.resolve("data");
    Map<String, String> acknowledged = new ConcurrentHashMap<>(); // id → secret
    int port = freePort();
    for (int cycle = 0; cycle < CYCLES; cycle++) {
      Process server = startServer(dataDir, port, "cycle-" + cycle);
      ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
      try {
        awaitServing(channel, server);
        TokenAuthorityClient admin = new TokenAuthorityClient(channel, Credentials.bearer(
            Files.readString(dataDir.resolve("bootstrap-token"), StandardCharsets.US_ASCII).trim()));
        assertEveryAcknowledgedTokenIsActive(admin, acknowledged);
        int before = acknowledged.size();
        mintUntilKilled(admin, server, acknowledged, cycle);
        assertThat(acknowledged.size() - before).as("tokens minted in cycle %d", cycle).isPositive();
      } finally {
        channel.shutdownNow();
        server.destroyForcibly();
        server.waitFor();
      }
    }
    Process server = startServer(dataDir, port, "final");
    ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    try {
      awaitServing(channel, server);
      TokenAuthorityClient admin = new TokenAuthorityClient(channel, Credentials.bearer(
          Files.readString(dataDir.resolve("bootstrap-token"), StandardCharsets.US_ASCII).trim()));
      assertEveryAcknowledgedTokenIsActive(admin, acknowledged);
      assertEveryStoredTokenIsWhole(admin);
      LOG.info(() -> "CrashTest: " + CYCLES + " SIGKILL cycles survived, " + acknowledged.size()
          + " acknowledged tokens checked after each restart");
    } finally {
      channel.shutdownNow();
      server.destroy();
      server.waitFor(20, TimeUnit.SECONDS);
      server.destroyForcibly();
    }
  }

  /** Mints from several clients, kills the server (SIGKILL) mid-run, and waits for the clients to notice. */
  private static void mintUntilKilled(TokenAuthorityClient admin, Process server, Map<String, String> acknowledged,
      int cycle) throws Exception {
    AtomicBoolean dead = new AtomicBoolean();
    ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
    for (int c = 0; c < CLIENTS; c++) {
      int client = c;
      clients.submit(() -> {
        for (int i = 0; !dead.get(); i++) {
          try {
            WorkspaceToken token = admin.createWorkspaceToken(CreateWorkspaceTokenRequest.newBuilder()
                .setName("crash-" + cycle + "-" + client + "-" + i).addScopes("tokens:read").build());
            acknowledged.put(token.getId(), token.getToken()); // acknowledged: it must survive
          } catch (StatusRuntimeException e) {
            if (!server.isAlive()) {
              return; // the kill cut this call: not acknowledged, may or may not be stored
            }
          }
        }
      });
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    int target = acknowledged.size() + 100;
    while (acknowledged.size() < target && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    server.destroyForcibly(); // SIGKILL: no shutdown hook, no flush
    server.waitFor();
    dead.set(true);
    clients.shutdown();
    assertThat(clients.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
  }

  private static void assertEveryAcknowledgedTokenIsActive(TokenAuthorityClient admin, Map<String, String> acknowledged) {
    List<String> lost = new ArrayList<>();
    acknowledged.forEach((id, secret) -> {
      if (!admin.introspectToken(secret).getActive()) {
        lost.add(id);
      }
    });
    assertThat(lost).as("acknowledged tokens lost after SIGKILL").isEmpty();
  }

  /** Every listed token has its name, scopes and creation time, and its secret's hash resolves to it. */
  private static void assertEveryStoredTokenIsWhole(TokenAuthorityClient admin) {
    Map<String, WorkspaceToken> stored = new HashMap<>();
    String pageToken = "";
    do {
      ListWorkspaceTokensResponse page = admin.listWorkspaceTokens(ListWorkspaceTokensRequest.newBuilder()
          .setPageSize(500).setPageToken(pageToken).build());
      page.getTokensList().forEach(t -> stored.put(t.getId(), t));
      pageToken = page.getNextPageToken();
    } while (!pageToken.isEmpty());
    assertThat(stored.values()).allSatisfy(token -> {
      assertThat(token.getName()).isNotEmpty();
      assertThat(token.getScopesList()).isNotEmpty();
      assertThat(token.hasCreatedAt()).isTrue();
      assertThat(token.getStatus()).isEqualTo("active");
    });
  }

  /** The server as its own JVM (the test's classpath), like `java -jar`, on {@code dataDir}'s store (H2 or PostgreSQL). */
  private Process startServer(Path dataDir, int port, String name) throws IOException {
    Path log = workDir.resolve("server-" + name + ".log");
    return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), Main.class.getName(),
        "--grpc-port", Integer.toString(port), "--http-port", "0", "--data-dir", dataDir.toString(),
        "--db-url", TestStores.url(dataDir))
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  private static void awaitServing(ManagedChannel channel, Process server) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      if (!server.isAlive()) {
        fail("the server process exited with " + server.exitValue());
      }
      try {
        if (HealthGrpc.newBlockingStub(channel).withDeadlineAfter(1, TimeUnit.SECONDS)
            .check(HealthCheckRequest.getDefaultInstance()).getStatus() == ServingStatus.SERVING) {
          return;
        }
      } catch (StatusRuntimeException e) {
        // not listening yet
      }
      Thread.sleep(50);
    }
    fail("the server did not become healthy within 60 s");
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
