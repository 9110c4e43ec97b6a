package dev.tokenauthority.server.core;

import dev.tokenauthority.server.store.Database;
import dev.tokenauthority.server.store.Rows.TokenRow;
import dev.tokenauthority.server.store.Rows.UserRow;
import dev.tokenauthority.server.store.TokenRepository;
import dev.tokenauthority.server.store.TokenRepository.Cursor;
import dev.tokenauthority.server.store.TokenRepository.StatusFilter;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The other half of minting, for every kind: read a token (never its secret), list them a
 * page at a time, revoke one or all a creator made, and answer "is this token valid, and for
 * what?" (RFC 7662 introspection). A token's status is computed at read time from the clock,
 * so expiry is exact with no sweeper; revocation is one row update that every later
 * authentication and introspection reads.
 */
public final class TokenLifecycle {
  /** The longest string introspection looks at; nothing this authority mints is longer. */
  private static final int TOKEN_MAX_LENGTH = 4096;

  private final Database database;
  private final Audit audit;
  private final TokenRepository repository;
  private final Directory directory;
  private final Clock clock;

  public TokenLifecycle(Database database, Directory directory, Audit audit, Clock clock) {
    this.database = database;
    this.audit = audit;
    this.repository = database.jdbi().onDemand(TokenRepository.class);
    this.directory = directory;
    this.clock = clock;
  }

  /** A stored token as callers see it: its row, its status now, and its creator's email. */
  public record Token(TokenRow row, String status, String creatorEmail) {}

  /** One page of tokens and the token of the next page ("" on the last). */
  public record Page(List<Token> tokens, String nextPageToken) {}

  /** A token of {@code kind} in the caller's tenant (requires {@code tokens:read}). */
  public Token get(Principal caller, TokenKind kind, String id) {
    caller.require(Scopes.TOKENS_READ);
    return view(find(caller, kind, id), new HashMap<>());
  }

  /** The JSON names a family's API gives the paging fields, which field violations name. */
  public record PagingFields(String pageSize, String pageToken) {
    /** {@code page_size}, {@code page_token}: Tooken's style. */
    public static final PagingFields SNAKE_CASE = new PagingFields("page_size", "page_token");
    /** {@code pageSize}, {@code pageToken}: the style of seeds 002 and 003. */
    public static final PagingFields CAMEL_CASE = new PagingFields("pageSize", "pageToken");
  }

  /**
   * A page of the caller's tenant's tokens of {@code kind} (of one resource if
   * {@code resourceId} is not null), newest first, filtered by status ("" for any).
   */
  public Page list(Principal caller, TokenKind kind, String resourceId, String status, int pageSize, String pageToken) {
    return list(caller, kind, resourceId, status, pageSize, pageToken, PagingFields.SNAKE_CASE);
  }

  /** {@link #list(Principal, TokenKind, String, String, int, String)}, naming bad paging fields {@code fields}. */
  public Page list(Principal caller, TokenKind kind, String resourceId, String status, int pageSize, String pageToken,
      PagingFields fields) {
    caller.require(Scopes.TOKENS_READ);
    Violations violations = new Violations();
    int size = Paging.size(fields.pageSize(), pageSize, violations);
    StatusFilter filter = statusFilter(status, violations);
    Cursor after = cursor(pageToken, fields.pageToken(), violations);
    violations.throwIfAny();
    List<TokenRow> rows = repository.page(caller.tenantId(), kind.name(), resourceId, filter, clock.instant(), after,
        size + 1);
    Map<String, String> emails = new HashMap<>();
    List<Token> page = rows.stream().limit(size).map(row -> view(row, emails)).toList();
    return new Page(page, rows.size() > size
        ? Paging.token(rows.get(size - 1).createdAt(), rows.get(size - 1).id(), "") : "");
  }

  /**
   * Revokes a token of {@code kind} (requires {@code tokens:revoke}); revoking a revoked
   * token changes nothing and succeeds. Returns the token as it now is.
   */
  public Token revoke(Principal caller, TokenKind kind, String id) {
    caller.require(Scopes.TOKENS_REVOKE);
    find(caller, kind, id);
    database.groupCommit().useTransaction(handle -> {
      if (handle.attach(TokenRepository.class).revoke(caller.tenantId(), kind.name(), id, now(), caller.userId(),
          caller.tokenId()) > 0) {
        audit.record(handle, AuditEvent.by(caller, AuditAction.TOKEN_REVOKE, AuditEvent.TOKEN, id));
      }
    });
    return view(find(caller, kind, id), new HashMap<>());
  }

