package dev.tokenauthority.server.api;

import static dev.tokenauthority.server.testing.Errors.expect;
import static dev.tokenauthority.server.testing.Errors.expectInvalid;
import static org.assertj.core.api.Assertions.assertThat;

import com.auth0.jwt.JWT;
import com.google.protobuf.util.Timestamps;
import dev.tokenauthority.client.TokenAuthorityClient;
import dev.tokenauthority.server.testing.InProcessAuthority;
import dev.tokenauthority.v1.CreateTenantRequest;
import dev.tokenauthority.v1.CreateWorkspaceTokenRequest;
import dev.tokenauthority.v1.FaultToken;
import dev.tokenauthority.v1.ListFaultTokensRequest;
import dev.tokenauthority.v1.ListFaultTokensResponse;
import dev.tokenauthority.v1.Tenant;
import io.grpc.Status;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Seed 001's fault tokens after minting, over gRPC: get, list, expiry, revocation. */
class FaultTokenLifecycleTest {
  @TempDir Path dataDir;
  InProcessAuthority authority;
  TokenAuthorityClient admin;

  @BeforeEach
  void start() {
    authority = InProcessAuthority.start(dataDir);
    admin = authority.admin();
  }

  @AfterEach
  void stop() {
    authority.close();
  }

  private ListFaultTokensResponse list(int pageSize, String pageToken, String status) {
    return admin.listFaultTokens(ListFaultTokensRequest.newBuilder().setPageSize(pageSize).setPageToken(pageToken)
        .setStatus(status).build());
  }

  @Test
  void getAnswersTheCreatedFieldsWithoutTheJwtOrShareLink() {
    FaultToken created = admin.generateFaultToken(90);
    assertThat(created.getId()).matches("ftk_[a-z0-9]{24}").isEqualTo(JWT.decode(created.getToken()).getId());
    assertThat(created.getStatus()).isEqualTo("active");
    assertThat(created.hasShortLink()).isTrue();

    authority.clock().advance(Duration.ofMinutes(30)); // reads keep the lifetime it was minted with
    FaultToken read = admin.getFaultToken(created.getId());
    assertThat(read.hasToken()).isFalse();
    assertThat(read.hasShortLink()).isFalse();
    assertThat(read).isEqualTo(created.toBuilder().clearToken().clearShortLink().build());
    assertThat(read.getExpiresInMinutes()).isEqualTo(90);
    expect(Status.Code.NOT_FOUND, "RESOURCE_NOT_FOUND", () -> admin.getFaultToken("ftk_nope"));
  }

  @Test
  void anotherTenantsTokensAreNotFound() {
    FaultToken mine = admin.generateFaultToken(60);
    var other = admin.createTenant(CreateTenantRequest.newBuilder().setTenant(Tenant.newBuilder().setName("Globex"))
        .setAdminEmail("owner@globex.example").build());
    TokenAuthorityClient globex = authority.client(other.getAdminToken().getToken());
    expect(Status.Code.NOT_FOUND, "RESOURCE_NOT_FOUND", () -> globex.getFaultToken(mine.getId()));
    expect(Status.Code.NOT_FOUND, "RESOURCE_NOT_FOUND", () -> globex.revokeFaultToken(mine.getId()));
    assertThat(globex.listFaultTokens(ListFaultTokensRequest.getDefaultInstance()).getTokensList()).isEmpty();
    assertThat(admin.getFaultToken(mine.getId()).getStatus()).isEqualTo("active");
  }

