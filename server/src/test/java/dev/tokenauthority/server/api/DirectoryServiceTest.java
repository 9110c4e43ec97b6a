package dev.tokenauthority.server.api;

import static dev.tokenauthority.server.testing.Errors.errorInfo;
import static dev.tokenauthority.server.testing.Errors.expect;
import static dev.tokenauthority.server.testing.Errors.expectInvalid;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ListValue;
import com.google.protobuf.NullValue;
import com.google.protobuf.Value;
import com.google.protobuf.util.Timestamps;
import dev.tokenauthority.client.TokenAuthorityClient;
import dev.tokenauthority.server.testing.InProcessAuthority;
import dev.tokenauthority.v1.Account;
import dev.tokenauthority.v1.CreateTenantRequest;
import dev.tokenauthority.v1.CreateTenantResponse;
import dev.tokenauthority.v1.CreateUserRequest;
import dev.tokenauthority.v1.CreateWorkspaceTokenRequest;
import dev.tokenauthority.v1.Module;
import dev.tokenauthority.v1.ModuleEligibility;
import dev.tokenauthority.v1.ModuleSettings;
import dev.tokenauthority.v1.Record;
import dev.tokenauthority.v1.Tenant;
import dev.tokenauthority.v1.User;
import dev.tokenauthority.v1.UserRoles;
import dev.tokenauthority.v1.WorkspaceToken;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The directory administration RPCs: tenants, users, records, accounts, modules. */
class DirectoryServiceTest {
  static final List<String> TENANT_ADMIN_SCOPES = List.of("tokens:read", "tokens:write", "tokens:revoke",
      "tokens:introspect", "records:update", "faults:read", "directory:read", "directory:write", "audit:read");

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

  static CreateTenantRequest tenant(String name, String adminEmail) {
    return CreateTenantRequest.newBuilder().setTenant(Tenant.newBuilder().setName(name)).setAdminEmail(adminEmail)
        .build();
  }

  static CreateUserRequest user(String email, String... scopes) {
    return CreateUserRequest.newBuilder().setUser(User.newBuilder().setEmail(email)).addAllScopes(List.of(scopes))
        .build();
  }

  static CreateUserRequest user(User.Builder user) {
    return CreateUserRequest.newBuilder().setUser(user).build();
  }

  static CreateWorkspaceTokenRequest workspace(String name, String... scopes) {
    return CreateWorkspaceTokenRequest.newBuilder().setName(name).addAllScopes(List.of(scopes)).build();
  }

  static ListValue strings(String... values) {
    return ListValue.newBuilder()
        .addAllValues(Stream.of(values).map(v -> Value.newBuilder().setStringValue(v).build()).toList())
        .build();
  }

  private long nowMillis() {
    return authority.clock().instant().truncatedTo(ChronoUnit.MILLIS).toEpochMilli();
  }

  // ---- tenants ----

  @Test
  void createsATenantWithItsAdminAndAdminToken() {
    authority.clock().advance(Duration.ofMinutes(3));
    long now = nowMillis();

    CreateTenantResponse created = admin.createTenant(tenant("Globex", "Owner@Globex.example"));

    assertThat(created.getTenant().getId()).matches("ten_[a-z0-9]{24}");
    assertThat(created.getTenant().getName()).isEqualTo("Globex");
    assertThat(Timestamps.toMillis(created.getTenant().getCreateTime())).isEqualTo(now);

    User owner = created.getAdminUser();
    assertThat(owner.getId()).matches("usr_[a-z0-9]{24}");
    assertThat(owner.getEmail()).isEqualTo("owner@globex.example");
    assertThat(owner.getActive()).isTrue();
    assertThat(owner.getChangeSequence()).isEqualTo(1);
    assertThat(Timestamps.toMillis(owner.getCreatedOn())).isEqualTo(now);

    WorkspaceToken token = created.getAdminToken();
    assertThat(token.getId()).matches("tok_[a-z0-9]{24}");
    assertThat(token.getToken()).startsWith("taw_").hasSize(53);
    assertThat(token.getStatus()).isEqualTo("active");
    assertThat(token.getScopesList()).containsExactlyElementsOf(TENANT_ADMIN_SCOPES);
    assertThat(token.getCreatedBy()).isEqualTo("owner@globex.example");
    assertThat(token.hasExpiresAt()).isFalse();
  }

