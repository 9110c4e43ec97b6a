package dev.tokenauthority.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenauthority.client.Credentials;
import dev.tokenauthority.client.TokenAuthorityClient;
import dev.tokenauthority.server.Main;
import dev.tokenauthority.server.ServerConfig;
import dev.tokenauthority.server.TokenAuthorityServer;
import dev.tokenauthority.server.testing.TestStores;
import dev.tokenauthority.v1.AccessToken;
import dev.tokenauthority.v1.Account;
import dev.tokenauthority.v1.ApiToken;
import dev.tokenauthority.v1.CreateWorkspaceTokenRequest;
import dev.tokenauthority.v1.Record;
import dev.tokenauthority.v1.WorkspaceTokenServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ConnectException;
import java.net.ServerSocket;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * GET /metrics, scraped over HTTP from a server on real ports: RPC counts and latency
 * histograms by method, code and transport, tokens minted by kind, refused credentials by
 * reason, the pool's gauges, and no secret anywhere in the body.
 */
class MetricsTest {
  private static final String WORKSPACE_SERVICE = "tokenauthority.v1.WorkspaceTokenService";
  /** Looks like a workspace secret (right prefix), is none: refused as CREDENTIAL_INVALID. */
  private static final String FORGED = "taw_ForgedCredentialThatMustNeverAppearInAnyMetric0123456789";
  /** A JWT-looking credential, refused as CREDENTIAL_INVALID before any lookup. */
  private static final String JWT_LIKE = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJtZXRyaWNzLXRlc3QifQ.c2lnbmF0dXJlLW5vdA";
  private static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? (\\S+)");
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  @TempDir Path dataDir;
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  @Timeout(120)
  void scrapeCountsCallsTokensAndRefusalsAndHoldsNoSecret() throws Exception {
    TokenAuthorityServer server = new TokenAuthorityServer(TestStores.config(dataDir).withGrpcPort(0)
        .withHttpPort(ServerConfig.ANY_FREE_PORT).withMetricsPort(ServerConfig.ANY_FREE_PORT), Clock.systemUTC())
        .start(NettyServerBuilder.forPort(0));
    ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
    List<String> secrets = new ArrayList<>();
    try {
      assertThat(server.metricsPort()).isPositive().isNotIn(server.port(), server.httpPort());
      String admin = Files.readString(server.bootstrapFile(), StandardCharsets.US_ASCII).trim();
      secrets.add(admin);
      TokenAuthorityClient client = new TokenAuthorityClient(channel, Credentials.bearer(admin));
      HealthGrpc.newBlockingStub(channel).check(HealthCheckRequest.getDefaultInstance());
      client.createRecord(Record.newBuilder().setId("rec-1").build());
      client.createAccount(Account.newBuilder().setId("acc-1").setName("Acme").build());

      // each of the five kinds once over gRPC
      secrets.add(client.createRecordToken("rec-1", null).getToken());
      var fault = client.generateFaultToken(60);
      secrets.add(fault.getToken());
      secrets.add(client.createApiToken(ApiToken.newBuilder().setAccount(Account.newBuilder().setId("acc-1")).build())
          .getToken());
      AccessToken access = client.createAccessToken(AccessToken.newBuilder().setName("metrics").build());
      secrets.add(access.getToken());
      secrets.add(client.createWorkspaceToken(CreateWorkspaceTokenRequest.newBuilder().setName("grpc")
          .addScopes("tokens:read").build()).getToken());
      // and one workspace token through the REST gateway
      HttpResponse<String> rest = post(server.httpPort(), "/tokens",
          "{\"name\": \"rest\", \"scopes\": [\"tokens:read\"]}", admin);
      assertThat(rest.statusCode()).isEqualTo(201);
      Matcher restSecret = Pattern.compile("\"token\"\\s*:\\s*\"([^\"]+)\"").matcher(rest.body());
      assertThat(restSecret.find()).isTrue();
      secrets.add(restSecret.group(1));
      assertThat(secrets).allSatisfy(secret -> assertThat(secret).hasSizeGreaterThan(20));

      // refused: no credential (gRPC and REST), a forged one and a JWT-looking one (gRPC)
      CreateWorkspaceTokenRequest request = CreateWorkspaceTokenRequest.newBuilder().setName("refused")
          .addScopes("tokens:read").build();
      assertUnauthenticated(() -> WorkspaceTokenServiceGrpc.newBlockingStub(channel).createWorkspaceToken(request));
      assertUnauthenticated(() -> client.withCredentials(Credentials.bearer(FORGED)).createWorkspaceToken(request));
      assertUnauthenticated(() -> client.withCredentials(Credentials.bearer(JWT_LIKE)).createWorkspaceToken(request));
      assertThat(post(server.httpPort(), "/tokens", "{\"name\": \"x\", \"scopes\": [\"tokens:read\"]}", null)
          .statusCode()).isEqualTo(401);

      // the RPC timers are recorded as the call completes, which may be just after the
      // client has its answer: scrape until the last calls show
      Scrape scrape = scrapeUntil(server.metricsPort(), s -> s.sum("grpc_server_processing_duration_seconds_count",
          Map.of("service", WORKSPACE_SERVICE, "method", "CreateWorkspaceToken", "statusCode", "UNAUTHENTICATED",
              "transport", "grpc")) == 3
          && s.sum("grpc_server_processing_duration_seconds_count", Map.of("service", WORKSPACE_SERVICE,
              "method", "CreateWorkspaceToken", "statusCode", "UNAUTHENTICATED", "transport", "rest")) == 1);

      // RPCs by method, code and transport, with histogram buckets
      assertThat(scrape.sum("grpc_server_processing_duration_seconds_count", Map.of("service", WORKSPACE_SERVICE,
          "method", "CreateWorkspaceToken", "statusCode", "UNAUTHENTICATED", "transport", "grpc"))).isEqualTo(3);
      assertThat(scrape.sum("grpc_server_processing_duration_seconds_count", Map.of("service", WORKSPACE_SERVICE,
          "method", "CreateWorkspaceToken", "statusCode", "UNAUTHENTICATED", "transport", "rest"))).isEqualTo(1);
      Map<String, String> okOverGrpc = Map.of("service", WORKSPACE_SERVICE, "method", "CreateWorkspaceToken",
          "methodType", "UNARY", "statusCode", "OK", "transport", "grpc");
      assertThat(scrape.sum("grpc_server_processing_duration_seconds_count", okOverGrpc)).isEqualTo(1);
      assertThat(scrape.sum("grpc_server_processing_duration_seconds_count", Map.of("service", WORKSPACE_SERVICE,
          "method", "CreateWorkspaceToken", "statusCode", "OK", "transport", "rest"))).isEqualTo(1);
      assertThat(scrape.samples("grpc_server_processing_duration_seconds_bucket", okOverGrpc))
          .hasSizeGreaterThan(5)
          .anySatisfy(labels -> assertThat(labels).containsEntry("le", "+Inf"));
      assertThat(scrape.sum("grpc_server_processing_duration_seconds_bucket",
          with(okOverGrpc, "le", "+Inf"))).isEqualTo(1);
      assertThat(scrape.sum("grpc_server_processing_duration_seconds_count", Map.of("service",
          "tokenauthority.v1.RecordTokenService", "statusCode", "OK", "transport", "grpc"))).isEqualTo(1);
      assertThat(scrape.sum("grpc_server_processing_duration_seconds_count", Map.of("service", "grpc.health.v1.Health",
          "method", "Check", "statusCode", "OK", "transport", "grpc"))).isGreaterThanOrEqualTo(1);
      assertThat(scrape.sum("grpc_server_requests_received_messages_total", Map.of("service", WORKSPACE_SERVICE,
          "method", "CreateWorkspaceToken", "transport", "grpc"))).isEqualTo(1); // refused calls' messages go unread

      // tokens minted by kind: the bootstrap admin token is a workspace token too
      assertThat(scrape.sum("tokenauthority_tokens_minted_total", Map.of("kind", "WORKSPACE"))).isEqualTo(3);
      for (String kind : List.of("ACCESS", "ACCOUNT_API", "RECORD", "FAULT")) {
        assertThat(scrape.sum("tokenauthority_tokens_minted_total", Map.of("kind", kind))).as(kind).isEqualTo(1);
      }
      assertThat(scrape.samples("tokenauthority_tokens_minted_total", Map.of())).hasSize(5);

      // the six mints above, one after another: six commits of the embedded store, one mint each
      // (the bootstrap token is written by the server's first start, not through the group commit)
      if (TestStores.postgres()) {
        assertThat(scrape.samples("tokenauthority_store_commit_batch_count", Map.of())).isEmpty();
      } else {
        assertThat(scrape.sum("tokenauthority_store_commit_batch_count", Map.of())).isEqualTo(6);
        assertThat(scrape.sum("tokenauthority_store_commit_batch_sum", Map.of())).isEqualTo(6);
      }

      // credentials refused by reason
      assertThat(scrape.sum("tokenauthority_auth_failures_total", Map.of("reason", "CREDENTIAL_MISSING"))).isEqualTo(2);
      assertThat(scrape.sum("tokenauthority_auth_failures_total", Map.of("reason", "CREDENTIAL_INVALID"))).isEqualTo(2);
      assertThat(scrape.sum("tokenauthority_auth_failures_total", Map.of("reason", "CREDENTIAL_EXPIRED"))).isZero();
      assertThat(scrape.sum("tokenauthority_auth_failures_total", Map.of("reason", "CREDENTIAL_REVOKED"))).isZero();
      assertThat(scrape.sum("tokenauthority_auth_failures_total", Map.of("reason", "AUTH_RATE_LIMITED"))).isZero();

      // the pool and the JVM
      assertThat(scrape.samples("hikaricp_connections_active", Map.of("pool", "token-authority"))).hasSize(1);
      assertThat(scrape.samples("hikaricp_connections_idle", Map.of("pool", "token-authority"))).hasSize(1);
      assertThat(scrape.samples("hikaricp_connections_pending", Map.of("pool", "token-authority"))).hasSize(1);
      assertThat(scrape.sum("hikaricp_connections_max", Map.of("pool", "token-authority"))).isEqualTo(10);
      assertThat(scrape.samples("jvm_memory_used_bytes", Map.of())).isNotEmpty();
      assertThat(scrape.samples("process_uptime_seconds", Map.of())).hasSize(1);

      // never a secret: not the minted ones, not the credentials presented, not the bootstrap token
      List<String> forbidden = new ArrayList<>(secrets);
      forbidden.add(FORGED);
      forbidden.add(JWT_LIKE);
      for (String secret : forbidden) {
        assertThat(scrape.body).doesNotContain(secret);
        // nor a recognisable part of one (a label cut to length would still leak)
        assertThat(scrape.body).doesNotContain(secret.substring(0, 16));
      }
      String shareCode = fault.getShortLink().substring(fault.getShortLink().lastIndexOf('/') + 1);
      assertThat(shareCode).hasSizeGreaterThan(10);
      assertThat(scrape.body).doesNotContain(shareCode);
      assertThat(scrape.body).doesNotContain("taw_").doesNotContain("tau_").doesNotContain("taa_")
          .doesNotContain("eyJ");
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      server.stop();
    }
    assertThatThrownBy(() -> get(server.metricsPort(), "/metrics")).isInstanceOf(ConnectException.class);
  }

