package dev.tokenauthority.server.api;

import static dev.tokenauthority.server.testing.Errors.errorInfo;
import static dev.tokenauthority.server.testing.Errors.expect;
import static dev.tokenauthority.server.testing.Errors.expectInvalid;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import com.google.protobuf.util.Timestamps;
import dev.tokenauthority.client.TokenAuthorityClient;
import dev.tokenauthority.server.testing.InProcessAuthority;
import dev.tokenauthority.v1.AccessToken;
import dev.tokenauthority.v1.CreateTenantRequest;
import dev.tokenauthority.v1.CreateUserRequest;
import dev.tokenauthority.v1.CreateWorkspaceTokenRequest;
import dev.tokenauthority.v1.ListAccessTokensRequest;
import dev.tokenauthority.v1.ListAccessTokensResponse;
import dev.tokenauthority.v1.Tenant;
import dev.tokenauthority.v1.User;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Seed 003's access tokens after minting, over gRPC: get, list, update with optimistic locking, revoke, expiry. */
class AccessTokenLifecycleTest {
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

  private Instant now() {
    return authority.clock().instant().truncatedTo(ChronoUnit.MILLIS);
  }

  private static Timestamp millis(Instant instant) {
    return Timestamps.fromMillis(instant.toEpochMilli());
  }

  private AccessToken create(String name) {
    return admin.createAccessToken(AccessToken.newBuilder().setName(name).build());
  }

  private AccessToken createExpiring(String name, Instant expiresAt) {
    return admin.createAccessToken(AccessToken.newBuilder().setName(name).setExpiresAt(millis(expiresAt)).build());
  }

  /** The token as read, renamed: what a caller PUTs back. */
  private AccessToken update(AccessToken read, String name) {
    return admin.updateAccessToken(read.getId(), read.toBuilder().setName(name).build());
  }

  private ListAccessTokensResponse list(int pageSize, String pageToken, String status) {
    return admin.listAccessTokens(ListAccessTokensRequest.newBuilder().setPageSize(pageSize).setPageToken(pageToken)
        .setStatus(status).build());
  }

  /** An authenticated call with the token's secret: it fails if the token cannot authenticate. */
  private void use(AccessToken token) {
    authority.client(token.getToken()).listAccessTokens(ListAccessTokensRequest.getDefaultInstance());
  }

  @Test
  void getAnswersEverythingButTheSecret() {
    AccessToken created = create("laptop");
    assertThat(created.getStatus()).isEqualTo("active");
    AccessToken read = admin.getAccessToken(created.getId());
    assertThat(read.hasToken()).isFalse();
    assertThat(read).isEqualTo(created.toBuilder().clearToken().build());
    assertThat(read.getUser().getEmail()).isEqualTo("admin@localhost");
    expect(Status.Code.NOT_FOUND, "RESOURCE_NOT_FOUND", () -> admin.getAccessToken("no-such-token"));
    String workspaceTokenId = admin.createWorkspaceToken(CreateWorkspaceTokenRequest.newBuilder().setName("ws")
        .addScopes("tokens:read").build()).getId();
    expect(Status.Code.NOT_FOUND, "RESOURCE_NOT_FOUND", () -> admin.getAccessToken(workspaceTokenId));
  }

  @Test
  void theExpandedUserIsTheOneTheTokenAuthenticatesAs() {
    User wendy = admin.createUser(CreateUserRequest.newBuilder()
        .setUser(User.newBuilder().setEmail("wendy@example.com").setFirstName("Wendy")).addScopes("tokens:read").build());
    AccessToken created = admin.createAccessToken(AccessToken.newBuilder().setName("for wendy")
        .setUserId(wendy.getId()).build());
    AccessToken read = admin.getAccessToken(created.getId());
    assertThat(read.getUserId()).isEqualTo(wendy.getId());
    assertThat(read.getUser()).isEqualTo(wendy);
    assertThat(list(0, "", "").getAccessTokensList()).filteredOn(t -> t.getId().equals(created.getId()))
        .extracting(AccessToken::getUser).containsExactly(wendy);
  }

