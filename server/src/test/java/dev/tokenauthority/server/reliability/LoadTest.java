package dev.tokenauthority.server.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.rpc.ErrorInfo;
import dev.tokenauthority.client.Credentials;
import dev.tokenauthority.client.TokenAuthorityClient;
import dev.tokenauthority.server.Main;
import dev.tokenauthority.server.ServerConfig;
import dev.tokenauthority.server.TokenAuthorityServer;
import dev.tokenauthority.server.testing.MetricsScrape;
import dev.tokenauthority.server.testing.TestStores;
import dev.tokenauthority.v1.AccessToken;
import dev.tokenauthority.v1.Account;
import dev.tokenauthority.v1.ApiToken;
import dev.tokenauthority.v1.CreateWorkspaceTokenRequest;
import dev.tokenauthority.v1.ListWorkspaceTokensRequest;
import dev.tokenauthority.v1.Record;
import dev.tokenauthority.v1.WorkspaceToken;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sustained mixed load on a real server (Netty port, the embedded REST gateway, this run's store:
 * H2 file or PostgreSQL) with more concurrent clients than cores, for
 * {@value #DEFAULT_SECONDS} s (system property {@value #SECONDS_PROPERTY} lengthens it):
 * {@value #GRPC_USERS} gRPC virtual users on {@value #CONNECTIONS} connections and
 * {@value #REST_USERS} REST users, each in a closed loop over a weighted mix of mints (all five
 * kinds), introspection (opaque and JWT), authenticate-and-get, listing, revocation and the
 * deliberate use of revoked tokens (UNAUTHENTICATED {@code CREDENTIAL_REVOKED} / 401, or
 * {@code active: false}).
 *
 * <p>Asserts: every call answered as expected for its operation (zero unexpected errors, none
 * shed at the default cap), every token revoked during the run refused afterwards on both
 * transports, and the heap after a GC at most {@value #MAX_HEAP_GROWTH_MB} MB above where it
 * started. Latencies per operation (HdrHistogram) and the rate go to the log and to
 * {@code target/load-test-summary.txt}: figures, never assertions.
 */
@Timeout(1800)
class LoadTest {
  private static final Logger LOG = LoggerFactory.getLogger(LoadTest.class);
  static final String SECONDS_PROPERTY = "ta.load.seconds";
  static final int DEFAULT_SECONDS = 15;
  static final int GRPC_USERS = 18;
  static final int REST_USERS = 6;
  static final int CONNECTIONS = 3;
  static final int MAX_HEAP_GROWTH_MB = 256;
  /** Tokens each user keeps to use again (the oldest are forgotten, not revoked). */
  private static final int KEPT = 64;

  enum Op {
    MINT_WORKSPACE(14), MINT_ACCESS(5), MINT_API_TOKEN(5), MINT_RECORD_JWT(5), MINT_FAULT_JWT(5), INTROSPECT(22),
    AUTHENTICATE_AND_GET(16), LIST(10), REVOKE(9), USE_REVOKED(9),
    REST_MINT(20), REST_AUTHENTICATE_AND_GET(20), REST_INTROSPECT(20), REST_LIST(15), REST_REVOKE(12),
    REST_USE_REVOKED(13);

    final int weight;

    Op(int weight) {
      this.weight = weight;
    }

    boolean rest() {
      return name().startsWith("REST_");
    }
  }

  enum Outcome { OK, DELIBERATE, UNEXPECTED }

  /** One user's counts and latencies (one thread each; merged at the end). */
  static final class Tally {
    final Map<Op, Histogram> latency = new EnumMap<>(Op.class);
    final Map<Op, long[]> counts = new EnumMap<>(Op.class);
    final List<String> unexpected = new ArrayList<>();

    void record(Op op, long nanos, Outcome outcome, String detail) {
      latency.computeIfAbsent(op, o -> new Histogram(3)).recordValue(Math.max(1, nanos / 1000)); // microseconds
      counts.computeIfAbsent(op, o -> new long[3])[outcome.ordinal()]++;
      if (outcome == Outcome.UNEXPECTED && unexpected.size() < 20) {
        unexpected.add(op + ": " + detail);
      }
    }

    void add(Tally other) {
      other.latency.forEach((op, h) -> latency.computeIfAbsent(op, o -> new Histogram(3)).add(h));
      other.counts.forEach((op, c) -> {
        long[] mine = counts.computeIfAbsent(op, o -> new long[3]);
        for (int i = 0; i < 3; i++) {
          mine[i] += c[i];
        }
      });
      unexpected.addAll(other.unexpected);
    }

    long total(Outcome outcome) {
      return counts.values().stream().mapToLong(c -> c[outcome.ordinal()]).sum();
    }
  }

  /** A workspace token a user minted: its id and secret. */
  record Minted(String id, String secret, boolean rest) {}

  @TempDir Path dataDir;
  private final Queue<Minted> revoked = new ConcurrentLinkedQueue<>();

  @Test
  void sustainedMixedLoadAnswersEveryCallAsExpectedWithBoundedMemory() throws Exception {
    Duration duration = Duration.ofSeconds(Long.getLong(SECONDS_PROPERTY, DEFAULT_SECONDS));
    ServerConfig config = TestStores.config(dataDir).withGrpcPort(0).withHttpPort(ServerConfig.ANY_FREE_PORT)
        .withMetricsPort(ServerConfig.ANY_FREE_PORT)
        .withAuthFailuresPerMinute(1_000_000); // revoked tokens are used on purpose, all from 127.0.0.1
    TokenAuthorityServer server = new TokenAuthorityServer(config, Clock.systemUTC()).start(Main.grpcServerBuilder(0));
    List<ManagedChannel> channels = new ArrayList<>();
    ExecutorService users = Executors.newFixedThreadPool(GRPC_USERS + REST_USERS);
    ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
    try {
      for (int i = 0; i < CONNECTIONS; i++) {
        channels.add(ManagedChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build());
      }
      String adminSecret = Files.readString(server.bootstrapFile(), StandardCharsets.US_ASCII).trim();
      TokenAuthorityClient setup = new TokenAuthorityClient(channels.get(0), Credentials.bearer(adminSecret));
      setup.createRecord(Record.newBuilder().setId("rec-load").setTitle("Load").build());
      setup.createAccount(Account.newBuilder().setId("acc-load").setName("Load").build());
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10)).build();
      String base = "http://127.0.0.1:" + server.httpPort();

      MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
      long heapBefore = heapAfterGc(memory);
      AtomicLong peakHeap = new AtomicLong();
      sampler.scheduleAtFixedRate(() -> peakHeap.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max),
          0, 200, TimeUnit.MILLISECONDS);

      long started = System.nanoTime();
      long deadline = started + duration.toNanos();
      List<Future<Tally>> running = new ArrayList<>();
      for (int u = 0; u < GRPC_USERS; u++) {
        int user = u;
        // a generous deadline: on a busy CI machine a slow answer is a figure, not a failure
        TokenAuthorityClient admin = new TokenAuthorityClient(channels.get(u % CONNECTIONS), Credentials.bearer(adminSecret),
            Duration.ofSeconds(30));
        running.add(users.submit(() -> grpcUser(user, admin, deadline)));
      }
      for (int u = 0; u < REST_USERS; u++) {
        int user = u;
        running.add(users.submit(() -> restUser(user, http, base, adminSecret, deadline)));
      }
      Tally all = new Tally();
      for (Future<Tally> user : running) {
        all.add(user.get(duration.toSeconds() + 120, TimeUnit.SECONDS));
      }
      double seconds = (System.nanoTime() - started) / 1e9;
      sampler.shutdownNow();

      // every token revoked during the run is refused afterwards, on both transports
      TokenAuthorityClient admin = new TokenAuthorityClient(channels.get(0), Credentials.bearer(adminSecret));
      List<String> accepted = verifyRevokedAreRefused(admin, http, base, adminSecret);
      double shed = MetricsScrape.value(MetricsScrape.of(server.metricsPort()), "tokenauthority_calls_shed_total");
      long heapAfter = heapAfterGc(memory);

      String summary = summary(all, seconds, duration, server, heapBefore, heapAfter, peakHeap.get(), shed);
      LOG.info("LoadTest summary:\n{}", summary);
      Path file = Path.of("target", TestStores.postgres() ? "load-test-summary-postgres.txt" : "load-test-summary.txt");
      Files.createDirectories(file.getParent());
      Files.writeString(file, summary, StandardCharsets.UTF_8);

      assertThat(all.unexpected).as("unexpected answers (first 20)").isEmpty();
      assertThat(all.total(Outcome.UNEXPECTED)).isZero();
      assertThat(all.total(Outcome.OK)).as("calls answered").isPositive();
      assertThat(all.counts.get(Op.USE_REVOKED)[Outcome.DELIBERATE.ordinal()]
          + all.counts.get(Op.REST_USE_REVOKED)[Outcome.DELIBERATE.ordinal()]).as("revoked tokens used on purpose")
          .isPositive();
      assertThat(revoked).as("tokens revoked during the run").isNotEmpty();
      assertThat(accepted).as("revoked tokens still accepted afterwards").isEmpty();
      assertThat(shed).as("calls shed at the default cap by %d users", GRPC_USERS + REST_USERS).isZero();
      assertThat((heapAfter - heapBefore) / (1024 * 1024)).as("heap growth after GC, MB")
          .isLessThan(MAX_HEAP_GROWTH_MB);
    } finally {
      sampler.shutdownNow();
      users.shutdownNow();
      for (ManagedChannel channel : channels) {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
      server.stop();
    }
  }

  private Tally grpcUser(int user, TokenAuthorityClient admin, long deadline) {
    Random random = new Random(1000 + user);
    Tally tally = new Tally();
    List<Minted> live = new ArrayList<>();
    List<String> others = new ArrayList<>(); // opaque and JWT secrets of kinds never revoked here
    List<Minted> mine = new ArrayList<>(); // revoked by this user
    for (int i = 0; System.nanoTime() < deadline; i++) {
      Op op = pick(random, false);
      if ((op == Op.AUTHENTICATE_AND_GET || op == Op.REVOKE) && live.isEmpty()
          || op == Op.INTROSPECT && live.isEmpty() && others.isEmpty()) {
        op = Op.MINT_WORKSPACE;
      } else if (op == Op.USE_REVOKED && mine.isEmpty()) {
        op = live.isEmpty() ? Op.MINT_WORKSPACE : Op.REVOKE;
      }
      String name = "grpc-" + user + "-" + i;
      long start = System.nanoTime();
      Outcome outcome = Outcome.OK;
      String detail = null;
      try {
        switch (op) {
          case MINT_WORKSPACE -> {
            WorkspaceToken token = admin.createWorkspaceToken(CreateWorkspaceTokenRequest.newBuilder().setName(name)
                .addScopes("tokens:read").addScopes("tokens:introspect").build());
            keep(live, new Minted(token.getId(), token.getToken(), false));
          }
          case MINT_ACCESS -> keep(others, admin.createAccessToken(AccessToken.newBuilder().setName(name).build())
              .getToken());
          case MINT_API_TOKEN -> keep(others, admin.createApiToken(ApiToken.newBuilder()
              .setAccount(Account.newBuilder().setId("acc-load")).setName(name).build()).getToken());
          case MINT_RECORD_JWT -> keep(others, admin.createRecordToken("rec-load", 3600L).getToken());
          case MINT_FAULT_JWT -> keep(others, admin.generateFaultToken(60).getToken());
          case INTROSPECT -> {
            String secret = !others.isEmpty() && (live.isEmpty() || random.nextBoolean())
                ? others.get(random.nextInt(others.size())) : live.get(random.nextInt(live.size())).secret();
            if (!admin.introspectToken(secret).getActive()) {
              outcome = Outcome.UNEXPECTED;
              detail = "a live token introspected as inactive";
            }
          }
          case AUTHENTICATE_AND_GET -> {
            Minted token = live.get(random.nextInt(live.size()));
            WorkspaceToken read = admin.withCredentials(Credentials.bearer(token.secret())).getWorkspaceToken(token.id());
            if (!read.getId().equals(token.id()) || !read.getStatus().equals("active")) {
              outcome = Outcome.UNEXPECTED;
              detail = "read " + read.getId() + " " + read.getStatus();
            }
          }
          case LIST -> {
            if (admin.listWorkspaceTokens(ListWorkspaceTokensRequest.newBuilder().setPageSize(20).build())
                .getTokensCount() == 0) {
              outcome = Outcome.UNEXPECTED;
              detail = "an empty page";
            }
          }
          case REVOKE -> {
            Minted token = live.remove(random.nextInt(live.size()));
            String status = admin.revokeWorkspaceToken(token.id()).getStatus();
            keep(mine, token);
            revoked.add(token);
            if (!status.equals("revoked")) {
              outcome = Outcome.UNEXPECTED;
              detail = "status " + status + " after revocation";
            }
          }
          case USE_REVOKED -> {
            Minted token = mine.get(random.nextInt(mine.size()));
            if (random.nextBoolean()) {
              if (admin.introspectToken(token.secret()).getActive()) {
                outcome = Outcome.UNEXPECTED;
                detail = "a revoked token introspected as active";
              } else {
                outcome = Outcome.DELIBERATE;
              }
            } else {
              admin.withCredentials(Credentials.bearer(token.secret())).getWorkspaceToken(token.id());
              outcome = Outcome.UNEXPECTED;
              detail = "a revoked token authenticated";
            }
          }
          default -> throw new IllegalStateException(op.name());
        }
      } catch (StatusRuntimeException e) {
        if (op == Op.USE_REVOKED && isRevokedRefusal(e)) {
          outcome = Outcome.DELIBERATE;
        } else {
          outcome = Outcome.UNEXPECTED;
          detail = e.getStatus().getCode() + " " + e.getStatus().getDescription();
        }
      }
      tally.record(op, System.nanoTime() - start, outcome, detail);
    }
    return tally;
  }

  private Tally restUser(int user, HttpClient http, String base, String adminSecret, long deadline) {
    Random random = new Random(2000 + user);
    Tally tally = new Tally();
    List<Minted> live = new ArrayList<>();
    List<Minted> mine = new ArrayList<>();
    for (int i = 0; System.nanoTime() < deadline; i++) {
      Op op = pick(random, true);
      if (op != Op.REST_MINT && op != Op.REST_LIST && live.isEmpty()) {
        op = Op.REST_MINT;
      } else if (op == Op.REST_USE_REVOKED && mine.isEmpty()) {
        op = Op.REST_REVOKE;
      }
      long start = System.nanoTime();
      Outcome outcome = Outcome.OK;
      String detail = null;
      try {
        HttpResponse<String> response;
        switch (op) {
          case REST_MINT -> {
            response = send(http, post(base + "/tokens", adminSecret, "{\"name\": \"rest-" + user + "-" + i
                + "\", \"scopes\": [\"tokens:read\", \"tokens:introspect\"]}"));
            if (response.statusCode() == 201) {
              JsonObject minted = JsonParser.parseString(response.body()).getAsJsonObject();
              keep(live, new Minted(minted.get("id").getAsString(), minted.get("token").getAsString(), true));
            }
            detail = expect(response, 201);
          }
          case REST_AUTHENTICATE_AND_GET -> {
            Minted token = live.get(random.nextInt(live.size()));
            response = send(http, get(base + "/tokens/" + token.id(), token.secret()));
            detail = expect(response, 200);
          }
          case REST_INTROSPECT -> {
            Minted token = live.get(random.nextInt(live.size()));
            response = send(http, post(base + "/v1/tokens:introspect", adminSecret,
                "{\"token\": \"" + token.secret() + "\"}"));
            detail = expect(response, 200);
            if (detail == null && !JsonParser.parseString(response.body()).getAsJsonObject().get("active").getAsBoolean()) {
              detail = "a live token introspected as inactive";
            }
          }
          case REST_LIST -> detail = expect(send(http, get(base + "/tokens?page_size=20", adminSecret)), 200);
          case REST_REVOKE -> {
            Minted token = live.remove(random.nextInt(live.size()));
            response = send(http, HttpRequest.newBuilder(URI.create(base + "/tokens/" + token.id()))
                .header("Authorization", "Bearer " + adminSecret).timeout(Duration.ofSeconds(30)).DELETE().build());
            keep(mine, token);
            revoked.add(token);
            detail = expect(response, 200);
          }
          case REST_USE_REVOKED -> {
            Minted token = mine.get(random.nextInt(mine.size()));
            if (random.nextBoolean()) {
              response = send(http, get(base + "/tokens/" + token.id(), token.secret()));
              detail = expect(response, 401);
              if (detail == null && !response.body().contains("CREDENTIAL_REVOKED")) {
                detail = "401 without CREDENTIAL_REVOKED: " + response.body();
              }
            } else {
              response = send(http, post(base + "/v1/tokens:introspect", adminSecret,
                  "{\"token\": \"" + token.secret() + "\"}"));
              detail = expect(response, 200);
              if (detail == null && JsonParser.parseString(response.body()).getAsJsonObject().get("active").getAsBoolean()) {
                detail = "a revoked token introspected as active";
              }
            }
            outcome = Outcome.DELIBERATE;
          }
          default -> throw new IllegalStateException(op.name());
        }
      } catch (IOException e) {
        detail = e.toString();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return tally;
      }
      tally.record(op, System.nanoTime() - start, detail == null ? outcome : Outcome.UNEXPECTED, detail);
    }
    return tally;
  }

  /** Every revoked token, once more: refused over gRPC and REST, inactive to introspection; returns those accepted. */
  private List<String> verifyRevokedAreRefused(TokenAuthorityClient admin, HttpClient http, String base,
      String adminSecret) throws Exception {
    List<String> accepted = new ArrayList<>();
    for (Minted token : revoked) {
      try {
        admin.withCredentials(Credentials.bearer(token.secret())).getWorkspaceToken(token.id());
        accepted.add(token.id() + " over gRPC");
      } catch (StatusRuntimeException e) {
        if (!isRevokedRefusal(e)) {
          accepted.add(token.id() + " over gRPC: " + e.getStatus());
        }
      }
      if (admin.introspectToken(token.secret()).getActive()) {
        accepted.add(token.id() + " by introspection");
      }
      if (token.rest()) {
        HttpResponse<String> response = send(http, get(base + "/tokens/" + token.id(), token.secret()));
        if (response.statusCode() != 401) {
          accepted.add(token.id() + " over REST: " + response.statusCode());
        }
      }
    }
    LOG.info("LoadTest: {} tokens revoked during the run, each refused afterwards ({} not)", revoked.size(),
        accepted.size());
    return accepted;
  }

  private static boolean isRevokedRefusal(StatusRuntimeException e) {
    if (e.getStatus().getCode() != Status.Code.UNAUTHENTICATED) {
      return false;
    }
    com.google.rpc.Status status = StatusProto.fromThrowable(e);
    return status != null && status.getDetailsList().stream().filter(a -> a.is(ErrorInfo.class)).anyMatch(a -> {
      try {
        return a.unpack(ErrorInfo.class).getReason().equals("CREDENTIAL_REVOKED");
      } catch (com.google.protobuf.InvalidProtocolBufferException ex) {
        return false;
      }
    });
  }

  private static Op pick(Random random, boolean rest) {
    int total = 0;
    for (Op op : Op.values()) {
      total += op.rest() == rest ? op.weight : 0;
    }
    int roll = random.nextInt(total);
    for (Op op : Op.values()) {
      if (op.rest() == rest) {
        roll -= op.weight;
        if (roll < 0) {
          return op;
        }
      }
    }
    throw new IllegalStateException();
  }

  private static <T> void keep(List<T> kept, T item) {
    kept.add(item);
    if (kept.size() > KEPT) {
      kept.remove(0);
    }
  }

  private static HttpRequest post(String url, String secret, String json) {
    return HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + secret)
        .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
        .POST(HttpRequest.BodyPublishers.ofString(json)).build();
  }

  private static HttpRequest get(String url, String secret) {
    return HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + secret)
        .timeout(Duration.ofSeconds(30)).GET().build();
  }

  private static HttpResponse<String> send(HttpClient http, HttpRequest request) throws IOException, InterruptedException {
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  /** Null when the response has the expected status, else what it was. */
  private static String expect(HttpResponse<String> response, int status) {
    return response.statusCode() == status ? null
        : "HTTP " + response.statusCode() + " (expected " + status + "): " + response.body();
  }

  private static long heapAfterGc(MemoryMXBean memory) throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100);
    }
    return memory.getHeapMemoryUsage().getUsed();
  }


  private String summary(Tally all, double seconds, Duration configured, TokenAuthorityServer server, long heapBefore,
      long heapAfter, long peakHeap, double shed) {
    StringBuilder out = new StringBuilder();
    long calls = all.total(Outcome.OK) + all.total(Outcome.DELIBERATE) + all.total(Outcome.UNEXPECTED);
    out.append(String.format(Locale.ROOT, "Token Authority load test, %s, store %s, Java %s, %d cores%n", Instant.now(),
        TestStores.postgres() ? "PostgreSQL" : "H2 file", System.getProperty("java.version"),
        Runtime.getRuntime().availableProcessors()));
    out.append(String.format(Locale.ROOT, "duration %.1f s (-D%s=%d), %d virtual users: %d gRPC on %d connections, "
        + "%d REST; closed loop, no think time; call cap %d + %d queued%n", seconds, SECONDS_PROPERTY,
        configured.toSeconds(), GRPC_USERS + REST_USERS, GRPC_USERS, CONNECTIONS, REST_USERS,
        server.callLimiter().maxConcurrentCalls(), server.callLimiter().maxQueuedCalls()));
    out.append(String.format(Locale.ROOT, "calls %d, rate %.0f/s; ok %d, deliberate refusals %d, unexpected %d, "
        + "shed %.0f; revoked during the run %d, all refused afterwards: %s%n", calls, calls / seconds,
        all.total(Outcome.OK), all.total(Outcome.DELIBERATE), all.total(Outcome.UNEXPECTED), shed, revoked.size(),
        "checked"));
    out.append(String.format(Locale.ROOT, "heap after GC: %.1f MB before, %.1f MB after (growth %.1f MB, bound %d MB); "
        + "peak heap used during the run %.1f MB%n", mb(heapBefore), mb(heapAfter), mb(heapAfter - heapBefore),
        MAX_HEAP_GROWTH_MB, mb(peakHeap)));
    out.append(String.format(Locale.ROOT, "%-26s %8s %8s %10s %10s %8s %8s %8s %8s%n", "operation", "count", "ok",
        "deliberate", "unexpected", "rate/s", "p50 ms", "p99 ms", "max ms"));
    for (Op op : Op.values()) {
      Histogram h = all.latency.get(op);
      long[] c = all.counts.getOrDefault(op, new long[3]);
      if (h == null) {
        continue;
      }
      out.append(String.format(Locale.ROOT, "%-26s %8d %8d %10d %10d %8.0f %8.2f %8.2f %8.2f%n",
          op.name().toLowerCase(Locale.ROOT), h.getTotalCount(), c[0], c[1], c[2], h.getTotalCount() / seconds,
          h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0, h.getMaxValue() / 1000.0));
    }
    if (!all.unexpected.isEmpty()) {
      out.append("first unexpected answers:\n");
      all.unexpected.forEach(u -> out.append("  ").append(u).append('\n'));
    }
    return out.toString();
  }

  private static double mb(long bytes) {
    return bytes / (1024.0 * 1024.0);
  }
}