  /**
   * A page of the tokens of one record (which must exist in the caller's tenant, or it is
   * NOT_FOUND), as {@link #list} pages them. Requires {@code tokens:read}.
   */
  public Page listOfRecord(Principal caller, String recordId, String status, int pageSize, String pageToken) {
    caller.require(Scopes.TOKENS_READ);
    directory.requireRecord(caller.tenantId(), recordId == null ? "" : recordId);
    return list(caller, TokenKind.RECORD, recordId, status, pageSize, pageToken);
  }

  /**
   * A token of {@code kind} that grants {@code resourceId} (record tokens are read under
   * their record): a token of another resource is NOT_FOUND, like an unknown one.
   */
  public Token get(Principal caller, TokenKind kind, String resourceId, String id) {
    caller.require(Scopes.TOKENS_READ);
    return view(find(caller, kind, resourceId, id), new HashMap<>());
  }

  /** As {@link #revoke(Principal, TokenKind, String)}, of a token that grants {@code resourceId}. */
  public Token revoke(Principal caller, TokenKind kind, String resourceId, String id) {
    caller.require(Scopes.TOKENS_REVOKE);
    find(caller, kind, resourceId, id);
    return revoke(caller, kind, id);
  }

  /**
   * Revokes every token of the caller's tenant that a user created, or that was minted with
   * a given token as the credential (exactly one of the two), in one statement; returns how
   * many were revoked now. Requires {@code tokens:revoke}.
   */
  public int revokeCreatedBy(Principal caller, String userId, String tokenId) {
    caller.require(Scopes.TOKENS_REVOKE);
    boolean byUser = userId != null && !userId.isEmpty();
    boolean byToken = tokenId != null && !tokenId.isEmpty();
    if (byUser == byToken) {
      throw Failure.invalid("created_by_user_id", "give exactly one of created_by_user_id and created_by_token_id");
    }
    // IDs are 1 to 100 of A-Za-z0-9._- like every other; anything else names no token (and
    // would not fit the audit row's target: it was INTERNAL, found by RestGatewayFuzzTest).
    Violations violations = new Violations();
    violations.optionalId("created_by_user_id", userId);
    violations.optionalId("created_by_token_id", tokenId);
    violations.throwIfAny();
    Instant now = now();
    return database.jdbi().inTransaction(handle -> {
      TokenRepository tokens = handle.attach(TokenRepository.class);
      int revoked = byUser ? tokens.revokeCreatedByUser(caller.tenantId(), userId, now, caller.userId(), caller.tokenId())
          : tokens.revokeCreatedByToken(caller.tenantId(), tokenId, now, caller.userId(), caller.tokenId());
      audit.record(handle, AuditEvent.by(caller, AuditAction.TOKEN_REVOKE_BULK, byUser ? AuditEvent.USER : AuditEvent.TOKEN,
          byUser ? userId : tokenId).withDetails("revoked=" + revoked));
      return revoked;
    });
  }

  /** What introspection says of a token; {@code token} is empty when it is not active. */
  public record Introspection(Optional<TokenRow> token, String username) {
    public boolean active() {
      return token.isPresent();
    }
  }

  /**
   * RFC 7662: whether {@code presented} (an opaque secret or a JWT this authority minted) is
   * active, and if so what it is. Unknown, malformed, expired or revoked tokens, tokens of
   * another tenant and tokens of a deactivated user are all simply inactive. A JWT is
   * recognised by the hash of its exact text, so a tampered or re-signed JWT is unknown;
   * no signature needs checking. Requires {@code tokens:introspect}.
   */
  public Introspection introspect(Principal caller, String presented) {
    caller.require(Scopes.TOKENS_INTROSPECT);
    Introspection inactive = new Introspection(Optional.empty(), "");
    if (presented == null || presented.isEmpty() || presented.length() > TOKEN_MAX_LENGTH) {
      return inactive;
    }
    if (Secrets.kindOf(presented) == null && !looksLikeJwt(presented)) {
      return inactive;
    }
    String hash = Secrets.hash(presented);
    Optional<TokenRow> found = database.lookups().token(hash, () -> repository.findBySecretHash(hash))
        .filter(row -> Secrets.sameHash(row.secretHash(), hash))
        .filter(row -> row.tenantId().equals(caller.tenantId()))
        .filter(row -> status(row).equals("active"));
    if (found.isEmpty()) {
      return inactive;
    }
    Optional<UserRow> user = directory.findUser(found.get().tenantId(), found.get().userId()).filter(UserRow::active);
    return user.map(u -> new Introspection(found, u.email())).orElse(inactive);
  }

