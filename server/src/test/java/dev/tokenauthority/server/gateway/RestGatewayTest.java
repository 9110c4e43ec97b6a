package dev.tokenauthority.server.gateway;

import static dev.tokenauthority.server.testing.JsonShape.assertAltostratError;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tokenauthority.server.ServerConfig;
import dev.tokenauthority.server.TokenAuthorityServer;
import dev.tokenauthority.server.testing.TestStores;
import io.grpc.inprocess.InProcessServerBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded gateway's own mechanics over real HTTP: what it refuses before any gRPC call,
 * and its JSON rewriting. The seeds' contract itself is rest/RestConformanceTest's.
 */
class RestGatewayTest {
  @TempDir Path dataDir;
  TokenAuthorityServer server;
  HttpClient http = HttpClient.newHttpClient();
  String admin;

  @BeforeEach
  void start() throws Exception {
    server = new TokenAuthorityServer(TestStores.config(dataDir).withHttpPort(ServerConfig.ANY_FREE_PORT),
        Clock.systemUTC()).start(InProcessServerBuilder.forName(InProcessServerBuilder.generateName()));
    admin = Files.readString(server.bootstrapFile(), StandardCharsets.US_ASCII).trim();
    assertThat(post("/v1/records", "{\"id\": \"rec-1\"}", admin).statusCode()).isEqualTo(200);
    assertThat(post("/v1/accounts", "{\"id\": \"acc-1\", \"name\": \"Acme\"}", admin).statusCode()).isEqualTo(200);
    assertThat(post("/v1/modules", "{\"id\": \"mod-1\", \"name\": \"Buyers\"}", admin).statusCode()).isEqualTo(200);
  }

  @AfterEach
  void stop() throws Exception {
    server.stop();
  }

  HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpRequest.Builder to(String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + path));
  }

  HttpResponse<String> post(String path, String json, String bearer) throws Exception {
    HttpRequest.Builder request = to(path).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json));
    if (bearer != null) {
      request.header("Authorization", "Bearer " + bearer);
    }
    return send(request);
  }

  static JsonObject json(HttpResponse<String> response) {
    assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
    return JsonParser.parseString(response.body()).getAsJsonObject();
  }

  @Test
  void nullableFieldsTheSeedsShowAsNullArePresentAsNull() throws Exception {
    JsonObject workspace = json(post("/tokens", "{\"name\": \"forever\", \"scopes\": [\"tokens:read\"]}", admin));
    assertThat(workspace.get("expires_at").isJsonNull()).isTrue(); // "or null if no expiration was set"
    assertThat(workspace.get("last_used_at").isJsonNull()).isTrue();

    JsonObject access = json(post("/api/access-tokens", "{\"name\": \"cli\"}", admin));
    assertThat(access.get("expiresAt").isJsonNull()).isTrue();
    assertThat(access.get("userId").getAsString()).isNotEmpty();

    JsonObject api = json(post("/public/v1/accounts/api-tokens", "{\"account\": {\"id\": \"acc-1\"}}", admin));
    assertThat(api.get("lastAccessAt").isJsonNull()).isTrue();
    assertThat(api.get("description").isJsonNull()).isTrue();
    assertThat(api.get("icon").isJsonNull()).isTrue();
    // nested objects and set values are untouched
    assertThat(api.getAsJsonObject("account").get("icon").getAsString()).isEmpty();
    JsonObject described = json(post("/public/v1/accounts/api-tokens",
        "{\"account\": {\"id\": \"acc-1\"}, \"description\": \"a/b ~ \\\"quoted\\\" {x}\"}", admin));
    assertThat(described.get("description").getAsString()).isEqualTo("a/b ~ \"quoted\" {x}");
  }

  @Test
  void errorsTheGatewayDecidesUnderFaultUseAltostratsErrorBody() throws Exception {
    assertAltostratError(post("/fault/token", "{not json", admin), 400, "invalid_request_error", "request_malformed");
    assertAltostratError(post("/fault/nowhere", "{}", admin), 404, "invalid_request_error", "route_not_found");
    assertAltostratError(send(to("/fault/token").GET()), 405, "invalid_request_error", "method_not_allowed");
    assertAltostratError(send(to("/fault/token").header("Content-Type", "text/plain")
        .POST(HttpRequest.BodyPublishers.ofString("x"))), 415, "invalid_request_error", "unsupported_media_type");
  }

  /** A google.rpc.Status JSON body with {@code code}, a message and no details (the gateway decided it). */
  static void edgeStatus(HttpResponse<String> response, int httpStatus, int grpcCode) {
    assertThat(response.statusCode()).isEqualTo(httpStatus);
    JsonObject status = json(response);
    assertThat(status.get("code").getAsInt()).isEqualTo(grpcCode);
    assertThat(status.get("message").getAsString()).isNotBlank();
  }

  @Test
  void theGatewayRefusesWhatItCannotTranscode() throws Exception {
    edgeStatus(post("/no/such/path", "{}", admin), 404, 5);
    var wrongVerb = send(to("/tokens").PUT(HttpRequest.BodyPublishers.ofString("{}")));
    edgeStatus(wrongVerb, 405, 12);
    assertThat(wrongVerb.headers().firstValue("allow")).hasValue("POST, GET");
    String valid = "\"name\": \"x\", \"scopes\": [\"tokens:read\"]";
    edgeStatus(post("/tokens", "{not json", admin), 400, 3);
    edgeStatus(post("/tokens", "{" + valid + ", \"surprise\": 1}", admin), 400, 3);
    edgeStatus(post("/tokens?surprise=1", "{" + valid + "}", admin), 400, 3);
    edgeStatus(post("/tokens", "{" + valid + ", \"pad\": \"" + "x".repeat(RestGateway.MAX_BODY_BYTES) + "\"}", admin), 413, 3);
    edgeStatus(send(to("/tokens").header("Content-Type", "text/plain")
        .header("Authorization", "Bearer " + admin).POST(HttpRequest.BodyPublishers.ofString("name=x"))), 415, 3);
  }

  /**
   * Found by RestGatewayFuzzTest: a truncated JSON body was answered with the JSON library's
   * exception name ("java.io.EOFException: End of input ..."). A caller's mistake is answered
   * in words, without the server's internals.
   */
  @Test
  void malformedJsonIsDescribedWithoutJavaExceptionNames() throws Exception {
    for (String[] pathAndBody : new String[][] {{"/v1/users", "{\"email\": \"a@example.com"},
        {"/v1/users", "{\"\u0001\u0001"}, {"/tokens", "{\"name\": [1,"}, {"/tokens", "{\"name\" 1}"},
        {"/api/access-tokens", "{\"name\": \"x\", \"expiresAt\": {}}"}, {"/tokens", "[1, 2"}}) {
      var response = post(pathAndBody[0], pathAndBody[1], admin);
      edgeStatus(response, 400, 3);
      assertThat(response.body()).as(pathAndBody[1]).doesNotContain("Exception").doesNotContain("java.")
          .doesNotContain("com.google").contains("not valid JSON");
    }
  }
}
