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
import com.google.protobuf.util.Durations;
import com.google.protobuf.util.Timestamps;
import dev.tokenauthority.client.Credentials;
import dev.tokenauthority.client.TokenAuthorityClient;
import dev.tokenauthority.server.testing.Errors;
import dev.tokenauthority.server.testing.InProcessAuthority;
import dev.tokenauthority.server.testing.StoreProbe;
import dev.tokenauthority.server.testing.TestStores;
import dev.tokenauthority.v1.CreateTenantRequest;
import dev.tokenauthority.v1.CreateTenantResponse;
import dev.tokenauthority.v1.CreateWorkspaceTokenRequest;
import dev.tokenauthority.v1.Record;
import dev.tokenauthority.v1.RecordToken;
import dev.tokenauthority.v1.Tenant;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Seed 000 (FlowEQ, POST /api/v1/records/{record}/tokens) over gRPC. */
class RecordTokenServiceTest {
  private static final long DAY = 86_400;
  private static final long THIRTY_DAYS = 2_592_000;

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
    now = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusMillis(437);
    authority.clock().set(now);
    admin = authority.admin();
    admin.createRecord(Record.newBuilder().setId("rec-1").build());
  }

  @AfterEach
  void stop() {
    authority.close();
  }

  // ---------------------------------------------------------------- happy path

  @Test
  void createsATokenWithEveryDocumentedField() throws Exception {
    String tenantId = store.bootstrapTenantId();
    String userId = store.bootstrapAdminUserId();

    RecordToken token = admin.createRecordToken("rec-1", null);

    assertThat(token.getCompanyId()).isEqualTo(tenantId).matches("ten_[a-z0-9]{24}");
    assertThat(token.getCompanyIdAlias()).isEqualTo(tenantId);
    assertThat(token.getCreatedAt()).isEqualTo(Timestamps.fromMillis(now.toEpochMilli()));
    assertThat(token.getCreatedAtAlias()).isEqualTo(token.getCreatedAt());
    assertThat(token.getExpiresAt()).isEqualTo(Timestamps.add(token.getCreatedAt(), Durations.fromSeconds(DAY)));
    assertThat(token.getKey()).matches("rtk_[a-z0-9]{24}");
    assertThat(token.getRecordId()).isEqualTo("rec-1");
    assertThat(token.getType()).isEqualTo("record");
    assertThat(token.getUserId()).isEqualTo(userId).matches("usr_[a-z0-9]{24}");
    assertThat(token.getUserIdAlias()).isEqualTo(userId);
    assertThat(token.getToken()).startsWith("eyJ").matches("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+");
  }

  @Test
  void theTokenIsAnEs256JwtWithTheDocumentedClaims() throws Exception {
    RecordToken token = admin.createRecordToken("rec-1", null);
    DecodedJWT jwt = JWT.decode(token.getToken());

    assertThat(jwt.getAlgorithm()).isEqualTo("ES256");
    assertThat(jwt.getKeyId()).matches("key_[a-z0-9]{24}");
    assertThat(jwt.getIssuer()).isEqualTo(TestStores.config(dataDir).issuer());
    assertThat(jwt.getSubject()).isEqualTo(token.getUserId());
    assertThat(jwt.getAudience()).containsExactly("records");
    assertThat(jwt.getIssuedAtAsInstant()).isEqualTo(now.truncatedTo(ChronoUnit.SECONDS));
    assertThat(jwt.getExpiresAtAsInstant().getEpochSecond() - jwt.getIssuedAtAsInstant().getEpochSecond())
        .isEqualTo(DAY);
    assertThat(jwt.getExpiresAtAsInstant().getEpochSecond()).isEqualTo(token.getExpiresAt().getSeconds());
    assertThat(jwt.getId()).isEqualTo(token.getKey());
    assertThat(jwt.getClaim("tid").asString()).isEqualTo(token.getCompanyId());
    assertThat(jwt.getClaim("rec").asString()).isEqualTo("rec-1");
    assertThat(jwt.getClaim("scope").asString()).isEqualTo("records:update");
  }

  @Test
  void theSignatureVerifiesWithThePublishedKeyOfItsKid() throws Exception {
    RecordToken token = admin.createRecordToken("rec-1", null);
    DecodedJWT jwt = JWT.decode(token.getToken());
    Algorithm es256 = Algorithm.ECDSA256(store.publicKey(jwt.getKeyId()), null);

    es256.verify(jwt); // throws SignatureVerificationException on a bad signature
    JWTVerifier verifier = ((com.auth0.jwt.JWTVerifier.BaseVerification) JWT.require(es256)
        .withIssuer(TestStores.config(dataDir).issuer())
        .withAudience("records")
        .withSubject(token.getUserId())
        .withJWTId(token.getKey())
        .withClaim("tid", token.getCompanyId())
        .withClaim("rec", "rec-1")
        .withClaim("scope", "records:update"))
        .build(Clock.fixed(now, ZoneOffset.UTC));
    assertThat(verifier.verify(token.getToken()).getId()).isEqualTo(token.getKey());
  }

  @Test
  void aTamperedTokenFailsVerification() throws Exception {
    RecordToken token = admin.createRecordToken("rec-1", null);
    DecodedJWT jwt = JWT.decode(token.getToken());
    Algorithm es256 = Algorithm.ECDSA256(store.publicKey(jwt.getKeyId()), null);

    String payload = new String(Base64.getUrlDecoder().decode(jwt.getPayload()), StandardCharsets.UTF_8);
    assertThat(payload).contains("\"rec-1\"");
    String forgedPayload = Base64.getUrlEncoder().withoutPadding()
        .encodeToString(payload.replace("\"rec-1\"", "\"rec-2\"").getBytes(StandardCharsets.UTF_8));
    DecodedJWT forged = JWT.decode(jwt.getHeader() + "." + forgedPayload + "." + jwt.getSignature());

    assertThat(forged.getClaim("rec").asString()).isEqualTo("rec-2");
    assertThatThrownBy(() -> es256.verify(forged)).isInstanceOf(SignatureVerificationException.class);
  }

  @Test
  void eachTokenHasItsOwnKey() {
    RecordToken first = admin.createRecordToken("rec-1", null);
    RecordToken second = admin.createRecordToken("rec-1", null);

    assertThat(second.getKey()).isNotEqualTo(first.getKey());
    assertThat(JWT.decode(second.getToken()).getId()).isEqualTo(second.getKey());
    assertThat(second.getToken()).isNotEqualTo(first.getToken());
  }

  // ---------------------------------------------------------------- expires_in

  @Test
  void expiresInDefaultsToOneDay() {
    RecordToken token = admin.createRecordToken("rec-1", null);
    DecodedJWT jwt = JWT.decode(token.getToken());

    assertThat(Timestamps.between(token.getCreatedAt(), token.getExpiresAt())).isEqualTo(Durations.fromSeconds(DAY));
    assertThat(jwt.getExpiresAtAsInstant().getEpochSecond() - jwt.getIssuedAtAsInstant().getEpochSecond())
        .isEqualTo(DAY);
  }

  @Test
  void expiresInOfOneSecondAndOfThirtyDaysAreAccepted() {
    for (long seconds : new long[] {1, 12_345, THIRTY_DAYS}) {
      RecordToken token = admin.createRecordToken("rec-1", seconds);
      DecodedJWT jwt = JWT.decode(token.getToken());

      assertThat(jwt.getExpiresAtAsInstant().getEpochSecond() - jwt.getIssuedAtAsInstant().getEpochSecond())
          .as("exp - iat for expires_in %d", seconds).isEqualTo(seconds);
      assertThat(token.getCreatedAt()).isEqualTo(Timestamps.fromMillis(now.toEpochMilli()));
      assertThat(token.getExpiresAt()).as("expires_at for expires_in %d", seconds)
          .isEqualTo(Timestamps.fromMillis(now.plusSeconds(seconds).toEpochMilli()));
    }
  }

  @Test
  void expiresInOutsideOneSecondToThirtyDaysIsInvalid() {
    for (long seconds : new long[] {0, -1, THIRTY_DAYS + 1, Long.MIN_VALUE, Long.MAX_VALUE}) {
      var e = expectInvalid(() -> admin.createRecordToken("rec-1", seconds), "expires_in");
      assertThat(e.getStatus().getDescription()).contains("expires_in");
    }
  }

  // ---------------------------------------------------------------- record

  @Test
  void recordIsRequired() {
    expectInvalid(() -> admin.createRecordToken("", null), "record");
  }

  @Test
  void aMalformedRecordIdIsInvalid() {
    expectInvalid(() -> admin.createRecordToken("rec 1/../x", null), "record");
  }

  @Test
  void everyInvalidFieldIsNamedInOneAnswer() {
    expectInvalid(() -> admin.createRecordToken("", 0L), "record", "expires_in");
  }

  @Test
  void anUnknownRecordIsNotFound() {
    var e = expect(Status.Code.NOT_FOUND, "RESOURCE_NOT_FOUND", () -> admin.createRecordToken("rec-404", null));
    assertThat(Errors.errorInfo(e).getMetadataMap())
        .containsEntry("type", "record")
        .containsEntry("id", "rec-404");
  }

  @Test
  void aRecordOfAnotherCompanyIsNotFound() {
    CreateTenantResponse other = createTenant("Other Co", "owner@other.example");
    TokenAuthorityClient otherAdmin = authority.client(other.getAdminToken().getToken());
    otherAdmin.createRecord(Record.newBuilder().setId("rec-other").build());

    var e = expect(Status.Code.NOT_FOUND, "RESOURCE_NOT_FOUND", () -> admin.createRecordToken("rec-other", null));
    assertThat(Errors.errorInfo(e).getMetadataMap()).containsEntry("id", "rec-other");
    // and the other way round: the first company's record is invisible to the other company
    expect(Status.Code.NOT_FOUND, "RESOURCE_NOT_FOUND", () -> otherAdmin.createRecordToken("rec-1", null));
    // while its own record is found
    assertThat(otherAdmin.createRecordToken("rec-other", null).getRecordId()).isEqualTo("rec-other");
  }

  @Test
  void aTenantAdminMintsTokensOfItsOwnCompany() throws Exception {
    CreateTenantResponse other = createTenant("Other Co", "owner@other.example");
    TokenAuthorityClient otherAdmin = authority.client(other.getAdminToken().getToken());
    // the same record ID in two companies names two different records
    otherAdmin.createRecord(Record.newBuilder().setId("rec-1").build());

    RecordToken token = otherAdmin.createRecordToken("rec-1", 600L);

    assertThat(token.getCompanyId()).isEqualTo(other.getTenant().getId()).isNotEqualTo(store.bootstrapTenantId());
    assertThat(token.getCompanyIdAlias()).isEqualTo(other.getTenant().getId());
    assertThat(token.getUserId()).isEqualTo(other.getAdminUser().getId()).isNotEqualTo(store.bootstrapAdminUserId());
    assertThat(token.getUserIdAlias()).isEqualTo(other.getAdminUser().getId());
    assertThat(token.getRecordId()).isEqualTo("rec-1");
    DecodedJWT jwt = JWT.decode(token.getToken());
    assertThat(jwt.getClaim("tid").asString()).isEqualTo(other.getTenant().getId());
    assertThat(jwt.getSubject()).isEqualTo(other.getAdminUser().getId());
    Algorithm.ECDSA256(store.publicKey(jwt.getKeyId()), null).verify(jwt);
  }

  // ---------------------------------------------------------------- scopes and credentials

  @Test
  void requiresRecordsUpdate() {
    String writer = workspaceToken("writer", "tokens:write");
    var e = expect(Status.Code.PERMISSION_DENIED, "SCOPE_MISSING",
        () -> authority.client(writer).createRecordToken("rec-1", null));
    assertThat(e.getStatus().getDescription()).contains("records:update");
    assertThat(Errors.errorInfo(e).getMetadataMap()).containsEntry("scope", "records:update");
  }

  @Test
  void requiresTokensWrite() {
    String updater = workspaceToken("updater", "records:update");
    var e = expect(Status.Code.PERMISSION_DENIED, "SCOPE_MISSING",
        () -> authority.client(updater).createRecordToken("rec-1", null));
    assertThat(e.getStatus().getDescription()).contains("tokens:write");
    assertThat(Errors.errorInfo(e).getMetadataMap()).containsEntry("scope", "tokens:write");
  }

  @Test
  void aTokenWithBothScopesMintsAsItsUser() throws Exception {
    String both = workspaceToken("both", "tokens:write", "records:update");
    RecordToken token = authority.client(both).createRecordToken("rec-1", null);

    assertThat(token.getUserId()).isEqualTo(store.bootstrapAdminUserId());
    assertThat(token.getCompanyId()).isEqualTo(store.bootstrapTenantId());
  }

  @Test
  void theRecordJwtCannotAuthenticate() {
    String jwt = admin.createRecordToken("rec-1", null).getToken();

    var e = expect(Status.Code.UNAUTHENTICATED, "CREDENTIAL_INVALID",
        () -> authority.client(jwt).createRecordToken("rec-1", null));
    assertThat(e.getStatus().getDescription()).doesNotContain(jwt);
    expect(Status.Code.UNAUTHENTICATED, "CREDENTIAL_INVALID",
        () -> admin.withCredentials(Credentials.apiKey(jwt)).createRecordToken("rec-1", null));
  }

  @Test
  void theDatabaseStoresNoRecordJwt() throws Exception {
    RecordToken token = admin.createRecordToken("rec-1", null);
    String signature = JWT.decode(token.getToken()).getSignature();

    List<String> values = store.everyTextValue();
    assertThat(values).as("the token row is stored by its key").contains(token.getKey());
    assertThat(values).noneMatch(v -> v.contains(token.getToken()));
    assertThat(values).noneMatch(v -> v.contains(signature));
  }

  // ---------------------------------------------------------------- helpers

  private CreateTenantResponse createTenant(String name, String adminEmail) {
    return admin.createTenant(CreateTenantRequest.newBuilder()
        .setTenant(Tenant.newBuilder().setName(name))
        .setAdminEmail(adminEmail)
        .build());
  }

  private String workspaceToken(String name, String... scopes) {
    return admin.createWorkspaceToken(CreateWorkspaceTokenRequest.newBuilder()
        .setName(name).addAllScopes(List.of(scopes)).build()).getToken();
  }






}
