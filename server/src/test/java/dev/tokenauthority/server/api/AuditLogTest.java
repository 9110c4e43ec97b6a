package dev.tokenauthority.server.api;

import static dev.tokenauthority.server.testing.Errors.expect;
import static dev.tokenauthority.server.testing.Errors.expectInvalid;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.auth0.jwt.JWT;
import com.google.protobuf.Timestamp;
import com.google.protobuf.util.Timestamps;
import dev.tokenauthority.client.TokenAuthorityClient;
import dev.tokenauthority.server.core.Secrets;
import dev.tokenauthority.server.core.TokenKind;
import dev.tokenauthority.server.testing.AuditPages;
import dev.tokenauthority.server.testing.InProcessAuthority;
import dev.tokenauthority.server.testing.StoreProbe;
import dev.tokenauthority.v1.AccessToken;
import dev.tokenauthority.v1.Account;
import dev.tokenauthority.v1.ApiToken;
import dev.tokenauthority.v1.AuditEvent;
import dev.tokenauthority.v1.AuditOutcome;
import dev.tokenauthority.v1.CreateTenantRequest;
import dev.tokenauthority.v1.CreateTenantResponse;
import dev.tokenauthority.v1.CreateUserRequest;
import dev.tokenauthority.v1.CreateWorkspaceTokenRequest;
import dev.tokenauthority.v1.ListAuditEventsRequest;
import dev.tokenauthority.v1.ListAuditEventsResponse;
import dev.tokenauthority.v1.Module;
import dev.tokenauthority.v1.Record;
import dev.tokenauthority.v1.RevokeTokensCreatedByRequest;
import dev.tokenauthority.v1.Tenant;
import dev.tokenauthority.v1.User;
import dev.tokenauthority.v1.WorkspaceTokenServiceGrpc;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.MetadataUtils;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The audit log over gRPC: what is recorded, how it lists, and who sees what. */
class AuditLogTest {
  @TempDir Path dataDir;
  InProcessAuthority authority;
  TokenAuthorityClient admin;
  StoreProbe store;
  int names;

  @BeforeEach
  void start() {
    authority = InProcessAuthority.start(dataDir);
    admin = authority.admin();
    store = new StoreProbe(dataDir);
  }

  @AfterEach
  void stop() {
    authority.close();
  }

  private String mintWorkspace(TokenAuthorityClient client, String... scopes) {
    return client.createWorkspaceToken(CreateWorkspaceTokenRequest.newBuilder().setName("t-" + (++names))
        .addAllScopes(scopes.length == 0 ? List.of("tokens:read") : List.of(scopes)).build()).getId();
  }

  private static ListAuditEventsRequest.Builder request() {
    return ListAuditEventsRequest.newBuilder().setPageSize(500);
  }

  private static Timestamp at(Instant instant) {
    return Timestamps.fromMillis(instant.toEpochMilli());
  }

  private String adminTokenId() throws Exception {
    return store.single("SELECT id FROM tokens WHERE name = ?", "bootstrap-admin");
  }

