package dev.tokenauthority.server.rest;

import static dev.tokenauthority.server.testing.JsonShape.Type.STRING;
import static dev.tokenauthority.server.testing.JsonShape.assertAltostratError;
import static dev.tokenauthority.server.testing.JsonShape.assertShape;
import static dev.tokenauthority.server.testing.JsonShape.body;
import static dev.tokenauthority.server.testing.JsonShape.shape;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonObject;
import dev.tokenauthority.server.ServerConfig;
import dev.tokenauthority.server.testing.MutableClock;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seed 001's {@code short_link} over HTTP, followed as a browser would but without following
 * the redirect: {@code GET /s/{code}} with no credential answers 302 with the dashboard URL
 * carrying the JWT in {@code Location}, 404 for an unknown code and 410 Gone once the token
 * has expired or been revoked, never cacheable. Runs against the embedded gateway or
 * TA_REST_BASE_URL (the expiry test needs the embedded server's clock).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ShareLinkRestTest {
  @TempDir static Path dataDir;
  RestTarget target;
  String admin;
  /** A browser that does not follow redirects, so the 302 itself can be checked. */
  final HttpClient browser = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

  @BeforeAll
  void start() throws Exception {
    target = RestTarget.openWithClock(dataDir);
    admin = target.admin();
  }

  @AfterAll
  void stop() throws Exception {
    target.close();
  }

  private JsonObject faultToken(int minutes) throws Exception {
    return body(target.post("/fault/token", "{\"expire_after_minutes\": " + minutes + "}", admin), 200);
  }

  /** GET on the path of the token's short link at the target (whose public URL may differ). */
  private HttpResponse<String> follow(JsonObject token, String... authorization) throws Exception {
    return open(URI.create(token.get("short_link").getAsString()).getPath(), authorization);
  }

  private HttpResponse<String> open(String path, String... authorization) throws Exception {
    HttpRequest.Builder request = target.request(path).GET();
    if (authorization.length > 0) {
      request.header("Authorization", authorization[0]);
    }
    return browser.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void anActiveLinkRedirectsToTheDashboardWithTheJwt() throws Exception {
    JsonObject token = faultToken(60);
    String jwt = token.get("token").getAsString();
    HttpResponse<String> response = follow(token);

    JsonObject answer = assertShape(body(response, 302), shape("location", STRING));
    String location = response.headers().firstValue("location").orElseThrow();
    assertThat(location).isEqualTo(answer.get("location").getAsString()).contains(jwt);
    if (target.clock().isPresent()) { // the embedded server runs with the default target
      assertThat(location).isEqualTo(ServerConfig.DEFAULT_SHARE_LINK_TARGET.replace("{token}", jwt));
    }
    assertThat(response.headers().firstValue("cache-control")).hasValue("no-store");
    // the link is the credential: a bad one sent along changes nothing
    assertThat(follow(token, "Bearer taw_garbage").statusCode()).isEqualTo(302);
  }

  @Test
  void anUnknownCodeIsNotFound() throws Exception {
    HttpResponse<String> response = open("/s/AbCdEfGh12345678");
    assertAltostratError(response, 404, "invalid_request_error", "resource_missing");
    assertThat(response.headers().firstValue("cache-control")).hasValue("no-store");
    assertThat(response.headers().firstValue("location")).isEmpty();
    assertAltostratError(open("/s/not-a-code!"), 404, "invalid_request_error", "resource_missing");
  }

  @Test
  void aRevokedTokensLinkIsGone() throws Exception {
    JsonObject token = faultToken(60);
    assertThat(follow(token).statusCode()).isEqualTo(302);
    body(target.send(target.request("/fault/token/" + token.get("id").getAsString())
        .header("Authorization", "Bearer " + admin).DELETE()), 200);

    HttpResponse<String> response = follow(token);
    assertThat(assertAltostratError(response, 410, "invalid_request_error", "resource_gone").get("message").getAsString())
        .contains("revoked");
    assertThat(response.headers().firstValue("cache-control")).hasValue("no-store");
    assertThat(response.headers().firstValue("location")).isEmpty();
  }

  @Test
  void anExpiredTokensLinkIsGoneFromItsExpiry() throws Exception {
    assumeTrue(target.clock().isPresent(), "needs the embedded server's clock; " + RestTarget.BASE_URL_ENV + " is set");
    MutableClock clock = target.clock().get();
    JsonObject token = faultToken(1);
    Instant expiry = Instant.parse(token.get("expires_at").getAsString());

    clock.set(expiry.minusMillis(1));
    assertThat(follow(token).statusCode()).isEqualTo(302);
    clock.set(expiry);
    assertThat(assertAltostratError(follow(token), 410, "invalid_request_error", "resource_gone")
        .get("message").getAsString()).contains("expired");
  }
}
