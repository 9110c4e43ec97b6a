package dev.tokenauthority.server.api;

import static dev.tokenauthority.server.testing.Errors.expect;
import static dev.tokenauthority.server.testing.Errors.expectInvalid;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.Timestamps;
import dev.tokenauthority.client.Credentials;
import dev.tokenauthority.client.TokenAuthorityClient;
import dev.tokenauthority.server.testing.InProcessAuthority;
import dev.tokenauthority.v1.CreateTenantRequest;
import dev.tokenauthority.v1.CreateWorkspaceTokenRequest;
import dev.tokenauthority.v1.ListWorkspaceTokensRequest;
import dev.tokenauthority.v1.ListWorkspaceTokensResponse;
import dev.tokenauthority.v1.RevokeTokensCreatedByRequest;
import dev.tokenauthority.v1.Tenant;
import dev.tokenauthority.v1.WorkspaceToken;
import io.grpc.Status;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Workspace tokens after minting, over gRPC: get, list, status, expiry, last use, revocation. */
class WorkspaceTokenLifecycleTest {
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

  private WorkspaceToken create(String name, String... scopes) {
    return admin.createWorkspaceToken(CreateWorkspaceTokenRequest.newBuilder().setName(name)
        .addAllScopes(List.of(scopes.length == 0 ? new String[] {"tokens:read"} : scopes)).build());
  }

  private WorkspaceToken createExpiring(String name, Instant expiresAt) {
    return admin.createWorkspaceToken(CreateWorkspaceTokenRequest.newBuilder().setName(name).addScopes("tokens:read")
        .setExpiresAt(Timestamps.fromMillis(expiresAt.toEpochMilli())).build());
  }

  private ListWorkspaceTokensResponse list(int pageSize, String pageToken, String status) {
    return admin.listWorkspaceTokens(ListWorkspaceTokensRequest.newBuilder().setPageSize(pageSize)
        .setPageToken(pageToken).setStatus(status).build());
  }

  @Test
  void getAnswersEverythingButTheSecret() {
    WorkspaceToken created = create("ci", "tokens:read", "tokens:write");
    WorkspaceToken read = admin.getWorkspaceToken(created.getId());
    assertThat(read.hasToken()).isFalse();
    assertThat(read).isEqualTo(created.toBuilder().clearToken().build());
    expect(Status.Code.NOT_FOUND, "RESOURCE_NOT_FOUND", () -> admin.getWorkspaceToken("tok_nope"));
  }

  @Test
  void anotherTenantsTokensAreNotFound() {
    WorkspaceToken mine = create("mine");
    var other = admin.createTenant(CreateTenantRequest.newBuilder().setTenant(Tenant.newBuilder().setName("Globex"))
        .setAdminEmail("owner@globex.example").build());
    TokenAuthorityClient globex = authority.client(other.getAdminToken().getToken());
    expect(Status.Code.NOT_FOUND, "RESOURCE_NOT_FOUND", () -> globex.getWorkspaceToken(mine.getId()));
    expect(Status.Code.NOT_FOUND, "RESOURCE_NOT_FOUND", () -> globex.revokeWorkspaceToken(mine.getId()));
    assertThat(globex.listWorkspaceTokens(ListWorkspaceTokensRequest.getDefaultInstance()).getTokensList())
        .extracting(WorkspaceToken::getId).containsExactly(other.getAdminToken().getId());
    assertThat(globex.introspectToken(mine.getToken()).getActive()).isFalse();
  }

