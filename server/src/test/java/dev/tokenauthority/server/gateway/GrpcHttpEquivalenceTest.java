package dev.tokenauthority.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.TypeRegistry;
import com.google.protobuf.util.JsonFormat;
import dev.tokenauthority.server.ServerConfig;
import dev.tokenauthority.server.TokenAuthorityServer;
import dev.tokenauthority.server.api.RestEdgeHeaders;
import dev.tokenauthority.server.testing.TestStores;
import dev.tokenauthority.v1.ApiOptionsProto;
import io.grpc.CallOptions;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One contract, two transports: each case is made once over gRPC and once over its HTTP path,
 * and both must give the same result — the same status (the gRPC code mapped as Envoy maps
 * it, or the method's declared success status), the same response message (generated values
 * such as IDs, secrets and times compared by shape), the same error body. Every RPC with an
 * HTTP rule must have a success case and an error case here, so a new RPC cannot skip it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GrpcHttpEquivalenceTest {
  private static final HttpRoutes ROUTES = HttpRoutes.fromClasspath("/tokenauthority.pb");
  private static final TypeRegistry TYPES = TypeRegistry.newBuilder().add(ROUTES.messageTypes()).build();
  private static final JsonFormat.Printer PRINTER = JsonFormat.printer().usingTypeRegistry(TYPES)
      .alwaysPrintFieldsWithNoPresence().omittingInsignificantWhitespace();
  private static final JsonFormat.Parser PARSER = JsonFormat.parser().usingTypeRegistry(TYPES);
  private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  /** Who makes the call. */
  enum Caller { ADMIN, NOBODY, READER }

  /**
   * One operation made both ways. {@code {edge}} in the bodies becomes "grpc" or "http", so
   * unique names stay unique; {@code {taken}} the ID of a workspace token, {@code {reader}}
   * the secret of one holding only tokens:read, {@code {access}} and {@code {api}} the IDs of
   * an access token and an account API token, {@code {own-access}} that of an access token
   * of each edge's own (so both may update it from the same changeSequence); {@code grpc} is
   * the whole request message as proto3 JSON.
   */
  record Case(String name, String method, Caller caller, boolean succeeds, String grpc, String verb, String path,
      String http) {
    @Override
    public String toString() {
      return name;
    }
  }

  static List<Case> cases() {
    return List.of(
        new Case("create record token", "RecordTokenService/CreateRecordToken", Caller.ADMIN, true,
            "{\"record\": \"rec-1\", \"expires_in\": 3600}", "POST", "/api/v1/records/rec-1/tokens", "{\"expires_in\": 3600}"),
        new Case("record token for a missing record", "RecordTokenService/CreateRecordToken", Caller.ADMIN, false,
            "{\"record\": \"nope\"}", "POST", "/api/v1/records/nope/tokens", "{}"),
        new Case("fault token", "FaultTokenService/GenerateFaultToken", Caller.ADMIN, true,
            "{\"expire_after_minutes\": 60}", "POST", "/fault/token", "{\"expire_after_minutes\": 60}"),
        new Case("fault token without minutes", "FaultTokenService/GenerateFaultToken", Caller.ADMIN, false,
            "{}", "POST", "/fault/token", "{}"),
        new Case("fault token without scope", "FaultTokenService/GenerateFaultToken", Caller.READER, false,
            "{\"expire_after_minutes\": 60}", "POST", "/fault/token", "{\"expire_after_minutes\": 60}"),
        new Case("fault token without credential", "FaultTokenService/GenerateFaultToken", Caller.NOBODY, false,
            "{\"expire_after_minutes\": 60}", "POST", "/fault/token", "{\"expire_after_minutes\": 60}"),
        new Case("api token", "AccountApiTokenService/CreateApiToken", Caller.ADMIN, true,
            "{\"api_token\": {\"account\": {\"id\": \"acc-1\"}, \"name\": \"{edge}\", \"modules\": [{\"id\": \"mod-1\"}]}}",
            "POST", "/public/v1/accounts/api-tokens", "{\"account\": {\"id\": \"acc-1\"}, \"name\": \"{edge}\", \"modules\": [{\"id\": \"mod-1\"}]}"),
        new Case("api token for a missing module", "AccountApiTokenService/CreateApiToken", Caller.ADMIN, false,
            "{\"api_token\": {\"account\": {\"id\": \"acc-1\"}, \"modules\": [{\"id\": \"nope\"}]}}",
            "POST", "/public/v1/accounts/api-tokens", "{\"account\": {\"id\": \"acc-1\"}, \"modules\": [{\"id\": \"nope\"}]}"),
        new Case("access token", "AccessTokenService/CreateAccessToken", Caller.ADMIN, true,
            "{\"access_token\": {\"name\": \"{edge}\", \"expiresAt\": \"2099-01-01T00:00:00Z\"}}",
            "POST", "/api/access-tokens", "{\"name\": \"{edge}\", \"expiresAt\": \"2099-01-01T00:00:00Z\"}"),
        new Case("access token expiring in the past", "AccessTokenService/CreateAccessToken", Caller.ADMIN, false,
            "{\"access_token\": {\"name\": \"x\", \"expiresAt\": \"2001-01-01T00:00:00Z\"}}",
            "POST", "/api/access-tokens", "{\"name\": \"x\", \"expiresAt\": \"2001-01-01T00:00:00Z\"}"),
        new Case("workspace token", "WorkspaceTokenService/CreateWorkspaceToken", Caller.ADMIN, true,
            "{\"name\": \"{edge}\", \"scopes\": [\"tokens:read\"]}", "POST", "/tokens", "{\"name\": \"{edge}\", \"scopes\": [\"tokens:read\"]}"),
        new Case("workspace token with a taken name", "WorkspaceTokenService/CreateWorkspaceToken", Caller.ADMIN, false,
            "{\"name\": \"taken\", \"scopes\": [\"tokens:read\"]}", "POST", "/tokens", "{\"name\": \"taken\", \"scopes\": [\"tokens:read\"]}"),
        new Case("workspace token without scope", "WorkspaceTokenService/CreateWorkspaceToken", Caller.READER, false,
            "{\"name\": \"x\", \"scopes\": [\"tokens:read\"]}", "POST", "/tokens", "{\"name\": \"x\", \"scopes\": [\"tokens:read\"]}"),
        new Case("workspace token with bad fields", "WorkspaceTokenService/CreateWorkspaceToken", Caller.ADMIN, false,
            "{\"name\": \"\", \"scopes\": [\"nope\"]}", "POST", "/tokens", "{\"name\": \"\", \"scopes\": [\"nope\"]}"),
        new Case("list workspace tokens", "WorkspaceTokenService/ListWorkspaceTokens", Caller.ADMIN, true,
            "{\"page_size\": 2}", "GET", "/tokens?page_size=2", ""),
        new Case("list with a page size too big", "WorkspaceTokenService/ListWorkspaceTokens", Caller.ADMIN, false,
            "{\"page_size\": 501, \"status\": \"gone\"}", "GET", "/tokens?page_size=501&status=gone", ""),
        new Case("get workspace token", "WorkspaceTokenService/GetWorkspaceToken", Caller.ADMIN, true,
            "{\"id\": \"{taken}\"}", "GET", "/tokens/{taken}", ""),
        new Case("get a missing workspace token", "WorkspaceTokenService/GetWorkspaceToken", Caller.ADMIN, false,
            "{\"id\": \"tok_nope\"}", "GET", "/tokens/tok_nope", ""),
        new Case("revoke workspace token", "WorkspaceTokenService/RevokeWorkspaceToken", Caller.ADMIN, true,
            "{\"id\": \"{taken}\"}", "DELETE", "/tokens/{taken}", ""),
        new Case("revoke without scope", "WorkspaceTokenService/RevokeWorkspaceToken", Caller.READER, false,
            "{\"id\": \"{taken}\"}", "DELETE", "/tokens/{taken}", ""),
        new Case("introspect", "TokenService/IntrospectToken", Caller.ADMIN, true,
            "{\"token\": \"{reader}\"}", "POST", "/v1/tokens:introspect", "{\"token\": \"{reader}\"}"),
        new Case("introspect garbage", "TokenService/IntrospectToken", Caller.ADMIN, true,
            "{\"token\": \"garbage\"}", "POST", "/v1/tokens:introspect", "{\"token\": \"garbage\"}"),
        new Case("introspect without scope", "TokenService/IntrospectToken", Caller.READER, false,
            "{\"token\": \"{reader}\"}", "POST", "/v1/tokens:introspect", "{\"token\": \"{reader}\"}"),
        new Case("check access", "TokenService/CheckTokenAccess", Caller.ADMIN, true,
            "{\"token\": \"{reader}\", \"action\": \"tokens:write\"}",
            "POST", "/v1/tokens:check", "{\"token\": \"{reader}\", \"action\": \"tokens:write\"}"),
        new Case("check access without credential", "TokenService/CheckTokenAccess", Caller.NOBODY, false,
            "{\"token\": \"{reader}\", \"action\": \"tokens:read\"}",
            "POST", "/v1/tokens:check", "{\"token\": \"{reader}\", \"action\": \"tokens:read\"}"),
        new Case("revoke what a token created", "TokenService/RevokeTokensCreatedBy", Caller.ADMIN, true,
            "{\"created_by_token_id\": \"tok_nope\"}", "POST", "/v1/tokens:revokeCreatedBy",
            "{\"created_by_token_id\": \"tok_nope\"}"),
        new Case("revoke created by nobody named", "TokenService/RevokeTokensCreatedBy", Caller.ADMIN, false,
            "{}", "POST", "/v1/tokens:revokeCreatedBy", "{}"),
        new Case("jwks", "SigningKeyService/GetJwks", Caller.NOBODY, true, "{}", "GET", "/.well-known/jwks.json", ""),
        new Case("rotate signing key", "SigningKeyService/RotateSigningKey", Caller.ADMIN, true,
            "{}", "POST", "/v1/signing-keys:rotate", "{}"),
        new Case("rotate without scope", "SigningKeyService/RotateSigningKey", Caller.READER, false,
            "{}", "POST", "/v1/signing-keys:rotate", "{}"),
        new Case("list signing keys", "SigningKeyService/ListSigningKeys", Caller.ADMIN, true,
            "{}", "GET", "/v1/signing-keys", ""),
        new Case("list signing keys without credential", "SigningKeyService/ListSigningKeys", Caller.NOBODY, false,
            "{}", "GET", "/v1/signing-keys", ""),
        new Case("list record tokens", "RecordTokenService/ListRecordTokens", Caller.ADMIN, true,
            "{\"record\": \"rec-1\", \"page_size\": 1}", "GET", "/api/v1/records/rec-1/tokens?page_size=1", ""),
        new Case("list tokens of a missing record", "RecordTokenService/ListRecordTokens", Caller.ADMIN, false,
            "{\"record\": \"nope\"}", "GET", "/api/v1/records/nope/tokens", ""),
        new Case("get record token", "RecordTokenService/GetRecordToken", Caller.ADMIN, true,
            "{\"record\": \"rec-1\", \"key\": \"{recordKey}\"}", "GET", "/api/v1/records/rec-1/tokens/{recordKey}", ""),
        new Case("get a missing record token", "RecordTokenService/GetRecordToken", Caller.ADMIN, false,
            "{\"record\": \"rec-1\", \"key\": \"rtk_nope\"}", "GET", "/api/v1/records/rec-1/tokens/rtk_nope", ""),
        new Case("revoke record token", "RecordTokenService/RevokeRecordToken", Caller.ADMIN, true,
            "{\"record\": \"rec-1\", \"key\": \"{recordDoomed}\"}", "DELETE", "/api/v1/records/rec-1/tokens/{recordDoomed}", ""),
        new Case("revoke record token without scope", "RecordTokenService/RevokeRecordToken", Caller.READER, false,
            "{\"record\": \"rec-1\", \"key\": \"{recordKey}\"}", "DELETE", "/api/v1/records/rec-1/tokens/{recordKey}", ""),
        new Case("list fault tokens", "FaultTokenService/ListFaultTokens", Caller.ADMIN, true,
            "{\"page_size\": 1}", "GET", "/fault/tokens?page_size=1", ""),
        new Case("list fault tokens of a bad status", "FaultTokenService/ListFaultTokens", Caller.ADMIN, false,
            "{\"status\": \"gone\"}", "GET", "/fault/tokens?status=gone", ""),
        new Case("get fault token", "FaultTokenService/GetFaultToken", Caller.ADMIN, true,
            "{\"id\": \"{fault}\"}", "GET", "/fault/token/{fault}", ""),
        new Case("get a missing fault token", "FaultTokenService/GetFaultToken", Caller.ADMIN, false,
            "{\"id\": \"ftk_nope\"}", "GET", "/fault/token/ftk_nope", ""),
        new Case("revoke fault token", "FaultTokenService/RevokeFaultToken", Caller.ADMIN, true,
            "{\"id\": \"{faultDoomed}\"}", "DELETE", "/fault/token/{faultDoomed}", ""),
        new Case("revoke fault token without scope", "FaultTokenService/RevokeFaultToken", Caller.READER, false,
            "{\"id\": \"{fault}\"}", "DELETE", "/fault/token/{fault}", ""),
        new Case("resolve share link", "FaultTokenService/ResolveShareLink", Caller.NOBODY, true,
            "{\"code\": \"{link}\"}", "GET", "/s/{link}", ""),
        new Case("resolve an unknown share link", "FaultTokenService/ResolveShareLink", Caller.NOBODY, false,
            "{\"code\": \"AbCdEfGh12345678\"}", "GET", "/s/AbCdEfGh12345678", ""),
        new Case("resolve a revoked token's share link", "FaultTokenService/ResolveShareLink", Caller.NOBODY, false,
            "{\"code\": \"{goneLink}\"}", "GET", "/s/{goneLink}", ""),
        new Case("list access tokens", "AccessTokenService/ListAccessTokens", Caller.ADMIN, true,
            "{\"pageSize\": 2}", "GET", "/api/access-tokens?pageSize=2", ""),
        new Case("list access tokens with bad paging", "AccessTokenService/ListAccessTokens", Caller.ADMIN, false,
            "{\"pageSize\": 501, \"pageToken\": \"zz\"}", "GET", "/api/access-tokens?pageSize=501&pageToken=zz", ""),
        new Case("get access token", "AccessTokenService/GetAccessToken", Caller.ADMIN, true,
            "{\"id\": \"{access}\"}", "GET", "/api/access-tokens/{access}", ""),
        new Case("get a missing access token", "AccessTokenService/GetAccessToken", Caller.ADMIN, false,
            "{\"id\": \"nope\"}", "GET", "/api/access-tokens/nope", ""),
        new Case("update access token", "AccessTokenService/UpdateAccessToken", Caller.ADMIN, true,
            "{\"id\": \"{own-access}\", \"access_token\": {\"changeSequence\": 1, \"name\": \"renamed {edge}\","
                + " \"expiresAt\": \"2099-01-01T00:00:00Z\"}}",
            "PUT", "/api/access-tokens/{own-access}",
            "{\"changeSequence\": 1, \"name\": \"renamed {edge}\", \"expiresAt\": \"2099-01-01T00:00:00Z\"}"),
        new Case("update access token with a stale changeSequence", "AccessTokenService/UpdateAccessToken",
            Caller.ADMIN, false, "{\"id\": \"{access}\", \"access_token\": {\"changeSequence\": 7, \"name\": \"x\"}}",
            "PUT", "/api/access-tokens/{access}", "{\"changeSequence\": 7, \"name\": \"x\"}"),
        new Case("revoke access token", "AccessTokenService/RevokeAccessToken", Caller.ADMIN, true,
            "{\"id\": \"{access}\"}", "DELETE", "/api/access-tokens/{access}", ""),
        new Case("revoke access token without scope", "AccessTokenService/RevokeAccessToken", Caller.READER, false,
            "{\"id\": \"{access}\"}", "DELETE", "/api/access-tokens/{access}", ""),
        new Case("list api tokens", "AccountApiTokenService/ListApiTokens", Caller.ADMIN, true,
            "{\"accountId\": \"acc-1\", \"pageSize\": 2}", "GET",
            "/public/v1/accounts/api-tokens?accountId=acc-1&pageSize=2", ""),
        new Case("list api tokens of a bad status", "AccountApiTokenService/ListApiTokens", Caller.ADMIN, false,
            "{\"status\": \"gone\"}", "GET", "/public/v1/accounts/api-tokens?status=gone", ""),
        new Case("get api token", "AccountApiTokenService/GetApiToken", Caller.ADMIN, true,
            "{\"id\": \"{api}\"}", "GET", "/public/v1/accounts/api-tokens/{api}", ""),
        new Case("get a missing api token", "AccountApiTokenService/GetApiToken", Caller.ADMIN, false,
            "{\"id\": \"apt_nope\"}", "GET", "/public/v1/accounts/api-tokens/apt_nope", ""),
        new Case("revoke api token", "AccountApiTokenService/RevokeApiToken", Caller.ADMIN, true,
            "{\"id\": \"{api}\"}", "DELETE", "/public/v1/accounts/api-tokens/{api}", ""),
        new Case("revoke api token without scope", "AccountApiTokenService/RevokeApiToken", Caller.READER, false,
            "{\"id\": \"{api}\"}", "DELETE", "/public/v1/accounts/api-tokens/{api}", ""),
        new Case("list audit events", "AuditService/ListAuditEvents", Caller.ADMIN, true,
            "{\"page_size\": 1, \"action\": \"token.mint\"}", "GET", "/v1/audit-events?page_size=1&action=token.mint", ""),
        new Case("list audit events with a page too big", "AuditService/ListAuditEvents", Caller.ADMIN, false,
            "{\"page_size\": 501}", "GET", "/v1/audit-events?page_size=501", ""),
        new Case("tenant", "DirectoryService/CreateTenant", Caller.ADMIN, true,
            "{\"tenant\": {\"name\": \"{edge}\"}, \"admin_email\": \"{edge}@example.com\"}",
            "POST", "/v1/tenants", "{\"tenant\": {\"name\": \"{edge}\"}, \"admin_email\": \"{edge}@example.com\"}"),
        new Case("tenant without credential", "DirectoryService/CreateTenant", Caller.NOBODY, false,
            "{\"tenant\": {\"name\": \"x\"}, \"admin_email\": \"x@example.com\"}",
            "POST", "/v1/tenants", "{\"tenant\": {\"name\": \"x\"}, \"admin_email\": \"x@example.com\"}"),
        new Case("user", "DirectoryService/CreateUser", Caller.ADMIN, true,
            "{\"user\": {\"email\": \"{edge}@example.com\"}, \"scopes\": [\"tokens:read\"]}",
            "POST", "/v1/users?scopes=tokens:read", "{\"email\": \"{edge}@example.com\"}"),
        new Case("user without email", "DirectoryService/CreateUser", Caller.ADMIN, false,
            "{\"user\": {}}", "POST", "/v1/users", "{}"),
        new Case("record", "DirectoryService/CreateRecord", Caller.ADMIN, true,
            "{\"record\": {\"id\": \"{edge}\", \"title\": \"t\"}}", "POST", "/v1/records", "{\"id\": \"{edge}\", \"title\": \"t\"}"),
        new Case("record without scope", "DirectoryService/CreateRecord", Caller.READER, false,
            "{\"record\": {\"id\": \"x\"}}", "POST", "/v1/records", "{\"id\": \"x\"}"),
        new Case("account", "DirectoryService/CreateAccount", Caller.ADMIN, true,
            "{\"account\": {\"id\": \"{edge}\", \"name\": \"A\"}}", "POST", "/v1/accounts", "{\"id\": \"{edge}\", \"name\": \"A\"}"),
        new Case("account taken", "DirectoryService/CreateAccount", Caller.ADMIN, false,
            "{\"account\": {\"id\": \"acc-1\", \"name\": \"A\"}}", "POST", "/v1/accounts", "{\"id\": \"acc-1\", \"name\": \"A\"}"),
        new Case("module", "DirectoryService/CreateModule", Caller.ADMIN, true,
            "{\"module\": {\"id\": \"{edge}\", \"name\": \"M\"}}", "POST", "/v1/modules", "{\"id\": \"{edge}\", \"name\": \"M\"}"),
        new Case("module without name", "DirectoryService/CreateModule", Caller.ADMIN, false,
            "{\"module\": {\"id\": \"m\"}}", "POST", "/v1/modules", "{\"id\": \"m\"}"));
  }

  @TempDir static Path dataDir;
  TokenAuthorityServer server;
  ManagedChannel channel;
  String admin;
  String reader;
  /** The ID of the workspace token named "taken". */
  String taken;
  /** Keys of two record tokens of rec-1 (the doomed one for revocation), IDs of two fault tokens. */
  String recordKey;
  String recordDoomed;
  String fault;
  String faultDoomed;
  /** The share-link codes of an active fault token and of a revoked one. */
  String link;
  String goneLink;
  /** The metadata of the last gRPC call: its headers (on success) and trailers. */
  final AtomicReference<Metadata> grpcHeaders = new AtomicReference<>();
  final AtomicReference<Metadata> grpcTrailers = new AtomicReference<>();
  /** The IDs of an access token and an account API token. */
  String access;
  String api;
  /** By edge ("grpc", "http"): the ID of an access token only that edge's cases use. */
  final Map<String, String> ownAccess = new HashMap<>();
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  void start() throws Exception {
    String name = InProcessServerBuilder.generateName();
    server = new TokenAuthorityServer(TestStores.config(dataDir).withHttpPort(ServerConfig.ANY_FREE_PORT),
        Clock.systemUTC()).start(InProcessServerBuilder.forName(name));
    channel = InProcessChannelBuilder.forName(name).build();
    admin = Files.readString(server.bootstrapFile(), StandardCharsets.US_ASCII).trim();
    grpc("DirectoryService/CreateRecord", Caller.ADMIN, "{\"record\": {\"id\": \"rec-1\"}}");
    grpc("DirectoryService/CreateAccount", Caller.ADMIN, "{\"account\": {\"id\": \"acc-1\", \"name\": \"Acme\"}}");
    grpc("DirectoryService/CreateModule", Caller.ADMIN, "{\"module\": {\"id\": \"mod-1\", \"name\": \"Buyers\"}}");
    taken = field(grpc("WorkspaceTokenService/CreateWorkspaceToken", Caller.ADMIN,
        "{\"name\": \"taken\", \"scopes\": [\"tokens:read\"]}"), "id");
    reader = field(grpc("WorkspaceTokenService/CreateWorkspaceToken", Caller.ADMIN,
        "{\"name\": \"reader\", \"scopes\": [\"tokens:read\"]}"), "token");
    recordKey = field(grpc("RecordTokenService/CreateRecordToken", Caller.ADMIN, "{\"record\": \"rec-1\"}"), "key");
    recordDoomed = field(grpc("RecordTokenService/CreateRecordToken", Caller.ADMIN, "{\"record\": \"rec-1\"}"), "key");
    Object active = grpc("FaultTokenService/GenerateFaultToken", Caller.ADMIN, "{\"expire_after_minutes\": 60}");
    fault = field(active, "id");
    link = codeOf(field(active, "short_link"));
    Object doomed = grpc("FaultTokenService/GenerateFaultToken", Caller.ADMIN, "{\"expire_after_minutes\": 60}");
    faultDoomed = field(doomed, "id");
    Object gone = grpc("FaultTokenService/GenerateFaultToken", Caller.ADMIN, "{\"expire_after_minutes\": 60}");
    goneLink = codeOf(field(gone, "short_link"));
    grpc("FaultTokenService/RevokeFaultToken", Caller.ADMIN, "{\"id\": \"" + field(gone, "id") + "\"}");
    access = field(grpc("AccessTokenService/CreateAccessToken", Caller.ADMIN,
        "{\"access_token\": {\"name\": \"shared\"}}"), "id");
    for (String edge : List.of("grpc", "http")) {
      ownAccess.put(edge, field(grpc("AccessTokenService/CreateAccessToken", Caller.ADMIN,
          "{\"access_token\": {\"name\": \"own\"}}"), "id"));
    }
    api = field(grpc("AccountApiTokenService/CreateApiToken", Caller.ADMIN,
        "{\"api_token\": {\"account\": {\"id\": \"acc-1\"}, \"modules\": [{\"id\": \"mod-1\"}]}}"), "id");
  }

  private static String codeOf(String shortLink) {
    return shortLink.substring(shortLink.lastIndexOf('/') + 1);
  }

  @AfterAll
  void stop() throws Exception {
    channel.shutdownNow();
    server.stop();
  }

  /** Every RPC needs a success and an error case, but a public RPC that takes nothing cannot fail. */
  @Test
  void everyRpcWithAnHttpRuleHasASuccessAndAnErrorCase() {
    Set<String> rpcs = ROUTES.routes().stream().map(r -> shortName(r.method())).collect(Collectors.toCollection(TreeSet::new));
    Set<String> canFail = ROUTES.routes().stream().map(HttpRoutes.Route::method)
        .filter(m -> !m.getOptions().getExtension(ApiOptionsProto.publicMethod) || !m.getInputType().getFields().isEmpty())
        .map(GrpcHttpEquivalenceTest::shortName).collect(Collectors.toCollection(TreeSet::new));
    Set<String> succeeding = cases().stream().filter(Case::succeeds).map(Case::method).collect(Collectors.toSet());
    Set<String> failing = cases().stream().filter(c -> !c.succeeds()).map(Case::method).collect(Collectors.toSet());
    assertThat(succeeding).as("RPCs with a success case").containsAll(rpcs);
    assertThat(failing).as("RPCs with an error case").containsAll(canFail);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void sameResultOverGrpcAndHttp(Case c) throws Exception {
    MethodDescriptor method = method(c.method());
    Object grpcResult = grpc(c.method(), c.caller(), fill(c.grpc(), "grpc"));
    HttpResponse<String> response = http(c, fill(c.path(), "http"), fill(c.http(), "http"));

    if (grpcResult instanceof StatusRuntimeException error) {
      assertThat(c.succeeds()).as("%s failed over gRPC: %s", c, error.getStatus()).isFalse();
      String chosen = grpcTrailers.get().get(RestEdgeHeaders.STATUS_KEY); // a status the service chose, e.g. 410
      assertThat(response.statusCode()).isEqualTo(chosen != null && Integer.parseInt(chosen) >= 400
          ? Integer.parseInt(chosen) : HttpStatuses.of(error.getStatus().getCode()));
      assertSameRestHeaders(grpcTrailers.get(), response);
      String altostrat = error.getTrailers().get(RestEdgeHeaders.ERROR_BODY_KEY);
      if (method.getService().getOptions().getExtension(ApiOptionsProto.altostratErrorBody)) {
        assertThat(response.body()).isEqualTo(altostrat);
      } else {
        assertThat(altostrat).isNull();
        com.google.rpc.Status.Builder overHttp = com.google.rpc.Status.newBuilder();
        PARSER.merge(response.body(), overHttp);
        assertThat(blurTimes(PRINTER.print(overHttp.build())))
            .isEqualTo(blurTimes(PRINTER.print(StatusProto.fromThrowable(error))));
      }
    } else {
      assertThat(c.succeeds()).as("%s succeeded over gRPC", c).isTrue();
      int declared = method.getOptions().getExtension(ApiOptionsProto.httpSuccessStatus);
      String chosen = grpcHeaders.get().get(RestEdgeHeaders.STATUS_KEY); // or one the service chose, e.g. 302
      assertThat(response.statusCode()).as(response.body())
          .isEqualTo(declared != 0 ? declared : chosen != null ? Integer.parseInt(chosen) : 200);
      assertSameRestHeaders(grpcHeaders.get(), response);
      DynamicMessage.Builder overHttp = DynamicMessage.newBuilder(method.getOutputType());
      PARSER.merge(response.body(), overHttp);
      assertThat(shape(overHttp.build())).isEqualTo(shape((Message) grpcResult));
    }
  }

  /** The headers a service set for REST callers (RestResponse) are the HTTP response's, and only those. */
  private static void assertSameRestHeaders(Metadata grpc, HttpResponse<String> response) {
    for (String name : List.of("location", "cache-control")) {
      assertThat(response.headers().firstValue(name)).as(name)
          .isEqualTo(Optional.ofNullable(grpc.get(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER))));
    }
  }

  /** Makes the call over gRPC: the response message, or the StatusRuntimeException. */
  private Object grpc(String name, Caller caller, String json) throws InvalidProtocolBufferException {
    MethodDescriptor method = method(name);
    DynamicMessage.Builder request = DynamicMessage.newBuilder(method.getInputType());
    PARSER.merge(json, request);
    Metadata headers = new Metadata();
    String secret = secret(caller);
    if (secret != null) {
      headers.put(AUTHORIZATION, "Bearer " + secret);
    }
    var call = io.grpc.MethodDescriptor.<DynamicMessage, DynamicMessage>newBuilder()
        .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
        .setFullMethodName("tokenauthority.v1." + name)
        .setRequestMarshaller(ProtoUtils.marshaller(DynamicMessage.getDefaultInstance(method.getInputType())))
        .setResponseMarshaller(ProtoUtils.marshaller(DynamicMessage.getDefaultInstance(method.getOutputType())))
        .build();
    try {
      return ClientCalls.blockingUnaryCall(ClientInterceptors.intercept(channel,
          MetadataUtils.newAttachHeadersInterceptor(headers),
          MetadataUtils.newCaptureMetadataInterceptor(grpcHeaders, grpcTrailers)), call, CallOptions.DEFAULT, request.build());
    } catch (StatusRuntimeException e) {
      return e;
    }
  }

  /** {@code text} with {edge}, {taken}, {reader} and the other fixtures (tokens, share links) filled in. */
  private String fill(String text, String edge) {
    return text.replace("{edge}", edge).replace("{taken}", taken).replace("{reader}", reader)
        .replace("{recordKey}", recordKey).replace("{recordDoomed}", recordDoomed).replace("{fault}", fault)
        .replace("{faultDoomed}", faultDoomed).replace("{link}", link).replace("{goneLink}", goneLink)
        .replace("{access}", access).replace("{own-access}", ownAccess.get(edge)).replace("{api}", api);
  }

  private static String field(Object message, String name) {
    Message response = (Message) message;
    return response.getField(response.getDescriptorForType().findFieldByName(name)).toString();
  }

  private HttpResponse<String> http(Case c, String path, String body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + path))
        .header("Content-Type", "application/json")
        .method(c.verb(), body.isEmpty() ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    String secret = secret(c.caller());
    if (secret != null) {
      request.header("Authorization", "Bearer " + secret);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private String secret(Caller caller) {
    switch (caller) {
      case ADMIN:
        return admin;
      case READER:
        return reader;
      default:
        return null;
    }
  }

  private static MethodDescriptor method(String name) {
    return ROUTES.routes().stream().map(HttpRoutes.Route::method).filter(m -> shortName(m).equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no RPC with an HTTP rule named " + name));
  }

  private static String shortName(MethodDescriptor method) {
    return method.getService().getName() + "/" + method.getName();
  }

  /** Replaces every RFC 3339 UTC time (which differs between two calls) with {@code <time>}. */
  private static String blurTimes(String text) {
    return text.replaceAll("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z", "<time>");
  }

  /**
   * The message as JSON with what differs between two calls by design blurred: times become
   * "<time>", JWTs "<jwt>", and every letter or digit of other strings become 'x', so IDs,
   * secrets and JWTs are compared by their form and everything else exactly.
   */
  private static String shape(Message message) throws InvalidProtocolBufferException {
    String json = blurTimes(PRINTER.print(message))
        .replaceAll("\"eyJ[\\w-]+\\.[\\w-]+\\.[\\w-]+\"", "\"<jwt>\"");
    StringBuilder shaped = new StringBuilder();
    var strings = java.util.regex.Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"(\\s*:)?").matcher(json);
    int last = 0;
    while (strings.find()) {
      shaped.append(json, last, strings.start());
      boolean key = strings.group(2) != null;
      shaped.append(key || strings.group(1).startsWith("<") ? strings.group() : "\"" + strings.group(1).replaceAll("[A-Za-z0-9]", "x") + "\"");
      last = strings.end();
    }
    return shaped.append(json.substring(last)).toString();
  }
}
