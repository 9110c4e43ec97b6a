package dev.tokenauthority.server.api;

import static dev.tokenauthority.server.testing.Errors.errorInfo;
import static dev.tokenauthority.server.testing.Errors.expect;
import static org.assertj.core.api.Assertions.assertThat;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.util.Timestamps;
import dev.tokenauthority.client.TokenAuthorityClient;
import dev.tokenauthority.server.ServerConfig;
import dev.tokenauthority.server.core.SigningKeys;
import dev.tokenauthority.server.testing.InProcessAuthority;
import dev.tokenauthority.server.testing.TestStores;
import dev.tokenauthority.v1.CreateTenantRequest;
import dev.tokenauthority.v1.CreateWorkspaceTokenRequest;
import dev.tokenauthority.v1.GetJwksRequest;
import dev.tokenauthority.v1.JsonWebKey;
import dev.tokenauthority.v1.JsonWebKeySet;
import dev.tokenauthority.v1.ListSigningKeysRequest;
import dev.tokenauthority.v1.Record;
import dev.tokenauthority.v1.RotateSigningKeyRequest;
import dev.tokenauthority.v1.RotateSigningKeyResponse;
import dev.tokenauthority.v1.SigningKey;
import dev.tokenauthority.v1.SigningKeyServiceGrpc;
import dev.tokenauthority.v1.SigningKeyState;
import dev.tokenauthority.v1.Tenant;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.MetadataUtils;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.AlgorithmParameters;
import java.security.KeyFactory;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SigningKeyService over gRPC and, for every behaviour, over HTTP through the embedded
 * gateway: the public JWKS, rotation, the key list, the scopes, and retention.
 */
class SigningKeyServiceTest {
  static final String JWKS = "/.well-known/jwks.json";
  static final Metadata.Key<String> CACHE_CONTROL = Metadata.Key.of("cache-control", Metadata.ASCII_STRING_MARSHALLER);

  @TempDir Path dataDir;
  InProcessAuthority authority;
  TokenAuthorityClient admin;
  HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() {
    authority = InProcessAuthority.start(TestStores.config(dataDir).withHttpPort(ServerConfig.ANY_FREE_PORT));
    admin = authority.admin();
    admin.createRecord(Record.newBuilder().setId("rec-1").build());
  }

  @AfterEach
  void stop() {
    authority.close();
  }

  // ---------------------------------------------------------------- HTTP helpers

