package dev.tokenauthority.server.api;

import static dev.tokenauthority.server.testing.Errors.expect;
import static dev.tokenauthority.server.testing.Errors.expectInvalid;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import com.google.protobuf.util.Timestamps;
import dev.tokenauthority.client.TokenAuthorityClient;
import dev.tokenauthority.server.testing.InProcessAuthority;
import dev.tokenauthority.v1.AccessToken;
import dev.tokenauthority.v1.Account;
import dev.tokenauthority.v1.ApiToken;
import dev.tokenauthority.v1.CreateTenantRequest;
import dev.tokenauthority.v1.CreateUserRequest;
import dev.tokenauthority.v1.CreateWorkspaceTokenRequest;
import dev.tokenauthority.v1.ListApiTokensRequest;
import dev.tokenauthority.v1.ListApiTokensResponse;
import dev.tokenauthority.v1.ListWorkspaceTokensRequest;
import dev.tokenauthority.v1.Module;
import dev.tokenauthority.v1.PrincipalRef;
import dev.tokenauthority.v1.ResponseMeta;
import dev.tokenauthority.v1.RevokeTokensCreatedByRequest;
import dev.tokenauthority.v1.Tenant;
import dev.tokenauthority.v1.User;
import io.grpc.Status;
import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Seed 002's account API tokens after minting, over gRPC: get, list, last use, revocation and its audit. */
class AccountApiTokenLifecycleTest {
  static final ResponseMeta OMITTED_TOKEN = ResponseMeta.newBuilder().addOmitted("token").build();

  @TempDir Path dataDir;
  InProcessAuthority authority;
  TokenAuthorityClient admin;

  @BeforeEach
  void start() {
    authority = InProcessAuthority.start(dataDir);
    admin = authority.admin();
    admin.createAccount(Account.newBuilder().setId("acc-1").setName("Acme").build());
    admin.createAccount(Account.newBuilder().setId("acc-2").setName("Globex").build());
    admin.createModule(Module.newBuilder().setId("mod-buyers").setName("Buyers").build());
    admin.createModule(Module.newBuilder().setId("mod-export").setName("Export").build());
  }

  @AfterEach
  void stop() {
    authority.close();
  }

  private Timestamp now() {
    return Timestamps.fromMillis(authority.clock().instant().truncatedTo(ChronoUnit.MILLIS).toEpochMilli());
  }

  private ApiToken create(String accountId, String name, String... moduleIds) {
    ApiToken.Builder request = ApiToken.newBuilder().setAccount(Account.newBuilder().setId(accountId)).setName(name);
    for (String id : moduleIds) {
      request.addModules(Module.newBuilder().setId(id));
    }
    return admin.createApiToken(request.build());
  }

  /** The token as every read shows it: the creating response without the secret, which $meta names. */
  private static ApiToken asRead(ApiToken created) {
    return created.toBuilder().clearToken().setMeta(OMITTED_TOKEN).build();
  }

  private ListApiTokensResponse list(String accountId, int pageSize, String pageToken, String status) {
    return admin.listApiTokens(ListApiTokensRequest.newBuilder().setAccountId(accountId).setPageSize(pageSize)
        .setPageToken(pageToken).setStatus(status).build());
  }

  /**
   * An authenticated call with the token's secret. Account API tokens hold no scopes here, so
   * it is denied, but only once the token has authenticated (and its use been recorded).
   */
  private void use(ApiToken token) {
    expect(Status.Code.PERMISSION_DENIED, "SCOPE_MISSING", () -> authority.client(token.getToken())
        .listWorkspaceTokens(ListWorkspaceTokensRequest.getDefaultInstance()));
  }

  @Test
  void getAnswersTheCreatedTokenWithoutItsSecretAndSaysSo() {
    ApiToken created = admin.createApiToken(ApiToken.newBuilder().setAccount(Account.newBuilder().setId("acc-1"))
        .setName("sync").setDescription("nightly").setIcon("sync.svg")
        .addModules(Module.newBuilder().setId("mod-export")).addModules(Module.newBuilder().setId("mod-buyers"))
        .build());
    ApiToken read = admin.getApiToken(created.getId());
    assertThat(read.hasToken()).isFalse();
    assertThat(read.getMeta().getOmittedList()).containsExactly("token");
    assertThat(read).isEqualTo(asRead(created));
    assertThat(read.getModulesList()).extracting(Module::getId).containsExactly("mod-export", "mod-buyers");
    expect(Status.Code.NOT_FOUND, "RESOURCE_NOT_FOUND", () -> admin.getApiToken("apt_nope"));
    String accessTokenId = admin.createAccessToken(AccessToken.newBuilder().setName("a").build()).getId();
    expect(Status.Code.NOT_FOUND, "RESOURCE_NOT_FOUND", () -> admin.getApiToken(accessTokenId));
  }

