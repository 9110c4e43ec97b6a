package dev.tokenauthority.server.rest;

import dev.tokenauthority.server.ServerConfig;
import dev.tokenauthority.server.TokenAuthorityServer;
import dev.tokenauthority.server.testing.MutableClock;
import dev.tokenauthority.server.testing.TestStores;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

/**
 * The REST edge a suite drives: the one at {@code TA_REST_BASE_URL} (for example Envoy at
 * {@code http://localhost:10000}, with the admin secret in {@code TA_REST_ADMIN_TOKEN}),
 * or else an embedded server with its gateway on a free port.
 */
final class RestTarget implements AutoCloseable {
  static final String BASE_URL_ENV = "TA_REST_BASE_URL";
  static final String ADMIN_TOKEN_ENV = "TA_REST_ADMIN_TOKEN";

  private final String baseUrl;
  private final String admin;
  private final TokenAuthorityServer embedded;
  private final MutableClock clock;
  private final HttpClient http = HttpClient.newHttpClient();

  private RestTarget(String baseUrl, String admin, TokenAuthorityServer embedded, MutableClock clock) {
    this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    this.admin = admin;
    this.embedded = embedded;
    this.clock = clock;
  }

  static RestTarget open(Path dataDir) throws IOException {
    return open(dataDir, null);
  }

  /**
   * As {@link #open(Path)}; an embedded server runs on a clock the suite can move (when
   * {@code clock} is not null), which {@link #clock()} returns. An external target keeps its own.
   */
  static RestTarget openWithClock(Path dataDir) throws IOException {
    return open(dataDir, new MutableClock(Instant.now()));
  }

  private static RestTarget open(Path dataDir, MutableClock clock) throws IOException {
    String external = System.getenv(BASE_URL_ENV);
    if (external != null && !external.isBlank()) {
      String admin = System.getenv(ADMIN_TOKEN_ENV);
      if (admin == null || admin.isBlank()) {
        throw new IllegalStateException(BASE_URL_ENV + " is set, so " + ADMIN_TOKEN_ENV
            + " must hold that server's admin secret (its data/bootstrap-token)");
      }
      return new RestTarget(external, admin.trim(), null, null);
    }
    TokenAuthorityServer server = new TokenAuthorityServer(
        TestStores.config(dataDir).withHttpPort(ServerConfig.ANY_FREE_PORT), clock == null ? Clock.systemUTC() : clock)
        .start(InProcessServerBuilder.forName(InProcessServerBuilder.generateName()));
    String admin = Files.readString(server.bootstrapFile(), StandardCharsets.US_ASCII).trim();
    return new RestTarget("http://127.0.0.1:" + server.httpPort(), admin, server, clock);
  }

  String admin() {
    return admin;
  }

  /** The embedded server's clock if the suite opened it with one; empty for an external target. */
  Optional<MutableClock> clock() {
    return Optional.ofNullable(clock);
  }

  HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create(baseUrl + path));
  }

  HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** POSTs {@code json} with {@code authorization: Bearer <bearer>} (none if null). */
  HttpResponse<String> post(String path, String json, String bearer) throws IOException, InterruptedException {
    HttpRequest.Builder request = request(path).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json));
    if (bearer != null) {
      request.header("Authorization", "Bearer " + bearer);
    }
    return send(request);
  }

  @Override
  public void close() throws InterruptedException {
    if (embedded != null) {
      embedded.stop();
    }
  }
}
