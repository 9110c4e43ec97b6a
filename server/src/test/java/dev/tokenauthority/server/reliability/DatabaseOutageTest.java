package dev.tokenauthority.server.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenauthority.client.Credentials;
import dev.tokenauthority.client.TokenAuthorityClient;
import dev.tokenauthority.server.Main;
import dev.tokenauthority.server.ServerConfig;
import dev.tokenauthority.server.TokenAuthorityServer;
import dev.tokenauthority.server.testing.Errors;
import dev.tokenauthority.server.testing.TestStores;
import dev.tokenauthority.v1.FaultToken;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The database goes away under a real server (Netty, REST gateway on, PostgreSQL) and comes
 * back: while it is gone every call fails fast with UNAVAILABLE (503 over REST) and health is
 * NOT_SERVING; once it is back, health is SERVING and calls work again, without a restart.
 * The outage is made by refusing new connections to the server's database and terminating
 * its open ones. Prints the measured times.
 */
@Tag("postgres")
class DatabaseOutageTest {
  /** What callers may wait on a dead database: the 2 s connect timeout and some slack. */
  private static final Duration CALL_BOUND = Duration.ofSeconds(5);
  /** The health monitor checks every second and itself waits at most the connect timeout. */
  private static final Duration HEALTH_BOUND = Duration.ofSeconds(6);
  /** Hikari retries new connections with a backoff of up to 5 s. */
  private static final Duration RECOVERY_BOUND = Duration.ofSeconds(15);

