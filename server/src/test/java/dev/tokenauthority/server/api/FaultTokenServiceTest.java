package dev.tokenauthority.server.api;

import static dev.tokenauthority.server.testing.Errors.expect;
import static dev.tokenauthority.server.testing.Errors.expectInvalid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.SignatureVerificationException;
import com.auth0.jwt.interfaces.DecodedJWT;
import com.google.protobuf.util.Timestamps;
import dev.tokenauthority.client.Credentials;
import dev.tokenauthority.client.TokenAuthorityClient;
import dev.tokenauthority.server.core.Secrets;
import dev.tokenauthority.server.testing.Errors;
import dev.tokenauthority.server.testing.InProcessAuthority;
import dev.tokenauthority.server.testing.StoreProbe;
import dev.tokenauthority.server.testing.TestStores;
import dev.tokenauthority.v1.CreateWorkspaceTokenRequest;
import dev.tokenauthority.v1.FaultToken;
import dev.tokenauthority.v1.FaultTokenServiceGrpc;
import dev.tokenauthority.v1.GenerateFaultTokenRequest;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Seed 001 (Altostrat, POST /fault/token) over gRPC. */
class FaultTokenServiceTest {
  private static final Pattern SHORT_LINK = Pattern.compile("http://localhost:8080/s/([0-9A-Za-z]{16})");
  private static final int THIRTY_DAYS_IN_MINUTES = 43_200;

  @TempDir Path dataDir;
  InProcessAuthority authority;
  StoreProbe store;
  TokenAuthorityClient admin;
  /** The server's time during each test: whole milliseconds, but not whole seconds. */
  Instant now;

  @BeforeEach
  void start() {
    authority = InProcessAuthority.start(dataDir);
    store = new StoreProbe(dataDir);
    now = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusMillis(683);
    authority.clock().set(now);
    admin = authority.admin();
  }

  @AfterEach
  void stop() {
    authority.close();
  }

  // ---------------------------------------------------------------- happy path

  @Test
  void generatesATokenWithEveryDocumentedField() {
    FaultToken token = admin.generateFaultToken(60);

    assertThat(token.getToken()).startsWith("eyJ").matches("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+");
    assertThat(token.getType()).isEqualTo("jwt");
    assertThat(token.getExpiresInMinutes()).isEqualTo(60);
    assertThat(token.getExpiresAt())
        .isEqualTo(Timestamps.fromMillis(authority.clock().instant().plus(Duration.ofMinutes(60)).toEpochMilli()));
    assertThat(token.getShortLink()).matches(SHORT_LINK);
  }

  @Test
  void theTokenIsAnEs256JwtWithTheDocumentedClaims() throws Exception {
    FaultToken token = admin.generateFaultToken(60);
    DecodedJWT jwt = JWT.decode(token.getToken());

    assertThat(jwt.getAlgorithm()).isEqualTo("ES256");
    assertThat(jwt.getKeyId()).matches("key_[a-z0-9]{24}");
    assertThat(jwt.getIssuer()).isEqualTo(TestStores.config(dataDir).issuer());
    assertThat(jwt.getSubject()).isEqualTo(store.bootstrapAdminUserId());
    assertThat(jwt.getAudience()).containsExactly("faults");
    assertThat(jwt.getClaim("scope").asString()).isEqualTo("faults:read");
    assertThat(jwt.getClaim("tid").asString()).isEqualTo(store.bootstrapTenantId());
    assertThat(jwt.getId()).matches("ftk_[a-z0-9]{24}");
    assertThat(jwt.getClaim("rec").isMissing()).as("a fault token names no record").isTrue();
    assertThat(jwt.getIssuedAtAsInstant()).isEqualTo(now.truncatedTo(ChronoUnit.SECONDS));
    assertThat(jwt.getExpiresAtAsInstant().getEpochSecond() - jwt.getIssuedAtAsInstant().getEpochSecond())
        .isEqualTo(60 * 60);
    assertThat(jwt.getExpiresAtAsInstant().getEpochSecond()).isEqualTo(token.getExpiresAt().getSeconds());
  }

