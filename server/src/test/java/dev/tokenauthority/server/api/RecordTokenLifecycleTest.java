package dev.tokenauthority.server.api;

import static dev.tokenauthority.server.testing.Errors.expect;
import static dev.tokenauthority.server.testing.Errors.expectInvalid;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.Timestamps;
import dev.tokenauthority.client.TokenAuthorityClient;
import dev.tokenauthority.server.testing.InProcessAuthority;
import dev.tokenauthority.v1.CreateTenantRequest;
import dev.tokenauthority.v1.CreateWorkspaceTokenRequest;
import dev.tokenauthority.v1.ListRecordTokensRequest;
import dev.tokenauthority.v1.ListRecordTokensResponse;
import dev.tokenauthority.v1.Record;
import dev.tokenauthority.v1.RecordToken;
import dev.tokenauthority.v1.Tenant;
import io.grpc.Status;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Seed 000's record tokens after minting, over gRPC: get, list by record, expiry, revocation. */
class RecordTokenLifecycleTest {
  @TempDir Path dataDir;
  InProcessAuthority authority;
  TokenAuthorityClient admin;

  @BeforeEach
  void start() {
    authority = InProcessAuthority.start(dataDir);
    admin = authority.admin();
    admin.createRecord(Record.newBuilder().setId("rec-1").build());
    admin.createRecord(Record.newBuilder().setId("rec-2").build());
  }

  @AfterEach
  void stop() {
    authority.close();
  }

  private ListRecordTokensResponse list(String record, int pageSize, String pageToken, String status) {
    return admin.listRecordTokens(ListRecordTokensRequest.newBuilder().setRecord(record).setPageSize(pageSize)
        .setPageToken(pageToken).setStatus(status).build());
  }

  @Test
  void getAnswersTheCreatedFieldsWithoutTheJwt() {
    RecordToken created = admin.createRecordToken("rec-1", 3600L);
    assertThat(created.getStatus()).isEqualTo("active");
    assertThat(created.hasToken()).isTrue();

    RecordToken read = admin.getRecordToken("rec-1", created.getKey());
    assertThat(read.hasToken()).isFalse();
    assertThat(read).isEqualTo(created.toBuilder().clearToken().build());
  }

  @Test
  void aKeyIsFoundOnlyUnderItsOwnRecordAndTenant() {
    RecordToken token = admin.createRecordToken("rec-1", 3600L);
    expect(Status.Code.NOT_FOUND, "RESOURCE_NOT_FOUND", () -> admin.getRecordToken("rec-1", "rtk_nope"));
    expect(Status.Code.NOT_FOUND, "RESOURCE_NOT_FOUND", () -> admin.getRecordToken("rec-2", token.getKey()));
    expect(Status.Code.NOT_FOUND, "RESOURCE_NOT_FOUND", () -> admin.revokeRecordToken("rec-2", token.getKey()));
    expect(Status.Code.NOT_FOUND, "RESOURCE_NOT_FOUND", () -> list("no-such-record", 0, "", ""));

    var other = admin.createTenant(CreateTenantRequest.newBuilder().setTenant(Tenant.newBuilder().setName("Globex"))
        .setAdminEmail("owner@globex.example").build());
    TokenAuthorityClient globex = authority.client(other.getAdminToken().getToken());
    globex.createRecord(Record.newBuilder().setId("rec-1").build()); // same record ID, another company
    expect(Status.Code.NOT_FOUND, "RESOURCE_NOT_FOUND", () -> globex.getRecordToken("rec-1", token.getKey()));
    expect(Status.Code.NOT_FOUND, "RESOURCE_NOT_FOUND", () -> globex.revokeRecordToken("rec-1", token.getKey()));
    assertThat(globex.listRecordTokens(ListRecordTokensRequest.newBuilder().setRecord("rec-1").build()).getTokensList())
        .isEmpty();
    assertThat(admin.getRecordToken("rec-1", token.getKey()).getStatus()).isEqualTo("active");
  }

