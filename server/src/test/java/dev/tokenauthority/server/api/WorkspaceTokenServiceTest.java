package dev.tokenauthority.server.api;

import static dev.tokenauthority.server.testing.Errors.expect;
import static dev.tokenauthority.server.testing.Errors.expectInvalid;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.Timestamps;
import dev.tokenauthority.client.TokenAuthorityClient;
import dev.tokenauthority.server.testing.InProcessAuthority;
import dev.tokenauthority.v1.CreateWorkspaceTokenRequest;
import dev.tokenauthority.v1.WorkspaceToken;
import io.grpc.Status;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Seed 004 (Tooken, POST /tokens) over gRPC. */
class WorkspaceTokenServiceTest {
  @TempDir Path dataDir;
  InProcessAuthority authority;
  TokenAuthorityClient admin;

  @BeforeEach
  void start() {
    authority = InProcessAuthority.start(dataDir);
    admin = authority.admin();
  }

  @AfterEach
  void stop() {
    authority.close();
  }

  static CreateWorkspaceTokenRequest request(String name, String... scopes) {
    return CreateWorkspaceTokenRequest.newBuilder().setName(name).addAllScopes(List.of(scopes)).build();
  }

  @Test
  void createsATokenWithEveryDocumentedField() {
    Instant before = authority.clock().instant();
    WorkspaceToken token = admin.createWorkspaceToken(request("ci-deploy", "tokens:read", "tokens:write"));

    assertThat(token.getId()).matches("tok_[a-z0-9]{24}");
    assertThat(token.getToken()).startsWith("taw_").hasSize(4 + 43 + 6);
    assertThat(token.getName()).isEqualTo("ci-deploy");
    assertThat(token.getScopesList()).containsExactly("tokens:read", "tokens:write");
    assertThat(token.getStatus()).isEqualTo("active");
    assertThat(Timestamps.toMillis(token.getCreatedAt())).isBetween(before.toEpochMilli() - 1, before.toEpochMilli());
    assertThat(token.hasExpiresAt()).isFalse();
    assertThat(token.hasLastUsedAt()).isFalse();
    assertThat(token.getCreatedBy()).isEqualTo("admin@localhost");
  }

  @Test
  void theNewSecretAuthenticatesWithItsScopesOnly() {
    WorkspaceToken token = admin.createWorkspaceToken(request("writer", "tokens:write"));
    TokenAuthorityClient writer = authority.client(token.getToken());

    assertThat(writer.createWorkspaceToken(request("child", "tokens:write")).getCreatedBy()).isEqualTo("admin@localhost");
    expect(Status.Code.PERMISSION_DENIED, "SCOPE_ESCALATION",
        () -> writer.createWorkspaceToken(request("escalated", "tokens:write", "tokens:revoke")));
  }

  @Test
  void requiresTokensWrite() {
    WorkspaceToken reader = admin.createWorkspaceToken(request("reader", "tokens:read"));
    var e = expect(Status.Code.PERMISSION_DENIED, "SCOPE_MISSING",
        () -> authority.client(reader.getToken()).createWorkspaceToken(request("x", "tokens:read")));
    assertThat(e.getStatus().getDescription()).contains("tokens:write");
  }

  @Test
  void nameIsOneToOneHundredCharacters() {
    assertThat(admin.createWorkspaceToken(request("a", "tokens:read")).getName()).isEqualTo("a");
    String hundred = "n".repeat(100);
    assertThat(admin.createWorkspaceToken(request(hundred, "tokens:read")).getName()).isEqualTo(hundred);
    expectInvalid(() -> admin.createWorkspaceToken(request("n".repeat(101), "tokens:read")), "name");
    expectInvalid(() -> admin.createWorkspaceToken(request("", "tokens:read")), "name");
  }

  @Test
  void nameIsUniqueWithinTheWorkspace() {
    admin.createWorkspaceToken(request("dup", "tokens:read"));
    expect(Status.Code.ALREADY_EXISTS, "RESOURCE_ALREADY_EXISTS",
        () -> admin.createWorkspaceToken(request("dup", "tokens:write")));
  }

  @Test
  void scopesAreRequiredKnownAndDistinct() {
    expectInvalid(() -> admin.createWorkspaceToken(request("none")), "scopes");
    expectInvalid(() -> admin.createWorkspaceToken(request("unknown", "tokens:read", "tokens:fly")), "scopes[1]");
    expectInvalid(() -> admin.createWorkspaceToken(request("twice", "tokens:read", "tokens:read")), "scopes[1]");
    List<String> fiftyOne = Collections.nCopies(51, "tokens:read");
    expectInvalid(() -> admin.createWorkspaceToken(request("many").toBuilder().addAllScopes(fiftyOne).build()),
        expectedFiftyOneViolations());
  }

  private static String[] expectedFiftyOneViolations() {
    // the count violation plus one "duplicate" per repeated scope
    String[] fields = new String[51];
    fields[0] = "scopes";
    for (int i = 1; i < 51; i++) {
      fields[i] = "scopes[" + i + "]";
    }
    return fields;
  }

  @Test
  void expiresAtMustBeInTheFutureAndEndsAuthentication() {
    Instant now = authority.clock().instant();
    expectInvalid(() -> admin.createWorkspaceToken(request("past", "tokens:write").toBuilder()
        .setExpiresAt(Timestamps.fromMillis(now.toEpochMilli())).build()), "expires_at");

    Instant expiry = now.plus(Duration.ofHours(1));
    WorkspaceToken token = admin.createWorkspaceToken(request("hour", "tokens:write").toBuilder()
        .setExpiresAt(Timestamps.fromMillis(expiry.toEpochMilli())).build());
    assertThat(Timestamps.toMillis(token.getExpiresAt())).isEqualTo(expiry.toEpochMilli());

    TokenAuthorityClient holder = authority.client(token.getToken());
    authority.clock().set(expiry.minusMillis(1));
    holder.createWorkspaceToken(request("just-before", "tokens:write"));
    authority.clock().set(expiry);
    expect(Status.Code.UNAUTHENTICATED, "CREDENTIAL_EXPIRED",
        () -> holder.createWorkspaceToken(request("at-expiry", "tokens:write")));
  }

  @Test
  void scopesAreCheckedBeforeTheShapeOfTheInput() {
    WorkspaceToken reader = admin.createWorkspaceToken(request("reader", "tokens:read"));
    var malformed = request("", "tokens:fly").toBuilder()
        .setExpiresAt(com.google.protobuf.Timestamp.newBuilder().setSeconds(1).setNanos(-1)).build();
    expect(Status.Code.PERMISSION_DENIED, "SCOPE_MISSING",
        () -> authority.client(reader.getToken()).createWorkspaceToken(malformed));
    expectInvalid(() -> admin.createWorkspaceToken(malformed), "name", "scopes[0]", "expires_at");
  }
}