  @Test
  void listPagesNewestFirstWithoutJwtsOrShareLinks() {
    List<String> created = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      authority.clock().advance(Duration.ofMillis(1));
      created.add(0, admin.generateFaultToken(60).getId());
    }
    List<String> seen = new ArrayList<>();
    String pageToken = "";
    int pages = 0;
    do {
      ListFaultTokensResponse page = list(3, pageToken, "");
      page.getTokensList().forEach(t -> {
        assertThat(t.hasToken()).isFalse();
        assertThat(t.hasShortLink()).isFalse();
        seen.add(t.getId());
      });
      pageToken = page.getNextPageToken();
      pages++;
    } while (!pageToken.isEmpty());
    assertThat(pages).isEqualTo(3);
    assertThat(seen).containsExactlyElementsOf(created);
  }

  @Test
  void expiryIsExactAtReadTimeAndEndsIntrospection() {
    FaultToken token = admin.generateFaultToken(1);
    Instant expiry = Instant.ofEpochMilli(Timestamps.toMillis(token.getExpiresAt()));

    authority.clock().set(expiry.minusMillis(1));
    assertThat(admin.getFaultToken(token.getId()).getStatus()).isEqualTo("active");
    assertThat(admin.introspectToken(token.getToken()).getActive()).isTrue();

    authority.clock().set(expiry);
    assertThat(admin.getFaultToken(token.getId()).getStatus()).isEqualTo("expired");
    assertThat(admin.introspectToken(token.getToken()).getActive()).isFalse();
    assertThat(list(0, "", "expired").getTokensList()).extracting(FaultToken::getId).containsExactly(token.getId());
    assertThat(list(0, "", "active").getTokensList()).isEmpty();
  }

  @Test
  void revocationIsImmediateAndIdempotent() {
    FaultToken token = admin.generateFaultToken(60);
    FaultToken bystander = admin.generateFaultToken(60);
    assertThat(admin.checkTokenAccess(token.getToken(), "faults:read", "faults").getAllowed()).isTrue();

    FaultToken revoked = admin.revokeFaultToken(token.getId());
    assertThat(revoked).isEqualTo(token.toBuilder().clearToken().clearShortLink().setStatus("revoked").build());
    assertThat(admin.introspectToken(token.getToken()).getActive()).isFalse();
    var denied = admin.checkTokenAccess(token.getToken(), "faults:read", "faults");
    assertThat(denied.getAllowed()).isFalse();
    assertThat(denied.getReason()).isEqualTo("the token is not active");
    assertThat(admin.revokeFaultToken(token.getId())).isEqualTo(revoked); // again: nothing changes

    assertThat(list(0, "", "revoked").getTokensList()).extracting(FaultToken::getId).containsExactly(token.getId());
    assertThat(list(0, "", "active").getTokensList()).extracting(FaultToken::getId).containsExactly(bystander.getId());
    assertThat(admin.introspectToken(bystander.getToken()).getActive()).isTrue();
  }

  @Test
  void readingAndRevokingNeedTheirScopes() {
    FaultToken token = admin.generateFaultToken(60);
    TokenAuthorityClient reader = authority.client(admin.createWorkspaceToken(CreateWorkspaceTokenRequest.newBuilder()
        .setName("reader").addScopes("tokens:read").build()).getToken());
    TokenAuthorityClient minter = authority.client(admin.createWorkspaceToken(CreateWorkspaceTokenRequest.newBuilder()
        .setName("minter").addScopes("tokens:write").addScopes("faults:read").build()).getToken());

    expect(Status.Code.PERMISSION_DENIED, "SCOPE_MISSING", () -> reader.revokeFaultToken(token.getId()));
    expect(Status.Code.PERMISSION_DENIED, "SCOPE_MISSING", () -> minter.getFaultToken(token.getId()));
    expect(Status.Code.PERMISSION_DENIED, "SCOPE_MISSING",
        () -> minter.listFaultTokens(ListFaultTokensRequest.getDefaultInstance()));
    assertThat(reader.getFaultToken(token.getId()).getStatus()).isEqualTo("active");
  }

  @Test
  void badListRequestsNameTheirFields() {
    expectInvalid(() -> list(-1, "", ""), "page_size");
    expectInvalid(() -> list(0, "not a page token", ""), "page_token");
    expectInvalid(() -> list(0, "", "gone"), "status");
  }
}
