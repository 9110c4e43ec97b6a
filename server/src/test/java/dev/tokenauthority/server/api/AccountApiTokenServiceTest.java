package dev.tokenauthority.server.api;

import static dev.tokenauthority.server.testing.Errors.errorInfo;
import static dev.tokenauthority.server.testing.Errors.expect;
import static dev.tokenauthority.server.testing.Errors.expectInvalid;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ListValue;
import com.google.protobuf.Timestamp;
import com.google.protobuf.Value;
import com.google.protobuf.util.Timestamps;
import dev.tokenauthority.client.Credentials;
import dev.tokenauthority.client.TokenAuthorityClient;
import dev.tokenauthority.server.core.Secrets;
import dev.tokenauthority.server.core.TokenKind;
import dev.tokenauthority.server.testing.InProcessAuthority;
import dev.tokenauthority.v1.AccessToken;
import dev.tokenauthority.v1.Account;
import dev.tokenauthority.v1.ApiToken;
import dev.tokenauthority.v1.CreateTenantRequest;
import dev.tokenauthority.v1.CreateTenantResponse;
import dev.tokenauthority.v1.CreateWorkspaceTokenRequest;
import dev.tokenauthority.v1.Module;
import dev.tokenauthority.v1.ModuleEligibility;
import dev.tokenauthority.v1.ModuleSettings;
import dev.tokenauthority.v1.PrincipalRef;
import dev.tokenauthority.v1.Tenant;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Seed 002 (accounts platform, POST /public/v1/accounts/api-tokens) over gRPC. */
class AccountApiTokenServiceTest {
  @TempDir Path dataDir;
  InProcessAuthority authority;
  TokenAuthorityClient admin;
  Account account;
  Module buyers;
  Module legacy;

  @BeforeEach
  void start() {
    authority = InProcessAuthority.start(dataDir);
    admin = authority.admin();
    account = admin.createAccount(Account.newBuilder()
        .setId("acc-1")
        .setName("Acme Retail")
        .setIcon("https://cdn.example.com/acme.png")
        .setType("enterprise")
        .build());
    buyers = admin.createModule(Module.newBuilder()
        .setId("mod-buyers")
        .setName("Buyers")
        .setDescription("Buyer group analytics")
        .putFilters("group.buyers", strings("north", "south", "west"))
        .setSettings(ModuleSettings.newBuilder()
            .setConfigurable(true)
            .setDefault(false)
            .setPaid(true)
            .addType("analytics")
            .addType("reporting")
            .setObsolete(false)
            .setEligibility(ModuleEligibility.newBuilder().setMulti(true).setSingle(false)))
        .build());
    legacy = admin.createModule(Module.newBuilder()
        .setId("mod-legacy")
        .setName("Legacy export")
        .setDescription("The old CSV export")
        .putFilters("region", strings("eu"))
        .setSettings(ModuleSettings.newBuilder()
            .setConfigurable(false)
            .setDefault(true)
            .setPaid(false)
            .addType("export")
            .setObsolete(true)
            .setEligibility(ModuleEligibility.newBuilder().setMulti(false).setSingle(true)))
        .build());
  }

  @AfterEach
  void stop() {
    authority.close();
  }

  static ListValue strings(String... values) {
    return ListValue.newBuilder()
        .addAllValues(Stream.of(values).map(v -> Value.newBuilder().setStringValue(v).build()).toList())
        .build();
  }

  static Module ref(String id) {
    return Module.newBuilder().setId(id).build();
  }

  static ApiToken.Builder request(String accountId, String... moduleIds) {
    ApiToken.Builder token = ApiToken.newBuilder().setAccount(Account.newBuilder().setId(accountId));
    for (String id : moduleIds) {
      token.addModules(ref(id));
    }
    return token;
  }

  /** The user ID of the bootstrap admin, as the access token service reports it. */
  private String adminUserId() {
    return admin.createAccessToken(AccessToken.newBuilder().setName("whoami").build()).getUserId();
  }

  private Timestamp nowMillis() {
    return Timestamps.fromMillis(authority.clock().instant().truncatedTo(ChronoUnit.MILLIS).toEpochMilli());
  }

  private CreateTenantResponse secondTenant() {
    return admin.createTenant(CreateTenantRequest.newBuilder()
        .setTenant(Tenant.newBuilder().setName("Globex"))
        .setAdminEmail("owner@globex.example")
        .build());
  }

