package dev.tokenauthority.server.api;

import static dev.tokenauthority.server.testing.Errors.expect;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.Timestamp;
import dev.tokenauthority.client.TokenAuthorityClient;
import dev.tokenauthority.server.ServerConfig;
import dev.tokenauthority.server.testing.InProcessAuthority;
import dev.tokenauthority.v1.CreateWorkspaceTokenRequest;
import dev.tokenauthority.v1.ListWorkspaceTokensRequest;
import dev.tokenauthority.v1.RevokeTokensCreatedByRequest;
import dev.tokenauthority.v1.WorkspaceToken;
import io.grpc.Status;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Authentication and introspection are served from memory for a token used before (on the
 * embedded store), yet every change is seen by the very next call, over gRPC and over REST:
 * revocation (one token, or every token a credential created), expiry, last use.
 */
class CachedLookupsTest {
  @TempDir Path dataDir;
  InProcessAuthority authority;
  TokenAuthorityClient admin;
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() {
    authority = InProcessAuthority.start(dataDir, config -> config.withHttpPort(ServerConfig.ANY_FREE_PORT));
    admin = authority.admin();
  }

  @AfterEach
  void stop() {
    authority.close();
  }

  WorkspaceToken mint(String name, String... scopes) {
    return admin.createWorkspaceToken(CreateWorkspaceTokenRequest.newBuilder().setName(name)
        .addAllScopes(java.util.List.of(scopes)).build());
  }

  /** Lists workspace tokens with {@code secret} over gRPC (it must authenticate). */
  void useOverGrpc(String secret) {
    authority.client(secret).listWorkspaceTokens(ListWorkspaceTokensRequest.getDefaultInstance());
  }

  /** The HTTP status of GET /tokens with {@code secret} as the bearer. */
  int useOverRest(String secret) throws Exception {
    return send(HttpRequest.newBuilder(uri("/tokens")).header("Authorization", "Bearer " + secret).GET()).statusCode();
  }

  HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return http.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + authority.httpPort() + path);
  }

  /** Whether POST /v1/tokens:introspect, as the admin, calls {@code token} active. */
  boolean activeOverRest(String token) throws Exception {
    HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/v1/tokens:introspect"))
        .header("Authorization", "Bearer " + authority.adminSecret()).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"token\": \"" + token + "\"}")));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonObject body = JsonParser.parseString(response.body()).getAsJsonObject();
    return body.has("active") && body.get("active").getAsBoolean();
  }

  void warm(String secret) throws Exception {
    for (int i = 0; i < 3; i++) {
      useOverGrpc(secret);
      assertThat(useOverRest(secret)).isEqualTo(200);
    }
  }

  @Test
  void aCredentialRevokedOverGrpcIsRefusedOnTheVeryNextCall() throws Exception {
    WorkspaceToken token = mint("ci", "tokens:read");
    warm(token.getToken());

    admin.revokeWorkspaceToken(token.getId());

    expect(Status.Code.UNAUTHENTICATED, "CREDENTIAL_REVOKED", () -> useOverGrpc(token.getToken()));
    assertThat(useOverRest(token.getToken())).isEqualTo(401);
  }

  @Test
  void aCredentialRevokedOverRestIsRefusedOnTheVeryNextCall() throws Exception {
    WorkspaceToken token = mint("ci", "tokens:read");
    warm(token.getToken());

    HttpResponse<String> revoked = send(HttpRequest.newBuilder(uri("/tokens/" + token.getId()))
        .header("Authorization", "Bearer " + authority.adminSecret()).DELETE());
    assertThat(revoked.statusCode()).as(revoked.body()).isEqualTo(200);

    assertThat(useOverRest(token.getToken())).isEqualTo(401);
    expect(Status.Code.UNAUTHENTICATED, "CREDENTIAL_REVOKED", () -> useOverGrpc(token.getToken()));
  }

  @Test
  void introspectionSeesARevocationAtOnce() throws Exception {
    WorkspaceToken token = mint("introspected", "tokens:read");
    for (int i = 0; i < 3; i++) {
      assertThat(admin.introspectToken(token.getToken()).getActive()).isTrue();
      assertThat(activeOverRest(token.getToken())).isTrue();
    }

    admin.revokeWorkspaceToken(token.getId());

    assertThat(admin.introspectToken(token.getToken()).getActive()).isFalse();
    assertThat(activeOverRest(token.getToken())).isFalse();
  }

  @Test
  void revokingEverythingACredentialCreatedReachesCachedTokens() throws Exception {
    WorkspaceToken creator = mint("creator", "tokens:read", "tokens:write");
    WorkspaceToken created = authority.client(creator.getToken()).createWorkspaceToken(
        CreateWorkspaceTokenRequest.newBuilder().setName("child").addScopes("tokens:read").build());
    warm(created.getToken());

    assertThat(admin.revokeTokensCreatedBy(RevokeTokensCreatedByRequest.newBuilder()
        .setCreatedByTokenId(creator.getId()).build()).getRevokedCount()).isEqualTo(1);

    expect(Status.Code.UNAUTHENTICATED, "CREDENTIAL_REVOKED", () -> useOverGrpc(created.getToken()));
    assertThat(useOverRest(created.getToken())).isEqualTo(401);
  }

  @Test
  void aCachedCredentialStillExpiresOnTime() throws Exception {
    Instant expiry = authority.clock().instant().plus(Duration.ofHours(1));
    WorkspaceToken token = admin.createWorkspaceToken(CreateWorkspaceTokenRequest.newBuilder().setName("short")
        .addScopes("tokens:read").setExpiresAt(Timestamp.newBuilder().setSeconds(expiry.getEpochSecond())).build());
    warm(token.getToken());

    authority.clock().advance(Duration.ofHours(2));

    expect(Status.Code.UNAUTHENTICATED, "CREDENTIAL_EXPIRED", () -> useOverGrpc(token.getToken()));
    assertThat(useOverRest(token.getToken())).isEqualTo(401);
  }

  @Test
  void lastUseKeepsAdvancingForACachedCredential() throws Exception {
    WorkspaceToken token = mint("busy", "tokens:read");
    warm(token.getToken());
    Timestamp first = admin.getWorkspaceToken(token.getId()).getLastUsedAt();
    assertThat(first.getSeconds()).isPositive();

    authority.clock().advance(Duration.ofMinutes(2));
    useOverGrpc(token.getToken());
    Timestamp afterGrpc = admin.getWorkspaceToken(token.getId()).getLastUsedAt();
    assertThat(afterGrpc.getSeconds()).isGreaterThanOrEqualTo(first.getSeconds() + 120);

    authority.clock().advance(Duration.ofMinutes(2));
    assertThat(useOverRest(token.getToken())).isEqualTo(200);
    Timestamp afterRest = admin.getWorkspaceToken(token.getId()).getLastUsedAt();
    assertThat(afterRest.getSeconds()).isGreaterThanOrEqualTo(afterGrpc.getSeconds() + 120);
  }
}
