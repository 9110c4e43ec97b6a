package dev.tokenauthority.server.api;

import static dev.tokenauthority.server.testing.Errors.errorInfo;
import static dev.tokenauthority.server.testing.Errors.expect;
import static dev.tokenauthority.server.testing.Errors.expectInvalid;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ListValue;
import com.google.protobuf.Timestamp;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import com.google.protobuf.util.Timestamps;
import dev.tokenauthority.client.Credentials;
import dev.tokenauthority.client.TokenAuthorityClient;
import dev.tokenauthority.server.core.Secrets;
import dev.tokenauthority.server.core.TokenKind;
import dev.tokenauthority.server.testing.InProcessAuthority;
import dev.tokenauthority.v1.AccessToken;
import dev.tokenauthority.v1.CreateTenantRequest;
import dev.tokenauthority.v1.CreateTenantResponse;
import dev.tokenauthority.v1.CreateUserRequest;
import dev.tokenauthority.v1.CreateWorkspaceTokenRequest;
import dev.tokenauthority.v1.Tenant;
import dev.tokenauthority.v1.User;
import dev.tokenauthority.v1.WorkspaceToken;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Seed 003 (Kodexa, POST /api/access-tokens, x-api-key auth) over gRPC. */
class AccessTokenServiceTest {
  /** Every scope but tenants:write: what a tenant admin holds. */
  static final List<String> TENANT_ADMIN_SCOPES = List.of("tokens:read", "tokens:write", "tokens:revoke",
      "records:update", "faults:read", "directory:read", "directory:write", "audit:read");

  @TempDir Path dataDir;
  InProcessAuthority authority;
  TokenAuthorityClient admin;
  Instant bootedAt;

  @BeforeEach
  void start() {
    authority = InProcessAuthority.start(dataDir);
    bootedAt = authority.clock().instant().truncatedTo(ChronoUnit.MILLIS);
    admin = authority.admin();
  }

  @AfterEach
  void stop() {
    authority.close();
  }

  static AccessToken named(String name) {
    return AccessToken.newBuilder().setName(name).build();
  }

  static CreateWorkspaceTokenRequest workspace(String name, String... scopes) {
    return CreateWorkspaceTokenRequest.newBuilder().setName(name).addAllScopes(List.of(scopes)).build();
  }

  static Timestamp millis(Instant instant) {
    return Timestamps.fromMillis(instant.toEpochMilli());
  }

  private Instant now() {
    return authority.clock().instant().truncatedTo(ChronoUnit.MILLIS);
  }

  private User createUser(TokenAuthorityClient caller, String email, String... scopes) {
    return caller.createUser(CreateUserRequest.newBuilder()
        .setUser(User.newBuilder().setEmail(email).setFirstName("Wendy").setLastName("Worker"))
        .addAllScopes(List.of(scopes))
        .build());
  }

  private CreateTenantResponse secondTenant() {
    return admin.createTenant(CreateTenantRequest.newBuilder()
        .setTenant(Tenant.newBuilder().setName("Globex"))
        .setAdminEmail("owner@globex.example")
        .build());
  }

  private static UUID uuid(String text) {
    UUID parsed = UUID.fromString(text);
    assertThat(parsed.toString()).as("canonical UUID form").isEqualTo(text);
    return parsed;
  }