  @Test
  void listPagesOneRecordsTokensNewestFirstWithoutJwts() {
    List<String> created = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      authority.clock().advance(Duration.ofMillis(1));
      created.add(0, admin.createRecordToken("rec-1", 3600L).getKey());
      admin.createRecordToken("rec-2", 3600L); // another record's: never listed under rec-1
    }
    List<String> seen = new ArrayList<>();
    String pageToken = "";
    int pages = 0;
    do {
      ListRecordTokensResponse page = list("rec-1", 2, pageToken, "");
      page.getTokensList().forEach(t -> {
        assertThat(t.hasToken()).isFalse();
        assertThat(t.getRecordId()).isEqualTo("rec-1");
        seen.add(t.getKey());
      });
      pageToken = page.getNextPageToken();
      pages++;
    } while (!pageToken.isEmpty());
    assertThat(pages).isEqualTo(3);
    assertThat(seen).containsExactlyElementsOf(created);
    assertThat(list("rec-1", 0, "", "").getTokensCount()).isEqualTo(5);
  }

  @Test
  void expiryIsExactAtReadTimeAndEndsIntrospection() {
    RecordToken token = admin.createRecordToken("rec-1", 60L);
    Instant expiry = Instant.ofEpochMilli(Timestamps.toMillis(token.getExpiresAt()));

    authority.clock().set(expiry.minusMillis(1));
    assertThat(admin.getRecordToken("rec-1", token.getKey()).getStatus()).isEqualTo("active");
    assertThat(admin.introspectToken(token.getToken()).getActive()).isTrue();

    authority.clock().set(expiry);
    assertThat(admin.getRecordToken("rec-1", token.getKey()).getStatus()).isEqualTo("expired");
    assertThat(admin.introspectToken(token.getToken()).getActive()).isFalse();
    assertThat(list("rec-1", 0, "", "expired").getTokensList()).extracting(RecordToken::getKey)
        .containsExactly(token.getKey());
    assertThat(list("rec-1", 0, "", "active").getTokensList()).isEmpty();
  }

  @Test
  void revocationIsImmediateAndIdempotent() {
    RecordToken token = admin.createRecordToken("rec-1", 3600L);
    RecordToken bystander = admin.createRecordToken("rec-1", 3600L);
    assertThat(admin.checkTokenAccess(token.getToken(), "records:update", "records/rec-1").getAllowed()).isTrue();

    RecordToken revoked = admin.revokeRecordToken("rec-1", token.getKey());
    assertThat(revoked.getStatus()).isEqualTo("revoked");
    assertThat(revoked.hasToken()).isFalse();
    assertThat(revoked).isEqualTo(token.toBuilder().clearToken().setStatus("revoked").build());
    assertThat(admin.introspectToken(token.getToken()).getActive()).isFalse();
    var denied = admin.checkTokenAccess(token.getToken(), "records:update", "records/rec-1");
    assertThat(denied.getAllowed()).isFalse();
    assertThat(denied.getReason()).isEqualTo("the token is not active");
    assertThat(admin.revokeRecordToken("rec-1", token.getKey())).isEqualTo(revoked); // again: nothing changes

    assertThat(list("rec-1", 0, "", "revoked").getTokensList()).extracting(RecordToken::getKey)
        .containsExactly(token.getKey());
    assertThat(list("rec-1", 0, "", "active").getTokensList()).extracting(RecordToken::getKey)
        .containsExactly(bystander.getKey());
    assertThat(admin.introspectToken(bystander.getToken()).getActive()).isTrue();
  }

  @Test
  void readingAndRevokingNeedTheirScopes() {
    RecordToken token = admin.createRecordToken("rec-1", 3600L);
    TokenAuthorityClient writer = authority.client(admin.createWorkspaceToken(CreateWorkspaceTokenRequest.newBuilder()
        .setName("writer").addScopes("tokens:write").addScopes("tokens:read").build()).getToken());
    TokenAuthorityClient minter = authority.client(admin.createWorkspaceToken(CreateWorkspaceTokenRequest.newBuilder()
        .setName("minter").addScopes("tokens:write").build()).getToken());

    expect(Status.Code.PERMISSION_DENIED, "SCOPE_MISSING", () -> writer.revokeRecordToken("rec-1", token.getKey()));
    expect(Status.Code.PERMISSION_DENIED, "SCOPE_MISSING", () -> minter.getRecordToken("rec-1", token.getKey()));
    expect(Status.Code.PERMISSION_DENIED, "SCOPE_MISSING",
        () -> minter.listRecordTokens(ListRecordTokensRequest.newBuilder().setRecord("no-such-record").build()));
    assertThat(writer.getRecordToken("rec-1", token.getKey()).getStatus()).isEqualTo("active");
  }

  @Test
  void badListRequestsNameTheirFields() {
    expectInvalid(() -> list("rec-1", 501, "", ""), "page_size");
    expectInvalid(() -> list("rec-1", 0, "not a page token", ""), "page_token");
    expectInvalid(() -> list("rec-1", 0, "", "gone"), "status");
  }
}