  @Test
  void lastAccessAtIsTheLastUseRecordedAtMostOncePerMinute() {
    ApiToken token = create("acc-1", "busy");
    assertThat(admin.getApiToken(token.getId()).hasLastAccessAt()).isFalse();
    Timestamp first = now();
    use(token);
    assertThat(admin.getApiToken(token.getId()).getLastAccessAt()).isEqualTo(first);

    authority.clock().advance(Duration.ofSeconds(59));
    use(token);
    assertThat(admin.getApiToken(token.getId()).getLastAccessAt()).isEqualTo(first);

    authority.clock().advance(Duration.ofSeconds(2));
    use(token);
    ApiToken read = admin.getApiToken(token.getId());
    assertThat(read.getLastAccessAt()).isEqualTo(now());
    assertThat(read.getAudit()).isEqualTo(token.getAudit()); // a use is not a change
  }

  @Test
  void revocationIsImmediateIdempotentAndAuditedWithTheRevoker() {
    ApiToken token = create("acc-1", "doomed", "mod-buyers");
    use(token);
    User auditor = admin.createUser(CreateUserRequest.newBuilder()
        .setUser(User.newBuilder().setEmail("auditor@example.com")).addScopes("tokens:read").addScopes("tokens:revoke")
        .build());
    AccessToken auditorsToken = admin.createAccessToken(AccessToken.newBuilder().setName("auditor")
        .setUserId(auditor.getId()).build());
    authority.clock().advance(Duration.ofMinutes(3));
    Timestamp revokedAt = now();

    ApiToken revoked = authority.client(auditorsToken.getToken()).revokeApiToken(token.getId());
    assertThat(revoked.getStatus()).isEqualTo("revoked");
    assertThat(revoked.hasToken()).isFalse();
    assertThat(revoked.getMeta()).isEqualTo(OMITTED_TOKEN);
    assertThat(revoked.getAudit().getCreated()).isEqualTo(token.getAudit().getCreated());
    assertThat(revoked.getAudit().getUpdated().getAt()).isEqualTo(revokedAt);
    assertThat(revoked.getAudit().getUpdated().getBy()).isEqualTo(PrincipalRef.newBuilder().setType("user")
        .setId(auditor.getId()).setEmail("auditor@example.com").setTokenId(auditorsToken.getId()).build());
    expect(Status.Code.UNAUTHENTICATED, "CREDENTIAL_REVOKED", () -> authority.client(token.getToken())
        .listWorkspaceTokens(ListWorkspaceTokensRequest.getDefaultInstance()));
    assertThat(admin.introspectToken(token.getToken()).getActive()).isFalse();

    authority.clock().advance(Duration.ofMinutes(3));
    assertThat(admin.revokeApiToken(token.getId())).isEqualTo(revoked); // again: the first revocation stands
    assertThat(admin.getApiToken(token.getId())).isEqualTo(revoked);
  }

  @Test
  void bulkRevocationIsAuditedWithTheRevokerToo() {
    TokenAuthorityClient minter = authority.client(admin.createWorkspaceToken(CreateWorkspaceTokenRequest.newBuilder()
        .setName("minter").addScopes("tokens:write").build()).getToken());
    ApiToken minted = minter.createApiToken(ApiToken.newBuilder().setAccount(Account.newBuilder().setId("acc-1"))
        .build());
    String minterId = minted.getAudit().getCreated().getBy().getTokenId();
    authority.clock().advance(Duration.ofMinutes(1));
    admin.revokeTokensCreatedBy(RevokeTokensCreatedByRequest.newBuilder().setCreatedByTokenId(minterId).build());
    ApiToken read = admin.getApiToken(minted.getId());
    assertThat(read.getStatus()).isEqualTo("revoked");
    assertThat(read.getAudit().getUpdated().getAt()).isEqualTo(now());
    assertThat(read.getAudit().getUpdated().getBy().getTokenId()).isNotEqualTo(minterId)
        .isEqualTo(admin.introspectToken(authority.adminSecret()).getJti());
    assertThat(read.getAudit().getUpdated().getBy().getEmail()).isEqualTo("admin@localhost");
  }

