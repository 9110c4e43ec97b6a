package dev.tokenauthority.server.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.api.AnnotationsProto;
import com.google.api.HttpRule;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.Descriptors;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.ExtensionRegistry;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.TypeRegistry;
import com.google.protobuf.util.JsonFormat;
import com.google.rpc.ErrorInfo;
import dev.tokenauthority.server.ServerConfig;
import dev.tokenauthority.server.testing.Errors;
import dev.tokenauthority.server.testing.InProcessAuthority;
import dev.tokenauthority.v1.ApiOptionsProto;
import io.grpc.CallOptions;
import io.grpc.ClientInterceptors;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 8: tenant isolation, as a matrix over every RPC and every HTTP rule. Two tenants, A
 * (Alpha) and B (Bravo), each with the admin workspace token CreateTenant hands out (every
 * tenant scope). B holds one object of every kind (user, records, account, module, the five
 * token kinds, a share link, audit events). A's admin then names B's objects in every RPC:
 * each answer must be the documented one for an object that does not exist (NOT_FOUND, or
 * for introspection and access checks an inactive token), indistinguishable from the answer
 * for a made-up ID of the same form, with none of B's data in it; listings by A hold none of
 * B's objects; and after every case B's objects are as they were (checked with B's credential).
 *
 * <p>The RPCs and HTTP rules come from the descriptor set the build writes (the one the REST
 * gateway and Envoy read), so a new RPC fails {@link #everyRpcIsCoveredOrExempt()} until it
 * gets an isolation case or an exemption with a reason. Every case runs over gRPC and through
 * the REST gateway (the HTTP rule mapping to it), as the project's one-contract rule asks.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TenantIsolationTest {
  private static final String PACKAGE = "tokenauthority.v1.";
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  /** What A's call on B's object must answer. */
  enum Expect {
    /** NOT_FOUND / RESOURCE_NOT_FOUND (HTTP 404), the same as for a made-up ID. */
    NOT_FOUND,
    /** IntrospectToken's documented answer for another tenant's token: {@code active: false} and nothing else. */
    INACTIVE,
    /** CheckTokenAccess: not allowed, for the same reason as an unknown token. */
    DENIED,
    /** RevokeTokensCreatedBy: revokes only in the caller's tenant, so none, as for an unknown creator. */
    REVOKES_NONE,
    /** A create naming B's unique key (ID, email, name) succeeds in A: uniqueness is per tenant, so no ALREADY_EXISTS leak. */
    CREATED_IN_A,
    /** A listing by A succeeds and holds none of B's objects. */
    LISTS_NONE_OF_B
  }

  /**
   * One isolation case, made by A's admin over both edges. {@code {name}} placeholders are
   * B's fixtures (see {@link #bravo}); {@code {edge}} becomes "grpc" or "http" so each edge's
   * create names its own key. {@code grpc} is the request as proto3 JSON; {@code verb},
   * {@code path} and {@code http} the same request through its HTTP rule. {@code control}:
   * the same request by B's admin is read-only and must find B's object (so the case names
   * a real object, and the case could fail).
   */
  record Case(String name, String method, Expect expect, String grpc, String verb, String path, String http,
      boolean control) {
    @Override
    public String toString() {
      return name;
    }
  }

  /** RPCs with no isolation case, and why. */
  static final Map<String, String> EXEMPT = Map.of(
      "DirectoryService/CreateTenant",
      "authority-wide: needs tenants:write, which only the bootstrap admin holds (a tenant admin is PERMISSION_DENIED); "
          + "it names no object of another tenant",
      "SigningKeyService/GetJwks",
      "public and authority-wide: the JWKS is the same document for every caller; it names no tenant object",
      "SigningKeyService/RotateSigningKey",
      "authority-wide signing keys: needs keys:write, which only the bootstrap admin holds (a tenant admin is "
          + "PERMISSION_DENIED); keys belong to no tenant",
      "SigningKeyService/ListSigningKeys",
      "authority-wide signing keys: needs keys:read, which only the bootstrap admin holds (a tenant admin is "
          + "PERMISSION_DENIED); keys belong to no tenant",
      "FaultTokenService/ResolveShareLink",
      "public: the link's code is the bearer capability, whoever presents it (a credential sent along is ignored); "
          + "it takes no caller tenant to isolate");

  static List<Case> cases() {
    return List.of(
        // ---- workspace tokens ----
        new Case("get B's workspace token", "WorkspaceTokenService/GetWorkspaceToken", Expect.NOT_FOUND,
            "{\"id\": \"{bWs}\"}", "GET", "/tokens/{bWs}", "", true),
        new Case("get B's admin token", "WorkspaceTokenService/GetWorkspaceToken", Expect.NOT_FOUND,
            "{\"id\": \"{bAdminTokenId}\"}", "GET", "/tokens/{bAdminTokenId}", "", true),
        new Case("revoke B's workspace token", "WorkspaceTokenService/RevokeWorkspaceToken", Expect.NOT_FOUND,
            "{\"id\": \"{bWs}\"}", "DELETE", "/tokens/{bWs}", "", false),
        new Case("revoke B's admin token", "WorkspaceTokenService/RevokeWorkspaceToken", Expect.NOT_FOUND,
            "{\"id\": \"{bAdminTokenId}\"}", "DELETE", "/tokens/{bAdminTokenId}", "", false),
        new Case("create a workspace token named as one of B's", "WorkspaceTokenService/CreateWorkspaceToken",
            Expect.CREATED_IN_A, "{\"name\": \"dup-{edge}\", \"scopes\": [\"tokens:read\"]}", "POST", "/tokens",
            "{\"name\": \"dup-{edge}\", \"scopes\": [\"tokens:read\"]}", false),
        new Case("list workspace tokens", "WorkspaceTokenService/ListWorkspaceTokens", Expect.LISTS_NONE_OF_B,
            "{\"page_size\": 500}", "GET", "/tokens?page_size=500", "", true),
        // ---- access tokens ----
        new Case("get B's access token", "AccessTokenService/GetAccessToken", Expect.NOT_FOUND,
            "{\"id\": \"{bAccess}\"}", "GET", "/api/access-tokens/{bAccess}", "", true),
        new Case("update B's access token", "AccessTokenService/UpdateAccessToken", Expect.NOT_FOUND,
            "{\"id\": \"{bAccess}\", \"access_token\": {\"change_sequence\": 1, \"name\": \"hijacked\"}}",
            "PUT", "/api/access-tokens/{bAccess}", "{\"changeSequence\": 1, \"name\": \"hijacked\"}", false),
        new Case("revoke B's access token", "AccessTokenService/RevokeAccessToken", Expect.NOT_FOUND,
            "{\"id\": \"{bAccess}\"}", "DELETE", "/api/access-tokens/{bAccess}", "", false),
        new Case("create an access token for B's user", "AccessTokenService/CreateAccessToken", Expect.NOT_FOUND,
            "{\"access_token\": {\"name\": \"x\", \"user_id\": \"{bUser}\"}}", "POST", "/api/access-tokens",
            "{\"name\": \"x\", \"userId\": \"{bUser}\"}", false),
        new Case("list access tokens", "AccessTokenService/ListAccessTokens", Expect.LISTS_NONE_OF_B,
            "{\"page_size\": 500}", "GET", "/api/access-tokens?pageSize=500", "", true),
        // ---- account API tokens ----
        new Case("get B's account API token", "AccountApiTokenService/GetApiToken", Expect.NOT_FOUND,
            "{\"id\": \"{bApi}\"}", "GET", "/public/v1/accounts/api-tokens/{bApi}", "", true),
        new Case("revoke B's account API token", "AccountApiTokenService/RevokeApiToken", Expect.NOT_FOUND,
            "{\"id\": \"{bApi}\"}", "DELETE", "/public/v1/accounts/api-tokens/{bApi}", "", false),
        new Case("create an API token for B's account", "AccountApiTokenService/CreateApiToken", Expect.NOT_FOUND,
            "{\"api_token\": {\"account\": {\"id\": \"{bAccount}\"}}}", "POST", "/public/v1/accounts/api-tokens",
            "{\"account\": {\"id\": \"{bAccount}\"}}", false),
        new Case("create an API token granting B's module", "AccountApiTokenService/CreateApiToken", Expect.NOT_FOUND,
            "{\"api_token\": {\"account\": {\"id\": \"acc-alpha\"}, \"modules\": [{\"id\": \"{bModule}\"}]}}",
            "POST", "/public/v1/accounts/api-tokens",
            "{\"account\": {\"id\": \"acc-alpha\"}, \"modules\": [{\"id\": \"{bModule}\"}]}", false),
        new Case("list account API tokens", "AccountApiTokenService/ListApiTokens", Expect.LISTS_NONE_OF_B,
            "{\"page_size\": 500}", "GET", "/public/v1/accounts/api-tokens?pageSize=500", "", true),
        new Case("list B's account's API tokens", "AccountApiTokenService/ListApiTokens", Expect.LISTS_NONE_OF_B,
            "{\"account_id\": \"{bAccount}\"}", "GET", "/public/v1/accounts/api-tokens?accountId={bAccount}", "", true),
        // ---- record tokens ----
        new Case("create a record token for B's record", "RecordTokenService/CreateRecordToken", Expect.NOT_FOUND,
            "{\"record\": \"{bRecord}\"}", "POST", "/api/v1/records/{bRecord}/tokens", "{}", false),
        new Case("list B's record's tokens", "RecordTokenService/ListRecordTokens", Expect.NOT_FOUND,
            "{\"record\": \"{bRecord}\"}", "GET", "/api/v1/records/{bRecord}/tokens", "", true),
        new Case("get B's record token", "RecordTokenService/GetRecordToken", Expect.NOT_FOUND,
            "{\"record\": \"{bRecord}\", \"key\": \"{bRecordKey}\"}", "GET", "/api/v1/records/{bRecord}/tokens/{bRecordKey}",
            "", true),
        new Case("revoke B's record token", "RecordTokenService/RevokeRecordToken", Expect.NOT_FOUND,
            "{\"record\": \"{bRecord}\", \"key\": \"{bRecordKey}\"}", "DELETE",
            "/api/v1/records/{bRecord}/tokens/{bRecordKey}", "", false),
        // rec-shared exists in both tenants: the key, not just the record, must be looked up in A
        new Case("get B's token of a record ID both tenants have", "RecordTokenService/GetRecordToken", Expect.NOT_FOUND,
            "{\"record\": \"rec-shared\", \"key\": \"{bSharedKey}\"}", "GET", "/api/v1/records/rec-shared/tokens/{bSharedKey}",
            "", true),
        new Case("revoke B's token of a record ID both tenants have", "RecordTokenService/RevokeRecordToken",
            Expect.NOT_FOUND, "{\"record\": \"rec-shared\", \"key\": \"{bSharedKey}\"}", "DELETE",
            "/api/v1/records/rec-shared/tokens/{bSharedKey}", "", false),
        new Case("list the tokens of a record ID both tenants have", "RecordTokenService/ListRecordTokens",
            Expect.LISTS_NONE_OF_B, "{\"record\": \"rec-shared\", \"page_size\": 500}", "GET",
            "/api/v1/records/rec-shared/tokens?page_size=500", "", true),
        // ---- fault tokens ----
        new Case("get B's fault token", "FaultTokenService/GetFaultToken", Expect.NOT_FOUND,
            "{\"id\": \"{bFault}\"}", "GET", "/fault/token/{bFault}", "", true),
        new Case("revoke B's fault token", "FaultTokenService/RevokeFaultToken", Expect.NOT_FOUND,
            "{\"id\": \"{bFault}\"}", "DELETE", "/fault/token/{bFault}", "", false),
        new Case("generate a fault token (in A only)", "FaultTokenService/GenerateFaultToken", Expect.CREATED_IN_A,
            "{\"expire_after_minutes\": 60}", "POST", "/fault/token", "{\"expire_after_minutes\": 60}", false),
        new Case("list fault tokens", "FaultTokenService/ListFaultTokens", Expect.LISTS_NONE_OF_B,
            "{\"page_size\": 500}", "GET", "/fault/tokens?page_size=500", "", true),
        // ---- any token ----
        new Case("introspect B's admin token", "TokenService/IntrospectToken", Expect.INACTIVE,
            "{\"token\": \"{bAdminSecret}\"}", "POST", "/v1/tokens:introspect", "{\"token\": \"{bAdminSecret}\"}", true),
        new Case("introspect B's workspace token", "TokenService/IntrospectToken", Expect.INACTIVE,
            "{\"token\": \"{bWsSecret}\"}", "POST", "/v1/tokens:introspect", "{\"token\": \"{bWsSecret}\"}", true),
        new Case("introspect B's access token", "TokenService/IntrospectToken", Expect.INACTIVE,
            "{\"token\": \"{bAccessSecret}\"}", "POST", "/v1/tokens:introspect", "{\"token\": \"{bAccessSecret}\"}", true),
        new Case("introspect B's account API token", "TokenService/IntrospectToken", Expect.INACTIVE,
            "{\"token\": \"{bApiSecret}\"}", "POST", "/v1/tokens:introspect", "{\"token\": \"{bApiSecret}\"}", true),
        new Case("introspect B's record token", "TokenService/IntrospectToken", Expect.INACTIVE,
            "{\"token\": \"{bRecordJwt}\"}", "POST", "/v1/tokens:introspect", "{\"token\": \"{bRecordJwt}\"}", true),
        new Case("introspect B's fault token", "TokenService/IntrospectToken", Expect.INACTIVE,
            "{\"token\": \"{bFaultJwt}\"}", "POST", "/v1/tokens:introspect", "{\"token\": \"{bFaultJwt}\"}", true),
        new Case("check access of B's record token", "TokenService/CheckTokenAccess", Expect.DENIED,
            "{\"token\": \"{bRecordJwt}\", \"action\": \"records:update\", \"resource\": \"records/{bRecord}\"}",
            "POST", "/v1/tokens:check",
            "{\"token\": \"{bRecordJwt}\", \"action\": \"records:update\", \"resource\": \"records/{bRecord}\"}", true),
        new Case("check access of B's fault token", "TokenService/CheckTokenAccess", Expect.DENIED,
            "{\"token\": \"{bFaultJwt}\", \"action\": \"faults:read\", \"resource\": \"faults\"}", "POST",
            "/v1/tokens:check", "{\"token\": \"{bFaultJwt}\", \"action\": \"faults:read\", \"resource\": \"faults\"}", true),
        new Case("check access of B's workspace token", "TokenService/CheckTokenAccess", Expect.DENIED,
            "{\"token\": \"{bWsSecret}\", \"action\": \"tokens:read\"}", "POST", "/v1/tokens:check",
            "{\"token\": \"{bWsSecret}\", \"action\": \"tokens:read\"}", true),
        new Case("revoke the tokens B's admin user created", "TokenService/RevokeTokensCreatedBy", Expect.REVOKES_NONE,
            "{\"created_by_user_id\": \"{bAdminUser}\"}", "POST", "/v1/tokens:revokeCreatedBy",
            "{\"created_by_user_id\": \"{bAdminUser}\"}", false),
        new Case("revoke the tokens minted with B's admin token", "TokenService/RevokeTokensCreatedBy",
            Expect.REVOKES_NONE, "{\"created_by_token_id\": \"{bAdminTokenId}\"}", "POST", "/v1/tokens:revokeCreatedBy",
            "{\"created_by_token_id\": \"{bAdminTokenId}\"}", false),
        // ---- directory ----
        new Case("create a user with the email of B's", "DirectoryService/CreateUser", Expect.CREATED_IN_A,
            "{\"user\": {\"email\": \"dup-{edge}@shared.example\"}}", "POST", "/v1/users",
            "{\"email\": \"dup-{edge}@shared.example\"}", false),
        new Case("create a record with the ID of B's", "DirectoryService/CreateRecord", Expect.CREATED_IN_A,
            "{\"record\": {\"id\": \"dup-{edge}\"}}", "POST", "/v1/records", "{\"id\": \"dup-{edge}\"}", false),
        new Case("create an account with the ID of B's", "DirectoryService/CreateAccount", Expect.CREATED_IN_A,
            "{\"account\": {\"id\": \"dup-{edge}\", \"name\": \"Dup\"}}", "POST", "/v1/accounts",
            "{\"id\": \"dup-{edge}\", \"name\": \"Dup\"}", false),
        new Case("create a module with the ID of B's", "DirectoryService/CreateModule", Expect.CREATED_IN_A,
            "{\"module\": {\"id\": \"dup-{edge}\", \"name\": \"Dup\"}}", "POST", "/v1/modules",
            "{\"id\": \"dup-{edge}\", \"name\": \"Dup\"}", false),
        // ---- audit ----
        new Case("list B's audit events", "AuditService/ListAuditEvents", Expect.NOT_FOUND,
            "{\"tenant_id\": \"{bTenant}\"}", "GET", "/v1/audit-events?tenant_id={bTenant}", "", true),
        new Case("list audit events", "AuditService/ListAuditEvents", Expect.LISTS_NONE_OF_B,
            "{\"page_size\": 500}", "GET", "/v1/audit-events?page_size=500", "", true));
  }

  @TempDir static Path dataDir;
  InProcessAuthority authority;
  final HttpClient http = HttpClient.newHttpClient();
  /** The RPCs (Service/Method) and their descriptors, from the descriptor set. */
  static final Map<String, MethodDescriptor> RPCS = readRpcs();
  static final TypeRegistry TYPES = TypeRegistry.newBuilder()
      .add(RPCS.values().stream().flatMap(m -> m.getFile().getMessageTypes().stream()).toList()).build();
  static final JsonFormat.Parser PARSER = JsonFormat.parser().usingTypeRegistry(TYPES);
  static final JsonFormat.Printer PRINTER = JsonFormat.printer().usingTypeRegistry(TYPES).preservingProtoFieldNames()
      .omittingInsignificantWhitespace();

  String aAdmin;
  String bAdmin;
  String aTenant;
  String aAdminTokenId;
  /** B's fixtures by placeholder name: IDs, secrets, the tenant. */
  final Map<String, String> bravo = new LinkedHashMap<>();
  /** B's data that must never reach A, beyond the fixtures: emails, names, titles. */
  final List<String> bravoData = new ArrayList<>();
  /** Made-up values of the same form as each fixture, for "as if it did not exist". */
  final Map<String, String> ghosts = new HashMap<>();

  @BeforeAll
  void start() throws Exception {
    authority = InProcessAuthority.start(dataDir, config -> config.withHttpPort(ServerConfig.ANY_FREE_PORT));
    String root = authority.adminSecret();
    JsonObject a = ok(grpc("DirectoryService/CreateTenant", root,
        "{\"tenant\": {\"name\": \"Alpha Corp\"}, \"admin_email\": \"owner@alpha.example\"}"));
    JsonObject b = ok(grpc("DirectoryService/CreateTenant", root,
        "{\"tenant\": {\"name\": \"Bravo Holdings\"}, \"admin_email\": \"owner@bravo.example\"}"));
    aAdmin = a.getAsJsonObject("admin_token").get("token").getAsString();
    aTenant = a.getAsJsonObject("tenant").get("id").getAsString();
    aAdminTokenId = a.getAsJsonObject("admin_token").get("id").getAsString();
    bAdmin = b.getAsJsonObject("admin_token").get("token").getAsString();
    bravo.put("bTenant", b.getAsJsonObject("tenant").get("id").getAsString());
    bravo.put("bAdminUser", b.getAsJsonObject("admin_user").get("id").getAsString());
    bravo.put("bAdminTokenId", b.getAsJsonObject("admin_token").get("id").getAsString());
    bravo.put("bAdminSecret", bAdmin);
    bravoData.addAll(List.of("Bravo Holdings", "owner@bravo.example", "user@bravo.example", "Bravo record",
        "Bravo account", "Bravo module", "bravo-ws", "bravo-access", "Bravo API token"));

    // B: one object of every kind, plus the keys A's creates will reuse.
    bravo.put("bUser", ok(grpc("DirectoryService/CreateUser", bAdmin,
        "{\"user\": {\"email\": \"user@bravo.example\"}, \"scopes\": [\"tokens:read\"]}")).get("id").getAsString());
    bravo.put("bRecord", ok(grpc("DirectoryService/CreateRecord", bAdmin,
        "{\"record\": {\"id\": \"rec-bravo\", \"title\": \"Bravo record\"}}")).get("id").getAsString());
    ok(grpc("DirectoryService/CreateRecord", bAdmin, "{\"record\": {\"id\": \"rec-shared\", \"title\": \"Bravo record\"}}"));
    bravo.put("bAccount", ok(grpc("DirectoryService/CreateAccount", bAdmin,
        "{\"account\": {\"id\": \"acc-bravo\", \"name\": \"Bravo account\"}}")).get("id").getAsString());
    bravo.put("bModule", ok(grpc("DirectoryService/CreateModule", bAdmin,
        "{\"module\": {\"id\": \"mod-bravo\", \"name\": \"Bravo module\"}}")).get("id").getAsString());
    for (String edge : List.of("grpc", "http")) {
      ok(grpc("DirectoryService/CreateUser", bAdmin, "{\"user\": {\"email\": \"dup-" + edge + "@shared.example\"}}"));
      ok(grpc("DirectoryService/CreateRecord", bAdmin, "{\"record\": {\"id\": \"dup-" + edge + "\", \"title\": \"Bravo record\"}}"));
      ok(grpc("DirectoryService/CreateAccount", bAdmin, "{\"account\": {\"id\": \"dup-" + edge + "\", \"name\": \"Bravo account\"}}"));
      ok(grpc("DirectoryService/CreateModule", bAdmin, "{\"module\": {\"id\": \"dup-" + edge + "\", \"name\": \"Bravo module\"}}"));
      ok(grpc("WorkspaceTokenService/CreateWorkspaceToken", bAdmin,
          "{\"name\": \"dup-" + edge + "\", \"scopes\": [\"tokens:read\"]}"));
    }
    JsonObject ws = ok(grpc("WorkspaceTokenService/CreateWorkspaceToken", bAdmin,
        "{\"name\": \"bravo-ws\", \"scopes\": [\"tokens:read\", \"tokens:introspect\"]}"));
    bravo.put("bWs", ws.get("id").getAsString());
    bravo.put("bWsSecret", ws.get("token").getAsString());
    JsonObject access = ok(grpc("AccessTokenService/CreateAccessToken", bAdmin,
        "{\"access_token\": {\"name\": \"bravo-access\", \"user_id\": \"" + bravo.get("bUser") + "\"}}"));
    bravo.put("bAccess", access.get("id").getAsString());
    bravo.put("bAccessSecret", access.get("token").getAsString());
    JsonObject api = ok(grpc("AccountApiTokenService/CreateApiToken", bAdmin,
        "{\"api_token\": {\"name\": \"Bravo API token\", \"account\": {\"id\": \"acc-bravo\"}, \"modules\": [{\"id\": \"mod-bravo\"}]}}"));
    bravo.put("bApi", api.get("id").getAsString());
    bravo.put("bApiSecret", api.get("token").getAsString());
    JsonObject record = ok(grpc("RecordTokenService/CreateRecordToken", bAdmin, "{\"record\": \"rec-bravo\"}"));
    bravo.put("bRecordKey", record.get("key").getAsString());
    bravo.put("bRecordJwt", record.get("token").getAsString());
    bravo.put("bSharedKey", ok(grpc("RecordTokenService/CreateRecordToken", bAdmin, "{\"record\": \"rec-shared\"}"))
        .get("key").getAsString());
    JsonObject fault = ok(grpc("FaultTokenService/GenerateFaultToken", bAdmin, "{\"expire_after_minutes\": 600}"));
    bravo.put("bFault", fault.get("id").getAsString());
    bravo.put("bFaultJwt", fault.get("token").getAsString());
    String link = fault.get("short_link").getAsString();
    bravo.put("bLinkCode", link.substring(link.lastIndexOf('/') + 1));
    assertThat(bravo.values()).doesNotContain("");
    bravo.forEach((name, value) -> ghosts.put(name, ghost(value)));

    // A: objects of its own, so its listings are not empty, and a record ID B also has.
    ok(grpc("DirectoryService/CreateRecord", aAdmin, "{\"record\": {\"id\": \"rec-shared\", \"title\": \"Alpha record\"}}"));
    ok(grpc("DirectoryService/CreateAccount", aAdmin, "{\"account\": {\"id\": \"acc-alpha\", \"name\": \"Alpha account\"}}"));
    ok(grpc("DirectoryService/CreateModule", aAdmin, "{\"module\": {\"id\": \"mod-alpha\", \"name\": \"Alpha module\"}}"));
    ok(grpc("WorkspaceTokenService/CreateWorkspaceToken", aAdmin, "{\"name\": \"alpha-ws\", \"scopes\": [\"tokens:read\"]}"));
    ok(grpc("AccessTokenService/CreateAccessToken", aAdmin, "{\"access_token\": {\"name\": \"alpha-access\"}}"));
    ok(grpc("AccountApiTokenService/CreateApiToken", aAdmin, "{\"api_token\": {\"account\": {\"id\": \"acc-alpha\"}}}"));
    ok(grpc("RecordTokenService/CreateRecordToken", aAdmin, "{\"record\": \"rec-shared\"}"));
    ok(grpc("FaultTokenService/GenerateFaultToken", aAdmin, "{\"expire_after_minutes\": 60}"));
    assertBravoIntact();
  }

  @AfterAll
  void stop() {
    authority.close();
  }

  // ---- coverage ----

  @Test
  void everyRpcIsCoveredOrExempt() {
    Set<String> covered = cases().stream().map(Case::method).collect(Collectors.toCollection(TreeSet::new));
    assertThat(RPCS.keySet()).as("RPCs in the descriptor set").hasSizeGreaterThanOrEqualTo(34);
    assertThat(covered).as("cases name real RPCs").isSubsetOf(RPCS.keySet());
    assertThat(EXEMPT.keySet()).as("exemptions name real RPCs").isSubsetOf(RPCS.keySet());
    assertThat(covered).as("an RPC is either covered or exempt, not both").doesNotContainAnyElementsOf(EXEMPT.keySet());
    Set<String> missing = new TreeSet<>(RPCS.keySet());
    missing.removeAll(covered);
    missing.removeAll(EXEMPT.keySet());
    assertThat(missing).as("RPCs with neither an isolation case nor an exemption with a reason").isEmpty();
    assertThat(EXEMPT.values()).allSatisfy(reason -> assertThat(reason).isNotBlank());
  }

  @Test
  void everyHttpRuleOfACoveredRpcHasACase() {
    List<String> uncovered = new ArrayList<>();
    int rules = 0;
    for (Map.Entry<String, MethodDescriptor> rpc : RPCS.entrySet()) {
      if (EXEMPT.containsKey(rpc.getKey())) {
        continue;
      }
      for (String rule : httpRules(rpc.getValue())) {
        rules++;
        String verb = rule.substring(0, rule.indexOf(' '));
        Pattern path = Pattern.compile(rule.substring(rule.indexOf(' ') + 1).replaceAll("\\{[^}]+}", "[^/]+")
            .replace(".", "\\.").replace(":", "\\:"));
        boolean hit = cases().stream().anyMatch(c -> c.method().equals(rpc.getKey()) && c.verb().equals(verb)
            && path.matcher(c.path().replaceAll("\\?.*", "")).matches());
        if (!hit) {
          uncovered.add(rpc.getKey() + " " + rule);
        }
      }
    }
    assertThat(rules).as("HTTP rules of covered RPCs").isPositive();
    assertThat(uncovered).as("HTTP rules of covered RPCs without an isolation case over HTTP").isEmpty();
    assertThat(RPCS.values()).as("every RPC has an HTTP rule").allSatisfy(m -> assertThat(httpRules(m)).isNotEmpty());
  }

  /** Each exemption's reason is checked where it can be: public methods are public, bootstrap-only ones deny A. */
  @Test
  void exemptionsHoldForTheirStatedReasons() throws Exception {
    for (String rpc : EXEMPT.keySet()) {
      MethodDescriptor method = RPCS.get(rpc);
      if (EXEMPT.get(rpc).startsWith("public")) {
        assertThat(method.getOptions().getExtension(ApiOptionsProto.publicMethod)).as(rpc + " is public").isTrue();
      } else {
        assertThat(method.getOptions().getExtension(ApiOptionsProto.publicMethod)).as(rpc).isFalse();
        String request = rpc.endsWith("CreateTenant")
            ? "{\"tenant\": {\"name\": \"Charlie\"}, \"admin_email\": \"owner@charlie.example\"}" : "{}";
        Object result = grpc(rpc, aAdmin, request);
        assertThat(result).as(rpc + " by a tenant admin").isInstanceOf(StatusRuntimeException.class);
        assertThat(((StatusRuntimeException) result).getStatus().getCode()).as(rpc).isEqualTo(Status.Code.PERMISSION_DENIED);
      }
    }
  }

  // ---- the matrix ----

  @ParameterizedTest(name = "gRPC: {0}")
  @MethodSource("cases")
  void overGrpc(Case c) throws Exception {
    String request = fill(c.grpc(), "grpc", bravo);
    Object result = grpc(c.method(), aAdmin, request);
    List<String> secretFromA = markers(request);
    switch (c.expect()) {
      case NOT_FOUND -> {
        StatusRuntimeException error = Errors.expect(Status.Code.NOT_FOUND, "RESOURCE_NOT_FOUND", () -> {
          throw (Throwable) (result instanceof StatusRuntimeException e ? e : new AssertionError("succeeded: " + result));
        });
        assertNoLeak(StatusProto.fromThrowable(error).toString(), secretFromA);
        Object ghost = grpc(c.method(), aAdmin, fill(c.grpc(), "grpc", ghosts));
        assertThat(ghost).as("a made-up ID").isInstanceOf(StatusRuntimeException.class);
        assertThat(fingerprint(error, bravo)).as("B's object answers as a made-up one")
            .isEqualTo(fingerprint((StatusRuntimeException) ghost, ghosts));
      }
      case INACTIVE -> {
        Message response = answer(result);
        assertThat(PRINTER.print(response)).as("active: false and no other field").isEqualTo("{}");
      }
      case DENIED -> {
        JsonObject response = json(answer(result));
        assertThat(response.has("allowed")).as("allowed").isFalse();
        JsonObject ghost = json(answer(grpc(c.method(), aAdmin, fill(c.grpc(), "grpc", ghosts))));
        assertThat(response).as("as for an unknown token").isEqualTo(ghost);
        assertNoLeak(response.toString(), secretFromA);
      }
      case REVOKES_NONE -> {
        JsonObject response = json(answer(result));
        assertThat(response.has("revoked_count")).as("revoked_count is 0: %s", response).isFalse();
        assertThat(response).isEqualTo(json(answer(grpc(c.method(), aAdmin, fill(c.grpc(), "grpc", ghosts)))));
      }
      case CREATED_IN_A -> assertCreatedInA(json(answer(result)).toString(), secretFromA);
      case LISTS_NONE_OF_B -> assertListingHoldsNoneOfB(json(answer(result)), secretFromA);
    }
    assertBravoIntact();
  }

  @ParameterizedTest(name = "HTTP: {0}")
  @MethodSource("cases")
  void overHttp(Case c) throws Exception {
    String body = fill(c.http(), "http", bravo);
    HttpResponse<String> response = http(c.verb(), fill(c.path(), "http", bravo), body, aAdmin);
    List<String> secretFromA = markers(fill(c.path(), "http", bravo) + " " + body);
    MethodDescriptor method = RPCS.get(c.method());
    switch (c.expect()) {
      case NOT_FOUND -> {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(404);
        JsonObject error = JsonParser.parseString(response.body()).getAsJsonObject();
        if (method.getService().getOptions().getExtension(ApiOptionsProto.altostratErrorBody)) {
          assertThat(error.get("code").getAsString()).as(response.body()).isEqualTo("resource_missing");
        } else {
          assertThat(error.get("code").getAsInt()).as(response.body()).isEqualTo(Status.Code.NOT_FOUND.value());
          assertThat(error.toString()).contains("\"reason\":\"RESOURCE_NOT_FOUND\"");
        }
        assertNoLeak(response.body(), secretFromA);
        HttpResponse<String> ghost = http(c.verb(), fill(c.path(), "http", ghosts), fill(c.http(), "http", ghosts), aAdmin);
        assertThat(ghost.statusCode()).isEqualTo(404);
        assertThat(unfill(response.body(), bravo)).as("B's object answers as a made-up one")
            .isEqualTo(unfill(ghost.body(), ghosts));
      }
      case INACTIVE -> {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(JsonParser.parseString(response.body())).isEqualTo(JsonParser.parseString("{\"active\": false}"));
      }
      case DENIED -> {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonObject answer = JsonParser.parseString(response.body()).getAsJsonObject();
        assertThat(answer.get("allowed").getAsBoolean()).isFalse();
        HttpResponse<String> ghost = http(c.verb(), c.path(), fill(c.http(), "http", ghosts), aAdmin);
        assertThat(JsonParser.parseString(response.body())).isEqualTo(JsonParser.parseString(ghost.body()));
        assertNoLeak(response.body(), secretFromA);
      }
      case REVOKES_NONE -> {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(JsonParser.parseString(response.body()).getAsJsonObject().get("revoked_count").getAsLong()).isZero();
      }
      case CREATED_IN_A -> {
        int declared = method.getOptions().getExtension(ApiOptionsProto.httpSuccessStatus);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(declared == 0 ? 200 : declared);
        assertCreatedInA(response.body(), secretFromA);
      }
      case LISTS_NONE_OF_B -> {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertListingHoldsNoneOfB(JsonParser.parseString(response.body()).getAsJsonObject(), secretFromA);
      }
    }
    assertBravoIntact();
  }

  /**
   * The controls: B's admin making the same read-only request finds B's object (the fixture
   * is real, so A's NOT_FOUND or empty answer is isolation, not a wrong ID), and B's own
   * listing shows B's objects (so the leak check of A's listing can fail).
   */
  @ParameterizedTest(name = "control, B itself: {0}")
  @MethodSource("controls")
  void controlBSeesItsOwnObject(Case c) throws Exception {
    Message response = answer(grpc(c.method(), bAdmin, fill(c.grpc(), "grpc", bravo)));
    String text = json(response).toString();
    switch (c.expect()) {
      case INACTIVE -> assertThat(json(response).get("active").getAsBoolean()).as(text).isTrue();
      case DENIED -> assertThat(json(response).get("allowed").getAsBoolean()).as(text).isTrue();
      case LISTS_NONE_OF_B -> {
        if (!c.grpc().contains("{bAccount}")) { // B's account's tokens: B sees them; A's view of them is empty
          assertThat(markers(text)).as("B's listing shows B's objects: %s", text).isNotEmpty();
        } else {
          assertThat(text).contains(bravo.get("bApi"));
        }
      }
      default -> assertThat(text).as("B's object is found").isNotEqualTo("{}");
    }
    HttpResponse<String> overHttp = http(c.verb(), fill(c.path(), "http", bravo), fill(c.http(), "http", bravo), bAdmin);
    assertThat(overHttp.statusCode()).as(overHttp.body()).isEqualTo(200);
  }

  List<Case> controls() {
    return cases().stream().filter(Case::control).toList();
  }

  // ---- assertions ----

  private void assertCreatedInA(String answer, List<String> fromRequest) throws Exception {
    assertNoLeak(answer, fromRequest);
    JsonObject created = JsonParser.parseString(answer).getAsJsonObject();
    if (created.has("token")) { // a new secret of A's: B cannot see it
      JsonObject seenByB = json(answer(grpc("TokenService/IntrospectToken", bAdmin,
          "{\"token\": \"" + created.get("token").getAsString() + "\"}")));
      assertThat(seenByB.has("active")).as("B introspects A's new token as inactive").isFalse();
      JsonObject seenByA = json(answer(grpc("TokenService/IntrospectToken", aAdmin,
          "{\"token\": \"" + created.get("token").getAsString() + "\"}")));
      assertThat(seenByA.get("tenant_id").getAsString()).isEqualTo(aTenant);
    }
  }

  /**
   * A listing holds none of B's data. Audit events are A's own, of A's tenant; A's log may
   * name one of B's IDs only as the target of an action A's admin itself attempted in a case
   * (A's input, recorded as sent, not B's data).
   */
  private void assertListingHoldsNoneOfB(JsonObject listing, List<String> fromRequest) {
    com.google.gson.JsonArray events = listing.has("audit_events") ? listing.getAsJsonArray("audit_events")
        : listing.getAsJsonArray("auditEvents");
    if (events == null) {
      assertNoLeak(listing.toString(), fromRequest);
      return;
    }
    assertThat(events).as("A's audit log is not empty").isNotEmpty();
    for (var element : events) {
      JsonObject event = element.getAsJsonObject();
      assertThat(string(event, "tenant_id", "tenantId")).as("tenant of %s", event).isEqualTo(aTenant);
      List<String> allowed = new ArrayList<>(fromRequest);
      if (string(event, "actor_token_id", "actorTokenId").equals(aAdminTokenId)) {
        allowed.add(string(event, "target_id", "targetId"));
      }
      assertNoLeak(event.toString(), allowed);
    }
  }

  private static String string(JsonObject object, String name, String jsonName) {
    var value = object.has(name) ? object.get(name) : object.get(jsonName);
    return value == null ? "" : value.getAsString();
  }

  /** {@code text} holds none of B's data except what A itself sent. */
  private void assertNoLeak(String text, List<String> fromRequest) {
    List<String> leaked = new ArrayList<>(markers(text));
    leaked.removeAll(fromRequest);
    assertThat(leaked).as("B's data in A's answer: %s", text).isEmpty();
  }

  /** Which of B's data (fixtures, names, emails) occur in {@code text}. */
  private List<String> markers(String text) {
    List<String> found = new ArrayList<>();
    for (String value : bravo.values()) {
      if (text.contains(value)) {
        found.add(value);
      }
    }
    for (String value : bravoData) {
      if (text.contains(value)) {
        found.add(value);
      }
    }
    return found;
  }

  /** B's objects are as B made them: every B token active, B's access token unchanged. */
  private void assertBravoIntact() throws Exception {
    for (String secret : List.of("bAdminSecret", "bWsSecret", "bAccessSecret", "bApiSecret", "bRecordJwt", "bFaultJwt")) {
      JsonObject seen = json(answer(grpc("TokenService/IntrospectToken", bAdmin,
          "{\"token\": \"" + bravo.get(secret) + "\"}")));
      assertThat(seen.has("active") && seen.get("active").getAsBoolean()).as("B's %s is still active", secret).isTrue();
      assertThat(seen.get("tenant_id").getAsString()).isEqualTo(bravo.get("bTenant"));
    }
    JsonObject access = json(answer(grpc("AccessTokenService/GetAccessToken", bAdmin,
        "{\"id\": \"" + bravo.get("bAccess") + "\"}")));
    assertThat(access.get("name").getAsString()).isEqualTo("bravo-access");
    assertThat(access.get("change_sequence").getAsInt()).isEqualTo(1);
    assertThat(access.get("status").getAsString()).isEqualTo("active");
    for (String get : List.of("WorkspaceTokenService/GetWorkspaceToken {\"id\": \"" + bravo.get("bWs") + "\"}",
        "AccountApiTokenService/GetApiToken {\"id\": \"" + bravo.get("bApi") + "\"}",
        "FaultTokenService/GetFaultToken {\"id\": \"" + bravo.get("bFault") + "\"}",
        "RecordTokenService/GetRecordToken {\"record\": \"rec-shared\", \"key\": \"" + bravo.get("bSharedKey") + "\"}")) {
      int space = get.indexOf(' ');
      JsonObject token = json(answer(grpc(get.substring(0, space), bAdmin, get.substring(space + 1))));
      assertThat(token.get("status").getAsString()).as(get).isEqualTo("active");
    }
    // the share link, B's bearer capability, still resolves
    assertThat(json(answer(grpc("FaultTokenService/ResolveShareLink", null,
        "{\"code\": \"" + bravo.get("bLinkCode") + "\"}"))).get("location").getAsString()).contains(bravo.get("bFaultJwt"));
  }

  /** An error with B's values (or the ghosts) put back to placeholders: code, message, ErrorInfo. */
  private static String fingerprint(StatusRuntimeException e, Map<String, String> values) {
    ErrorInfo info = Errors.errorInfo(e);
    return unfill(e.getStatus().getCode() + " " + e.getStatus().getDescription() + " " + info.getReason() + " "
        + new TreeMap<>(info.getMetadataMap()), values);
  }

  // ---- plumbing ----

  private static String fill(String text, String edge, Map<String, String> values) {
    String filled = text.replace("{edge}", edge);
    for (Map.Entry<String, String> value : values.entrySet()) {
      filled = filled.replace("{" + value.getKey() + "}", value.getValue());
    }
    return filled;
  }

  private static String unfill(String text, Map<String, String> values) {
    String unfilled = text;
    for (Map.Entry<String, String> value : values.entrySet()) {
      unfilled = unfilled.replace(value.getValue(), "{" + value.getKey() + "}");
    }
    return unfilled;
  }

  /** A made-up value of the form of {@code value}: its prefix up to '_' kept, other letters and digits random. */
  private static String ghost(String value) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    StringBuilder ghost = new StringBuilder();
    int keep = value.indexOf('_') + 1;
    for (int i = 0; i < value.length(); i++) {
      char ch = value.charAt(i);
      if (i < keep || !Character.isLetterOrDigit(ch)) {
        ghost.append(ch);
      } else if (Character.isDigit(ch)) {
        ghost.append((char) ('0' + random.nextInt(10)));
      } else if (Character.isUpperCase(ch)) {
        ghost.append((char) ('A' + random.nextInt(26)));
      } else {
        ghost.append(value.contains("-") && value.length() == 36 ? "abcdef".charAt(random.nextInt(6))
            : (char) ('a' + random.nextInt(26)));
      }
    }
    return ghost.toString();
  }

  private static Message answer(Object result) {
    if (result instanceof StatusRuntimeException e) {
      throw new AssertionError("failed: " + e.getStatus(), e);
    }
    return (Message) result;
  }

  private static JsonObject ok(Object result) throws InvalidProtocolBufferException {
    return json(answer(result));
  }

  private static JsonObject json(Message message) throws InvalidProtocolBufferException {
    return JsonParser.parseString(PRINTER.print(message)).getAsJsonObject();
  }

  /** Calls {@code rpc} (Service/Method) with {@code json} as the request: the response, or the StatusRuntimeException. */
  private Object grpc(String rpc, String bearer, String json) throws InvalidProtocolBufferException {
    MethodDescriptor method = RPCS.get(rpc);
    assertThat(method).as(rpc).isNotNull();
    DynamicMessage.Builder request = DynamicMessage.newBuilder(method.getInputType());
    PARSER.merge(json, request);
    Metadata headers = new Metadata();
    if (bearer != null) {
      headers.put(AUTHORIZATION, "Bearer " + bearer);
    }
    var call = io.grpc.MethodDescriptor.<DynamicMessage, DynamicMessage>newBuilder()
        .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(PACKAGE + rpc)
        .setRequestMarshaller(ProtoUtils.marshaller(DynamicMessage.getDefaultInstance(method.getInputType())))
        .setResponseMarshaller(ProtoUtils.marshaller(DynamicMessage.getDefaultInstance(method.getOutputType())))
        .build();
    try {
      return ClientCalls.blockingUnaryCall(
          ClientInterceptors.intercept(authority.channel(), MetadataUtils.newAttachHeadersInterceptor(headers)),
          call, CallOptions.DEFAULT, request.build());
    } catch (StatusRuntimeException e) {
      return e;
    }
  }

  private HttpResponse<String> http(String verb, String path, String body, String bearer) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + authority.httpPort() + path))
        .method(verb, body.isEmpty() ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .header("Authorization", "Bearer " + bearer);
    if (!body.isEmpty()) {
      request.header("Content-Type", "application/json");
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** "VERB /pattern" of each google.api.http binding of {@code method}. */
  private static List<String> httpRules(MethodDescriptor method) {
    List<String> rules = new ArrayList<>();
    if (!method.getOptions().hasExtension(AnnotationsProto.http)) {
      return rules;
    }
    HttpRule rule = method.getOptions().getExtension(AnnotationsProto.http);
    List<HttpRule> bindings = new ArrayList<>(List.of(rule));
    bindings.addAll(rule.getAdditionalBindingsList());
    for (HttpRule binding : bindings) {
      rules.add(switch (binding.getPatternCase()) {
        case GET -> "GET " + binding.getGet();
        case POST -> "POST " + binding.getPost();
        case PUT -> "PUT " + binding.getPut();
        case PATCH -> "PATCH " + binding.getPatch();
        case DELETE -> "DELETE " + binding.getDelete();
        case CUSTOM -> binding.getCustom().getKind() + " " + binding.getCustom().getPath();
        default -> throw new AssertionError(method.getFullName() + " has an HTTP rule without a pattern");
      });
    }
    return rules;
  }

  /** Every RPC of the API's package, by Service/Method, from the descriptor set the build writes. */
  private static Map<String, MethodDescriptor> readRpcs() {
    ExtensionRegistry registry = ExtensionRegistry.newInstance();
    AnnotationsProto.registerAllExtensions(registry);
    ApiOptionsProto.registerAllExtensions(registry);
    try (InputStream in = TenantIsolationTest.class.getResourceAsStream("/tokenauthority.pb")) {
      assertThat(in).as("descriptor set /tokenauthority.pb on the classpath").isNotNull();
      FileDescriptorSet set = FileDescriptorSet.parseFrom(in, registry);
      Map<String, FileDescriptorProto> protos = new HashMap<>();
      set.getFileList().forEach(f -> protos.put(f.getName(), f));
      Map<String, FileDescriptor> built = new HashMap<>();
      Map<String, MethodDescriptor> rpcs = new TreeMap<>();
      for (FileDescriptorProto proto : set.getFileList()) {
        FileDescriptor file = build(proto.getName(), protos, built);
        for (Descriptors.ServiceDescriptor service : file.getServices()) {
          if (!service.getFullName().startsWith(PACKAGE)) {
            continue;
          }
          for (MethodDescriptor method : service.getMethods()) {
            rpcs.put(service.getName() + "/" + method.getName(), method);
          }
        }
      }
      return rpcs;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (Descriptors.DescriptorValidationException e) {
      throw new IllegalStateException(e);
    }
  }

  private static FileDescriptor build(String name, Map<String, FileDescriptorProto> protos,
      Map<String, FileDescriptor> built) throws Descriptors.DescriptorValidationException {
    FileDescriptor done = built.get(name);
    if (done != null) {
      return done;
    }
    List<FileDescriptor> dependencies = new ArrayList<>();
    for (String dependency : protos.get(name).getDependencyList()) {
      dependencies.add(build(dependency, protos, built));
    }
    FileDescriptor file = FileDescriptor.buildFrom(protos.get(name), dependencies.toArray(FileDescriptor[]::new));
    built.put(name, file);
    return file;
  }
}