  @Test
  @Timeout(60)
  void theEndpointAnswersOnlyGetMetricsInTheTextFormat() throws Exception {
    try (TokenAuthorityServer server = new TokenAuthorityServer(TestStores.config(dataDir).withGrpcPort(0)
        .withHttpPort(0).withMetricsPort(ServerConfig.ANY_FREE_PORT), Clock.systemUTC())
        .start(NettyServerBuilder.forPort(0))) {
      HttpResponse<String> metrics = get(server.metricsPort(), "/metrics");
      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(metrics.headers().firstValue("content-type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
      assertThat(metrics.body()).contains("# TYPE tokenauthority_tokens_minted_total counter");
      assertThat(get(server.metricsPort(), "/").statusCode()).isEqualTo(404);
      assertThat(get(server.metricsPort(), "/metrics/extra").statusCode()).isEqualTo(404);
      HttpResponse<String> posted = http.send(HttpRequest.newBuilder(uri(server.metricsPort(), "/metrics"))
          .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(posted.statusCode()).isEqualTo(405);
    }
  }

  @Test
  @Timeout(60)
  void aFixedPortIsServedAndPortZeroServesNothing() throws Exception {
    int port;
    try (ServerSocket probe = new ServerSocket(0)) {
      port = probe.getLocalPort();
    }
    try (TokenAuthorityServer server = new TokenAuthorityServer(TestStores.config(dataDir).withGrpcPort(0)
        .withHttpPort(0).withMetricsPort(port), Clock.systemUTC()).start(NettyServerBuilder.forPort(0))) {
      assertThat(server.metricsPort()).isEqualTo(port);
      assertThat(get(port, "/metrics").statusCode()).isEqualTo(200);
    }
    try (TokenAuthorityServer server = new TokenAuthorityServer(TestStores.config(dataDir).withGrpcPort(0)
        .withHttpPort(0).withMetricsPort(0), Clock.systemUTC()).start(NettyServerBuilder.forPort(0))) {
      assertThat(server.metricsPort()).isZero();
      assertThatThrownBy(() -> get(port, "/metrics")).isInstanceOf(ConnectException.class);
    }
  }

  @Test
  void theCommandLineDefaultsToThePrometheusExporterPortAndRefusesANegativeOne() {
    CommandLine.Model.OptionSpec option = new CommandLine(new Main()).getCommandSpec().findOption("--metrics-port");
    assertThat(option.defaultValue()).isEqualTo(System.getenv().getOrDefault("TA_METRICS_PORT", "9464"));
    assertThat(String.join(" ", option.description())).contains("TA_METRICS_PORT");
    assertThat(ServerConfig.defaults(dataDir).metricsPort()).isEqualTo(9464);

    StringWriter err = new StringWriter();
    int exit = new CommandLine(new Main()).setErr(new PrintWriter(err)).execute("--data-dir", dataDir.toString(),
        "--grpc-port", "0", "--http-port", "0", "--metrics-port", "-1");
    assertThat(exit).isEqualTo(CommandLine.ExitCode.USAGE);
    assertThat(err.toString()).contains("--metrics-port");
  }

  private static void assertUnauthenticated(Runnable call) {
    assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class,
        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
  }

  private static Map<String, String> with(Map<String, String> labels, String key, String value) {
    Map<String, String> copy = new LinkedHashMap<>(labels);
    copy.put(key, value);
    return copy;
  }

  private static URI uri(int port, String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  private HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(uri(port, path)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(int port, String path, String json, String bearer)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri(port, path)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json));
    if (bearer != null) {
      request.header("Authorization", "Bearer " + bearer);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private Scrape scrapeUntil(int port, java.util.function.Predicate<Scrape> done) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      HttpResponse<String> response = get(port, "/metrics");
      assertThat(response.statusCode()).isEqualTo(200);
      Scrape scrape = new Scrape(response.body());
      if (done.test(scrape) || System.nanoTime() > deadline) {
        return scrape;
      }
      Thread.sleep(50);
    }
  }

  /** A parsed scrape: each sample's name, labels and value. */
  private static final class Scrape {
    private record Sample(String name, Map<String, String> labels, double value) {}

    final String body;
    private final List<Sample> samples = new ArrayList<>();

    Scrape(String body) {
      this.body = body;
      for (String line : body.split("\n")) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        Matcher sample = SAMPLE.matcher(line);
        assertThat(sample.matches()).as("a sample line: %s", line).isTrue();
        Map<String, String> labels = new LinkedHashMap<>();
        if (sample.group(2) != null) {
          Matcher label = LABEL.matcher(sample.group(2));
          while (label.find()) {
            labels.put(label.group(1), label.group(2));
          }
        }
        samples.add(new Sample(sample.group(1), labels, Double.parseDouble(sample.group(3))));
      }
    }

    /** The label sets of the samples named {@code name} that carry every label in {@code labels}. */
    List<Map<String, String>> samples(String name, Map<String, String> labels) {
      return samples.stream().filter(s -> s.name.equals(name) && s.labels.entrySet().containsAll(labels.entrySet()))
          .map(Sample::labels).toList();
    }

    /** The sum of those samples' values (0 when there are none). */
    double sum(String name, Map<String, String> labels) {
      return samples.stream().filter(s -> s.name.equals(name) && s.labels.entrySet().containsAll(labels.entrySet()))
          .mapToDouble(Sample::value).sum();
    }
  }
}