  @Test
  void theTenantAdminTokenWorksWithEveryScopeButTenantsWrite() {
    TokenAuthorityClient owner = authority.client(admin.createTenant(tenant("Globex", "owner@globex.example"))
        .getAdminToken().getToken());

    WorkspaceToken all = owner.createWorkspaceToken(workspace("all", TENANT_ADMIN_SCOPES.toArray(String[]::new)));
    assertThat(all.getScopesList()).containsExactlyElementsOf(TENANT_ADMIN_SCOPES);
    assertThat(all.getCreatedBy()).isEqualTo("owner@globex.example");
    expect(Status.Code.PERMISSION_DENIED, "SCOPE_ESCALATION",
        () -> owner.createWorkspaceToken(workspace("tenants", "tenants:write")));
    StatusRuntimeException e = expect(Status.Code.PERMISSION_DENIED, "SCOPE_MISSING",
        () -> owner.createTenant(tenant("Initech", "boss@initech.example")));
    assertThat(errorInfo(e).getMetadataMap()).containsEntry("scope", "tenants:write");
  }

  @Test
  void createTenantRequiresTenantsWrite() {
    WorkspaceToken almostAll = admin.createWorkspaceToken(
        workspace("almost-all", TENANT_ADMIN_SCOPES.toArray(String[]::new)));
    StatusRuntimeException e = expect(Status.Code.PERMISSION_DENIED, "SCOPE_MISSING",
        () -> authority.client(almostAll.getToken()).createTenant(tenant("Initech", "boss@initech.example")));
    assertThat(errorInfo(e).getMetadataMap()).containsEntry("scope", "tenants:write");

    WorkspaceToken tenantsOnly = admin.createWorkspaceToken(workspace("tenant-maker", "tenants:write"));
    assertThat(authority.client(tenantsOnly.getToken()).createTenant(tenant("Initech", "boss@initech.example"))
        .getTenant().getName()).isEqualTo("Initech");
  }

  @Test
  void tenantNameIsRequiredAndAtMostOneHundredCharacters() {
    expectInvalid(() -> admin.createTenant(tenant("", "a@example.com")), "tenant.name");
    expectInvalid(() -> admin.createTenant(CreateTenantRequest.newBuilder().setAdminEmail("a@example.com").build()),
        "tenant.name");
    String hundred = "t".repeat(100);
    assertThat(admin.createTenant(tenant(hundred, "a@example.com")).getTenant().getName()).isEqualTo(hundred);
    expectInvalid(() -> admin.createTenant(tenant("t".repeat(101), "b@example.com")), "tenant.name");
  }

  @Test
  void adminEmailMustBeAnEmailAddress() {
    expectInvalid(() -> admin.createTenant(tenant("Globex", "not-an-email")), "admin_email");
    expectInvalid(() -> admin.createTenant(tenant("Globex", "")), "admin_email");
    expectInvalid(() -> admin.createTenant(tenant("", "not-an-email")), "tenant.name", "admin_email");
  }

  @Test
  void tenantsAreIsolatedFromEachOther() {
    CreateTenantResponse a = admin.createTenant(tenant("Globex", "owner@globex.example"));
    CreateTenantResponse b = admin.createTenant(tenant("Globex", "owner@globex.example"));
    assertThat(a.getTenant().getId()).isNotEqualTo(b.getTenant().getId());
    assertThat(a.getAdminUser().getId()).isNotEqualTo(b.getAdminUser().getId());

    TokenAuthorityClient ownerA = authority.client(a.getAdminToken().getToken());
    TokenAuthorityClient ownerB = authority.client(b.getAdminToken().getToken());
    // the same IDs in two tenants are two objects
    ownerA.createRecord(Record.newBuilder().setId("rec-1").build());
    ownerB.createRecord(Record.newBuilder().setId("rec-1").build());
    ownerA.createAccount(Account.newBuilder().setId("acc-1").setName("A").build());
    ownerB.createAccount(Account.newBuilder().setId("acc-1").setName("B").build());
    ownerA.createModule(Module.newBuilder().setId("mod-1").setName("A").build());
    ownerB.createModule(Module.newBuilder().setId("mod-1").setName("B").build());
  }

