package dev.tokenauthority.server.api;

import static dev.tokenauthority.server.testing.Errors.expect;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.Timestamps;
import dev.tokenauthority.client.Credentials;
import dev.tokenauthority.server.testing.AuditPages;
import dev.tokenauthority.server.testing.InProcessAuthority;
import dev.tokenauthority.v1.AuditEvent;
import dev.tokenauthority.v1.AuditOutcome;
import dev.tokenauthority.v1.CreateWorkspaceTokenRequest;
import io.grpc.Status;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A flood of garbage credentials is audited at a bounded rate, and never unnoticed: failures
 * beyond the per-second budget become one count row.
 */
class AuditAuthFailureFloodTest {
  @TempDir Path dataDir;

  private static void garbage(InProcessAuthority authority, int times) {
    for (int i = 0; i < times; i++) {
      expect(Status.Code.UNAUTHENTICATED, "CREDENTIAL_INVALID", () -> authority.client("garbage-credential")
          .createWorkspaceToken(CreateWorkspaceTokenRequest.newBuilder().setName("x").addScopes("tokens:read")
              .build()));
    }
  }

  @Test
  void failuresBeyondTheBudgetAreCountedInOneRowAndKnownTokensAreAlwaysRecorded() {
    try (InProcessAuthority authority = InProcessAuthority.start(dataDir, c -> c.withAuditAuthFailuresPerSecond(3))) {
      var admin = authority.admin();
      String expiring = admin.createWorkspaceToken(CreateWorkspaceTokenRequest.newBuilder().setName("short")
          .addScopes("tokens:read").setExpiresAt(Timestamps.fromMillis(
              authority.clock().instant().plusSeconds(1).toEpochMilli())).build()).getToken();
      authority.clock().advance(Duration.ofSeconds(2));
      Instant floodStart = authority.clock().instant().truncatedTo(ChronoUnit.MILLIS);

      garbage(authority, 10);
      // a known token's failure costs the attacker a real secret: always recorded
      expect(Status.Code.UNAUTHENTICATED, "CREDENTIAL_EXPIRED", () -> admin.withCredentials(
          Credentials.bearer(expiring)).createWorkspaceToken(CreateWorkspaceTokenRequest.newBuilder().setName("y")
              .addScopes("tokens:read").build()));
      assertThat(AuditPages.all(admin, "auth.failure")).extracting(AuditEvent::getReason)
          .containsExactlyInAnyOrder("CREDENTIAL_INVALID", "CREDENTIAL_INVALID", "CREDENTIAL_INVALID",
              "CREDENTIAL_EXPIRED");
      assertThat(AuditPages.all(admin, "auth.failures_suppressed")).isEmpty();

      // the next second: the next failure brings the count of the seven not recorded
      authority.clock().advance(Duration.ofSeconds(1));
      garbage(authority, 1);
      List<AuditEvent> counts = AuditPages.all(admin, "auth.failures_suppressed");
      assertThat(counts).hasSize(1);
      assertThat(counts.get(0).getDetails()).isEqualTo("count=7 since=" + floodStart);
      assertThat(counts.get(0).getOutcome()).isEqualTo(AuditOutcome.FAILURE);
      assertThat(counts.get(0).getTenantId()).isEmpty();
      assertThat(AuditPages.all(admin, "auth.failure")).hasSize(5);

      // a count still pending at shutdown is written then
      authority.clock().advance(Duration.ofSeconds(1));
      garbage(authority, 5);
      assertThat(AuditPages.all(admin, "auth.failures_suppressed")).hasSize(1);
      authority.restart();
      assertThat(AuditPages.all(authority.admin(), "auth.failures_suppressed")).extracting(AuditEvent::getDetails)
          .hasSize(2).anyMatch(details -> details.startsWith("count=2 since="));
      assertThat(AuditPages.all(authority.admin(), "auth.failure")).hasSize(8);
    }
  }
}