  @Test
  void createsATokenWithEveryDocumentedField() {
    String adminUserId = adminUserId();
    authority.clock().advance(Duration.ofMinutes(7).plusNanos(123_456_789)); // a "now" no earlier call saw
    Timestamp now = nowMillis();

    ApiToken token = admin.createApiToken(request("acc-1", "mod-legacy", "mod-buyers")
        .setName("Warehouse sync")
        .setDescription("Syncs stock levels nightly")
        .setIcon("https://cdn.example.com/sync.svg")
        .build());

    assertThat(token.getId()).matches("apt_[a-z0-9]{24}");

    assertThat(token.hasAudit()).isTrue();
    assertThat(token.getAudit().getCreated().getAt()).isEqualTo(now);
    assertThat(token.getAudit().getUpdated().getAt()).isEqualTo(now);
    for (PrincipalRef by : List.of(token.getAudit().getCreated().getBy(), token.getAudit().getUpdated().getBy())) {
      assertThat(by.getType()).isEqualTo("user");
      assertThat(by.getId()).isEqualTo(adminUserId).matches("usr_[a-z0-9]{24}");
      assertThat(by.getEmail()).isEqualTo("admin@localhost");
      assertThat(by.getTokenId()).isNotEmpty().matches("tok_[a-z0-9]{24}");
    }

    assertThat(token.hasMeta()).as("$meta is present").isTrue();
    assertThat(token.getMeta().getOmittedList()).isEmpty();
    assertThat(token.getStatus()).isEqualTo("active");
    assertThat(token.getName()).isEqualTo("Warehouse sync");
    assertThat(token.hasDescription()).isTrue();
    assertThat(token.getDescription()).isEqualTo("Syncs stock levels nightly");
    assertThat(token.hasIcon()).isTrue();
    assertThat(token.getIcon()).isEqualTo("https://cdn.example.com/sync.svg");
    assertThat(token.hasLastAccessAt()).isFalse();
    assertThat(token.getToken()).startsWith("taa_").hasSize(53);
    assertThat(Secrets.kindOf(token.getToken())).isEqualTo(TokenKind.ACCOUNT_API);

    Account expanded = token.getAccount();
    assertThat(expanded.getId()).isEqualTo("acc-1");
    assertThat(expanded.getIcon()).isEqualTo("https://cdn.example.com/acme.png");
    assertThat(expanded.getType()).isEqualTo("enterprise");
    assertThat(expanded.getStatus()).isEqualTo("active");
    assertThat(expanded.getName()).isEqualTo("Acme Retail");

    assertThat(token.getModulesList()).extracting(Module::getId).containsExactly("mod-legacy", "mod-buyers");
    Module first = token.getModules(0);
    assertThat(first.getName()).isEqualTo("Legacy export");
    assertThat(first.getDescription()).isEqualTo("The old CSV export");
    assertThat(first.getFiltersMap()).containsOnlyKeys("region");
    assertThat(first.getFiltersMap().get("region")).isEqualTo(strings("eu"));
    ModuleSettings legacySettings = first.getSettings();
    assertThat(legacySettings.getConfigurable()).isFalse();
    assertThat(legacySettings.getDefault()).isTrue();
    assertThat(legacySettings.getPaid()).isFalse();
    assertThat(legacySettings.getTypeList()).containsExactly("export");
    assertThat(legacySettings.getObsolete()).isTrue();
    assertThat(legacySettings.getEligibility().getMulti()).isFalse();
    assertThat(legacySettings.getEligibility().getSingle()).isTrue();

    Module second = token.getModules(1);
    assertThat(second.getName()).isEqualTo("Buyers");
    assertThat(second.getDescription()).isEqualTo("Buyer group analytics");
    assertThat(second.getFiltersMap()).containsOnlyKeys("group.buyers");
    assertThat(second.getFiltersMap().get("group.buyers").getValuesList())
        .extracting(Value::getStringValue).containsExactly("north", "south", "west");
    ModuleSettings buyerSettings = second.getSettings();
    assertThat(buyerSettings.getConfigurable()).isTrue();
    assertThat(buyerSettings.getDefault()).isFalse();
    assertThat(buyerSettings.getPaid()).isTrue();
    assertThat(buyerSettings.getTypeList()).containsExactly("analytics", "reporting");
    assertThat(buyerSettings.getObsolete()).isFalse();
    assertThat(buyerSettings.getEligibility().getMulti()).isTrue();
    assertThat(buyerSettings.getEligibility().getSingle()).isFalse();

    // the expansion is the module exactly as the directory created it
    assertThat(token.getModulesList()).containsExactly(legacy, buyers);
  }

