package dev.tokenauthority.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenauthority.server.ServerConfig;
import dev.tokenauthority.server.TokenAuthorityServer;
import dev.tokenauthority.server.testing.TestStores;
import io.grpc.inprocess.InProcessServerBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded gateway's CORS policy: the one envoy/envoy.yaml gives Envoy's cors filter. */
class CorsTest {
  static final String DASHBOARD = "https://dashboard.example.com";

  @TempDir Path dataDir;
  TokenAuthorityServer server;
  // Origin is sendable because the surefire configuration sets jdk.httpclient.allowRestrictedHeaders
  HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws Exception {
    server = new TokenAuthorityServer(TestStores.config(dataDir).withHttpPort(ServerConfig.ANY_FREE_PORT)
        .withCorsOrigins(Set.of(DASHBOARD)), Clock.systemUTC())
        .start(InProcessServerBuilder.forName(InProcessServerBuilder.generateName()));
  }

  @AfterEach
  void stop() throws Exception {
    server.stop();
  }

  HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpRequest.Builder preflight(String origin) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + "/fault/token"))
        .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
        .header("Origin", origin)
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "authorization, content-type");
  }

  @Test
  void aPreflightFromAnAllowedOriginIsAnswered() throws Exception {
    var response = send(preflight(DASHBOARD));
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("access-control-allow-origin")).hasValue(DASHBOARD);
    assertThat(response.headers().firstValue("access-control-allow-methods"))
        .hasValue("GET, POST, PUT, PATCH, DELETE, OPTIONS");
    assertThat(response.headers().firstValue("access-control-allow-headers"))
        .hasValue("authorization, x-api-key, content-type");
    assertThat(response.headers().firstValue("access-control-max-age")).hasValue("600");
  }

  @Test
  void otherOriginsGetNoCorsHeaders() throws Exception {
    var response = send(preflight("https://evil.example"));
    assertThat(response.headers().firstValue("access-control-allow-origin")).isEmpty();
    assertThat(response.statusCode()).isEqualTo(405); // no CORS: an OPTIONS on a POST-only path
  }

  @Test
  void anActualRequestFromAnAllowedOriginCarriesTheAllowOriginHeaderEvenOnErrors() throws Exception {
    var response = send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + "/fault/token"))
        .header("Origin", DASHBOARD).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"expire_after_minutes\": 5}")));
    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.headers().firstValue("access-control-allow-origin")).hasValue(DASHBOARD);
    assertThat(response.headers().allValues("vary")).contains("Origin");
  }

  @Test
  void preflightsAllowEveryVerbOfTheApisHttpRules() {
    assertThat(CorsPolicy.ALLOW_METHODS.split(",\\s*")).contains(
        HttpRoutes.fromClasspath("/tokenauthority.pb").routes().stream().map(HttpRoutes.Route::verb).distinct()
            .toArray(String[]::new));
  }
}