  // ---- users ----

  @Test
  void createsAUserWithEveryField() {
    authority.clock().advance(Duration.ofSeconds(42));
    long now = nowMillis();
    User created = admin.createUser(CreateUserRequest.newBuilder()
        .setUser(User.newBuilder()
            .setEmail("Ada@Example.com")
            .setFirstName("Ada")
            .setLastName("Lovelace")
            .setTitle("Analyst")
            .setBio("Wrote the first program.")
            .setBusinessGroup("Engines")
            .setImage("https://example.com/ada.png")
            .setUserType("HUMAN")
            .setShowDeveloperTools(true)
            .setRoles(UserRoles.newBuilder().addRoles("EDITOR").addRoles("VIEWER")))
        .addScopes("tokens:read")
        .build());

    assertThat(created.getId()).matches("usr_[a-z0-9]{24}");
    assertThat(UUID.fromString(created.getUuid()).toString()).isEqualTo(created.getUuid());
    assertThat(created.getEmail()).isEqualTo("ada@example.com");
    assertThat(created.getFirstName()).isEqualTo("Ada");
    assertThat(created.getLastName()).isEqualTo("Lovelace");
    assertThat(created.getTitle()).isEqualTo("Analyst");
    assertThat(created.getBio()).isEqualTo("Wrote the first program.");
    assertThat(created.getBusinessGroup()).isEqualTo("Engines");
    assertThat(created.getImage()).isEqualTo("https://example.com/ada.png");
    assertThat(created.getUserType()).isEqualTo("HUMAN");
    assertThat(created.getShowDeveloperTools()).isTrue();
    assertThat(created.hasActive()).isTrue();
    assertThat(created.getActive()).isTrue();
    assertThat(created.getChangeSequence()).isEqualTo(1);
    assertThat(created.getRoles().getRolesList()).containsExactly("EDITOR", "VIEWER");
    assertThat(created.getRolesJson()).isEqualTo("[\"EDITOR\",\"VIEWER\"]");
    assertThat(created.getGroupsJson()).isEqualTo("[]");
    assertThat(created.getSearchText()).contains("Ada").contains("Lovelace").contains("ada@example.com");
    assertThat(Timestamps.toMillis(created.getCreatedOn())).isEqualTo(now);
    assertThat(Timestamps.toMillis(created.getUpdatedOn())).isEqualTo(now);
  }

  @Test
  void userEmailIsRequiredAndMustBeAnAddress() {
    expectInvalid(() -> admin.createUser(user(User.newBuilder().setFirstName("Nobody"))), "user.email");
    expectInvalid(() -> admin.createUser(user("not-an-email")), "user.email");
    String longest = "a".repeat(242) + "@example.com"; // 254 characters
    assertThat(admin.createUser(user(longest)).getEmail()).isEqualTo(longest);
    expectInvalid(() -> admin.createUser(user("a" + longest)), "user.email");
  }

  @Test
  void emailIsUniqueWithinATenantOnly() {
    admin.createUser(user("dup@example.com"));
    StatusRuntimeException e = expect(Status.Code.ALREADY_EXISTS, "RESOURCE_ALREADY_EXISTS",
        () -> admin.createUser(user("dup@example.com")));
    assertThat(errorInfo(e).getMetadataMap()).containsEntry("field", "user.email");
    expect(Status.Code.ALREADY_EXISTS, "RESOURCE_ALREADY_EXISTS", () -> admin.createUser(user("DUP@example.com")));

    TokenAuthorityClient owner = authority.client(admin.createTenant(tenant("Globex", "owner@globex.example"))
        .getAdminToken().getToken());
    assertThat(owner.createUser(user("dup@example.com")).getEmail()).isEqualTo("dup@example.com");
  }

