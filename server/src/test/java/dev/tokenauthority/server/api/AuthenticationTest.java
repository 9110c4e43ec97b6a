package dev.tokenauthority.server.api;

import static dev.tokenauthority.server.testing.Errors.errorInfo;
import static dev.tokenauthority.server.testing.Errors.expect;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenauthority.client.Credentials;
import dev.tokenauthority.client.TokenAuthorityClient;
import dev.tokenauthority.server.core.Secrets;
import dev.tokenauthority.server.core.TokenKind;
import dev.tokenauthority.server.testing.InProcessAuthority;
import dev.tokenauthority.v1.CreateTenantRequest;
import dev.tokenauthority.v1.CreateWorkspaceTokenRequest;
import dev.tokenauthority.v1.Tenant;
import dev.tokenauthority.v1.WorkspaceToken;
import dev.tokenauthority.v1.WorkspaceTokenServiceGrpc;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How every API call authenticates, and what needs no credential at all. */
class AuthenticationTest {
  static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  static final Metadata.Key<String> API_KEY = Metadata.Key.of("x-api-key", Metadata.ASCII_STRING_MARSHALLER);
  static final String BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

  @TempDir Path dataDir;
  InProcessAuthority authority;
  TokenAuthorityClient admin;
  int calls;

  @BeforeEach
  void start() {
    authority = InProcessAuthority.start(dataDir);
    admin = authority.admin();
  }

  @AfterEach
  void stop() {
    authority.close();
  }

  /** A unique, valid request: whatever fails, it is not the request. */
  private CreateWorkspaceTokenRequest request() {
    return CreateWorkspaceTokenRequest.newBuilder().setName("probe-" + (++calls)).addScopes("tokens:read").build();
  }