  @Test
  void theAuditNamesTheCallingPrincipalAndItsToken() {
    CreateTenantResponse globex = secondTenant();
    TokenAuthorityClient owner = authority.client(globex.getAdminToken().getToken());
    owner.createAccount(Account.newBuilder().setId("acc-g").setName("Globex HQ").build());

    ApiToken token = owner.createApiToken(request("acc-g").build());

    PrincipalRef expected = PrincipalRef.newBuilder()
        .setType("user")
        .setId(globex.getAdminUser().getId())
        .setEmail("owner@globex.example")
        .setTokenId(globex.getAdminToken().getId())
        .build();
    assertThat(token.getAudit().getCreated().getBy()).isEqualTo(expected);
    assertThat(token.getAudit().getUpdated().getBy()).isEqualTo(expected);
  }

  @Test
  void optionalFieldsMayBeOmittedAndNameDefaultsToTheId() {
    ApiToken token = admin.createApiToken(request("acc-1").build());

    assertThat(token.getId()).matches("apt_[a-z0-9]{24}");
    assertThat(token.getName()).isEqualTo(token.getId());
    assertThat(token.hasDescription()).isFalse();
    assertThat(token.hasIcon()).isFalse();
    assertThat(token.getModulesList()).isEmpty();
    assertThat(token.getAccount().getId()).isEqualTo("acc-1");
    assertThat(token.getStatus()).isEqualTo("active");
  }

  @Test
  void eachTokenHasItsOwnIdAndSecret() {
    ApiToken a = admin.createApiToken(request("acc-1").build());
    ApiToken b = admin.createApiToken(request("acc-1").build());

    assertThat(a.getId()).isNotEqualTo(b.getId());
    assertThat(a.getToken()).isNotEqualTo(b.getToken());
  }

  @Test
  void nameIsAtMostOneHundredCharacters() {
    String hundred = "n".repeat(100);
    assertThat(admin.createApiToken(request("acc-1").setName(hundred).build()).getName()).isEqualTo(hundred);
    expectInvalid(() -> admin.createApiToken(request("acc-1").setName("n".repeat(101)).build()), "name");
  }

  @Test
  void descriptionIsAtMostTwoThousandCharacters() {
    String max = "d".repeat(2000);
    assertThat(admin.createApiToken(request("acc-1").setDescription(max).build()).getDescription()).isEqualTo(max);
    expectInvalid(() -> admin.createApiToken(request("acc-1").setDescription("d".repeat(2001)).build()),
        "description");
  }

  @Test
  void iconIsAtMostTwoThousandCharacters() {
    String max = "i".repeat(2000);
    assertThat(admin.createApiToken(request("acc-1").setIcon(max).build()).getIcon()).isEqualTo(max);
    expectInvalid(() -> admin.createApiToken(request("acc-1").setIcon("i".repeat(2001)).build()), "icon");
  }

  @Test
  void everyInvalidFieldIsNamedAtOnce() {
    expectInvalid(() -> admin.createApiToken(ApiToken.newBuilder()
            .setName("n".repeat(101))
            .setDescription("d".repeat(2001))
            .setIcon("i".repeat(2001))
            .build()),
        "account.id", "name", "description", "icon");
  }