  @Test
  void listPagesNewestFirstByAccountAndStatusWithoutSecrets() {
    List<ApiToken> created = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      authority.clock().advance(Duration.ofMillis(1));
      created.add(0, create(i % 2 == 0 ? "acc-1" : "acc-2", "t" + i, "mod-buyers", "mod-export"));
    }
    List<ApiToken> seen = new ArrayList<>();
    String pageToken = "";
    int pages = 0;
    do {
      ListApiTokensResponse page = list("", 2, pageToken, "");
      seen.addAll(page.getApiTokensList());
      pageToken = page.getNextPageToken();
      pages++;
    } while (!pageToken.isEmpty());
    assertThat(pages).isEqualTo(3);
    assertThat(seen).containsExactlyElementsOf(created.stream().map(AccountApiTokenLifecycleTest::asRead).toList());

    assertThat(list("acc-2", 0, "", "").getApiTokensList()).extracting(ApiToken::getName).containsExactly("t3", "t1");
    assertThat(list("acc-nope", 0, "", "").getApiTokensList()).isEmpty();
    admin.revokeApiToken(created.get(0).getId());
    assertThat(list("", 0, "", "revoked").getApiTokensList()).extracting(ApiToken::getName).containsExactly("t4");
    assertThat(list("acc-1", 0, "", "active").getApiTokensList()).extracting(ApiToken::getName)
        .containsExactly("t2", "t0");
    assertThat(list("", 0, "", "expired").getApiTokensList()).isEmpty();
  }

  @Test
  void badListRequestsNameTheirFieldsAsTheJsonDoes() {
    expectInvalid(() -> list("", -1, "", ""), "pageSize");
    expectInvalid(() -> list("", 0, "???", "gone"), "pageToken", "status");
  }

  @Test
  void anotherTenantsTokensAreNotFound() {
    ApiToken mine = create("acc-1", "mine");
    var other = admin.createTenant(CreateTenantRequest.newBuilder().setTenant(Tenant.newBuilder().setName("Globex"))
        .setAdminEmail("owner@globex.example").build());
    TokenAuthorityClient globex = authority.client(other.getAdminToken().getToken());
    expect(Status.Code.NOT_FOUND, "RESOURCE_NOT_FOUND", () -> globex.getApiToken(mine.getId()));
    expect(Status.Code.NOT_FOUND, "RESOURCE_NOT_FOUND", () -> globex.revokeApiToken(mine.getId()));
    assertThat(globex.listApiTokens(ListApiTokensRequest.newBuilder().setAccountId("acc-1").build())
        .getApiTokensList()).isEmpty();
    assertThat(globex.introspectToken(mine.getToken()).getActive()).isFalse();
    assertThat(admin.getApiToken(mine.getId()).getStatus()).isEqualTo("active");
  }

  @Test
  void readingAndRevokingNeedTheirScopes() {
    ApiToken target = create("acc-1", "target");
    TokenAuthorityClient writer = authority.client(admin.createWorkspaceToken(CreateWorkspaceTokenRequest.newBuilder()
        .setName("writer").addScopes("tokens:write").addScopes("tokens:read").build()).getToken());
    TokenAuthorityClient revoker = authority.client(admin.createWorkspaceToken(CreateWorkspaceTokenRequest.newBuilder()
        .setName("revoker").addScopes("tokens:revoke").build()).getToken());
    expect(Status.Code.PERMISSION_DENIED, "SCOPE_MISSING", () -> writer.revokeApiToken(target.getId()));
    expect(Status.Code.PERMISSION_DENIED, "SCOPE_MISSING", () -> revoker.getApiToken(target.getId()));
    expect(Status.Code.PERMISSION_DENIED, "SCOPE_MISSING",
        () -> revoker.listApiTokens(ListApiTokensRequest.getDefaultInstance()));
    assertThat(writer.getApiToken(target.getId()).getStatus()).isEqualTo("active");
    assertThat(revoker.revokeApiToken(target.getId()).getStatus()).isEqualTo("revoked");
  }

  @Test
  void anApiTokenNeverExpires() {
    ApiToken token = create("acc-1", "forever");
    authority.clock().advance(Duration.ofDays(365L * 100));
    assertThat(admin.getApiToken(token.getId()).getStatus()).isEqualTo("active");
    use(token);
  }
}