  @Test
  void aUserCannotBeGrantedScopesTheCallerLacks() {
    TokenAuthorityClient owner = authority.client(admin.createTenant(tenant("Globex", "owner@globex.example"))
        .getAdminToken().getToken());
    StatusRuntimeException e = expect(Status.Code.PERMISSION_DENIED, "SCOPE_ESCALATION",
        () -> owner.createUser(user("x@globex.example", "tokens:read", "tenants:write")));
    assertThat(errorInfo(e).getMetadataMap()).containsEntry("scopes", "tenants:write");

    WorkspaceToken directoryOnly = admin.createWorkspaceToken(workspace("dir", "directory:write", "tokens:read"));
    TokenAuthorityClient narrow = authority.client(directoryOnly.getToken());
    expect(Status.Code.PERMISSION_DENIED, "SCOPE_ESCALATION",
        () -> narrow.createUser(user("y@example.com", "tokens:write")));
    assertThat(narrow.createUser(user("z@example.com", "tokens:read")).getEmail()).isEqualTo("z@example.com");
  }

  @Test
  void userScopesMustBeKnownAndDistinct() {
    expectInvalid(() -> admin.createUser(user("u@example.com", "tokens:fly")), "scopes[0]");
    expectInvalid(() -> admin.createUser(user("u@example.com", "tokens:read", "tokens:read")), "scopes[1]");
  }

  @Test
  void userFieldsHaveLengthLimits() {
    assertThat(admin.createUser(user(User.newBuilder().setEmail("f1@example.com").setFirstName("f".repeat(200))))
        .getFirstName()).hasSize(200);
    expectInvalid(() -> admin.createUser(user(User.newBuilder().setEmail("f2@example.com")
        .setFirstName("f".repeat(201)))), "user.firstName");
    expectInvalid(() -> admin.createUser(user(User.newBuilder().setEmail("l@example.com")
        .setLastName("l".repeat(201)))), "user.lastName");
    expectInvalid(() -> admin.createUser(user(User.newBuilder().setEmail("t@example.com")
        .setTitle("t".repeat(201)))), "user.title");
    assertThat(admin.createUser(user(User.newBuilder().setEmail("b1@example.com").setBio("b".repeat(2000))))
        .getBio()).hasSize(2000);
    expectInvalid(() -> admin.createUser(user(User.newBuilder().setEmail("b2@example.com")
        .setBio("b".repeat(2001)))), "user.bio");
    expectInvalid(() -> admin.createUser(user(User.newBuilder().setEmail("i@example.com")
        .setImage("i".repeat(2001)))), "user.image");
    expectInvalid(() -> admin.createUser(user(User.newBuilder().setEmail("r@example.com")
        .setRoles(UserRoles.newBuilder().addRoles("OK").addRoles("")))), "user.roles.roles[1]");
    expectInvalid(() -> admin.createUser(user(User.newBuilder().setFirstName("f".repeat(201)))),
        "user.email", "user.firstName");
  }

  @Test
  void aUserMayBeCreatedInactive() {
    User inactive = admin.createUser(user(User.newBuilder().setEmail("off@example.com").setActive(false)));
    assertThat(inactive.getActive()).isFalse();
  }

  // ---- records ----

  @Test
  void recordIdIsGeneratedWhenEmpty() {
    authority.clock().advance(Duration.ofMillis(1500));
    long now = nowMillis();
    Record record = admin.createRecord(Record.newBuilder().setTitle("Quarterly review").build());
    assertThat(record.getId()).matches("rec_[a-z0-9]{24}");
    assertThat(record.getTitle()).isEqualTo("Quarterly review");
    assertThat(Timestamps.toMillis(record.getCreateTime())).isEqualTo(now);
    assertThat(admin.createRecord(Record.getDefaultInstance()).getId()).matches("rec_[a-z0-9]{24}")
        .isNotEqualTo(record.getId());
  }

