package dev.tokenauthority.server.core;

import dev.tokenauthority.server.store.Database;
import dev.tokenauthority.server.store.Rows.TokenRow;
import dev.tokenauthority.server.store.Rows.UserRow;
import dev.tokenauthority.server.store.TokenRepository;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Seed 003's user access tokens after minting: read with the user each authenticates as,
 * listed, revoked, and updated (name, expiry) under optimistic locking: an update names the
 * {@code changeSequence} it is based on, and applies only if the token is still at that
 * change, in one conditional statement, so of two updates based on the same read exactly
 * one wins.
 */
public final class AccessTokens {
  private static final String TYPE = "access token";

  private final Database database;
  private final Audit audit;
  private final TokenRepository repository;
  private final Directory directory;
  private final TokenLifecycle lifecycle;
  private final Clock clock;

  public AccessTokens(Database database, Directory directory, TokenLifecycle lifecycle, Audit audit, Clock clock) {
    this.database = database;
    this.audit = audit;
    this.repository = database.jdbi().onDemand(TokenRepository.class);
    this.directory = directory;
    this.lifecycle = lifecycle;
    this.clock = clock;
  }

  /** An access token as callers see it: its row, its status now, and the user it authenticates as. */
  public record View(TokenRow row, String status, UserRow user) {}

  /** One page of access tokens and the token of the next page ("" on the last). */
  public record Page(List<View> tokens, String nextPageToken) {}

  /** An access token of the caller's tenant (requires {@code tokens:read}). */
  public View get(Principal caller, String id) {
    return view(lifecycle.get(caller, TokenKind.ACCESS, id), new HashMap<>());
  }

  /** A page of the caller's tenant's access tokens, newest first, filtered by status ("" for any). */
  public Page list(Principal caller, String status, int pageSize, String pageToken) {
    TokenLifecycle.Page page = lifecycle.list(caller, TokenKind.ACCESS, null, status, pageSize, pageToken,
        TokenLifecycle.PagingFields.CAMEL_CASE);
    Map<String, UserRow> users = new HashMap<>();
    return new Page(page.tokens().stream().map(token -> view(token, users)).toList(), page.nextPageToken());
  }

  /** Revokes an access token (requires {@code tokens:revoke}); idempotent. */
  public View revoke(Principal caller, String id) {
    return view(lifecycle.revoke(caller, TokenKind.ACCESS, id), new HashMap<>());
  }

  /**
   * Replaces an active access token's name and expiry (requires {@code tokens:write}), if
   * it is still at change {@code changeSequence}: a change advances {@code changeSequence}
   * by one and sets {@code updatedOn}. A new {@code expiresAt} follows the creation rules
   * (future, at most {@link TokenCore#LATEST_EXPIRY}, kept to the millisecond); null clears
   * it (the token then never expires). {@code userId}, if given, must be the token's own
   * user: a token never changes hands. After NOT_FOUND and the field checks: a revoked or
   * expired token is final (FAILED_PRECONDITION), then a stale {@code changeSequence} is
   * ABORTED naming the current one. An update that changes nothing succeeds and advances
   * nothing.
   */
  public View update(Principal caller, String id, int changeSequence, String name, Instant expiresAt,
      String userId) {
    caller.require(Scopes.TOKENS_WRITE);
    TokenRow row = find(caller, id);
    Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
    Violations violations = new Violations();
    if (changeSequence < 1) {
      violations.add("changeSequence", Failure.REQUIRED + ": the changeSequence of the access token as read (1 or more)");
    }
    violations.text("name", name, 1, TokenCore.NAME_MAX);
    if (userId != null && !userId.isEmpty() && !userId.equals(row.userId())) {
      violations.add("userId", "cannot change: the access token authenticates as " + row.userId() + " for life");
    }
    // an expiry sent back as read is no change, even if it has passed (the token is then final, below)
    Instant expiry = expiresAt != null && expiresAt.truncatedTo(ChronoUnit.MILLIS).equals(row.expiresAt())
        ? row.expiresAt() : TokenCore.expiry("expiresAt", expiresAt, now, violations);
    violations.throwIfAny();
    String status = lifecycle.status(row);
    if (!status.equals("active")) {
      throw Failure.inactive(TYPE, status);
    }
    if (row.changeSequence() != changeSequence) {
      throw Failure.changed(TYPE, row.changeSequence(), changeSequence);
    }
    if (name.equals(row.name()) && Objects.equals(expiry, row.expiresAt())) {
      return view(row, status, new HashMap<>());
    }
    boolean applied = database.jdbi().inTransaction(handle -> {
      if (handle.attach(TokenRepository.class).update(caller.tenantId(), TokenKind.ACCESS.name(), row.id(),
          changeSequence, name, expiry, now, caller.userId(), caller.tokenId()) == 0) {
        return false;
      }
      audit.record(handle, AuditEvent.by(caller, AuditAction.TOKEN_UPDATE, AuditEvent.TOKEN, row.id()));
      return true;
    });
    if (!applied) {
      TokenRow changed = find(caller, id); // a revocation, the expiry or another update came first
      String statusNow = lifecycle.status(changed);
      if (!statusNow.equals("active")) {
        throw Failure.inactive(TYPE, statusNow);
      }
      throw Failure.changed(TYPE, changed.changeSequence(), changeSequence);
    }
    TokenRow updated = find(caller, id);
    return view(updated, lifecycle.status(updated), new HashMap<>());
  }

  private TokenRow find(Principal caller, String id) {
    return repository.findById(caller.tenantId(), TokenKind.ACCESS.name(), id == null ? "" : id)
        .orElseThrow(() -> Failure.notFound("token", id));
  }

  private View view(TokenLifecycle.Token token, Map<String, UserRow> users) {
    return view(token.row(), token.status(), users);
  }

  /** {@code row} with its user ({@code users} caches them for a page). */
  private View view(TokenRow row, String status, Map<String, UserRow> users) {
    return new View(row, status,
        users.computeIfAbsent(row.userId(), userId -> directory.requireUser(row.tenantId(), userId)));
  }
}