  /** Calls with exactly {@code headers} (name, value, ...) and expects UNAUTHENTICATED {@code reason}. */
  private void refused(String reason, String... headers) {
    Metadata metadata = new Metadata();
    for (int i = 0; i < headers.length; i += 2) {
      metadata.put(Metadata.Key.of(headers[i], Metadata.ASCII_STRING_MARSHALLER), headers[i + 1]);
    }
    expect(Status.Code.UNAUTHENTICATED, reason, () -> WorkspaceTokenServiceGrpc.newBlockingStub(authority.channel())
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(metadata))
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .createWorkspaceToken(CreateWorkspaceTokenRequest.newBuilder().setName("x").addScopes("tokens:read").build()));
  }

  /** Every character value in the audit table. */
  private List<String> auditTableText() throws Exception {
    List<String> values = new ArrayList<>();
    try (Connection c = store.connect(); var rs = c.createStatement().executeQuery("SELECT * FROM audit_events")) {
      while (rs.next()) {
        for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
          String value = rs.getString(i);
          if (value != null) {
            values.add(value);
          }
        }
      }
    }
    return values;
  }

  @Test
  void everyMintKindRecordsOneEventNamingActorTenantTokenAndKind() throws Exception {
    admin.createRecord(Record.newBuilder().setId("rec-1").build());
    admin.createAccount(Account.newBuilder().setId("acc-1").setName("Acme").build());
    Map<String, String> kindById = new HashMap<>();
    kindById.put(mintWorkspace(admin), "WORKSPACE");
    kindById.put(admin.createAccessToken(AccessToken.newBuilder().setName("cli").build()).getId(), "ACCESS");
    kindById.put(admin.createApiToken(ApiToken.newBuilder().setAccount(Account.newBuilder().setId("acc-1")).build())
        .getId(), "ACCOUNT_API");
    kindById.put(JWT.decode(admin.createRecordToken("rec-1", 60L).getToken()).getId(), "RECORD");
    kindById.put(JWT.decode(admin.generateFaultToken(5).getToken()).getId(), "FAULT");

    List<AuditEvent> mints = AuditPages.all(admin, "token.mint");
    String tenant = store.bootstrapTenantId();
    for (Map.Entry<String, String> minted : kindById.entrySet()) {
      List<AuditEvent> events = mints.stream().filter(e -> e.getTargetId().equals(minted.getKey())).toList();
      assertThat(events).as(minted.getValue()).hasSize(1);
      AuditEvent event = events.get(0);
      assertThat(event.getId()).matches("aud_[a-z0-9]{24}");
      assertThat(event.getTenantId()).isEqualTo(tenant);
      assertThat(event.getActorUserId()).isEqualTo(store.bootstrapAdminUserId());
      assertThat(event.getActorTokenId()).isEqualTo(adminTokenId());
      assertThat(event.getTargetType()).isEqualTo("token");
      assertThat(event.getDetails()).isEqualTo("kind=" + minted.getValue());
      assertThat(event.getOutcome()).isEqualTo(AuditOutcome.SUCCESS);
      assertThat(event.getReason()).isEmpty();
      assertThat(event.getClientAddress()).isEqualTo("in-process");
      assertThat(Timestamps.toMillis(event.getEventTime())).isEqualTo(authority.clock().millis());
    }
    // the five, and the bootstrap admin token's own mint, by the server itself
    assertThat(mints).hasSize(6);
    AuditEvent bootstrap = mints.stream().filter(e -> e.getTargetId().equals(uncheckedAdminTokenId())).findFirst()
        .orElseThrow();
    assertThat(bootstrap.getActorUserId()).isEmpty();
    assertThat(bootstrap.getActorTokenId()).isEmpty();
    assertThat(bootstrap.getClientAddress()).isEmpty();
    assertThat(bootstrap.getDetails()).isEqualTo("kind=WORKSPACE");
  }

  @Test
  void updatesRevocationsBulkRevocationsAndKeyRotationsAreRecordedOnceEach() throws Exception {
    String workspace = mintWorkspace(admin);
    admin.revokeWorkspaceToken(workspace);
    admin.revokeWorkspaceToken(workspace); // idempotent: nothing changes, nothing is recorded
    AccessToken access = admin.createAccessToken(AccessToken.newBuilder().setName("cli").build());
    admin.updateAccessToken(access.getId(), access.toBuilder().clearToken().setName("renamed").build());
    admin.revokeTokensCreatedBy(RevokeTokensCreatedByRequest.newBuilder().setCreatedByTokenId(adminTokenId()).build());
    String kid = admin.rotateSigningKey().getKid();

    List<AuditEvent> revokes = AuditPages.all(admin, "token.revoke");
    assertThat(revokes).extracting(AuditEvent::getTargetId).containsExactly(workspace);
    assertThat(revokes.get(0).getActorTokenId()).isEqualTo(adminTokenId());
    assertThat(AuditPages.all(admin, "token.update")).extracting(AuditEvent::getTargetId).containsExactly(access.getId());
    List<AuditEvent> bulk = AuditPages.all(admin, "token.revoke_bulk");
    assertThat(bulk).hasSize(1);
    assertThat(bulk.get(0).getTargetId()).isEqualTo(adminTokenId());
    assertThat(bulk.get(0).getDetails()).isEqualTo("revoked=1"); // the access token; the workspace one was already revoked
    List<AuditEvent> rotations = AuditPages.all(admin, "signing_key.rotate");
    assertThat(rotations).extracting(AuditEvent::getTargetId).containsExactly(kid);
    assertThat(rotations.get(0).getTargetType()).isEqualTo("signing_key");
    assertThat(rotations.get(0).getDetails()).startsWith("previous=key_");
  }

  private String uncheckedAdminTokenId() {
    try {
      return adminTokenId();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void aMintOrDirectoryWriteThatFailsRecordsNothing() {
    admin.createWorkspaceToken(CreateWorkspaceTokenRequest.newBuilder().setName("once").addScopes("tokens:read")
        .build());
    expect(Status.Code.ALREADY_EXISTS, "RESOURCE_ALREADY_EXISTS", () -> admin.createWorkspaceToken(
        CreateWorkspaceTokenRequest.newBuilder().setName("once").addScopes("tokens:read").build()));
    admin.createRecord(Record.newBuilder().setId("rec-1").build());
    expect(Status.Code.ALREADY_EXISTS, "RESOURCE_ALREADY_EXISTS",
        () -> admin.createRecord(Record.newBuilder().setId("rec-1").build()));

    assertThat(AuditPages.all(admin, "token.mint")).hasSize(2); // bootstrap's and "once"
    assertThat(AuditPages.all(admin, "record.create")).hasSize(1);
  }

  @Test
  void directoryWritesAndTenantCreationAreRecorded() throws Exception {
    admin.createRecord(Record.newBuilder().setId("rec-1").build());
    admin.createAccount(Account.newBuilder().setId("acc-1").setName("Acme").build());
    admin.createModule(Module.newBuilder().setId("mod-1").setName("Buyers").build());
    User user = admin.createUser(CreateUserRequest.newBuilder().setUser(User.newBuilder().setEmail("u@example.com"))
        .addScopes("tokens:read").addScopes("tokens:write").build());
    CreateTenantResponse globex = admin.createTenant(CreateTenantRequest.newBuilder()
        .setTenant(Tenant.newBuilder().setName("Globex")).setAdminEmail("owner@globex.example").build());

    String home = store.bootstrapTenantId();
    String adminUser = store.bootstrapAdminUserId();
    assertThat(only("record.create").getTargetId()).isEqualTo("rec-1");
    assertThat(only("account.create").getTargetId()).isEqualTo("acc-1");
    assertThat(only("module.create").getTargetId()).isEqualTo("mod-1");
    for (String action : List.of("record.create", "account.create", "module.create")) {
      AuditEvent event = only(action);
      assertThat(event.getTenantId()).isEqualTo(home);
      assertThat(event.getActorUserId()).isEqualTo(adminUser);
      assertThat(event.getTargetType()).isEqualTo(action.substring(0, action.indexOf('.')));
      assertThat(event.getOutcome()).isEqualTo(AuditOutcome.SUCCESS);
    }

    List<AuditEvent> users = AuditPages.all(admin, "user.create");
    AuditEvent created = users.stream().filter(e -> e.getTargetId().equals(user.getId())).findFirst().orElseThrow();
    assertThat(created.getDetails()).isEqualTo("scopes=tokens:read tokens:write");
    assertThat(created.getActorUserId()).isEqualTo(adminUser);

    // the new tenant's creation, its admin and admin token: in the new tenant, by the caller
    String globexId = globex.getTenant().getId();
    AuditEvent tenantCreated = AuditPages.all(admin, "tenant.create").stream()
        .filter(e -> e.getTargetId().equals(globexId)).findFirst().orElseThrow();
    assertThat(tenantCreated.getTenantId()).isEqualTo(globexId);
    assertThat(tenantCreated.getActorUserId()).isEqualTo(adminUser);
    assertThat(tenantCreated.getClientAddress()).isEqualTo("in-process");
    AuditEvent ownerCreated = users.stream().filter(e -> e.getTargetId().equals(globex.getAdminUser().getId()))
        .findFirst().orElseThrow();
    assertThat(ownerCreated.getTenantId()).isEqualTo(globexId);
    assertThat(ownerCreated.getDetails()).contains("audit:read").doesNotContain("tenants:write");
    AuditEvent ownerToken = AuditPages.all(admin, "token.mint").stream()
        .filter(e -> e.getTargetId().equals(globex.getAdminToken().getId())).findFirst().orElseThrow();
    assertThat(ownerToken.getTenantId()).isEqualTo(globexId);
    assertThat(ownerToken.getActorTokenId()).isEqualTo(adminTokenId());

    // the bootstrap: by the server itself, in the default tenant
    AuditEvent bootstrap = AuditPages.all(admin, "tenant.create").stream()
        .filter(e -> e.getTargetId().equals(home)).findFirst().orElseThrow();
    assertThat(bootstrap.getActorUserId()).isEmpty();
    assertThat(bootstrap.getClientAddress()).isEmpty();
  }

  private AuditEvent only(String action) {
    List<AuditEvent> events = AuditPages.all(admin, action);
    assertThat(events).as(action).hasSize(1);
    return events.get(0);
  }

  @Test
  void failedAuthenticationsAreRecordedWithTheReasonAndNeverTheCredential() throws Exception {
    String expiring = admin.createWorkspaceToken(CreateWorkspaceTokenRequest.newBuilder().setName("expiring")
        .addScopes("tokens:write").setExpiresAt(at(authority.clock().instant().plusSeconds(60))).build()).getToken();
    var revokedToken = admin.createWorkspaceToken(CreateWorkspaceTokenRequest.newBuilder().setName("revoked")
        .addScopes("tokens:write").build());
    try (Connection c = store.connect();
        PreparedStatement revoke = c.prepareStatement("UPDATE tokens SET revoked_at = CURRENT_TIMESTAMP WHERE id = ?")) {
      revoke.setString(1, revokedToken.getId());
      assertThat(revoke.executeUpdate()).isEqualTo(1);
    }
    admin.createRecord(Record.newBuilder().setId("rec-1").build());
    String jwt = admin.createRecordToken("rec-1", 60L).getToken();
    String forged = new Secrets().newSecret(TokenKind.WORKSPACE);
    authority.clock().advance(Duration.ofMinutes(2));

    refused("CREDENTIAL_MISSING");
    refused("CREDENTIAL_INVALID", "authorization", "Bearer hello-garbage");
    refused("CREDENTIAL_INVALID", "x-api-key", jwt);
    refused("CREDENTIAL_INVALID", "authorization", "Bearer " + forged);
    refused("CREDENTIAL_EXPIRED", "authorization", "Bearer " + expiring);
    refused("CREDENTIAL_REVOKED", "x-api-key", revokedToken.getToken());

    List<AuditEvent> failures = AuditPages.all(admin, "auth.failure");
    assertThat(failures).extracting(AuditEvent::getReason).containsExactlyInAnyOrder("CREDENTIAL_MISSING",
        "CREDENTIAL_INVALID", "CREDENTIAL_INVALID", "CREDENTIAL_INVALID", "CREDENTIAL_EXPIRED", "CREDENTIAL_REVOKED");
    assertThat(failures).allSatisfy(e -> {
      assertThat(e.getOutcome()).isEqualTo(AuditOutcome.FAILURE);
      assertThat(e.getClientAddress()).isEqualTo("in-process");
      assertThat(e.getActorUserId()).isEmpty();
      assertThat(e.getActorTokenId()).isEmpty();
    });
    String expiringId = store.single("SELECT id FROM tokens WHERE name = ?", "expiring");
    Map<String, AuditEvent> byReason = new HashMap<>();
    failures.forEach(e -> byReason.put(e.getReason(), e));
    // a known token's failure names the token and its tenant; the rest name neither
    assertThat(byReason.get("CREDENTIAL_EXPIRED").getTargetId()).isEqualTo(expiringId);
    assertThat(byReason.get("CREDENTIAL_EXPIRED").getTargetType()).isEqualTo("token");
    assertThat(byReason.get("CREDENTIAL_EXPIRED").getTenantId()).isEqualTo(store.bootstrapTenantId());
    assertThat(byReason.get("CREDENTIAL_REVOKED").getTargetId()).isEqualTo(revokedToken.getId());
    assertThat(failures.stream().filter(e -> e.getReason().equals("CREDENTIAL_INVALID")))
        .allSatisfy(e -> assertThat(e.getTenantId() + e.getTargetId() + e.getTargetType()).isEmpty());
    assertThat(byReason.get("CREDENTIAL_MISSING").getTenantId()).isEmpty();

    List<String> stored = auditTableText();
    for (String secret : List.of("hello-garbage", jwt, forged, expiring, revokedToken.getToken(),
        Secrets.hash(expiring), Secrets.hash(revokedToken.getToken()), Secrets.hash(forged))) {
      assertThat(stored).noneMatch(value -> value.contains(secret));
    }
    assertThat(stored).noneMatch(value -> value.contains("eyJ"));
  }

  @Test
  void listingPagesThroughEveryEventExactlyOnceWhileEventsAreRecorded() throws Exception {
    Instant start = authority.clock().instant();
    for (int i = 0; i < 40; i++) {
      if (i % 3 == 0) {
        authority.clock().advance(Duration.ofMillis(1)); // ties and distinct times alike
      }
      mintWorkspace(admin);
    }
    Set<String> before = new HashSet<>();
    AuditPages.all(admin, request().build()).forEach(e -> before.add(e.getId()));
    assertThat(before).hasSize(43); // 40 mints and the bootstrap's three events

    // a writer recording 30 events while the pages are read (a bounded number: events it stamps
    // at the newest instant may sort below the cursor, and an endless writer could outpace the reader)...
    AtomicInteger written = new AtomicInteger();
    TokenAuthorityClient writer = authority.admin();
    Thread background = new Thread(() -> {
      for (int i = 0; i < 30; i++) {
        writer.createWorkspaceToken(CreateWorkspaceTokenRequest.newBuilder()
            .setName("bg-" + i).addScopes("tokens:read").build());
        written.incrementAndGet();
      }
    });
    background.start();
    List<String> seen = new ArrayList<>();
    try {
      String token = "";
      int pages = 0;
      do {
        ListAuditEventsResponse page = admin.listAuditEvents(request().setPageSize(7).setPageToken(token).build());
        assertThat(page.getAuditEventsCount()).isLessThanOrEqualTo(7);
        page.getAuditEventsList().forEach(e -> seen.add(e.getId()));
        token = page.getNextPageToken();
        assertThat(pages).as("pages end").isLessThan(1_000);
        // ...and, between pages, events stamped both newer and older than the page just read
        // (a transaction that began earlier and commits late)
        mintWorkspace(admin);
        Instant now = authority.clock().instant();
        authority.clock().set(start.plusMillis(++pages % 14));
        mintWorkspace(admin);
        authority.clock().set(now);
      } while (!token.isEmpty());
    } finally {
      background.join();
    }
    assertThat(seen).doesNotHaveDuplicates().containsAll(before);
    assertThat(written.get()).isEqualTo(30);
    assertThat(AuditPages.all(admin, request().build())).hasSizeGreaterThan(seen.size());
  }

  @Test
  void listingFiltersByTimeAndAction() {
    authority.clock().advance(Duration.ofSeconds(1)); // past the bootstrap's events
    Instant t0 = authority.clock().instant();
    String first = mintWorkspace(admin);
    authority.clock().advance(Duration.ofSeconds(10));
    Instant t1 = authority.clock().instant();
    admin.createRecord(Record.newBuilder().setId("rec-1").build());
    authority.clock().advance(Duration.ofSeconds(10));
    Instant t2 = authority.clock().instant();
    String second = mintWorkspace(admin);

    assertThat(AuditPages.all(admin, request().setStartTime(at(t1)).build()))
        .extracting(AuditEvent::getTargetId).containsExactly(second, "rec-1");
    assertThat(AuditPages.all(admin, request().setStartTime(at(t1)).setEndTime(at(t2)).build()))
        .extracting(AuditEvent::getTargetId).containsExactly("rec-1");
    assertThat(AuditPages.all(admin, request().setStartTime(at(t0)).setEndTime(at(t1)).build()))
        .extracting(AuditEvent::getTargetId).containsExactly(first);
    assertThat(AuditPages.all(admin, request().setEndTime(at(t0)).build())).extracting(AuditEvent::getAction)
        .containsExactlyInAnyOrder("tenant.create", "user.create", "token.mint"); // the bootstrap
    assertThat(AuditPages.all(admin, request().setAction("token.mint").build())).extracting(AuditEvent::getTargetId)
        .containsExactly(second, first, uncheckedAdminTokenId());
    assertThat(AuditPages.all(admin, request().setAction("token.mint").setStartTime(at(t1)).build()))
        .extracting(AuditEvent::getTargetId).containsExactly(second);
    assertThat(AuditPages.all(admin, request().setAction("token.revoke").build())).isEmpty();
  }

  @Test
  void pagesAreFiftyByDefaultAndAtMostFiveHundred() {
    for (int i = 0; i < 50; i++) {
      mintWorkspace(admin);
    }
    ListAuditEventsResponse first = admin.listAuditEvents(ListAuditEventsRequest.getDefaultInstance());
    assertThat(first.getAuditEventsCount()).isEqualTo(50);
    assertThat(first.getNextPageToken()).isNotEmpty();
    ListAuditEventsResponse rest = admin.listAuditEvents(ListAuditEventsRequest.newBuilder()
        .setPageToken(first.getNextPageToken()).build());
    assertThat(rest.getAuditEventsCount()).isEqualTo(3);
    assertThat(rest.getNextPageToken()).isEmpty();
    assertThat(admin.listAuditEvents(request().build()).getAuditEventsCount()).isEqualTo(53);
  }

  @Test
  void badPageSizesTokensTimesAndFiltersAreInvalidArgumentsNamingTheField() {
    expectInvalid(() -> admin.listAuditEvents(request().setPageSize(-1).build()), "page_size");
    expectInvalid(() -> admin.listAuditEvents(request().setPageSize(501).build()), "page_size");
    expectInvalid(() -> admin.listAuditEvents(request().setPageToken("garbage").build()), "page_token");
    String wellEncodedButNotOurs = Base64.getUrlEncoder().encodeToString("v1\n1\naud_short\n0".getBytes(UTF_8));
    expectInvalid(() -> admin.listAuditEvents(request().setPageToken(wellEncodedButNotOurs).build()), "page_token");
    expectInvalid(() -> admin.listAuditEvents(request().setAction("token.explode").build()), "action");
    expectInvalid(() -> admin.listAuditEvents(request().setTenantId("not a tenant!").build()), "tenant_id");
    expectInvalid(() -> admin.listAuditEvents(request()
        .setStartTime(Timestamp.newBuilder().setSeconds(Long.MAX_VALUE)).build()), "start_time");
    expectInvalid(() -> admin.listAuditEvents(request()
        .setEndTime(Timestamp.newBuilder().setSeconds(1).setNanos(-5)).build()), "end_time");
    Instant now = authority.clock().instant();
    expectInvalid(() -> admin.listAuditEvents(request().setStartTime(at(now)).setEndTime(at(now)).build()),
        "end_time");
    expectInvalid(() -> admin.listAuditEvents(request().setPageSize(-1).setAction("x").build()), "page_size",
        "action");

    // a page token is tied to the filters of its listing
    mintWorkspace(admin);
    String token = admin.listAuditEvents(request().setPageSize(1).setAction("token.mint").build())
        .getNextPageToken();
    assertThat(token).isNotEmpty();
    assertThat(admin.listAuditEvents(request().setPageSize(1).setAction("token.mint").setPageToken(token).build())
        .getAuditEventsCount()).isEqualTo(1);
    expectInvalid(() -> admin.listAuditEvents(request().setPageSize(1).setPageToken(token).build()), "page_token");
  }

  @Test
  void aTenantAdminSeesOnlyItsOwnTenantAndTheBootstrapAdminSeesAny() throws Exception {
    CreateTenantResponse globex = admin.createTenant(CreateTenantRequest.newBuilder()
        .setTenant(Tenant.newBuilder().setName("Globex")).setAdminEmail("owner@globex.example").build());
    String globexId = globex.getTenant().getId();
    TokenAuthorityClient owner = authority.client(globex.getAdminToken().getToken());
    String ownersMint = mintWorkspace(owner);
    owner.createRecord(Record.newBuilder().setId("globex-rec").build());
    mintWorkspace(admin);
    refused("CREDENTIAL_INVALID", "authorization", "Bearer nothing-known");
    String expiring = owner.createWorkspaceToken(CreateWorkspaceTokenRequest.newBuilder().setName("short")
        .addScopes("tokens:write").setExpiresAt(at(authority.clock().instant().plusSeconds(1))).build()).getToken();
    authority.clock().advance(Duration.ofSeconds(2));
    refused("CREDENTIAL_EXPIRED", "authorization", "Bearer " + expiring);

    List<AuditEvent> seenByOwner = AuditPages.all(owner, request().build());
    assertThat(seenByOwner).isNotEmpty().allSatisfy(e -> assertThat(e.getTenantId()).isEqualTo(globexId));
    assertThat(seenByOwner).extracting(AuditEvent::getAction).containsExactlyInAnyOrder("auth.failure",
        "token.mint", "record.create", "token.mint", "token.mint", "user.create", "tenant.create");
    assertThat(seenByOwner).extracting(AuditEvent::getTargetId).contains(ownersMint, "globex-rec");
    assertThat(AuditPages.all(owner, request().setTenantId(globexId).build())).isEqualTo(seenByOwner);
    String home = store.bootstrapTenantId();
    expect(Status.Code.NOT_FOUND, "RESOURCE_NOT_FOUND",
        () -> owner.listAuditEvents(request().setTenantId(home).build()));

    assertThat(AuditPages.all(admin, request().setTenantId(globexId).build())).isEqualTo(seenByOwner);
    List<AuditEvent> everything = AuditPages.all(admin, request().build());
    assertThat(everything).containsAll(seenByOwner);
    assertThat(everything).extracting(AuditEvent::getTenantId).contains(home, globexId, "");
    assertThat(AuditPages.all(admin, request().setTenantId(home).build()))
        .allSatisfy(e -> assertThat(e.getTenantId()).isEqualTo(home));
    expect(Status.Code.NOT_FOUND, "RESOURCE_NOT_FOUND",
        () -> admin.listAuditEvents(request().setTenantId("ten_nosuchtenant").build()));

    String reader = owner.createWorkspaceToken(CreateWorkspaceTokenRequest.newBuilder().setName("reader")
        .addScopes("tokens:read").build()).getToken();
    expect(Status.Code.PERMISSION_DENIED, "SCOPE_MISSING",
        () -> authority.client(reader).listAuditEvents(request().build()));
  }
}