  HttpResponse<String> get(String path, String bearer) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).GET();
    if (bearer != null) {
      request.header("Authorization", "Bearer " + bearer);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> post(String path, String json, String bearer) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json));
    if (bearer != null) {
      request.header("Authorization", "Bearer " + bearer);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + authority.httpPort() + path);
  }

  static JsonObject json(HttpResponse<String> response, int status) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    return JsonParser.parseString(response.body()).getAsJsonObject();
  }

  /** The reason of the one ErrorInfo of a google.rpc.Status JSON body. */
  static String reason(JsonObject status) {
    for (JsonElement detail : status.getAsJsonArray("details")) {
      if (detail.getAsJsonObject().get("@type").getAsString().endsWith("google.rpc.ErrorInfo")) {
        return detail.getAsJsonObject().get("reason").getAsString();
      }
    }
    throw new AssertionError("no ErrorInfo in " + status);
  }

  static List<String> kids(JsonObject jwks) {
    List<String> kids = new ArrayList<>();
    jwks.getAsJsonArray("keys").forEach(key -> kids.add(key.getAsJsonObject().get("kid").getAsString()));
    return kids;
  }

  List<String> grpcKids() {
    return anonymous().getJwks(GetJwksRequest.getDefaultInstance()).getKeysList().stream()
        .map(JsonWebKey::getKid).toList();
  }

  /** A stub that sends no credential at all. */
  SigningKeyServiceGrpc.SigningKeyServiceBlockingStub anonymous() {
    return SigningKeyServiceGrpc.newBlockingStub(authority.channel());
  }

  /** A JWK's public key, rebuilt as a relying party would. */
  static ECPublicKey publicKey(String x, String y) throws Exception {
    AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
    parameters.init(new ECGenParameterSpec("secp256r1"));
    ECPoint point = new ECPoint(new BigInteger(1, Base64.getUrlDecoder().decode(x)),
        new BigInteger(1, Base64.getUrlDecoder().decode(y)));
    return (ECPublicKey) KeyFactory.getInstance("EC")
        .generatePublic(new ECPublicKeySpec(point, parameters.getParameterSpec(ECParameterSpec.class)));
  }

  /** Verifies {@code jwt}'s signature with the key its kid names in the JWKS {@code jwks}, as a relying party does. */
  static void verifyWithJwks(String jwt, JsonObject jwks) throws Exception {
    String kid = JWT.decode(jwt).getKeyId();
    for (JsonElement element : jwks.getAsJsonArray("keys")) {
      JsonObject key = element.getAsJsonObject();
      if (key.get("kid").getAsString().equals(kid)) {
        Algorithm.ECDSA256(publicKey(key.get("x").getAsString(), key.get("y").getAsString()), null)
            .verify(JWT.decode(jwt)); // throws on a bad signature
        return;
      }
    }
    throw new AssertionError("the JWKS lacks kid " + kid);
  }

  /** A record token minted over HTTP: the seed's JSON, {@code token} and {@code expires_at} among it. */
  JsonObject recordTokenOverHttp(long expiresIn) throws Exception {
    return json(post("/api/v1/records/rec-1/tokens", "{\"expires_in\": " + expiresIn + "}", authority.adminSecret()), 201);
  }

  // ---------------------------------------------------------------- the JWKS

  @Test
  void theJwksIsExactlyRfc7517JsonAndVerifiesMintedJwtsOverHttp() throws Exception {
    HttpResponse<String> response = get(JWKS, null);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).matches("\\{\"keys\":\\[\\{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"[A-Za-z0-9_-]{43}\","
        + "\"y\":\"[A-Za-z0-9_-]{43}\",\"kid\":\"key_[a-z0-9]{24}\",\"use\":\"sig\",\"alg\":\"ES256\"}]}");
    assertThat(response.headers().firstValue("cache-control")).hasValue("public, max-age=5");
    assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
    JsonObject jwks = json(response, 200);
    JsonObject key = jwks.getAsJsonArray("keys").get(0).getAsJsonObject();
    assertThat(Base64.getUrlDecoder().decode(key.get("x").getAsString())).hasSize(32);
    assertThat(Base64.getUrlDecoder().decode(key.get("y").getAsString())).hasSize(32);
    verifyWithJwks(recordTokenOverHttp(600).get("token").getAsString(), jwks);
  }

  @Test
  void theJwksOverGrpcIsTheSameKeySetWithTheSameCacheControl() throws Exception {
    AtomicReference<Metadata> headers = new AtomicReference<>();
    AtomicReference<Metadata> trailers = new AtomicReference<>();
    JsonWebKeySet grpc = anonymous().withInterceptors(MetadataUtils.newCaptureMetadataInterceptor(headers, trailers))
        .getJwks(GetJwksRequest.getDefaultInstance());

    assertThat(headers.get().get(CACHE_CONTROL)).isEqualTo("public, max-age=" + SigningKeys.JWKS_MAX_AGE.toSeconds());
    JsonObject overHttp = json(get(JWKS, null), 200).getAsJsonArray("keys").get(0).getAsJsonObject();
    JsonWebKey key = grpc.getKeys(0);
    assertThat(grpc.getKeysCount()).isEqualTo(1);
    assertThat(List.of(key.getKty(), key.getCrv(), key.getX(), key.getY(), key.getKid(), key.getUse(), key.getAlg()))
        .containsExactly("EC", "P-256", overHttp.get("x").getAsString(), overHttp.get("y").getAsString(),
            overHttp.get("kid").getAsString(), "sig", "ES256");
    String jwt = admin.createRecordToken("rec-1", 600L).getToken();
    Algorithm.ECDSA256(publicKey(key.getX(), key.getY()), null).verify(JWT.decode(jwt));
  }

  @Test
  void theJwksTakesNoCredentialWhileTheAdminMethodsStillRequireOne() throws Exception {
    // public: no credential, and a bad one is not even looked at
    assertThat(anonymous().getJwks(GetJwksRequest.getDefaultInstance()).getKeysCount()).isEqualTo(1);
    assertThat(authority.client("taw_not_a_real_token").getJwks().getKeysCount()).isEqualTo(1);
    assertThat(get(JWKS, null).statusCode()).isEqualTo(200);
    assertThat(get(JWKS, "taw_not_a_real_token").statusCode()).isEqualTo(200);

    // the same service's other methods are not public
    expect(Status.Code.UNAUTHENTICATED, "CREDENTIAL_MISSING",
        () -> anonymous().listSigningKeys(ListSigningKeysRequest.getDefaultInstance()));
    expect(Status.Code.UNAUTHENTICATED, "CREDENTIAL_MISSING",
        () -> anonymous().rotateSigningKey(RotateSigningKeyRequest.getDefaultInstance()));
    assertThat(reason(json(get("/v1/signing-keys", null), 401))).isEqualTo("CREDENTIAL_MISSING");
    assertThat(reason(json(post("/v1/signing-keys:rotate", "{}", null), 401))).isEqualTo("CREDENTIAL_MISSING");
    assertThat(grpcKids()).hasSize(1); // nothing rotated
  }

  // ---------------------------------------------------------------- rotation

  @Test
  void rotationOverGrpcSignsWithTheNewKeyAndKeepsTheOldOnePublished() throws Exception {
    var beforeToken = admin.createRecordToken("rec-1", 600L);
    String before = beforeToken.getToken();
    String oldKid = JWT.decode(before).getKeyId();

    RotateSigningKeyResponse rotated = admin.rotateSigningKey();

    assertThat(rotated.getPreviousKid()).isEqualTo(oldKid);
    assertThat(rotated.getKid()).matches("key_[a-z0-9]{24}").isNotEqualTo(oldKid);
    assertThat(rotated.getCreatedAt()).isEqualTo(Timestamps.fromMillis(authority.clock().instant().toEpochMilli()));
    String after = admin.createRecordToken("rec-1", 600L).getToken();
    assertThat(JWT.decode(after).getKeyId()).isEqualTo(rotated.getKid());
    assertThat(grpcKids()).containsExactly(rotated.getKid(), oldKid);
    JsonObject jwks = json(get(JWKS, null), 200);
    verifyWithJwks(before, jwks);
    verifyWithJwks(after, jwks);

    List<SigningKey> keys = admin.listSigningKeys().getSigningKeysList();
    assertThat(keys).extracting(SigningKey::getKid).containsExactly(rotated.getKid(), oldKid);
    assertThat(keys).extracting(SigningKey::getState)
        .containsExactly(SigningKeyState.SIGNING_KEY_STATE_CURRENT, SigningKeyState.SIGNING_KEY_STATE_RETIRED);
    assertThat(keys.get(0).hasRetiredAt()).isFalse();
    assertThat(keys.get(0).hasPublishedUntil()).isFalse();
    assertThat(keys.get(0).getAlgorithm()).isEqualTo("ES256");
    assertThat(keys.get(1).getRetiredAt()).isEqualTo(rotated.getCreatedAt());
    assertThat(keys.get(1).getPublishedUntil()).isEqualTo(beforeToken.getExpiresAt()); // its last token's expiry
  }

  @Test
  void rotationOverHttpSignsWithTheNewKeyAndListsBothKeys() throws Exception {
    JsonObject beforeToken = recordTokenOverHttp(600);
    String before = beforeToken.get("token").getAsString();

    JsonObject rotated = json(post("/v1/signing-keys:rotate", "{}", authority.adminSecret()), 200);

    assertThat(rotated.keySet()).containsExactly("kid", "createdAt", "previousKid");
    assertThat(rotated.get("previousKid").getAsString()).isEqualTo(JWT.decode(before).getKeyId());
    String after = recordTokenOverHttp(600).get("token").getAsString();
    assertThat(JWT.decode(after).getKeyId()).isEqualTo(rotated.get("kid").getAsString());
    JsonObject jwks = json(get(JWKS, null), 200);
    assertThat(kids(jwks)).containsExactly(rotated.get("kid").getAsString(), rotated.get("previousKid").getAsString());
    verifyWithJwks(before, jwks);
    verifyWithJwks(after, jwks);

    JsonArray keys = json(get("/v1/signing-keys", authority.adminSecret()), 200).getAsJsonArray("signingKeys");
    assertThat(keys).hasSize(2);
    JsonObject current = keys.get(0).getAsJsonObject();
    assertThat(current.keySet()).containsExactlyInAnyOrder("kid", "algorithm", "createdAt", "retiredAt", "state",
        "publishedUntil");
    assertThat(current.get("kid").getAsString()).isEqualTo(rotated.get("kid").getAsString());
    assertThat(current.get("state").getAsString()).isEqualTo("SIGNING_KEY_STATE_CURRENT");
    assertThat(current.get("retiredAt").isJsonNull()).isTrue();
    assertThat(current.get("publishedUntil").isJsonNull()).isTrue();
    JsonObject retired = keys.get(1).getAsJsonObject();
    assertThat(retired.get("state").getAsString()).isEqualTo("SIGNING_KEY_STATE_RETIRED");
    assertThat(retired.get("retiredAt").getAsString()).isEqualTo(rotated.get("createdAt").getAsString());
    assertThat(Instant.parse(retired.get("publishedUntil").getAsString()))
        .isEqualTo(Instant.parse(beforeToken.get("expires_at").getAsString()));
  }

  // ---------------------------------------------------------------- scopes

  @Test
  void onlyTheBootstrapAdminMayRotateOrListKeysOverGrpc() {
    TokenAuthorityClient tenantAdmin = authority.client(admin.createTenant(CreateTenantRequest.newBuilder()
        .setTenant(Tenant.newBuilder().setName("Globex")).setAdminEmail("owner@globex.example").build())
        .getAdminToken().getToken());
    var e = expect(Status.Code.PERMISSION_DENIED, "SCOPE_MISSING", tenantAdmin::rotateSigningKey);
    assertThat(errorInfo(e).getMetadataMap()).containsEntry("scope", "keys:write");
    e = expect(Status.Code.PERMISSION_DENIED, "SCOPE_MISSING", tenantAdmin::listSigningKeys);
    assertThat(errorInfo(e).getMetadataMap()).containsEntry("scope", "keys:read");
    expect(Status.Code.PERMISSION_DENIED, "SCOPE_ESCALATION", () -> tenantAdmin.createWorkspaceToken(
        CreateWorkspaceTokenRequest.newBuilder().setName("keys").addScopes("keys:read").build()));

    // the bootstrap admin may hand keys:read alone to a monitoring token
    TokenAuthorityClient monitor = authority.client(admin.createWorkspaceToken(CreateWorkspaceTokenRequest.newBuilder()
        .setName("monitor").addScopes("keys:read").build()).getToken());
    assertThat(monitor.listSigningKeys().getSigningKeysCount()).isEqualTo(1);
    expect(Status.Code.PERMISSION_DENIED, "SCOPE_MISSING", monitor::rotateSigningKey);
    assertThat(grpcKids()).hasSize(1);
  }

  @Test
  void onlyTheBootstrapAdminMayRotateOrListKeysOverHttp() throws Exception {
    String tenantAdmin = json(post("/v1/tenants", "{\"tenant\": {\"name\": \"Globex\"}, \"adminEmail\": "
        + "\"owner@globex.example\"}", authority.adminSecret()), 200).getAsJsonObject("adminToken").get("token").getAsString();
    assertThat(reason(json(post("/v1/signing-keys:rotate", "{}", tenantAdmin), 403))).isEqualTo("SCOPE_MISSING");
    assertThat(reason(json(get("/v1/signing-keys", tenantAdmin), 403))).isEqualTo("SCOPE_MISSING");

    String monitor = json(post("/tokens", "{\"name\": \"monitor\", \"scopes\": [\"keys:read\"]}",
        authority.adminSecret()), 201).get("token").getAsString();
    assertThat(json(get("/v1/signing-keys", monitor), 200).getAsJsonArray("signingKeys")).hasSize(1);
    assertThat(reason(json(post("/v1/signing-keys:rotate", "{}", monitor), 403))).isEqualTo("SCOPE_MISSING");
    assertThat(kids(json(get(JWKS, null), 200))).hasSize(1);
  }

  // ---------------------------------------------------------------- retention

  @Test
  void aRetiredKeyLeavesTheJwksWhenItsLastTokenExpiresOverGrpcAndHttp() throws Exception {
    var token = admin.createRecordToken("rec-1", 3600L);
    RotateSigningKeyResponse rotated = admin.rotateSigningKey();
    Instant lastExpiry = Instant.ofEpochSecond(token.getExpiresAt().getSeconds(), token.getExpiresAt().getNanos());

    authority.clock().set(lastExpiry.minusMillis(1));
    assertThat(grpcKids()).containsExactly(rotated.getKid(), rotated.getPreviousKid());
    assertThat(kids(json(get(JWKS, null), 200))).containsExactly(rotated.getKid(), rotated.getPreviousKid());

    authority.clock().set(lastExpiry);
    assertThat(grpcKids()).containsExactly(rotated.getKid());
    assertThat(kids(json(get(JWKS, null), 200))).containsExactly(rotated.getKid());
    SigningKey expired = admin.listSigningKeys().getSigningKeys(1);
    assertThat(expired.getState()).isEqualTo(SigningKeyState.SIGNING_KEY_STATE_EXPIRED);
    assertThat(expired.getPublishedUntil()).isEqualTo(token.getExpiresAt());
    JsonObject overHttp = json(get("/v1/signing-keys", authority.adminSecret()), 200)
        .getAsJsonArray("signingKeys").get(1).getAsJsonObject();
    assertThat(overHttp.get("state").getAsString()).isEqualTo("SIGNING_KEY_STATE_EXPIRED");
    assertThat(Instant.parse(overHttp.get("publishedUntil").getAsString())).isEqualTo(lastExpiry);
  }
}