  @Test
  void listPagesNewestFirstWithoutSecrets() {
    List<String> created = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      authority.clock().advance(Duration.ofMillis(1)); // after the bootstrap token, and apart
      created.add(0, create("t" + i).getId());
    }
    List<String> seen = new ArrayList<>();
    String pageToken = "";
    int pages = 0;
    do {
      ListWorkspaceTokensResponse page = list(3, pageToken, "");
      page.getTokensList().forEach(t -> assertThat(t.hasToken()).isFalse());
      page.getTokensList().forEach(t -> seen.add(t.getId()));
      pageToken = page.getNextPageToken();
      pages++;
    } while (!pageToken.isEmpty());
    assertThat(pages).isEqualTo(3); // 7 tokens + the bootstrap admin's, 3 per page
    assertThat(seen.subList(0, 7)).containsExactlyElementsOf(created);
    assertThat(seen).hasSize(8).doesNotHaveDuplicates();
    assertThat(list(0, "", "").getTokensCount()).isEqualTo(8); // default page size 50
  }

  @Test
  void pagingVisitsEveryTokenOnceWhileOthersAreCreated() throws Exception {
    Set<String> existing = new HashSet<>();
    for (int i = 0; i < 60; i++) {
      existing.add(create("before-" + i).getId());
    }
    AtomicBoolean paging = new AtomicBoolean(true);
    ExecutorService writer = Executors.newSingleThreadExecutor();
    Future<Integer> writes = writer.submit(() -> {
      int n = 0;
      while (paging.get()) {
        create("during-" + n++);
      }
      return n;
    });
    List<String> seen = new ArrayList<>();
    String pageToken = "";
    do {
      ListWorkspaceTokensResponse page = list(7, pageToken, "");
      page.getTokensList().forEach(t -> seen.add(t.getId()));
      pageToken = page.getNextPageToken();
    } while (!pageToken.isEmpty());
    paging.set(false);
    assertThat(writes.get()).isPositive();
    writer.shutdown();
    assertThat(seen).doesNotHaveDuplicates().containsAll(existing);
  }

  @Test
  void expiryIsExactAtReadTimeAndStopsAuthentication() {
    Instant expiry = authority.clock().instant().plus(Duration.ofHours(1)).plusMillis(1);
    WorkspaceToken token = createExpiring("short", expiry);
    TokenAuthorityClient holder = authority.client(token.getToken());
    authority.clock().set(expiry.minusMillis(1));
    assertThat(admin.getWorkspaceToken(token.getId()).getStatus()).isEqualTo("active");
    assertThat(admin.introspectToken(token.getToken()).getActive()).isTrue();
    holder.listWorkspaceTokens(ListWorkspaceTokensRequest.getDefaultInstance());

    authority.clock().set(expiry);
    assertThat(admin.getWorkspaceToken(token.getId()).getStatus()).isEqualTo("expired");
    assertThat(admin.introspectToken(token.getToken()).getActive()).isFalse();
    expect(Status.Code.UNAUTHENTICATED, "CREDENTIAL_EXPIRED",
        () -> holder.listWorkspaceTokens(ListWorkspaceTokensRequest.getDefaultInstance()));
    assertThat(list(0, "", "expired").getTokensList()).extracting(WorkspaceToken::getId).containsExactly(token.getId());
    assertThat(list(0, "", "active").getTokensList()).extracting(WorkspaceToken::getId).doesNotContain(token.getId());
  }

  @Test
  void revocationIsImmediateAndIdempotent() {
    WorkspaceToken token = create("doomed");
    TokenAuthorityClient holder = authority.client(token.getToken());
    holder.listWorkspaceTokens(ListWorkspaceTokensRequest.getDefaultInstance());

    WorkspaceToken revoked = admin.revokeWorkspaceToken(token.getId());
    assertThat(revoked.getStatus()).isEqualTo("revoked");
    assertThat(revoked.hasToken()).isFalse();
    expect(Status.Code.UNAUTHENTICATED, "CREDENTIAL_REVOKED",
        () -> holder.listWorkspaceTokens(ListWorkspaceTokensRequest.getDefaultInstance()));
    assertThat(admin.introspectToken(token.getToken()).getActive()).isFalse();
    assertThat(admin.revokeWorkspaceToken(token.getId())).isEqualTo(revoked); // again: nothing changes
    assertThat(list(0, "", "revoked").getTokensList()).extracting(WorkspaceToken::getId).containsExactly(token.getId());
  }

  @Test
  void revokingAndReadingNeedTheirScopes() {
    WorkspaceToken target = create("target");
    TokenAuthorityClient writer = authority.client(create("writer", "tokens:write").getToken());
    expect(Status.Code.PERMISSION_DENIED, "SCOPE_MISSING", () -> writer.revokeWorkspaceToken(target.getId()));
    expect(Status.Code.PERMISSION_DENIED, "SCOPE_MISSING", () -> writer.getWorkspaceToken(target.getId()));
    expect(Status.Code.PERMISSION_DENIED, "SCOPE_MISSING", () -> writer.introspectToken(target.getToken()));
    assertThat(admin.getWorkspaceToken(target.getId()).getStatus()).isEqualTo("active");
  }

  @Test
  void lastUsedIsRecordedAtMostOncePerMinute() {
    WorkspaceToken token = create("busy");
    TokenAuthorityClient holder = authority.client(token.getToken());
    Instant first = authority.clock().instant();
    holder.listWorkspaceTokens(ListWorkspaceTokensRequest.getDefaultInstance());
    assertThat(Timestamps.toMillis(admin.getWorkspaceToken(token.getId()).getLastUsedAt())).isEqualTo(first.toEpochMilli());

    authority.clock().advance(Duration.ofSeconds(59));
    holder.listWorkspaceTokens(ListWorkspaceTokensRequest.getDefaultInstance());
    assertThat(Timestamps.toMillis(admin.getWorkspaceToken(token.getId()).getLastUsedAt())).isEqualTo(first.toEpochMilli());

    authority.clock().advance(Duration.ofSeconds(2));
    holder.listWorkspaceTokens(ListWorkspaceTokensRequest.getDefaultInstance());
    assertThat(Timestamps.toMillis(admin.getWorkspaceToken(token.getId()).getLastUsedAt()))
        .isEqualTo(first.plusSeconds(61).toEpochMilli());
  }

  @Test
  void badListRequestsNameTheirFields() {
    expectInvalid(() -> list(501, "", ""), "page_size");
    expectInvalid(() -> list(-1, "", ""), "page_size");
    expectInvalid(() -> list(0, "not a page token", ""), "page_token");
    expectInvalid(() -> list(0, "", "gone"), "status");
  }

  @Test
  void bulkRevocationOfTenThousandTokensIsOneStatement() {
    WorkspaceToken minter = create("minter", "tokens:read", "tokens:write");
    TokenAuthorityClient viaMinter = authority.client(minter.getToken());
    List<String> secrets = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      WorkspaceToken child = viaMinter.createWorkspaceToken(CreateWorkspaceTokenRequest.newBuilder()
          .setName("child-" + i).addScopes("tokens:read").build());
      if (i % 1000 == 0) {
        secrets.add(child.getToken());
      }
    }
    WorkspaceToken bystander = create("bystander");

    var revoked = admin.revokeTokensCreatedBy(RevokeTokensCreatedByRequest.newBuilder()
        .setCreatedByTokenId(minter.getId()).build());
    assertThat(revoked.getRevokedCount()).isEqualTo(10_000);
    for (String secret : secrets) {
      assertThat(admin.introspectToken(secret).getActive()).isFalse();
    }
    assertThat(admin.introspectToken(bystander.getToken()).getActive()).isTrue();
    assertThat(admin.introspectToken(minter.getToken()).getActive()).isTrue(); // its own creations, not itself
    assertThat(admin.revokeTokensCreatedBy(RevokeTokensCreatedByRequest.newBuilder()
        .setCreatedByTokenId(minter.getId()).build()).getRevokedCount()).isZero();
    expectInvalid(() -> admin.revokeTokensCreatedBy(RevokeTokensCreatedByRequest.getDefaultInstance()),
        "created_by_user_id");
  }

  /** Found by RestGatewayFuzzTest: an ID longer than any ID was INTERNAL (it did not fit the audit row). */
  @Test
  void bulkRevocationNamesAMalformedIdAsInvalid() {
    expectInvalid(() -> admin.revokeTokensCreatedBy(RevokeTokensCreatedByRequest.newBuilder()
        .setCreatedByTokenId("a".repeat(101)).build()), "created_by_token_id");
    expectInvalid(() -> admin.revokeTokensCreatedBy(RevokeTokensCreatedByRequest.newBuilder()
        .setCreatedByUserId("usr 1").build()), "created_by_user_id");
    assertThat(admin.revokeTokensCreatedBy(RevokeTokensCreatedByRequest.newBuilder()
        .setCreatedByTokenId("a".repeat(100)).build()).getRevokedCount()).isZero();
  }
}
