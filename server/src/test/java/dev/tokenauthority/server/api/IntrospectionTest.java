package dev.tokenauthority.server.api;

import static dev.tokenauthority.server.testing.Errors.expect;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenauthority.client.TokenAuthorityClient;
import dev.tokenauthority.server.testing.ForgedJwts;
import dev.tokenauthority.server.testing.InProcessAuthority;
import dev.tokenauthority.v1.AccessToken;
import dev.tokenauthority.v1.Account;
import dev.tokenauthority.v1.ApiToken;
import dev.tokenauthority.v1.CreateWorkspaceTokenRequest;
import dev.tokenauthority.v1.IntrospectTokenResponse;
import dev.tokenauthority.v1.Record;
import dev.tokenauthority.v1.RecordToken;
import dev.tokenauthority.v1.RevokeTokensCreatedByRequest;
import dev.tokenauthority.v1.WorkspaceToken;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** RFC 7662 introspection and access checks, for every kind of token, over gRPC. */
class IntrospectionTest {
  @TempDir Path dataDir;
  InProcessAuthority authority;
  TokenAuthorityClient admin;

  @BeforeEach
  void start() {
    authority = InProcessAuthority.start(dataDir);
    admin = authority.admin();
    admin.createRecord(Record.newBuilder().setId("rec-1").build());
    admin.createAccount(Account.newBuilder().setId("acc-1").setName("Acme").build());
  }

  @AfterEach
  void stop() {
    authority.close();
  }

  @Test
  void anActiveOpaqueTokenIsDescribed() {
    WorkspaceToken token = admin.createWorkspaceToken(CreateWorkspaceTokenRequest.newBuilder().setName("ci")
        .addScopes("tokens:read").addScopes("tokens:write").build());
    IntrospectTokenResponse answer = admin.introspectToken(token.getToken());
    assertThat(answer.getActive()).isTrue();
    assertThat(answer.getScope()).isEqualTo("tokens:read tokens:write");
    assertThat(answer.getTokenType()).isEqualTo("workspace");
    assertThat(answer.getJti()).isEqualTo(token.getId());
    assertThat(answer.getUsername()).isEqualTo("admin@localhost");
    assertThat(answer.getSub()).startsWith("usr_");
    assertThat(answer.getTenantId()).startsWith("ten_");
    assertThat(answer.getIat()).isEqualTo(token.getCreatedAt().getSeconds());
    assertThat(answer.getExp()).isZero();

    AccessToken access = admin.createAccessToken(AccessToken.newBuilder().setName("laptop").build());
    assertThat(admin.introspectToken(access.getToken()).getTokenType()).isEqualTo("access");
    ApiToken api = admin.createApiToken(ApiToken.newBuilder().setAccount(Account.newBuilder().setId("acc-1")).build());
    IntrospectTokenResponse apiAnswer = admin.introspectToken(api.getToken());
    assertThat(apiAnswer.getTokenType()).isEqualTo("account_api");
    assertThat(apiAnswer.getResource()).isEqualTo("accounts/acc-1");
    assertThat(apiAnswer.getScope()).isEmpty();
  }