  @Test
  void anotherTenantsTokensAreNotFound() {
    AccessToken mine = create("mine");
    var other = admin.createTenant(CreateTenantRequest.newBuilder().setTenant(Tenant.newBuilder().setName("Globex"))
        .setAdminEmail("owner@globex.example").build());
    TokenAuthorityClient globex = authority.client(other.getAdminToken().getToken());
    expect(Status.Code.NOT_FOUND, "RESOURCE_NOT_FOUND", () -> globex.getAccessToken(mine.getId()));
    expect(Status.Code.NOT_FOUND, "RESOURCE_NOT_FOUND", () -> globex.revokeAccessToken(mine.getId()));
    expect(Status.Code.NOT_FOUND, "RESOURCE_NOT_FOUND",
        () -> globex.updateAccessToken(mine.getId(), mine.toBuilder().setName("taken over").build()));
    assertThat(globex.listAccessTokens(ListAccessTokensRequest.getDefaultInstance()).getAccessTokensList()).isEmpty();
    assertThat(globex.introspectToken(mine.getToken()).getActive()).isFalse();
    assertThat(admin.getAccessToken(mine.getId()).getName()).isEqualTo("mine");
  }

  @Test
  void listPagesNewestFirstWithoutSecretsAndFiltersByStatus() {
    List<String> created = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      authority.clock().advance(Duration.ofMillis(1));
      created.add(0, create("t" + i).getId());
    }
    List<String> seen = new ArrayList<>();
    String pageToken = "";
    int pages = 0;
    do {
      ListAccessTokensResponse page = list(2, pageToken, "");
      page.getAccessTokensList().forEach(t -> assertThat(t.hasToken()).isFalse());
      page.getAccessTokensList().forEach(t -> seen.add(t.getId()));
      pageToken = page.getNextPageToken();
      pages++;
    } while (!pageToken.isEmpty());
    assertThat(pages).isEqualTo(3);
    assertThat(seen).containsExactlyElementsOf(created);