  @TempDir Path dataDir;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  @Timeout(120)
  void callsFailFastWhileTheDatabaseIsGoneAndWorkAgainWhenItReturns() throws Exception {
    String url = TestStores.newPostgresDatabase("outage");
    String database = databaseName(url);
    ServerConfig config = TestStores.config(dataDir).withDbUrl(url).withGrpcPort(0)
        .withHttpPort(ServerConfig.ANY_FREE_PORT); // default connect timeout: 2 s
    TokenAuthorityServer server = new TokenAuthorityServer(config, Clock.systemUTC())
        .start(Main.grpcServerBuilder(0));
    ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
    try {
      String secret = Files.readString(server.bootstrapFile(), StandardCharsets.US_ASCII).trim();
      TokenAuthorityClient admin = new TokenAuthorityClient(channel, Credentials.bearer(secret));
      HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel).withDeadlineAfter(1, TimeUnit.MINUTES);
      String base = "http://127.0.0.1:" + server.httpPort();
      FaultToken before = admin.generateFaultToken(60);
      assertThat(status(health)).isEqualTo(ServingStatus.SERVING);

      ExecutorService poller = Executors.newSingleThreadExecutor();
      try {
        long cut = System.nanoTime();
        cutDatabase(database);
        // health, watched from the cut on while the calls below run
        Future<Long> notServing = poller.submit(() -> awaitHealth(health, ServingStatus.NOT_SERVING, cut, HEALTH_BOUND));

        // gRPC: a mint, an authenticated get, an introspection
        long mint = timeOutage(() -> admin.generateFaultToken(60));
        long get = timeOutage(() -> admin.getFaultToken(before.getId()));
        long introspect = timeOutage(() -> admin.introspectToken(before.getToken()));
        System.out.printf("DatabaseOutageTest: gRPC UNAVAILABLE after mint %d ms, get %d ms, introspect %d ms%n",
            mint, get, introspect);

        // the same over REST: 503
        long restMint = time503(http, post(base + "/fault/token", "{\"expire_after_minutes\": 60}", secret),
            "service_unavailable");
        long restGet = time503(http, HttpRequest.newBuilder(URI.create(base + "/fault/token/" + before.getId()))
            .header("Authorization", "Bearer " + secret).GET(), "service_unavailable");
        long restIntrospect = time503(http, post(base + "/v1/tokens:introspect",
            "{\"token\": \"" + before.getToken() + "\"}", secret), "STORAGE_UNAVAILABLE");
        System.out.printf("DatabaseOutageTest: REST 503 after mint %d ms, get %d ms, introspect %d ms%n",
            restMint, restGet, restIntrospect);

        System.out.printf("DatabaseOutageTest: health NOT_SERVING %d ms after the cut%n",
            notServing.get(1, TimeUnit.MINUTES));
        assertThat(status(health)).isEqualTo(ServingStatus.NOT_SERVING);
      } finally {
        poller.shutdownNow();
        allowConnections(database, true); // always, so that the drop at exit works too
      }

      long back = System.nanoTime();
      long serving = awaitHealth(health, ServingStatus.SERVING, back, RECOVERY_BOUND);
      System.out.printf("DatabaseOutageTest: health SERVING %d ms after the database returned%n", serving);

      // without a restart: a mint, then an authenticated get with a token minted now
      FaultToken after = admin.generateFaultToken(60);
      assertThat(admin.getFaultToken(after.getId()).getId()).isEqualTo(after.getId());
      assertThat(admin.introspectToken(before.getToken()).getActive()).isTrue();
      HttpResponse<String> restMint = http.send(post(base + "/fault/token", "{\"expire_after_minutes\": 60}", secret)
          .build(), HttpResponse.BodyHandlers.ofString());
      assertThat(restMint.statusCode()).isEqualTo(200);
      System.out.printf("DatabaseOutageTest: mint and authenticated get work again %d ms after the database returned%n",
          millisSince(back));
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      server.stop();
    }
  }

  /** Runs {@code call}, asserts UNAVAILABLE/STORAGE_UNAVAILABLE within the bound, returns its duration in ms. */
  private static long timeOutage(ThrowingCallable call) {
    long started = System.nanoTime();
    StatusRuntimeException e = Errors.expect(Status.Code.UNAVAILABLE, "STORAGE_UNAVAILABLE", call);
    long millis = millisSince(started);
    assertThat(e.getStatus().getDescription()).isEqualTo("The token store is unavailable; retry later.");
    assertThat(Duration.ofMillis(millis)).isLessThan(CALL_BOUND);
    return millis;
  }

  private static long time503(HttpClient http, HttpRequest.Builder request, String code) throws Exception {
    long started = System.nanoTime();
    HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    long millis = millisSince(started);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(503);
    assertThat(response.body()).contains(code).doesNotContain("Exception").doesNotContain("SQL")
        .doesNotContain("jdbc:");
    assertThat(Duration.ofMillis(millis)).isLessThan(CALL_BOUND);
    return millis;
  }

  private static HttpRequest.Builder post(String url, String json, String secret) {
    return HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + secret)
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
  }

  private static ServingStatus status(HealthGrpc.HealthBlockingStub health) {
    return health.check(HealthCheckRequest.getDefaultInstance()).getStatus();
  }

  /** Polls health until {@code expected}; returns the ms since {@code since}. */
  private static long awaitHealth(HealthGrpc.HealthBlockingStub health, ServingStatus expected, long since,
      Duration bound) throws InterruptedException {
    while (status(health) != expected) {
      assertThat(Duration.ofMillis(millisSince(since))).as("health %s within %s", expected, bound).isLessThan(bound);
      Thread.sleep(25);
    }
    assertThat(health.check(HealthCheckRequest.newBuilder().setService("tokenauthority.v1.FaultTokenService").build())
        .getStatus()).isEqualTo(expected);
    return millisSince(since);
  }

  /** Refuses new connections to {@code database} and terminates every open one: the pool's too. */
  private static void cutDatabase(String database) throws Exception {
    allowConnections(database, false);
    admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + database
        + "' AND pid <> pg_backend_pid()");
  }

  private static void allowConnections(String database, boolean allow) throws Exception {
    admin("ALTER DATABASE " + database + " ALLOW_CONNECTIONS " + allow);
  }

  private static void admin(String sql) throws Exception {
    try (Connection connection = DriverManager.getConnection(System.getenv(TestStores.POSTGRES_URL_ENV));
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  /** The database name of a jdbc:postgresql://host:port/name?... URL. */
  private static String databaseName(String url) {
    int query = url.indexOf('?');
    String base = query < 0 ? url : url.substring(0, query);
    return base.substring(base.lastIndexOf('/') + 1);
  }

  private static long millisSince(long nanos) {
    return (System.nanoTime() - nanos) / 1_000_000;
  }
}