  @Test
  void aRecordJwtIsKnownByItsExactText() throws Exception {
    RecordToken token = admin.createRecordToken("rec-1", 3600L);
    IntrospectTokenResponse answer = admin.introspectToken(token.getToken());
    assertThat(answer.getActive()).isTrue();
    assertThat(answer.getTokenType()).isEqualTo("record");
    assertThat(answer.getResource()).isEqualTo("records/rec-1");
    assertThat(answer.getScope()).isEqualTo("records:update");
    assertThat(answer.getJti()).isEqualTo(token.getKey());
    assertThat(answer.getExp() - answer.getIat()).isEqualTo(3600);

    String[] parts = token.getToken().split("\\.");
    String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
    String forgedPayload = b64(payload.replace("rec-1", "rec-2"));
    assertInactive(parts[0] + "." + forgedPayload + "." + parts[2]); // tampered
    assertInactive(b64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + parts[1] + "."); // alg none
    String hmacHeader = b64("{\"alg\":\"HS256\",\"typ\":\"JWT\"}");
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec("any-public-key-bytes".getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    String signature = Base64.getUrlEncoder().withoutPadding().encodeToString(
        mac.doFinal((hmacHeader + "." + parts[1]).getBytes(StandardCharsets.US_ASCII)));
    assertInactive(hmacHeader + "." + parts[1] + "." + signature); // re-signed with HMAC
    assertInactive(token.getToken() + "x");
    assertInactive("not a token");
    assertInactive("");
    assertInactive("taw_" + "a".repeat(49)); // right shape, wrong checksum
    assertInactive("eyJ" + "a".repeat(5000));
  }

  @Test
  void everyForgeryOfAGenuineJwtIsInactive() throws Exception {
    String record = admin.createRecordToken("rec-1", 3600L).getToken();
    String fault = admin.generateFaultToken(5).getToken();
    for (String genuine : List.of(record, fault)) {
      assertThat(admin.introspectToken(genuine).getActive()).isTrue();
      ForgedJwts.of(genuine).forEach((what, forged) -> assertThat(admin.introspectToken(forged))
          .as(what).isEqualTo(IntrospectTokenResponse.getDefaultInstance()));
    }
    // expired: the genuine text itself, once its time has passed
    authority.clock().advance(Duration.ofMinutes(5));
    assertInactive(fault);
  }

  @Test
  void anExpiredOrRevokedJwtIsInactive() {
    RecordToken token = admin.createRecordToken("rec-1", 60L);
    authority.clock().advance(Duration.ofSeconds(60));
    assertInactive(token.getToken());

    RecordToken another = admin.createRecordToken("rec-1", 3600L);
    String adminTokenId = admin.introspectToken(authority.adminSecret()).getJti();
    admin.revokeTokensCreatedBy(RevokeTokensCreatedByRequest.newBuilder().setCreatedByTokenId(adminTokenId).build());
    assertInactive(another.getToken());
  }

  @Test
  void accessChecksApplyTheClaimRules() {
    String record = admin.createRecordToken("rec-1", 3600L).getToken();
    assertThat(admin.checkTokenAccess(record, "records:update", "records/rec-1").getAllowed()).isTrue();
    var otherRecord = admin.checkTokenAccess(record, "records:update", "records/rec-2");
    assertThat(otherRecord.getAllowed()).isFalse();
    assertThat(otherRecord.getReason()).isEqualTo("the token grants records/rec-1 only");
    assertThat(admin.checkTokenAccess(record, "faults:read", "records/rec-1").getAllowed()).isFalse();

    String fault = admin.generateFaultToken(5).getToken();
    assertThat(admin.checkTokenAccess(fault, "faults:read", "faults").getAllowed()).isTrue();
    assertThat(admin.checkTokenAccess(fault, "records:update", "records/rec-1").getAllowed()).isFalse();

    var garbage = admin.checkTokenAccess("garbage", "faults:read", "faults");
    assertThat(garbage.getAllowed()).isFalse();
    assertThat(garbage.getReason()).isEqualTo("the token is not active");
  }

  @Test
  void introspectionNeedsItsScope() {
    WorkspaceToken reader = admin.createWorkspaceToken(CreateWorkspaceTokenRequest.newBuilder().setName("reader")
        .addScopes("tokens:read").build());
    TokenAuthorityClient client = authority.client(reader.getToken());
    expect(Status.Code.PERMISSION_DENIED, "SCOPE_MISSING", () -> client.introspectToken(reader.getToken()));
    expect(Status.Code.PERMISSION_DENIED, "SCOPE_MISSING", () -> client.checkTokenAccess(reader.getToken(), "tokens:read", ""));
  }

  private void assertInactive(String token) {
    IntrospectTokenResponse answer = admin.introspectToken(token);
    assertThat(answer).as(token).isEqualTo(IntrospectTokenResponse.getDefaultInstance());
  }

  private static String b64(String text) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }
}