  @Test
  void theSignatureVerifiesWithThePublishedKeyOfItsKid() throws Exception {
    FaultToken token = admin.generateFaultToken(60);
    DecodedJWT jwt = JWT.decode(token.getToken());
    Algorithm es256 = Algorithm.ECDSA256(store.publicKey(jwt.getKeyId()), null);

    es256.verify(jwt); // throws SignatureVerificationException on a bad signature
    JWTVerifier verifier = ((com.auth0.jwt.JWTVerifier.BaseVerification) JWT.require(es256)
        .withIssuer(TestStores.config(dataDir).issuer())
        .withAudience("faults")
        .withSubject(store.bootstrapAdminUserId())
        .withClaim("tid", store.bootstrapTenantId())
        .withClaim("scope", "faults:read"))
        .build(Clock.fixed(now, ZoneOffset.UTC));
    assertThat(verifier.verify(token.getToken()).getId()).isEqualTo(jwt.getId());
  }

  @Test
  void aTamperedTokenFailsVerification() throws Exception {
    DecodedJWT jwt = JWT.decode(admin.generateFaultToken(60).getToken());
    Algorithm es256 = Algorithm.ECDSA256(store.publicKey(jwt.getKeyId()), null);

    String payload = new String(Base64.getUrlDecoder().decode(jwt.getPayload()), StandardCharsets.UTF_8);
    assertThat(payload).contains("\"faults:read\"");
    String forgedPayload = Base64.getUrlEncoder().withoutPadding()
        .encodeToString(payload.replace("\"faults:read\"", "\"faults:write\"").getBytes(StandardCharsets.UTF_8));
    DecodedJWT forged = JWT.decode(jwt.getHeader() + "." + forgedPayload + "." + jwt.getSignature());

    assertThat(forged.getClaim("scope").asString()).isEqualTo("faults:write");
    assertThatThrownBy(() -> es256.verify(forged)).isInstanceOf(SignatureVerificationException.class);
  }

  @Test
  void twoTokensHaveDifferentShortLinksAndIds() {
    FaultToken first = admin.generateFaultToken(60);
    FaultToken second = admin.generateFaultToken(60);

    assertThat(second.getShortLink()).matches(SHORT_LINK).isNotEqualTo(first.getShortLink());
    assertThat(JWT.decode(second.getToken()).getId()).isNotEqualTo(JWT.decode(first.getToken()).getId());
    assertThat(second.getToken()).isNotEqualTo(first.getToken());
  }

  @Test
  void expiresAtFollowsTheServerClock() {
    authority.clock().advance(Duration.ofDays(3).plusMillis(5));
    Instant later = authority.clock().instant();

    FaultToken token = admin.generateFaultToken(90);

    assertThat(token.getExpiresAt())
        .isEqualTo(Timestamps.fromMillis(later.plus(Duration.ofMinutes(90)).toEpochMilli()));
    assertThat(JWT.decode(token.getToken()).getIssuedAtAsInstant()).isEqualTo(later.truncatedTo(ChronoUnit.SECONDS));
  }

  // ---------------------------------------------------------------- expire_after_minutes

  @Test
  void expireAfterMinutesOfOneAndOfThirtyDaysAreAccepted() {
    for (int minutes : new int[] {1, THIRTY_DAYS_IN_MINUTES}) {
      FaultToken token = admin.generateFaultToken(minutes);
      DecodedJWT jwt = JWT.decode(token.getToken());

      assertThat(token.getExpiresInMinutes()).isEqualTo(minutes);
      assertThat(token.getExpiresAt()).as("expires_at for %d minutes", minutes)
          .isEqualTo(Timestamps.fromMillis(now.plus(Duration.ofMinutes(minutes)).toEpochMilli()));
      assertThat(jwt.getExpiresAtAsInstant().getEpochSecond() - jwt.getIssuedAtAsInstant().getEpochSecond())
          .as("exp - iat for %d minutes", minutes).isEqualTo(minutes * 60L);
    }
  }

  @Test
  void expireAfterMinutesOutsideOneToThirtyDaysIsInvalid() {
    for (int minutes : new int[] {0, -5, THIRTY_DAYS_IN_MINUTES + 1, Integer.MIN_VALUE, Integer.MAX_VALUE}) {
      var e = expectInvalid(() -> admin.generateFaultToken(minutes), "expire_after_minutes");
      assertThat(e.getStatus().getDescription()).contains("expire_after_minutes");
    }
  }

