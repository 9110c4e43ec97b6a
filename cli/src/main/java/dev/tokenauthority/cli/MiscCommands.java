package dev.tokenauthority.cli;

import static dev.tokenauthority.cli.Output.epoch;
import static dev.tokenauthority.cli.Output.time;

import dev.tokenauthority.cli.Output.Column;
import dev.tokenauthority.v1.AuditEvent;
import dev.tokenauthority.v1.CheckTokenAccessResponse;
import dev.tokenauthority.v1.IntrospectTokenResponse;
import dev.tokenauthority.v1.JsonWebKey;
import dev.tokenauthority.v1.JsonWebKeySet;
import dev.tokenauthority.v1.ListAuditEventsRequest;
import dev.tokenauthority.v1.ListAuditEventsResponse;
import dev.tokenauthority.v1.ListSigningKeysResponse;
import dev.tokenauthority.v1.RevokeTokensCreatedByRequest;
import dev.tokenauthority.v1.RevokeTokensCreatedByResponse;
import dev.tokenauthority.v1.RotateSigningKeyResponse;
import dev.tokenauthority.v1.SigningKey;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Token checks, bulk revocation, signing keys and the audit log. */
final class MiscCommands {
  private MiscCommands() {}

  /** A token argument, or {@code -} to read it from stdin (keeps it out of shell history and ps). */
  static String tokenArgument(String argument) {
    if (!argument.equals("-")) {
      return argument;
    }
    try {
      String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII)).readLine();
      if (line == null || line.isBlank()) {
        throw new IllegalArgumentException("no token on stdin");
      }
      return line.trim();
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read the token from stdin: " + e.getMessage());
    }
  }

  @Command(name = "introspect", mixinStandardHelpOptions = true,
      description = "RFC 7662 introspection of any token this authority minted: is it active, whose, which scopes.")
  static final class Introspect extends Group {
    @Parameters(paramLabel = "TOKEN", description = "The token to check, or - to read it from stdin.")
    String token;

    @Override
    public void run() {
      IntrospectTokenResponse r = client().introspectToken(tokenArgument(token));
      output().print(r, List.of(r), List.of(
          new Column<>("ACTIVE", x -> Boolean.toString(x.getActive())),
          new Column<>("TYPE", IntrospectTokenResponse::getTokenType),
          new Column<>("SUBJECT", IntrospectTokenResponse::getSub),
          new Column<>("USERNAME", IntrospectTokenResponse::getUsername),
          new Column<>("TENANT", IntrospectTokenResponse::getTenantId),
          new Column<>("SCOPE", IntrospectTokenResponse::getScope),
          new Column<>("RESOURCE", IntrospectTokenResponse::getResource),
          new Column<>("ISSUED", x -> epoch(x.getIat())),
          new Column<>("EXPIRES", x -> epoch(x.getExp())),
          new Column<>("JTI", IntrospectTokenResponse::getJti)));
    }
  }

  @Command(name = "check-access", mixinStandardHelpOptions = true,
      description = "Whether a token grants an action (a scope) on a resource.")
  static final class CheckAccess extends Group {
    @Parameters(paramLabel = "TOKEN", description = "The token to check, or - to read it from stdin.")
    String token;

    @Option(names = "--action", required = true, description = "The scope asked for, e.g. records:update.")
    String action;

    @Option(names = "--resource", defaultValue = "", description = "The resource, e.g. a record ID.")
    String resource;

    @Override
    public void run() {
      CheckTokenAccessResponse r = client().checkTokenAccess(tokenArgument(token), action, resource);
      output().print(r, List.of(r), List.of(
          new Column<>("ALLOWED", x -> Boolean.toString(x.getAllowed())),
          new Column<>("REASON", CheckTokenAccessResponse::getReason)));
    }
  }

  @Command(name = "revoke-created-by", mixinStandardHelpOptions = true,
      description = "Bulk: revoke every token a user created, or that was minted with a given token.")
  static final class RevokeCreatedBy extends Group {
    static final class Who {
      @Option(names = "--user", paramLabel = "USER-ID", required = true) String user;
      @Option(names = "--token-id", paramLabel = "TOKEN-ID", required = true) String tokenId;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Who who;

    @Override
    public void run() {
      RevokeTokensCreatedByRequest.Builder request = RevokeTokensCreatedByRequest.newBuilder();
      if (who.user != null) {
        request.setCreatedByUserId(who.user);
      } else {
        request.setCreatedByTokenId(who.tokenId);
      }
      RevokeTokensCreatedByResponse r = Progress.spin(ta().err, ta().terminal, "revoking",
          () -> client().revokeTokensCreatedBy(request.build()));
      ta().err.println("revoked " + r.getRevokedCount() + " token" + (r.getRevokedCount() == 1 ? "" : "s"));
      ta().err.flush();
      output().print(r, List.of(r), List.of(new Column<>("REVOKED", x -> Long.toString(x.getRevokedCount()))));
    }
  }

  @Command(name = "keys", mixinStandardHelpOptions = true, description = "JWT signing keys: the published JWKS, their states, rotation.")
  static final class Keys extends Group {
    @Command(name = "jwks", mixinStandardHelpOptions = true, description = "The published JSON Web Key Set (needs no credential).")
    int jwks() {
      JsonWebKeySet set = ta().publicClient().getJwks();
      output().print(set, set.getKeysList(), List.of(
          new Column<>("KID", JsonWebKey::getKid),
          new Column<>("KTY", JsonWebKey::getKty),
          new Column<>("CRV", JsonWebKey::getCrv),
          new Column<>("ALG", JsonWebKey::getAlg),
          new Column<>("USE", JsonWebKey::getUse)));
      return ExitCodes.OK;
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Every signing key, newest first (scope keys:read).")
    int list() {
      ListSigningKeysResponse r = client().listSigningKeys();
      output().print(r, r.getSigningKeysList(), List.of(
          new Column<>("KID", SigningKey::getKid),
          new Column<>("ALGORITHM", SigningKey::getAlgorithm),
          new Column<>("STATE", k -> k.getState().name().replace("SIGNING_KEY_STATE_", "")),
          new Column<>("CREATED", k -> time(k.getCreatedAt())),
          new Column<>("RETIRED", k -> time(k.getRetiredAt())),
          new Column<>("PUBLISHED-UNTIL", k -> time(k.getPublishedUntil()))));
      return ExitCodes.OK;
    }

    @Command(name = "rotate", mixinStandardHelpOptions = true,
        description = "Make a new signing key current, retiring the current one (scope keys:write).")
    int rotate() {
      RotateSigningKeyResponse r = client().rotateSigningKey();
      output().print(r, List.of(r), List.of(
          new Column<>("KID", RotateSigningKeyResponse::getKid),
          new Column<>("CREATED", x -> time(x.getCreatedAt())),
          new Column<>("PREVIOUS-KID", RotateSigningKeyResponse::getPreviousKid)));
      return ExitCodes.OK;
    }
  }

  @Command(name = "audit", mixinStandardHelpOptions = true, description = "The audit log.")
  static final class AuditCommands extends Group {
    @Command(name = "list", mixinStandardHelpOptions = true, description = "Audit events, newest first (scope audit:read).")
    int list(@Mixin ListOptions options,
        @Option(names = "--action", defaultValue = "", description = "Only this action, e.g. token.revoke.") String action,
        @Option(names = "--tenant", defaultValue = "", paramLabel = "TENANT-ID", description = "Another tenant (authority admin only).") String tenant,
        @Option(names = "--since", paramLabel = "WHEN", description = "From this instant, or this long ago (24h).") String since,
        @Option(names = "--until", paramLabel = "WHEN", description = "Before this instant.") String until) {
      ListAuditEventsRequest.Builder base = ListAuditEventsRequest.newBuilder().setPageSize(options.pageSize)
          .setAction(action).setTenantId(tenant);
      if (since != null) {
        base.setStartTime(ago(since));
      }
      if (until != null) {
        base.setEndTime(ago(until));
      }
      return list(options, page -> client().listAuditEvents(base.clone().setPageToken(page).build()),
          ListAuditEventsResponse::getAuditEventsList, List.of(
              new Column<>("TIME", e -> time(e.getEventTime())),
              new Column<>("ACTION", AuditEvent::getAction),
              new Column<>("OUTCOME", e -> e.getOutcome().name()),
              new Column<>("ACTOR", AuditEvent::getActorUserId),
              new Column<>("TARGET", e -> e.getTargetType() + (e.getTargetId().isEmpty() ? "" : ":" + e.getTargetId())),
              new Column<>("REASON", AuditEvent::getReason),
              new Column<>("CLIENT", AuditEvent::getClientAddress)));
    }

    /** An instant, or a duration meaning that long ago. */
    private static com.google.protobuf.Timestamp ago(String text) {
      try {
        java.time.Instant at = java.time.Instant.parse(text.trim());
        return com.google.protobuf.Timestamp.newBuilder().setSeconds(at.getEpochSecond()).setNanos(at.getNano()).build();
      } catch (java.time.format.DateTimeParseException e) {
        java.time.Instant at = java.time.Instant.now().minus(TaCommand.DurationConverter.parse(text));
        return com.google.protobuf.Timestamp.newBuilder().setSeconds(at.getEpochSecond()).setNanos(at.getNano()).build();
      }
    }
  }
}