  @Test
  void grantsAtMostFiftyModules() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 51; i++) {
      ids.add(admin.createModule(Module.newBuilder().setId("bulk-" + i).setName("Bulk " + i).build()).getId());
    }

    ApiToken fifty = admin.createApiToken(request("acc-1", ids.subList(0, 50).toArray(String[]::new)).build());
    assertThat(fifty.getModulesList()).extracting(Module::getId).containsExactlyElementsOf(ids.subList(0, 50));

    expectInvalid(() -> admin.createApiToken(request("acc-1", ids.toArray(String[]::new)).build()), "modules");
  }

  @Test
  void modulesMustBeDistinct() {
    expectInvalid(() -> admin.createApiToken(request("acc-1", "mod-buyers", "mod-buyers").build()),
        "modules[1].id");
    expectInvalid(() -> admin.createApiToken(request("acc-1", "mod-buyers", "mod-legacy", "mod-buyers").build()),
        "modules[2].id");
  }

  @Test
  void moduleReferencesNeedAnId() {
    expectInvalid(() -> admin.createApiToken(request("acc-1", "mod-buyers", "").build()), "modules[1].id");
  }

  @Test
  void accountIdIsRequired() {
    expectInvalid(() -> admin.createApiToken(ApiToken.newBuilder().setName("no account").build()), "account.id");
    expectInvalid(() -> admin.createApiToken(request("").addModules(ref("mod-buyers")).build()), "account.id");
  }

  @Test
  void anUnknownAccountIsNotFound() {
    StatusRuntimeException e = expect(Status.Code.NOT_FOUND, "RESOURCE_NOT_FOUND",
        () -> admin.createApiToken(request("acc-missing", "mod-buyers").build()));
    assertThat(errorInfo(e).getMetadataMap()).containsEntry("type", "account").containsEntry("id", "acc-missing");
  }

  @Test
  void anUnknownModuleIsNotFound() {
    StatusRuntimeException e = expect(Status.Code.NOT_FOUND, "RESOURCE_NOT_FOUND",
        () -> admin.createApiToken(request("acc-1", "mod-buyers", "mod-missing").build()));
    assertThat(errorInfo(e).getMetadataMap()).containsEntry("type", "module").containsEntry("id", "mod-missing");
  }

  @Test
  void accountsAndModulesOfAnotherTenantAreNotFound() {
    TokenAuthorityClient owner = authority.client(secondTenant().getAdminToken().getToken());
    owner.createAccount(Account.newBuilder().setId("acc-g").setName("Globex HQ").build());
    owner.createModule(Module.newBuilder().setId("mod-g").setName("Globex module").build());

    StatusRuntimeException account = expect(Status.Code.NOT_FOUND, "RESOURCE_NOT_FOUND",
        () -> admin.createApiToken(request("acc-g").build()));
    assertThat(errorInfo(account).getMetadataMap()).containsEntry("type", "account");
    StatusRuntimeException module = expect(Status.Code.NOT_FOUND, "RESOURCE_NOT_FOUND",
        () -> admin.createApiToken(request("acc-1", "mod-g").build()));
    assertThat(errorInfo(module).getMetadataMap()).containsEntry("type", "module");
    // and the other way round
    expect(Status.Code.NOT_FOUND, "RESOURCE_NOT_FOUND", () -> owner.createApiToken(request("acc-1").build()));
    expect(Status.Code.NOT_FOUND, "RESOURCE_NOT_FOUND",
        () -> owner.createApiToken(request("acc-g", "mod-buyers").build()));
  }

  @Test
  void requiresTokensWrite() {
    var reader = admin.createWorkspaceToken(CreateWorkspaceTokenRequest.newBuilder()
        .setName("reader").addScopes("tokens:read").addScopes("directory:write").build());
    StatusRuntimeException e = expect(Status.Code.PERMISSION_DENIED, "SCOPE_MISSING",
        () -> authority.client(reader.getToken()).createApiToken(request("acc-1").build()));
    assertThat(errorInfo(e).getMetadataMap()).containsEntry("scope", "tokens:write");
  }

  @Test
  void theNewTokenAuthenticatesButHoldsNoScopes() {
    ApiToken token = admin.createApiToken(request("acc-1", "mod-buyers").build());
    CreateWorkspaceTokenRequest child = CreateWorkspaceTokenRequest.newBuilder()
        .setName("from-api-token").addScopes("tokens:read").build();

    TokenAuthorityClient bearer = authority.client(token.getToken());
    StatusRuntimeException e = expect(Status.Code.PERMISSION_DENIED, "SCOPE_MISSING",
        () -> bearer.createWorkspaceToken(child));
    assertThat(errorInfo(e).getMetadataMap()).containsEntry("scope", "tokens:write");
    expect(Status.Code.PERMISSION_DENIED, "SCOPE_MISSING", () -> bearer.createApiToken(request("acc-1").build()));
    expect(Status.Code.PERMISSION_DENIED, "SCOPE_MISSING",
        () -> bearer.createAccount(Account.newBuilder().setName("Sneaky").build()));

    TokenAuthorityClient apiKey = bearer.withCredentials(Credentials.apiKey(token.getToken()));
    expect(Status.Code.PERMISSION_DENIED, "SCOPE_MISSING", () -> apiKey.createWorkspaceToken(child));
  }

  @Test
  void theCreationTimeFollowsTheClock() {
    Instant later = authority.clock().instant().plus(Duration.ofDays(3));
    authority.clock().set(later);
    ApiToken token = admin.createApiToken(request("acc-1").build());
    assertThat(Timestamps.toMillis(token.getAudit().getCreated().getAt()))
        .isEqualTo(later.truncatedTo(ChronoUnit.MILLIS).toEpochMilli());
  }

  @Test
  void aFilterWithNoValuesIsRejectedSoTheExpansionAlwaysEqualsTheModule() {
    // a filter is stored as its values: an empty list would vanish, so it is refused up front
    expectInvalid(() -> admin.createModule(Module.newBuilder()
        .setId("mod-sparse")
        .setName("Sparse")
        .putFilters("group.buyers", strings("north"))
        .putFilters("group.none", ListValue.getDefaultInstance())
        .build()), "module.filters.group.none");

    Module created = admin.createModule(Module.newBuilder()
        .setId("mod-sparse")
        .setName("Sparse")
        .putFilters("group.buyers", strings("north", ""))
        .build());
    ApiToken token = admin.createApiToken(request("acc-1", "mod-sparse").build());

    assertThat(token.getModules(0)).isEqualTo(created);
  }

}
