package dev.tokenauthority.server.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.ListValue;
import com.google.protobuf.Value;
import dev.tokenauthority.client.TokenAuthorityClient;
import dev.tokenauthority.server.ServerConfig;
import dev.tokenauthority.server.core.Limits;
import dev.tokenauthority.server.core.Scopes;
import dev.tokenauthority.server.testing.Errors;
import dev.tokenauthority.server.testing.InProcessAuthority;
import dev.tokenauthority.v1.AccessToken;
import dev.tokenauthority.v1.Account;
import dev.tokenauthority.v1.ApiToken;
import dev.tokenauthority.v1.CreateTenantRequest;
import dev.tokenauthority.v1.CreateUserRequest;
import dev.tokenauthority.v1.CreateWorkspaceTokenRequest;
import dev.tokenauthority.v1.FavoriteLink;
import dev.tokenauthority.v1.ListAccessTokensRequest;
import dev.tokenauthority.v1.ListApiTokensRequest;
import dev.tokenauthority.v1.ListAuditEventsRequest;
import dev.tokenauthority.v1.ListFaultTokensRequest;
import dev.tokenauthority.v1.ListWorkspaceTokensRequest;
import dev.tokenauthority.v1.Module;
import dev.tokenauthority.v1.ModuleSettings;
import dev.tokenauthority.v1.Record;
import dev.tokenauthority.v1.RevokeTokensCreatedByRequest;
import dev.tokenauthority.v1.Tenant;
import dev.tokenauthority.v1.User;
import dev.tokenauthority.v1.UserRoles;
import dev.tokenauthority.v1.UserStorage;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import java.util.function.IntFunction;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every validation limit ({@link Limits}) of every create and update request (and the
 * listings' page sizes and the other bounded request strings), one table row each: the value
 * AT the limit is accepted (or, for a reference to an object, is looked up: NOT_FOUND, never
 * INVALID_ARGUMENT), and ONE PAST it is INVALID_ARGUMENT naming the field, over gRPC and the
 * same over REST (HTTP 400 whose JSON error body names the field).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LimitsTest {
  InProcessAuthority authority;
  TokenAuthorityClient admin;
  final HttpClient http = HttpClient.newHttpClient();
  final Gson gson = new Gson();
  final AtomicInteger unique = new AtomicInteger();
  String accessTokenId;

  @BeforeAll
  void start(@TempDir Path dataDir) {
    authority = InProcessAuthority.start(dataDir, config -> config.withHttpPort(ServerConfig.ANY_FREE_PORT));
    admin = authority.admin();
    admin.createAccount(Account.newBuilder().setId("acc-1").setName("Acme").build());
    for (int i = 0; i < Limits.MODULES; i++) {
      admin.createModule(Module.newBuilder().setId("mod-" + i).setName("Module " + i).build());
    }
    accessTokenId = admin.createAccessToken(AccessToken.newBuilder().setName("to-update").build()).getId();
  }

  @AfterAll
  void stop() {
    authority.close();
  }

  /** A REST request: verb, path (and query), JSON body or null. */
  record Http(String method, String path, Object body) {}

  /**
   * One limit: the field a violation names; the sizes at and one past the limit; the call at
   * a size over gRPC and over REST; and the answer at the limit (OK, or NOT_FOUND for a
   * reference to an object that does not exist).
   */
  record Case(String limit, String field, int at, int past, IntConsumer grpc, IntFunction<Http> rest, Status.Code atCode) {
    @Override
    public String toString() {
      return limit + " (" + at + ")";
    }
  }

  static Case of(String limit, String field, int max, IntConsumer grpc, IntFunction<Http> rest) {
    return new Case(limit, field, max, max + 1, grpc, rest, Status.Code.OK);
  }

  static Case reference(String limit, String field, int max, IntConsumer grpc, IntFunction<Http> rest) {
    return new Case(limit, field, max, max + 1, grpc, rest, Status.Code.NOT_FOUND);
  }

  /** A string of exactly {@code n} characters (A-Za-z0-9 and '-'), different every time. */
  String text(int n) {
    String prefix = "u" + unique.incrementAndGet() + "-";
    return prefix + "x".repeat(n - prefix.length());
  }

  String email(int n) {
    return text(n - "@e.example".length()) + "@e.example";
  }

  List<String> texts(int count, int length) {
    return IntStream.range(0, count).mapToObj(i -> text(length)).toList();
  }

  static Map<String, Object> map(Object... keysAndValues) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      map.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return map;
  }

  static String q(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  /** n scopes: the catalog's distinct ones first (the effective maximum), then repeats. */
  static List<String> scopes(int n) {
    return IntStream.range(0, n).mapToObj(i -> Scopes.CATALOG.get(i % Scopes.CATALOG.size())).toList();
  }

  static Value string(String s) {
    return Value.newBuilder().setStringValue(s).build();
  }

  static ListValue values(List<String> values) {
    return ListValue.newBuilder().addAllValues(values.stream().map(LimitsTest::string).toList()).build();
  }

  Stream<Case> cases() {
    List<Case> cases = new ArrayList<>();
    // seed 004: workspace tokens
    cases.add(of("workspace token name", "name", Limits.NAME,
        n -> admin.createWorkspaceToken(CreateWorkspaceTokenRequest.newBuilder().setName(text(n)).addScopes("tokens:read").build()),
        n -> new Http("POST", "/tokens", map("name", text(n), "scopes", List.of("tokens:read")))));
    // the count limit is 50, but only the catalog's distinct scopes can be valid: at = all of them
    cases.add(new Case("workspace token scopes", "scopes", Scopes.CATALOG.size(), Limits.SCOPES + 1,
        n -> admin.createWorkspaceToken(CreateWorkspaceTokenRequest.newBuilder().setName(text(20)).addAllScopes(scopes(n)).build()),
        n -> new Http("POST", "/tokens", map("name", text(20), "scopes", scopes(n))), Status.Code.OK));
    // seed 003: access tokens
    cases.add(of("access token name", "name", Limits.NAME,
        n -> admin.createAccessToken(AccessToken.newBuilder().setName(text(n)).build()),
        n -> new Http("POST", "/api/access-tokens", map("name", text(n)))));
    cases.add(reference("access token userId", "userId", Limits.ID,
        n -> admin.createAccessToken(AccessToken.newBuilder().setName("x").setUserId(text(n)).build()),
        n -> new Http("POST", "/api/access-tokens", map("name", "x", "userId", text(n)))));
    cases.add(of("access token name (update)", "name", Limits.NAME,
        n -> admin.updateAccessToken(accessTokenId, AccessToken.newBuilder()
            .setChangeSequence(admin.getAccessToken(accessTokenId).getChangeSequence()).setName(text(n)).build()),
        n -> new Http("PUT", "/api/access-tokens/" + accessTokenId,
            map("changeSequence", admin.getAccessToken(accessTokenId).getChangeSequence(), "name", text(n)))));
    // seed 002: account API tokens
    cases.add(reference("API token account.id", "account.id", Limits.ID,
        n -> admin.createApiToken(ApiToken.newBuilder().setAccount(Account.newBuilder().setId(text(n))).build()),
        n -> new Http("POST", "/public/v1/accounts/api-tokens", map("account", map("id", text(n))))));
    cases.add(of("API token name", "name", Limits.NAME,
        n -> admin.createApiToken(ApiToken.newBuilder().setAccount(Account.newBuilder().setId("acc-1")).setName(text(n)).build()),
        n -> new Http("POST", "/public/v1/accounts/api-tokens", map("account", map("id", "acc-1"), "name", text(n)))));
    cases.add(of("API token icon", "icon", Limits.LONG_TEXT,
        n -> admin.createApiToken(ApiToken.newBuilder().setAccount(Account.newBuilder().setId("acc-1")).setIcon(text(n)).build()),
        n -> new Http("POST", "/public/v1/accounts/api-tokens", map("account", map("id", "acc-1"), "icon", text(n)))));
    cases.add(of("API token description", "description", Limits.LONG_TEXT,
        n -> admin.createApiToken(ApiToken.newBuilder().setAccount(Account.newBuilder().setId("acc-1")).setDescription(text(n)).build()),
        n -> new Http("POST", "/public/v1/accounts/api-tokens", map("account", map("id", "acc-1"), "description", text(n)))));
    cases.add(of("API token modules", "modules", Limits.MODULES,
        n -> admin.createApiToken(ApiToken.newBuilder().setAccount(Account.newBuilder().setId("acc-1"))
            .addAllModules(IntStream.range(0, n).mapToObj(i -> Module.newBuilder().setId("mod-" + i).build()).toList()).build()),
        n -> new Http("POST", "/public/v1/accounts/api-tokens", map("account", map("id", "acc-1"),
            "modules", IntStream.range(0, n).mapToObj(i -> map("id", "mod-" + i)).toList()))));
    cases.add(reference("API token modules[].id", "modules[0].id", Limits.ID,
        n -> admin.createApiToken(ApiToken.newBuilder().setAccount(Account.newBuilder().setId("acc-1"))
            .addModules(Module.newBuilder().setId(text(n))).build()),
        n -> new Http("POST", "/public/v1/accounts/api-tokens", map("account", map("id", "acc-1"),
            "modules", List.of(map("id", text(n)))))));
    // seed 000: record tokens (the record is a path parameter)
    cases.add(reference("record token record", "record", Limits.ID,
        n -> admin.createRecordToken(text(n), null),
        n -> new Http("POST", "/api/v1/records/" + text(n) + "/tokens", map())));
    // directory: tenants
    cases.add(of("tenant name", "tenant.name", Limits.NAME,
        n -> admin.createTenant(CreateTenantRequest.newBuilder().setTenant(Tenant.newBuilder().setName(text(n)))
            .setAdminEmail("a@b.example").build()),
        n -> new Http("POST", "/v1/tenants", map("tenant", map("name", text(n)), "admin_email", "a@b.example"))));
    cases.add(of("tenant admin_email", "admin_email", Limits.EMAIL,
        n -> admin.createTenant(CreateTenantRequest.newBuilder().setTenant(Tenant.newBuilder().setName("t"))
            .setAdminEmail(email(n)).build()),
        n -> new Http("POST", "/v1/tenants", map("tenant", map("name", "t"), "admin_email", email(n)))));
    // directory: users
    cases.add(userCase("user email", "user.email", Limits.EMAIL, (u, n) -> u.setEmail(email(n)), n -> map("email", email(n))));
    cases.add(userCase("user firstName", "user.firstName", Limits.DISPLAY_NAME, (u, n) -> u.setFirstName(text(n)),
        n -> map("firstName", text(n))));
    cases.add(userCase("user lastName", "user.lastName", Limits.DISPLAY_NAME, (u, n) -> u.setLastName(text(n)),
        n -> map("lastName", text(n))));
    cases.add(userCase("user title", "user.title", Limits.DISPLAY_NAME, (u, n) -> u.setTitle(text(n)),
        n -> map("title", text(n))));
    cases.add(userCase("user businessGroup", "user.businessGroup", Limits.DISPLAY_NAME,
        (u, n) -> u.setBusinessGroup(text(n)), n -> map("businessGroup", text(n))));
    cases.add(userCase("user bio", "user.bio", Limits.LONG_TEXT, (u, n) -> u.setBio(text(n)), n -> map("bio", text(n))));
    cases.add(userCase("user image", "user.image", Limits.LONG_TEXT, (u, n) -> u.setImage(text(n)), n -> map("image", text(n))));
    cases.add(userCase("user userType", "user.userType", Limits.TYPE, (u, n) -> u.setUserType(text(n)),
        n -> map("userType", text(n))));
    cases.add(userCase("user roles", "user.roles.roles", Limits.ROLES,
        (u, n) -> u.setRoles(UserRoles.newBuilder().addAllRoles(texts(n, 10))), n -> map("roles", map("roles", texts(n, 10)))));
    cases.add(userCase("user role length", "user.roles.roles[0]", Limits.ROLE,
        (u, n) -> u.setRoles(UserRoles.newBuilder().addRoles(text(n))), n -> map("roles", map("roles", List.of(text(n))))));
    cases.add(userCase("user favoriteLinks", "user.userStorage.favoriteLinks", Limits.FAVORITE_LINKS,
        (u, n) -> u.setUserStorage(UserStorage.newBuilder().addAllFavoriteLinks(
            texts(n, 10).stream().map(l -> FavoriteLink.newBuilder().setLink(l).build()).toList())),
        n -> map("userStorage", map("favoriteLinks", texts(n, 10).stream().map(l -> map("link", l)).toList()))));
    cases.add(userCase("user favorite link length", "user.userStorage.favoriteLinks[0]", Limits.LONG_TEXT,
        (u, n) -> u.setUserStorage(UserStorage.newBuilder().addFavoriteLinks(FavoriteLink.newBuilder().setLink(text(n)))),
        n -> map("userStorage", map("favoriteLinks", List.of(map("link", text(n)))))));
    cases.add(new Case("user scopes", "scopes", Scopes.CATALOG.size(), Limits.SCOPES + 1,
        n -> admin.createUser(CreateUserRequest.newBuilder().setUser(User.newBuilder().setEmail(email(30)))
            .addAllScopes(scopes(n)).build()),
        n -> new Http("POST", "/v1/users?" + String.join("&", scopes(n).stream().map(s -> "scopes=" + q(s)).toList()),
            map("email", email(30))), Status.Code.OK));
    // directory: records, accounts, modules
    cases.add(of("record id", "record.id", Limits.ID, n -> admin.createRecord(Record.newBuilder().setId(text(n)).build()),
        n -> new Http("POST", "/v1/records", map("id", text(n)))));
    cases.add(of("record title", "record.title", Limits.DISPLAY_NAME,
        n -> admin.createRecord(Record.newBuilder().setTitle(text(n)).build()),
        n -> new Http("POST", "/v1/records", map("title", text(n)))));
    cases.add(of("account id", "account.id", Limits.ID,
        n -> admin.createAccount(Account.newBuilder().setId(text(n)).setName("a").build()),
        n -> new Http("POST", "/v1/accounts", map("id", text(n), "name", "a"))));
    cases.add(of("account name", "account.name", Limits.DISPLAY_NAME,
        n -> admin.createAccount(Account.newBuilder().setName(text(n)).build()),
        n -> new Http("POST", "/v1/accounts", map("name", text(n)))));
    cases.add(of("account icon", "account.icon", Limits.LONG_TEXT,
        n -> admin.createAccount(Account.newBuilder().setName("a").setIcon(text(n)).build()),
        n -> new Http("POST", "/v1/accounts", map("name", "a", "icon", text(n)))));
    cases.add(of("account type", "account.type", Limits.TYPE,
        n -> admin.createAccount(Account.newBuilder().setName("a").setType(text(n)).build()),
        n -> new Http("POST", "/v1/accounts", map("name", "a", "type", text(n)))));
    cases.add(moduleCase("module id", "module.id", Limits.ID, (m, n) -> m.setId(text(n)), n -> map("id", text(n))));
    cases.add(moduleCase("module name", "module.name", Limits.DISPLAY_NAME, (m, n) -> m.setName(text(n)),
        n -> map("name", text(n))));
    cases.add(moduleCase("module description", "module.description", Limits.LONG_TEXT, (m, n) -> m.setDescription(text(n)),
        n -> map("description", text(n))));
    cases.add(moduleCase("module settings.type", "module.settings.type", Limits.MODULE_TYPES,
        (m, n) -> m.setSettings(ModuleSettings.newBuilder().addAllType(texts(n, 10))),
        n -> map("settings", map("type", texts(n, 10)))));
    cases.add(moduleCase("module settings.type length", "module.settings.type[0]", Limits.MODULE_TYPE,
        (m, n) -> m.setSettings(ModuleSettings.newBuilder().addType(text(n))), n -> map("settings", map("type", List.of(text(n))))));
    cases.add(moduleCase("module filters (keys)", "module.filters", Limits.FILTER_KEYS,
        (m, n) -> texts(n, 10).forEach(k -> m.putFilters(k, values(List.of("v")))),
        n -> map("filters", texts(n, 10).stream().collect(LinkedHashMap::new, (f, k) -> f.put(k, List.of("v")), Map::putAll))));
    cases.add(moduleCase("module filter key length", "module.filters", Limits.FILTER_KEY,
        (m, n) -> m.putFilters(text(n), values(List.of("v"))), n -> map("filters", map(text(n), List.of("v")))));
    cases.add(moduleCase("module filter values", "module.filters.k", Limits.FILTER_VALUES,
        (m, n) -> m.putFilters("k", values(texts(n, 10))), n -> map("filters", map("k", texts(n, 10)))));
    cases.add(moduleCase("module filter value length", "module.filters.k[0]", Limits.FILTER_VALUE,
        (m, n) -> m.putFilters("k", values(List.of(text(n)))), n -> map("filters", map("k", List.of(text(n))))));
    // listings: page size
    cases.add(of("workspace tokens page_size", "page_size", Limits.PAGE_SIZE,
        n -> admin.listWorkspaceTokens(ListWorkspaceTokensRequest.newBuilder().setPageSize(n).build()),
        n -> new Http("GET", "/tokens?page_size=" + n, null)));
    cases.add(of("access tokens pageSize", "pageSize", Limits.PAGE_SIZE,
        n -> admin.listAccessTokens(ListAccessTokensRequest.newBuilder().setPageSize(n).build()),
        n -> new Http("GET", "/api/access-tokens?pageSize=" + n, null)));
    cases.add(of("API tokens pageSize", "pageSize", Limits.PAGE_SIZE,
        n -> admin.listApiTokens(ListApiTokensRequest.newBuilder().setPageSize(n).build()),
        n -> new Http("GET", "/public/v1/accounts/api-tokens?pageSize=" + n, null)));
    cases.add(of("fault tokens page_size", "page_size", Limits.PAGE_SIZE,
        n -> admin.listFaultTokens(ListFaultTokensRequest.newBuilder().setPageSize(n).build()),
        n -> new Http("GET", "/fault/tokens?page_size=" + n, null)));
    cases.add(of("audit events page_size", "page_size", Limits.PAGE_SIZE,
        n -> admin.listAuditEvents(ListAuditEventsRequest.newBuilder().setPageSize(n).build()),
        n -> new Http("GET", "/v1/audit-events?page_size=" + n, null)));
    // the other bounded request strings
    cases.add(of("API tokens accountId filter", "accountId", Limits.ID,
        n -> admin.listApiTokens(ListApiTokensRequest.newBuilder().setAccountId(text(n)).build()),
        n -> new Http("GET", "/public/v1/accounts/api-tokens?accountId=" + text(n), null)));
    cases.add(of("access check action", "action", Limits.ACTION,
        n -> admin.checkTokenAccess(authority.adminSecret(), text(n), ""),
        n -> new Http("POST", "/v1/tokens:check", map("token", authority.adminSecret(), "action", text(n)))));
    cases.add(of("access check resource", "resource", Limits.RESOURCE,
        n -> admin.checkTokenAccess(authority.adminSecret(), "tokens:read", text(n)),
        n -> new Http("POST", "/v1/tokens:check", map("token", authority.adminSecret(), "action", "tokens:read",
            "resource", text(n)))));
    cases.add(of("bulk revocation created_by_user_id", "created_by_user_id", Limits.ID,
        n -> admin.revokeTokensCreatedBy(RevokeTokensCreatedByRequest.newBuilder().setCreatedByUserId(text(n)).build()),
        n -> new Http("POST", "/v1/tokens:revokeCreatedBy", map("created_by_user_id", text(n)))));
    cases.add(of("bulk revocation created_by_token_id", "created_by_token_id", Limits.ID,
        n -> admin.revokeTokensCreatedBy(RevokeTokensCreatedByRequest.newBuilder().setCreatedByTokenId(text(n)).build()),
        n -> new Http("POST", "/v1/tokens:revokeCreatedBy", map("created_by_token_id", text(n)))));
    return cases.stream();
  }

  interface UserField {
    void set(User.Builder user, int n);
  }

  Case userCase(String limit, String field, int max, UserField set, IntFunction<Map<String, Object>> json) {
    return of(limit, field, max, n -> {
      User.Builder user = User.newBuilder().setEmail(email(30));
      set.set(user, n);
      admin.createUser(CreateUserRequest.newBuilder().setUser(user).build());
    }, n -> {
      Map<String, Object> body = map("email", email(30));
      body.putAll(json.apply(n));
      return new Http("POST", "/v1/users", body);
    });
  }

  interface ModuleField {
    void set(Module.Builder module, int n);
  }

  Case moduleCase(String limit, String field, int max, ModuleField set, IntFunction<Map<String, Object>> json) {
    return of(limit, field, max, n -> {
      Module.Builder module = Module.newBuilder().setName("m");
      set.set(module, n);
      admin.createModule(module.build());
    }, n -> {
      Map<String, Object> body = map("name", "m");
      body.putAll(json.apply(n));
      return new Http("POST", "/v1/modules", body);
    });
  }

  HttpResponse<String> send(Http request) throws Exception {
    HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + authority.httpPort() + request.path()))
        .header("Authorization", "Bearer " + authority.adminSecret());
    HttpRequest.BodyPublisher body = request.body() == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(gson.toJson(request.body()));
    if (request.body() != null) {
      builder.header("Content-Type", "application/json");
    }
    return http.send(builder.method(request.method(), body).build(), HttpResponse.BodyHandlers.ofString());
  }

  /**
   * The fields the JSON error body names: its BadRequest's field violations, or under
   * {@code /fault/} (seed 001's error body) the parameters its message quotes.
   */
  static List<String> violatedFields(String body) {
    List<String> fields = new ArrayList<>();
    JsonObject status = JsonParser.parseString(body).getAsJsonObject();
    if (status.has("type") && status.get("code").getAsString().equals("parameter_invalid")) {
      java.util.regex.Matcher quoted = java.util.regex.Pattern.compile("The '([^']+)' parameter")
          .matcher(status.get("message").getAsString());
      while (quoted.find()) {
        fields.add(quoted.group(1));
      }
      return fields;
    }
    if (status.has("details")) {
      for (JsonElement detail : status.getAsJsonArray("details")) {
        JsonObject object = detail.getAsJsonObject();
        if (object.get("@type").getAsString().endsWith("google.rpc.BadRequest")) {
          object.getAsJsonArray("fieldViolations").forEach(v -> fields.add(v.getAsJsonObject().get("field").getAsString()));
        }
      }
    }
    return fields;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void atTheLimitIsAcceptedAndOnePastIsInvalidNamingTheField(Case limit) throws Exception {
    // gRPC, at the limit
    StatusRuntimeException at = catchThrowableOfType(StatusRuntimeException.class, () -> limit.grpc().accept(limit.at()));
    assertThat(at == null ? Status.Code.OK : at.getStatus().getCode()).as("gRPC at %s: %s", limit.at(), at)
        .isEqualTo(limit.atCode());
    // gRPC, one past
    StatusRuntimeException past = Errors.expect(Status.Code.INVALID_ARGUMENT, "INVALID_FIELD",
        () -> limit.grpc().accept(limit.past()));
    assertThat(Errors.violatedFields(past)).contains(limit.field());

    // REST, at the limit
    HttpResponse<String> restAt = send(limit.rest().apply(limit.at()));
    if (limit.atCode() == Status.Code.OK) {
      assertThat(restAt.statusCode()).as("REST at %s: %s", limit.at(), restAt.body()).isBetween(200, 299);
    } else {
      assertThat(restAt.statusCode()).as("REST at %s: %s", limit.at(), restAt.body()).isEqualTo(404);
    }
    // REST, one past: 400 and the JSON error body names the field
    HttpResponse<String> restPast = send(limit.rest().apply(limit.past()));
    assertThat(restPast.statusCode()).as(restPast.body()).isEqualTo(400);
    assertThat(violatedFields(restPast.body())).as(restPast.body()).contains(limit.field());
  }
}