  @Test
  void createsATokenWithEveryDocumentedField() throws Exception {
    authority.clock().advance(Duration.ofHours(2).plusNanos(987_654_321));
    Instant now = now();
    Instant expiry = now.plus(Duration.ofDays(30));

    AccessToken token = admin.createAccessToken(AccessToken.newBuilder()
        .setName("Kodexa CLI")
        .setExpiresAt(millis(expiry))
        .build());

    assertThat(token.getChangeSequence()).isEqualTo(1);
    assertThat(token.getCreatedOn()).isEqualTo(millis(now));
    assertThat(token.getUpdatedOn()).isEqualTo(millis(now));
    UUID id = uuid(token.getId());
    UUID secondary = uuid(token.getUuid());
    assertThat(id).isNotEqualTo(secondary);
    assertThat(token.getName()).isEqualTo("Kodexa CLI");
    assertThat(token.hasExpiresAt()).isTrue();
    assertThat(token.getExpiresAt()).isEqualTo(millis(expiry));
    assertThat(token.getToken()).startsWith("tau_").hasSize(53);
    assertThat(Secrets.kindOf(token.getToken())).isEqualTo(TokenKind.ACCESS);

    User user = token.getUser();
    assertThat(token.getUserId()).isEqualTo(user.getId()).matches("usr_[a-z0-9]{24}");
    assertThat(user.getEmail()).isEqualTo("admin@localhost");
    assertThat(user.getId()).matches("usr_[a-z0-9]{24}");
    assertThat(uuid(user.getUuid())).isNotIn(id, secondary);
    assertThat(user.hasActive()).isTrue();
    assertThat(user.getActive()).isTrue();
    assertThat(user.getChangeSequence()).isEqualTo(1);
    assertThat(user.getRoles().getRolesList()).containsExactly("ADMIN");
    ListValue.Builder parsed = ListValue.newBuilder();
    JsonFormat.parser().merge(user.getRolesJson(), parsed);
    assertThat(parsed.getValuesList()).extracting(Value::getStringValue).containsExactly("ADMIN");
    assertThat(user.getRolesJson().trim()).startsWith("[").endsWith("]");
    assertThat(user.getSearchText()).contains("admin@localhost");
    assertThat(user.getCreatedOn()).isEqualTo(millis(bootedAt));
  }

  @Test
  void eachTokenHasItsOwnIdsAndSecret() {
    AccessToken a = admin.createAccessToken(named("a"));
    AccessToken b = admin.createAccessToken(named("b"));

    assertThat(List.of(a.getId(), a.getUuid(), b.getId(), b.getUuid())).doesNotHaveDuplicates();
    assertThat(a.getToken()).isNotEqualTo(b.getToken());
    assertThat(a.getUserId()).isEqualTo(b.getUserId());
  }

  @Test
  void withoutExpiresAtTheTokenNeverExpires() {
    AccessToken token = admin.createAccessToken(named("forever"));
    assertThat(token.hasExpiresAt()).isFalse();

    authority.clock().advance(Duration.ofDays(3650));
    assertThat(authority.client(token.getToken()).createWorkspaceToken(workspace("much-later", "tokens:read"))
        .getStatus()).isEqualTo("active");
  }

  @Test
  void theUserIsTheCallerByDefault() {
    CreateTenantResponse globex = secondTenant();
    TokenAuthorityClient owner = authority.client(globex.getAdminToken().getToken());

    AccessToken token = owner.createAccessToken(named("mine"));

    assertThat(token.getUserId()).isEqualTo(globex.getAdminUser().getId());
    assertThat(token.getUser().getId()).isEqualTo(globex.getAdminUser().getId());
    assertThat(token.getUser().getEmail()).isEqualTo("owner@globex.example");
    assertThat(token.getUser().getUuid()).isEqualTo(globex.getAdminUser().getUuid());
    assertThat(token.getUser().getSearchText()).contains("owner@globex.example");
  }

  @Test
  void theTokenAuthenticatesAsApiKeyAndAsBearerWithTheCallersScopes() {
    AccessToken token = admin.createAccessToken(named("both ways"));

    TokenAuthorityClient apiKey = admin.withCredentials(Credentials.apiKey(token.getToken()));
    WorkspaceToken viaApiKey = apiKey.createWorkspaceToken(workspace("via-api-key", "tokens:read"));
    assertThat(viaApiKey.getCreatedBy()).isEqualTo("admin@localhost");

    TokenAuthorityClient bearer = authority.client(token.getToken());
    assertThat(bearer.createWorkspaceToken(workspace("via-bearer", "tokens:write")).getCreatedBy())
        .isEqualTo("admin@localhost");

    // the bootstrap admin holds every scope, and so does its access token, tenants:write and keys:* included
    WorkspaceToken everything = apiKey.createWorkspaceToken(workspace("everything", "tokens:read", "tokens:write",
        "tokens:revoke", "records:update", "faults:read", "directory:read", "directory:write", "tenants:write",
        "keys:read", "keys:write"));
    assertThat(everything.getScopesCount()).isEqualTo(10);
  }