  @Test
  void recordIdMayBeChosenAndIsUnique() {
    Record record = admin.createRecord(Record.newBuilder().setId("wb-2024.Q1_item-7").setTitle("Item").build());
    assertThat(record.getId()).isEqualTo("wb-2024.Q1_item-7");

    StatusRuntimeException e = expect(Status.Code.ALREADY_EXISTS, "RESOURCE_ALREADY_EXISTS",
        () -> admin.createRecord(Record.newBuilder().setId("wb-2024.Q1_item-7").build()));
    assertThat(errorInfo(e).getMetadataMap()).containsEntry("field", "record.id");
  }

  @Test
  void recordIdAndTitleAreValidated() {
    expectInvalid(() -> admin.createRecord(Record.newBuilder().setId("bad id!").build()), "record.id");
    expectInvalid(() -> admin.createRecord(Record.newBuilder().setId("r".repeat(101)).build()), "record.id");
    assertThat(admin.createRecord(Record.newBuilder().setId("r".repeat(100)).build()).getId()).hasSize(100);
    expectInvalid(() -> admin.createRecord(Record.newBuilder().setTitle("t".repeat(201)).build()), "record.title");
  }

  // ---- accounts ----

  @Test
  void createsAnAccountWithDefaults() {
    Account account = admin.createAccount(Account.newBuilder().setName("Acme").build());
    assertThat(account.getId()).matches("acc_[a-z0-9]{24}");
    assertThat(account.getName()).isEqualTo("Acme");
    assertThat(account.getType()).isEqualTo("standard");
    assertThat(account.getStatus()).isEqualTo("active");
    assertThat(account.getIcon()).isEmpty();
  }

  @Test
  void createsAnAccountWithEveryField() {
    Account account = admin.createAccount(Account.newBuilder()
        .setId("acc-1").setName("Acme").setIcon("https://example.com/a.png").setType("enterprise")
        .setStatus("suspended") // output only: ignored
        .build());
    assertThat(account).isEqualTo(Account.newBuilder()
        .setId("acc-1").setName("Acme").setIcon("https://example.com/a.png").setType("enterprise")
        .setStatus("active").build());
    expect(Status.Code.ALREADY_EXISTS, "RESOURCE_ALREADY_EXISTS",
        () -> admin.createAccount(Account.newBuilder().setId("acc-1").setName("Again").build()));
  }

  @Test
  void accountNameIsRequiredAndFieldsAreValidated() {
    expectInvalid(() -> admin.createAccount(Account.newBuilder().setId("acc-x").build()), "account.name");
    expectInvalid(() -> admin.createAccount(Account.newBuilder().setName("n".repeat(201)).build()), "account.name");
    assertThat(admin.createAccount(Account.newBuilder().setName("n".repeat(200)).build()).getName()).hasSize(200);
    expectInvalid(() -> admin.createAccount(Account.newBuilder().setId("bad id!").setName("A").build()),
        "account.id");
    expectInvalid(() -> admin.createAccount(Account.newBuilder().setName("A").setType("t".repeat(51)).build()),
        "account.type");
    expectInvalid(() -> admin.createAccount(Account.newBuilder().setName("A").setIcon("i".repeat(2001)).build()),
        "account.icon");
  }

  // ---- modules ----

  @Test
  void createsAModuleWithFiltersAndSettings() {
    Module request = Module.newBuilder()
        .setId("mod-1")
        .setName("Buyers")
        .setDescription("Buyer analytics")
        .putFilters("group.buyers", strings("north", "south"))
        .setSettings(ModuleSettings.newBuilder()
            .setConfigurable(true).setDefault(true).setPaid(false).addType("analytics").setObsolete(false)
            .setEligibility(ModuleEligibility.newBuilder().setMulti(true).setSingle(true)))
        .build();
    assertThat(admin.createModule(request)).isEqualTo(request);

    Module generated = admin.createModule(Module.newBuilder().setName("Plain").build());
    assertThat(generated.getId()).matches("mod_[a-z0-9]{24}");
    assertThat(generated.getFiltersMap()).isEmpty();
    assertThat(generated.getSettings().getTypeList()).isEmpty();

    expect(Status.Code.ALREADY_EXISTS, "RESOURCE_ALREADY_EXISTS",
        () -> admin.createModule(Module.newBuilder().setId("mod-1").setName("Again").build()));
  }