  /** The raw stub, sending exactly {@code headers} (name, value, name, value, ...) and nothing else. */
  private WorkspaceTokenServiceGrpc.WorkspaceTokenServiceBlockingStub stub(String... headers) {
    Metadata metadata = new Metadata();
    for (int i = 0; i < headers.length; i += 2) {
      metadata.put(Metadata.Key.of(headers[i], Metadata.ASCII_STRING_MARSHALLER), headers[i + 1]);
    }
    return WorkspaceTokenServiceGrpc.newBlockingStub(authority.channel())
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(metadata))
        .withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  /** Asserts the call fails UNAUTHENTICATED with {@code reason} and never echoes {@code secret}. */
  private StatusRuntimeException refused(String reason, String secret, String... headers) {
    StatusRuntimeException e = expect(Status.Code.UNAUTHENTICATED, reason,
        () -> stub(headers).createWorkspaceToken(request()));
    assertThat(e.getStatus().getDescription()).doesNotContain(secret);
    assertThat(e.getMessage()).doesNotContain(secret);
    assertThat(errorInfo(e).getMetadataMap().values()).noneMatch(v -> v.contains(secret));
    if (e.getTrailers() != null) {
      for (String key : e.getTrailers().keys()) {
        if (!key.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
          assertThat(e.getTrailers().getAll(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER)))
              .noneMatch(v -> v.contains(secret));
        }
      }
    }
    return e;
  }

  private static String changeLastCharacter(String secret) {
    char last = secret.charAt(secret.length() - 1);
    char other = BASE62.charAt((BASE62.indexOf(last) + 1) % BASE62.length());
    return secret.substring(0, secret.length() - 1) + other;
  }

  @Test
  void noCredentialIsMissing() {
    refused("CREDENTIAL_MISSING", "taw_");
    expect(Status.Code.UNAUTHENTICATED, "CREDENTIAL_MISSING",
        () -> WorkspaceTokenServiceGrpc.newBlockingStub(authority.channel()).createWorkspaceToken(request()));
  }

  @Test
  void anEmptyOrNonBearerAuthorizationIsMissing() {
    refused("CREDENTIAL_MISSING", "xyz", "authorization", "Basic xyz");
    refused("CREDENTIAL_MISSING", "taw_", "authorization", "Bearer ");
    refused("CREDENTIAL_MISSING", "taw_", "x-api-key", "");
  }

  @Test
  void garbageIsInvalid() {
    refused("CREDENTIAL_INVALID", "hello", "authorization", "Bearer hello");
    refused("CREDENTIAL_INVALID", "hello", "x-api-key", "hello");
  }

  @Test
  void aSecretWithAWrongChecksumIsInvalid() {
    String real = admin.createWorkspaceToken(request().toBuilder().addScopes("tokens:write").build()).getToken();
    String typo = changeLastCharacter(real);
    assertThat(typo).isNotEqualTo(real).hasSameSizeAs(real).startsWith("taw_");
    assertThat(Secrets.kindOf(typo)).as("the typo fails the offline checksum").isNull();

    refused("CREDENTIAL_INVALID", typo, "authorization", "Bearer " + typo);
    refused("CREDENTIAL_INVALID", typo, "x-api-key", typo);
    // the real one still works
    assertThat(stub("authorization", "Bearer " + real).createWorkspaceToken(request()).getStatus())
        .isEqualTo("active");
  }

  @Test
  void aWellFormedSecretNeverIssuedIsInvalid() {
    Secrets secrets = new Secrets();
    for (TokenKind kind : List.of(TokenKind.WORKSPACE, TokenKind.ACCESS, TokenKind.ACCOUNT_API)) {
      String forged = secrets.newSecret(kind);
      assertThat(Secrets.kindOf(forged)).as("well-formed").isEqualTo(kind);
      refused("CREDENTIAL_INVALID", forged, "authorization", "Bearer " + forged);
      refused("CREDENTIAL_INVALID", forged, "x-api-key", forged);
    }
  }

  @Test
  void aJwtCannotAuthenticate() {
    String jwt = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";
    refused("CREDENTIAL_INVALID", jwt, "authorization", "Bearer " + jwt);
  }

  @Test
  void theBearerSchemeIsCaseInsensitive() {
    String secret = authority.adminSecret();
    for (String scheme : List.of("Bearer", "bearer", "BEARER", "bEaReR")) {
      WorkspaceToken token = stub("authorization", scheme + " " + secret).createWorkspaceToken(request());
      assertThat(token.getCreatedBy()).as(scheme).isEqualTo("admin@localhost");
    }
    // and the case-insensitive scheme does not make a bad secret good
    refused("CREDENTIAL_INVALID", "hello", "authorization", "bearer hello");
  }

  @Test
  void anApiKeyAuthenticates() {
    String secret = authority.adminSecret();
    assertThat(stub("x-api-key", secret).createWorkspaceToken(request()).getCreatedBy())
        .isEqualTo("admin@localhost");
    assertThat(admin.withCredentials(Credentials.apiKey(secret)).createWorkspaceToken(request()).getCreatedBy())
        .isEqualTo("admin@localhost");
  }

  @Test
  void anExpiredSecretIsNeverEchoed() {
    WorkspaceToken token = admin.createWorkspaceToken(request().toBuilder()
        .setExpiresAt(com.google.protobuf.util.Timestamps.fromMillis(
            authority.clock().instant().plusSeconds(60).toEpochMilli()))
        .build());
    authority.clock().advance(java.time.Duration.ofMinutes(2));
    refused("CREDENTIAL_EXPIRED", token.getToken(), "authorization", "Bearer " + token.getToken());
  }

  @Test
  void healthAnswersWithoutCredentials() {
    HealthCheckResponse response = HealthGrpc.newBlockingStub(authority.channel())
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .check(HealthCheckRequest.newBuilder().setService("").build());
    assertThat(response.getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);

    HealthCheckResponse service = HealthGrpc.newBlockingStub(authority.channel())
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .check(HealthCheckRequest.newBuilder().setService("tokenauthority.v1.WorkspaceTokenService").build());
    assertThat(service.getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
  }

  @Test
  void reflectionListsTheServicesWithoutCredentials() throws Exception {
    CompletableFuture<List<ServerReflectionResponse>> done = new CompletableFuture<>();
    List<ServerReflectionResponse> responses = new ArrayList<>();
    StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(authority.channel())
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .serverReflectionInfo(new StreamObserver<>() {
          @Override
          public void onNext(ServerReflectionResponse value) {
            responses.add(value);
          }

          @Override
          public void onError(Throwable t) {
            done.completeExceptionally(t);
          }

          @Override
          public void onCompleted() {
            done.complete(responses);
          }
        });
    requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
    requests.onCompleted();

    List<ServerReflectionResponse> answered = done.get(10, TimeUnit.SECONDS);
    assertThat(answered).hasSize(1);
    assertThat(answered.get(0).hasErrorResponse()).isFalse();
    assertThat(answered.get(0).getListServicesResponse().getServiceList()).extracting(ServiceResponse::getName)
        .contains("tokenauthority.v1.WorkspaceTokenService", "tokenauthority.v1.AccessTokenService",
            "tokenauthority.v1.AccountApiTokenService", "tokenauthority.v1.DirectoryService");
  }

  @Test
  void workspaceTokenNamesAreUniquePerTenantOnly() {
    WorkspaceToken first = admin.createWorkspaceToken(
        CreateWorkspaceTokenRequest.newBuilder().setName("deploy").addScopes("tokens:read").build());
    String otherAdmin = admin.createTenant(CreateTenantRequest.newBuilder()
            .setTenant(Tenant.newBuilder().setName("Globex"))
            .setAdminEmail("owner@globex.example")
            .build())
        .getAdminToken().getToken();

    WorkspaceToken second = authority.client(otherAdmin).createWorkspaceToken(
        CreateWorkspaceTokenRequest.newBuilder().setName("deploy").addScopes("tokens:read").build());

    assertThat(second.getName()).isEqualTo("deploy");
    assertThat(second.getId()).isNotEqualTo(first.getId());
    assertThat(second.getCreatedBy()).isEqualTo("owner@globex.example");
    // still unique within each tenant
    expect(Status.Code.ALREADY_EXISTS, "RESOURCE_ALREADY_EXISTS", () -> authority.client(otherAdmin)
        .createWorkspaceToken(CreateWorkspaceTokenRequest.newBuilder().setName("deploy").addScopes("tokens:read")
            .build()));
  }

  @Test
  void everyServiceRequiresACredential() {
    var channel = authority.channel();
    expect(Status.Code.UNAUTHENTICATED, "CREDENTIAL_MISSING",
        () -> dev.tokenauthority.v1.AccessTokenServiceGrpc.newBlockingStub(channel)
            .createAccessToken(dev.tokenauthority.v1.CreateAccessTokenRequest.getDefaultInstance()));
    expect(Status.Code.UNAUTHENTICATED, "CREDENTIAL_MISSING",
        () -> dev.tokenauthority.v1.AccountApiTokenServiceGrpc.newBlockingStub(channel)
            .createApiToken(dev.tokenauthority.v1.CreateApiTokenRequest.getDefaultInstance()));
    expect(Status.Code.UNAUTHENTICATED, "CREDENTIAL_MISSING",
        () -> dev.tokenauthority.v1.DirectoryServiceGrpc.newBlockingStub(channel)
            .createTenant(CreateTenantRequest.getDefaultInstance()));
  }
}