  @Test
  void theTokenCarriesNoMoreThanTheCallersScopes() {
    TokenAuthorityClient owner = authority.client(secondTenant().getAdminToken().getToken());
    AccessToken token = owner.createAccessToken(named("owner's"));
    TokenAuthorityClient holder = admin.withCredentials(Credentials.apiKey(token.getToken()));

    WorkspaceToken all = holder.createWorkspaceToken(
        workspace("tenant-admin-scopes", TENANT_ADMIN_SCOPES.toArray(String[]::new)));
    assertThat(all.getScopesList()).containsExactlyElementsOf(TENANT_ADMIN_SCOPES);
    StatusRuntimeException e = expect(Status.Code.PERMISSION_DENIED, "SCOPE_ESCALATION",
        () -> holder.createWorkspaceToken(workspace("tenants", "tenants:write")));
    assertThat(errorInfo(e).getMetadataMap()).containsEntry("scopes", "tenants:write");
  }

  @Test
  void nameIsRequiredAndAtMostOneHundredCharacters() {
    expectInvalid(() -> admin.createAccessToken(AccessToken.getDefaultInstance()), "name");
    expectInvalid(() -> admin.createAccessToken(named("")), "name");
    assertThat(admin.createAccessToken(named("x")).getName()).isEqualTo("x");
    String hundred = "n".repeat(100);
    assertThat(admin.createAccessToken(named(hundred)).getName()).isEqualTo(hundred);
    expectInvalid(() -> admin.createAccessToken(named("n".repeat(101))), "name");
  }

  @Test
  void expiresAtMustBeInTheFuture() {
    Instant now = now();
    expectInvalid(() -> admin.createAccessToken(named("past").toBuilder()
        .setExpiresAt(millis(now.minusSeconds(1))).build()), "expiresAt");
    expectInvalid(() -> admin.createAccessToken(named("now").toBuilder()
        .setExpiresAt(millis(now)).build()), "expiresAt");
    AccessToken justAfter = admin.createAccessToken(named("next ms").toBuilder()
        .setExpiresAt(millis(now.plusMillis(1))).build());
    assertThat(justAfter.getExpiresAt()).isEqualTo(millis(now.plusMillis(1)));
  }

  @Test
  void expiresAtMustBeARepresentableTime() {
    Timestamp year10000 = Timestamp.newBuilder().setSeconds(253_402_300_800L).build(); // 10000-01-01T00:00:00Z
    expectInvalid(() -> admin.createAccessToken(named("far").toBuilder().setExpiresAt(year10000).build()),
        "expiresAt");
    Timestamp badNanos = Timestamp.newBuilder().setSeconds(authority.clock().instant().getEpochSecond() + 3600)
        .setNanos(1_000_000_000).build();
    expectInvalid(() -> admin.createAccessToken(named("nanos").toBuilder().setExpiresAt(badNanos).build()),
        "expiresAt");
    Timestamp lastSecond = Timestamp.newBuilder().setSeconds(253_402_300_799L).build(); // 9999-12-31T23:59:59Z
    assertThat(admin.createAccessToken(named("latest").toBuilder().setExpiresAt(lastSecond).build())
        .getExpiresAt()).isEqualTo(lastSecond);
  }

  @Test
  void everyInvalidFieldIsNamedAtOnce() {
    expectInvalid(() -> admin.createAccessToken(AccessToken.newBuilder()
            .setName("n".repeat(101))
            .setExpiresAt(millis(now().minusSeconds(60)))
            .setUserId("bad id!")
            .build()),
        "name", "expiresAt", "userId");
  }