  @Test
  void moduleNameIsRequired() {
    expectInvalid(() -> admin.createModule(Module.newBuilder().setId("mod-x").build()), "module.name");
    expectInvalid(() -> admin.createModule(Module.newBuilder().setName("n".repeat(201)).build()), "module.name");
  }

  @Test
  void filterValuesMustBeStrings() {
    Module numeric = Module.newBuilder().setName("Numeric")
        .putFilters("group.buyers", ListValue.newBuilder()
            .addValues(Value.newBuilder().setNumberValue(7)).build())
        .build();
    expectInvalid(() -> admin.createModule(numeric), "module.filters.group.buyers[0]");

    Module mixed = Module.newBuilder().setName("Mixed")
        .putFilters("tags", ListValue.newBuilder()
            .addValues(Value.newBuilder().setStringValue("ok"))
            .addValues(Value.newBuilder().setNullValue(NullValue.NULL_VALUE)).build())
        .build();
    expectInvalid(() -> admin.createModule(mixed), "module.filters.tags[1]");
  }

  @Test
  void withoutDirectoryWriteAMalformedModuleIsStillPermissionDenied() {
    String reader = admin.createWorkspaceToken(dev.tokenauthority.v1.CreateWorkspaceTokenRequest.newBuilder()
        .setName("reader").addScopes("directory:read").build()).getToken();
    Module numeric = Module.newBuilder().setName("")
        .putFilters("group.buyers", ListValue.newBuilder().addValues(Value.newBuilder().setNumberValue(7)).build())
        .build();
    expect(Status.Code.PERMISSION_DENIED, "SCOPE_MISSING", () -> authority.client(reader).createModule(numeric));
  }

  @Test
  void moduleSettingsTypesAreLimited() {
    ModuleSettings.Builder many = ModuleSettings.newBuilder();
    for (int i = 0; i < 21; i++) {
      many.addType("t" + i);
    }
    expectInvalid(() -> admin.createModule(Module.newBuilder().setName("M").setSettings(many).build()),
        "module.settings.type");
  }

  // ---- authorization ----

  @Test
  void everyDirectoryWriteNeedsDirectoryWrite() {
    WorkspaceToken token = admin.createWorkspaceToken(
        workspace("no-directory", "tokens:read", "tokens:write", "directory:read"));
    TokenAuthorityClient caller = authority.client(token.getToken());

    List<ThrowingCallable> calls = List.of(
        () -> caller.createUser(user("u@example.com")),
        () -> caller.createRecord(Record.newBuilder().setId("rec-1").build()),
        () -> caller.createAccount(Account.newBuilder().setName("Acme").build()),
        () -> caller.createModule(Module.newBuilder().setName("Buyers").build()));
    for (ThrowingCallable call : calls) {
      StatusRuntimeException e = expect(Status.Code.PERMISSION_DENIED, "SCOPE_MISSING", call);
      assertThat(errorInfo(e).getMetadataMap()).containsEntry("scope", "directory:write");
    }
    // nothing was created: the admin can still take those IDs
    assertThat(admin.createUser(user("u@example.com")).getEmail()).isEqualTo("u@example.com");
    assertThat(admin.createRecord(Record.newBuilder().setId("rec-1").build()).getId()).isEqualTo("rec-1");
  }

  @Test
  void theCreatedObjectsBelongToTheCallersClockTime() {
    Instant later = authority.clock().instant().plus(Duration.ofDays(1));
    authority.clock().set(later);
    Record record = admin.createRecord(Record.getDefaultInstance());
    assertThat(Timestamps.toMillis(record.getCreateTime())).isEqualTo(later.truncatedTo(ChronoUnit.MILLIS)
        .toEpochMilli());
  }
}