    admin.revokeAccessToken(created.get(0));
    authority.clock().advance(Duration.ofMillis(1));
    AccessToken expiring = createExpiring("short", now().plusSeconds(60));
    authority.clock().advance(Duration.ofSeconds(60));
    assertThat(list(0, "", "revoked").getAccessTokensList()).extracting(AccessToken::getId)
        .containsExactly(created.get(0));
    assertThat(list(0, "", "expired").getAccessTokensList()).extracting(AccessToken::getId)
        .containsExactly(expiring.getId());
    assertThat(list(0, "", "active").getAccessTokensList()).extracting(AccessToken::getId)
        .containsExactlyElementsOf(created.subList(1, 5));
    assertThat(list(0, "", "").getAccessTokensList()).extracting(AccessToken::getStatus)
        .containsExactly("expired", "revoked", "active", "active", "active", "active");
  }

  @Test
  void badListRequestsNameTheirFieldsAsTheJsonDoes() {
    expectInvalid(() -> list(501, "", ""), "pageSize");
    expectInvalid(() -> list(0, "not a page token", ""), "pageToken");
    expectInvalid(() -> list(0, "", "gone"), "status");
  }

  @Test
  void anUpdateChangesNameAndExpiryAndAdvancesChangeSequenceAndUpdatedOn() {
    AccessToken created = createExpiring("laptop", now().plus(Duration.ofDays(1)));
    authority.clock().advance(Duration.ofMinutes(5));
    Instant later = now().plus(Duration.ofDays(30));

    AccessToken updated = admin.updateAccessToken(created.getId(), created.toBuilder().setName("old laptop")
        .setExpiresAt(Timestamps.fromNanos(later.toEpochMilli() * 1_000_000 + 999_999)).build());
    assertThat(updated.getName()).isEqualTo("old laptop");
    assertThat(updated.getExpiresAt()).isEqualTo(millis(later)); // kept to the millisecond
    assertThat(updated.getChangeSequence()).isEqualTo(2);
    assertThat(updated.getUpdatedOn()).isEqualTo(millis(now()));
    assertThat(updated.getCreatedOn()).isEqualTo(created.getCreatedOn());
    assertThat(updated.hasToken()).isFalse();
    assertThat(admin.getAccessToken(created.getId())).isEqualTo(updated);
    use(created); // the secret is unchanged

    authority.clock().advance(Duration.ofSeconds(1));
    AccessToken cleared = admin.updateAccessToken(created.getId(), updated.toBuilder().clearExpiresAt().build());
    assertThat(cleared.hasExpiresAt()).isFalse();
    assertThat(cleared.getChangeSequence()).isEqualTo(3);
    assertThat(cleared.getUpdatedOn()).isEqualTo(millis(now()));
  }

  @Test
  void anUpdateThatChangesNothingAdvancesNothing() {
    AccessToken created = create("same");
    authority.clock().advance(Duration.ofMinutes(1));
    AccessToken read = admin.getAccessToken(created.getId());
    assertThat(admin.updateAccessToken(read.getId(), read)).isEqualTo(read);
    assertThat(admin.getAccessToken(created.getId()).getChangeSequence()).isEqualTo(1);
  }

  @Test
  void aStaleChangeSequenceIsAbortedNamingTheCurrentOne() {
    AccessToken read = create("laptop");
    AccessToken first = update(read, "first");
    StatusRuntimeException e = expect(Status.Code.ABORTED, "CHANGE_SEQUENCE_MISMATCH", () -> update(read, "second"));
    assertThat(errorInfo(e).getMetadataMap()).containsEntry("changeSequence", "2");
    assertThat(e.getStatus().getDescription()).contains("changeSequence is 2, not 1");
    assertThat(admin.getAccessToken(read.getId())).isEqualTo(first);
    expect(Status.Code.ABORTED, "CHANGE_SEQUENCE_MISMATCH",
        () -> admin.updateAccessToken(read.getId(), first.toBuilder().setChangeSequence(3).build()));
    assertThat(update(first, "second").getChangeSequence()).isEqualTo(3);
  }

  @Test
  void concurrentUpdatesBasedOnOneReadLetExactlyOneWin() throws Exception {
    AccessToken token = create("contested");
    int writers = 8;
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    try {
      for (int round = 0; round < 10; round++) {
        AccessToken read = admin.getAccessToken(token.getId());
        CountDownLatch go = new CountDownLatch(1);
        List<Future<String>> outcomes = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
          String name = "round " + round + " writer " + w;
          outcomes.add(pool.submit(() -> {
            go.await();
            try {
              return update(read, name).getName();
            } catch (StatusRuntimeException e) {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.ABORTED);
              assertThat(errorInfo(e).getMetadataMap()).containsEntry("changeSequence",
                  Integer.toString(read.getChangeSequence() + 1));
              return null;
            }
          }));
        }
        go.countDown();
        List<String> winners = new ArrayList<>();
        for (Future<String> outcome : outcomes) {
          if (outcome.get() != null) {
            winners.add(outcome.get());
          }
        }
        assertThat(winners).as("round %d", round).hasSize(1);
        AccessToken after = admin.getAccessToken(token.getId());
        assertThat(after.getChangeSequence()).isEqualTo(read.getChangeSequence() + 1);
        assertThat(after.getName()).isEqualTo(winners.get(0));
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void revocationIsImmediateIdempotentAndAChange() {
    AccessToken token = create("doomed");
    use(token);
    authority.clock().advance(Duration.ofSeconds(3));

    AccessToken revoked = admin.revokeAccessToken(token.getId());
    assertThat(revoked.getStatus()).isEqualTo("revoked");
    assertThat(revoked.hasToken()).isFalse();
    assertThat(revoked.getChangeSequence()).isEqualTo(2);
    assertThat(revoked.getUpdatedOn()).isEqualTo(millis(now()));
    expect(Status.Code.UNAUTHENTICATED, "CREDENTIAL_REVOKED", () -> use(token));
    assertThat(admin.introspectToken(token.getToken()).getActive()).isFalse();
    authority.clock().advance(Duration.ofSeconds(3));
    assertThat(admin.revokeAccessToken(token.getId())).isEqualTo(revoked); // again: nothing changes
    assertThat(admin.getAccessToken(token.getId())).isEqualTo(revoked);
  }

  @Test
  void revokedAndExpiredTokensAreFinal() {
    AccessToken revoked = create("revoked");
    admin.revokeAccessToken(revoked.getId());
    StatusRuntimeException e = expect(Status.Code.FAILED_PRECONDITION, "TOKEN_INACTIVE",
        () -> update(admin.getAccessToken(revoked.getId()), "revived"));
    assertThat(errorInfo(e).getMetadataMap()).containsEntry("status", "revoked");
    expect(Status.Code.FAILED_PRECONDITION, "TOKEN_INACTIVE", () -> update(revoked, "revived")); // however stale

    Instant expiry = now().plusSeconds(10);
    AccessToken expiring = createExpiring("expiring", expiry);
    authority.clock().set(expiry);
    e = expect(Status.Code.FAILED_PRECONDITION, "TOKEN_INACTIVE", () -> update(expiring, "renamed")); // as read
    assertThat(errorInfo(e).getMetadataMap()).containsEntry("status", "expired");
    e = expect(Status.Code.FAILED_PRECONDITION, "TOKEN_INACTIVE", () -> admin.updateAccessToken(expiring.getId(),
        expiring.toBuilder().setExpiresAt(millis(expiry.plus(Duration.ofDays(1)))).build()));
    assertThat(errorInfo(e).getMetadataMap()).containsEntry("status", "expired");
    assertThat(admin.getAccessToken(expiring.getId()).getExpiresAt()).isEqualTo(millis(expiry));
  }

  @Test
  void expiryIsExactAtReadTimeAndAnUpdateMovesItForAuthenticationToo() {
    Instant expiry = now().plus(Duration.ofHours(1));
    AccessToken token = createExpiring("short", expiry);
    authority.clock().set(expiry.minusMillis(1));
    assertThat(admin.getAccessToken(token.getId()).getStatus()).isEqualTo("active");
    assertThat(admin.introspectToken(token.getToken()).getActive()).isTrue();
    use(token);

    Instant extended = expiry.plus(Duration.ofHours(1));
    admin.updateAccessToken(token.getId(), admin.getAccessToken(token.getId()).toBuilder()
        .setExpiresAt(millis(extended)).build());
    authority.clock().set(expiry);
    use(token);
    assertThat(admin.getAccessToken(token.getId()).getStatus()).isEqualTo("active");

    authority.clock().set(extended);
    assertThat(admin.getAccessToken(token.getId()).getStatus()).isEqualTo("expired");
    assertThat(admin.introspectToken(token.getToken()).getActive()).isFalse();
    expect(Status.Code.UNAUTHENTICATED, "CREDENTIAL_EXPIRED", () -> use(token));
  }

  @Test
  void badUpdatesNameTheirFields() {
    AccessToken read = create("laptop");
    expectInvalid(() -> admin.updateAccessToken(read.getId(), read.toBuilder().clearChangeSequence().setName("")
        .build()), "changeSequence", "name");
    expectInvalid(() -> admin.updateAccessToken(read.getId(), read.toBuilder()
        .setExpiresAt(millis(now().minusSeconds(1))).build()), "expiresAt");
    expectInvalid(() -> admin.updateAccessToken(read.getId(), read.toBuilder()
        .setExpiresAt(Timestamp.newBuilder().setSeconds(Long.MAX_VALUE)).build()), "expiresAt");
    expectInvalid(() -> admin.updateAccessToken(read.getId(), read.toBuilder().setUserId("no such user!").build()),
        "userId");
    User other = admin.createUser(CreateUserRequest.newBuilder()
        .setUser(User.newBuilder().setEmail("other@example.com")).build());
    expectInvalid(() -> admin.updateAccessToken(read.getId(), read.toBuilder().setUserId(other.getId()).build()),
        "userId");
    expect(Status.Code.NOT_FOUND, "RESOURCE_NOT_FOUND", () -> admin.updateAccessToken("no-such-token", read));
    assertThat(admin.getAccessToken(read.getId())).isEqualTo(read.toBuilder().clearToken().build());
  }

  @Test
  void eachCallNeedsItsScope() {
    AccessToken target = create("target");
    TokenAuthorityClient reader = authority.client(admin.createWorkspaceToken(CreateWorkspaceTokenRequest.newBuilder()
        .setName("reader").addScopes("tokens:read").build()).getToken());
    TokenAuthorityClient writer = authority.client(admin.createWorkspaceToken(CreateWorkspaceTokenRequest.newBuilder()
        .setName("writer").addScopes("tokens:write").build()).getToken());
    expect(Status.Code.PERMISSION_DENIED, "SCOPE_MISSING", () -> writer.getAccessToken(target.getId()));
    expect(Status.Code.PERMISSION_DENIED, "SCOPE_MISSING",
        () -> writer.listAccessTokens(ListAccessTokensRequest.getDefaultInstance()));
    expect(Status.Code.PERMISSION_DENIED, "SCOPE_MISSING", () -> reader.updateAccessToken(target.getId(),
        target.toBuilder().setName("renamed").build()));
    expect(Status.Code.PERMISSION_DENIED, "SCOPE_MISSING", () -> reader.revokeAccessToken(target.getId()));
    assertThat(writer.updateAccessToken(target.getId(), target.toBuilder().setName("renamed").build()).getName())
        .isEqualTo("renamed");
    assertThat(reader.getAccessToken(target.getId()).getStatus()).isEqualTo("active");
  }
}