  @Test
  void aDirectoryWriterMintsForAnotherUserWithTheIntersectionOfScopes() {
    User worker = createUser(admin, "worker@example.com", "tokens:write", "tokens:read");

    AccessToken token = admin.createAccessToken(named("worker's").toBuilder().setUserId(worker.getId()).build());

    assertThat(token.getUserId()).isEqualTo(worker.getId());
    assertThat(token.getUser().getId()).isEqualTo(worker.getId());
    assertThat(token.getUser().getEmail()).isEqualTo("worker@example.com");
    assertThat(token.getUser().getUuid()).isEqualTo(worker.getUuid());
    assertThat(token.getUser().getFirstName()).isEqualTo("Wendy");
    assertThat(token.getUser().getSearchText()).contains("worker@example.com");

    TokenAuthorityClient asWorker = admin.withCredentials(Credentials.apiKey(token.getToken()));
    WorkspaceToken child = asWorker.createWorkspaceToken(workspace("worker-reader", "tokens:read"));
    assertThat(child.getCreatedBy()).isEqualTo("worker@example.com");
    assertThat(child.getScopesList()).containsExactly("tokens:read");
    StatusRuntimeException e = expect(Status.Code.PERMISSION_DENIED, "SCOPE_ESCALATION",
        () -> asWorker.createWorkspaceToken(workspace("worker-revoker", "tokens:revoke")));
    assertThat(errorInfo(e).getMetadataMap()).containsEntry("scopes", "tokens:revoke");
    // the admin held directory:write, the worker does not: the token does not either
    expect(Status.Code.PERMISSION_DENIED, "SCOPE_ESCALATION",
        () -> asWorker.createWorkspaceToken(workspace("worker-directory", "directory:write")));
  }

  @Test
  void theIntersectionAlsoDropsScopesTheCallerLacks() {
    User worker = createUser(admin, "worker@example.com", "tokens:write", "tokens:read");
    WorkspaceToken minter = admin.createWorkspaceToken(workspace("minter", "tokens:write", "directory:write"));

    AccessToken token = authority.client(minter.getToken())
        .createAccessToken(named("narrow").toBuilder().setUserId(worker.getId()).build());

    TokenAuthorityClient asWorker = authority.client(token.getToken());
    assertThat(asWorker.createWorkspaceToken(workspace("w", "tokens:write")).getScopesList())
        .containsExactly("tokens:write");
    expect(Status.Code.PERMISSION_DENIED, "SCOPE_ESCALATION",
        () -> asWorker.createWorkspaceToken(workspace("r", "tokens:read")));
  }

  @Test
  void namingAnotherUserRequiresDirectoryWrite() {
    User worker = createUser(admin, "worker@example.com", "tokens:write", "tokens:read");
    WorkspaceToken writer = admin.createWorkspaceToken(workspace("writer", "tokens:write", "tokens:read"));
    TokenAuthorityClient caller = authority.client(writer.getToken());

    StatusRuntimeException e = expect(Status.Code.PERMISSION_DENIED, "SCOPE_MISSING",
        () -> caller.createAccessToken(named("for worker").toBuilder().setUserId(worker.getId()).build()));
    assertThat(errorInfo(e).getMetadataMap()).containsEntry("scope", "directory:write");
    // an unknown user is refused the same way: no directory probing without the scope
    expect(Status.Code.PERMISSION_DENIED, "SCOPE_MISSING",
        () -> caller.createAccessToken(named("for nobody").toBuilder().setUserId("usr_nobody").build()));

    // naming oneself needs no directory:write
    String self = caller.createAccessToken(named("self")).getUserId();
    assertThat(caller.createAccessToken(named("self, explicitly").toBuilder().setUserId(self).build())
        .getUserId()).isEqualTo(self);
  }