  /** Whether {@code presented} grants {@code action} (a scope) on {@code resource}, and why not. */
  public record Decision(boolean allowed, String reason) {}

  /**
   * Whether a token grants an action, so resource services need not re-implement our claim
   * rules: the action is a scope (e.g. {@code records:update}, {@code faults:read},
   * {@code tokens:read}); a record token grants it only on {@code records/<its record>};
   * fault tokens and opaque tokens grant their scopes on any resource of their tenant.
   * Requires {@code tokens:introspect}.
   */
  public Decision check(Principal caller, String presented, String action, String resource) {
    caller.require(Scopes.TOKENS_INTROSPECT);
    Violations violations = new Violations();
    violations.text("action", action, 0, Limits.ACTION);
    violations.text("resource", resource, 0, Limits.RESOURCE);
    violations.throwIfAny();
    Introspection introspection = introspect(caller, presented);
    if (introspection.token().isEmpty()) {
      return new Decision(false, "the token is not active");
    }
    TokenRow token = introspection.token().get();
    if (!Scopes.parse(token.scopes()).contains(action)) {
      return new Decision(false, "the token does not hold " + action);
    }
    if (token.kind().equals(TokenKind.RECORD.name()) && !("records/" + token.resourceId()).equals(resource)) {
      return new Decision(false, "the token grants records/" + token.resourceId() + " only");
    }
    return new Decision(true, "");
  }

  /** {@code active}, {@code expired} or {@code revoked}, right now. */
  public String status(TokenRow row) {
    return status(row, clock.instant());
  }

  /** {@code active}, {@code expired} or {@code revoked} at {@code now}: expiry is exact, no sweeper lags. */
  static String status(TokenRow row, Instant now) {
    if (row.revokedAt() != null) {
      return "revoked";
    }
    return row.expiresAt() != null && !now.isBefore(row.expiresAt()) ? "expired" : "active";
  }

  /** {@code row} with its status now and its creator's email ({@code emails} caches them for a page). */
  private Token view(TokenRow row, Map<String, String> emails) {
    String email = emails.computeIfAbsent(row.createdByUserId(),
        id -> directory.findUser(row.tenantId(), id).map(UserRow::email).orElse(""));
    return new Token(row, status(row), email);
  }

  /** Now, at the precision every store keeps (milliseconds), like every time a token records. */
  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MILLIS);
  }

  private TokenRow find(Principal caller, TokenKind kind, String id) {
    return repository.findById(caller.tenantId(), kind.name(), id == null ? "" : id)
        .orElseThrow(() -> Failure.notFound("token", id));
  }

  private TokenRow find(Principal caller, TokenKind kind, String resourceId, String id) {
    return Optional.of(find(caller, kind, id)).filter(row -> resourceId != null && resourceId.equals(row.resourceId()))
        .orElseThrow(() -> Failure.notFound("token", id));
  }

  private static boolean looksLikeJwt(String text) {
    return text.startsWith("eyJ") && text.chars().filter(c -> c == '.').count() == 2;
  }

  private static StatusFilter statusFilter(String status, Violations violations) {
    if (status == null || status.isEmpty()) {
      return StatusFilter.ANY;
    }
    try {
      StatusFilter filter = StatusFilter.valueOf(status.toUpperCase(Locale.ROOT));
      if (filter != StatusFilter.ANY) {
        return filter;
      }
    } catch (IllegalArgumentException e) {
      // reported below
    }
    violations.add("status", "must be active, expired or revoked (or omitted for all)");
    return StatusFilter.ANY;
  }

  private static Cursor cursor(String pageToken, String field, Violations violations) {
    if (pageToken == null || pageToken.isEmpty()) {
      return null;
    }
    return Paging.position(pageToken).map(p -> new Cursor(p.at(), p.id())).orElseGet(() -> {
      violations.add(field, "is not a page token this service returned");
      return null;
    });
  }
}