  @Test
  void expireAfterMinutesIsRequired() {
    var stub = FaultTokenServiceGrpc.newBlockingStub(authority.channel())
        .withCallCredentials(Credentials.bearer(authority.adminSecret()));

    var e = expectInvalid(() -> stub.generateFaultToken(GenerateFaultTokenRequest.getDefaultInstance()),
        "expire_after_minutes");
    assertThat(e.getStatus().getDescription()).contains("expire_after_minutes").contains("required");
  }

  // ---------------------------------------------------------------- scopes and credentials

  @Test
  void requiresFaultsRead() {
    String writer = workspaceToken("writer", "tokens:write");
    var e = expect(Status.Code.PERMISSION_DENIED, "SCOPE_MISSING",
        () -> authority.client(writer).generateFaultToken(60));
    assertThat(e.getStatus().getDescription()).contains("faults:read");
    assertThat(Errors.errorInfo(e).getMetadataMap()).containsEntry("scope", "faults:read");
  }

  @Test
  void requiresTokensWrite() {
    String reader = workspaceToken("reader", "faults:read");
    var e = expect(Status.Code.PERMISSION_DENIED, "SCOPE_MISSING",
        () -> authority.client(reader).generateFaultToken(60));
    assertThat(Errors.errorInfo(e).getMetadataMap()).containsEntry("scope", "tokens:write");
  }

  @Test
  void aTokenWithBothScopesMintsAsItsUser() throws Exception {
    String both = workspaceToken("both", "tokens:write", "faults:read");
    DecodedJWT jwt = JWT.decode(authority.client(both).generateFaultToken(5).getToken());

    assertThat(jwt.getSubject()).isEqualTo(store.bootstrapAdminUserId());
    assertThat(jwt.getClaim("tid").asString()).isEqualTo(store.bootstrapTenantId());
  }

  @Test
  void aCredentialIsRequired() {
    var stub = FaultTokenServiceGrpc.newBlockingStub(authority.channel());

    expect(Status.Code.UNAUTHENTICATED, "CREDENTIAL_MISSING",
        () -> stub.generateFaultToken(GenerateFaultTokenRequest.newBuilder().setExpireAfterMinutes(60).build()));
  }

  @Test
  void theFaultJwtCannotAuthenticate() {
    String jwt = admin.generateFaultToken(60).getToken();

    var e = expect(Status.Code.UNAUTHENTICATED, "CREDENTIAL_INVALID",
        () -> authority.client(jwt).generateFaultToken(60));
    assertThat(e.getStatus().getDescription()).doesNotContain(jwt);
    expect(Status.Code.UNAUTHENTICATED, "CREDENTIAL_INVALID",
        () -> admin.withCredentials(Credentials.apiKey(jwt)).generateFaultToken(60));
  }

  // ---------------------------------------------------------------- storage

  @Test
  void theDatabaseStoresNeitherTheJwtNorTheShortLinkCode() throws Exception {
    FaultToken token = admin.generateFaultToken(60);
    DecodedJWT jwt = JWT.decode(token.getToken());
    Matcher link = SHORT_LINK.matcher(token.getShortLink());
    assertThat(link.matches()).isTrue();
    String code = link.group(1);

    List<String> values = store.everyTextValue();

    assertThat(values).as("the token row is stored by its jti").contains(jwt.getId());
    assertThat(values).as("the short link is stored by the hash of its code").contains(Secrets.hash(code));
    assertThat(values).noneMatch(v -> v.contains(token.getToken()));
    assertThat(values).noneMatch(v -> v.contains(jwt.getSignature()));
    assertThat(values).noneMatch(v -> v.contains(code));
  }

  // ---------------------------------------------------------------- helpers

  private String workspaceToken(String name, String... scopes) {
    return admin.createWorkspaceToken(CreateWorkspaceTokenRequest.newBuilder()
        .setName(name).addAllScopes(List.of(scopes)).build()).getToken();
  }






}