  @Test
  void requiresTokensWrite() {
    WorkspaceToken reader = admin.createWorkspaceToken(workspace("reader", "tokens:read", "directory:write"));
    StatusRuntimeException e = expect(Status.Code.PERMISSION_DENIED, "SCOPE_MISSING",
        () -> authority.client(reader.getToken()).createAccessToken(named("nope")));
    assertThat(errorInfo(e).getMetadataMap()).containsEntry("scope", "tokens:write");
  }

  @Test
  void anUnknownUserIsNotFound() {
    StatusRuntimeException e = expect(Status.Code.NOT_FOUND, "RESOURCE_NOT_FOUND",
        () -> admin.createAccessToken(named("ghost").toBuilder().setUserId("usr_doesnotexist").build()));
    assertThat(errorInfo(e).getMetadataMap()).containsEntry("type", "user").containsEntry("id", "usr_doesnotexist");
  }

  @Test
  void aUserOfAnotherTenantIsNotFound() {
    CreateTenantResponse globex = secondTenant();
    String foreignUser = globex.getAdminUser().getId();

    expect(Status.Code.NOT_FOUND, "RESOURCE_NOT_FOUND",
        () -> admin.createAccessToken(named("foreign").toBuilder().setUserId(foreignUser).build()));

    String bootstrapAdmin = admin.createAccessToken(named("self")).getUserId();
    TokenAuthorityClient owner = authority.client(globex.getAdminToken().getToken());
    expect(Status.Code.NOT_FOUND, "RESOURCE_NOT_FOUND",
        () -> owner.createAccessToken(named("foreign").toBuilder().setUserId(bootstrapAdmin).build()));
  }

  @Test
  void theTokenStopsAuthenticatingAtItsExpiry() {
    Instant expiry = authority.clock().instant().plus(Duration.ofHours(1));
    AccessToken token = admin.createAccessToken(named("hour").toBuilder().setExpiresAt(millis(expiry)).build());
    assertThat(token.getExpiresAt()).isEqualTo(millis(expiry));
    TokenAuthorityClient holder = admin.withCredentials(Credentials.apiKey(token.getToken()));

    authority.clock().set(Instant.ofEpochMilli(expiry.toEpochMilli()).minusMillis(1));
    assertThat(holder.createWorkspaceToken(workspace("just-before", "tokens:read")).getName())
        .isEqualTo("just-before");

    authority.clock().set(Instant.ofEpochMilli(expiry.toEpochMilli()));
    StatusRuntimeException e = expect(Status.Code.UNAUTHENTICATED, "CREDENTIAL_EXPIRED",
        () -> holder.createWorkspaceToken(workspace("at-expiry", "tokens:read")));
    assertThat(e.getStatus().getDescription()).doesNotContain(token.getToken());
    expect(Status.Code.UNAUTHENTICATED, "CREDENTIAL_EXPIRED",
        () -> authority.client(token.getToken()).createWorkspaceToken(workspace("bearer", "tokens:read")));
  }

  @Test
  void theTokenIsEnforcedAtTheExpiryItDeclares() {
    // A client may send nanoseconds, and the response echoes them; the expiry echoed back is the
    // one that must be enforced. (The store keeps microseconds: X.999999999 must not become X+1s.)
    Instant expiry = Instant.ofEpochSecond(authority.clock().instant().getEpochSecond() + 3600, 999_999_999);
    AccessToken token = admin.createAccessToken(named("precise").toBuilder()
        .setExpiresAt(Timestamp.newBuilder().setSeconds(expiry.getEpochSecond()).setNanos(expiry.getNano()))
        .build());
    Instant declared = Instant.ofEpochSecond(token.getExpiresAt().getSeconds(), token.getExpiresAt().getNanos());
    TokenAuthorityClient holder = authority.client(token.getToken());

    authority.clock().set(declared.minusMillis(1));
    holder.createWorkspaceToken(workspace("before", "tokens:read"));
    authority.clock().set(declared);
    expect(Status.Code.UNAUTHENTICATED, "CREDENTIAL_EXPIRED",
        () -> holder.createWorkspaceToken(workspace("at", "tokens:read")));
  }
}
