package dev.tokenauthority.server.core;

import com.auth0.jwt.JWT;
import dev.tokenauthority.server.core.Directory.Module;
import dev.tokenauthority.server.store.Database;
import dev.tokenauthority.server.store.Inserts;
import dev.tokenauthority.server.store.Rows.AccountRow;
import dev.tokenauthority.server.store.Rows.TokenRow;
import dev.tokenauthority.server.store.Rows.UserRow;
import dev.tokenauthority.server.store.TokenRepository;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/**
 * The one core every seed API is a thin adapter over: it checks what the caller may do,
 * mints secrets (stored only as hashes) or signs JWTs, persists every token, and
 * resolves a presented secret back to the principal it stands for.
 */
public final class TokenCore {
  /** Record tokens (seed 000): default and maximum lifetime in seconds. */
  public static final long RECORD_DEFAULT_SECONDS = 86_400;
  public static final long RECORD_MAX_SECONDS = 2_592_000;
  /** Fault tokens (seed 001): lifetime bounds in minutes. */
  public static final int FAULT_MIN_MINUTES = 1;
  public static final int FAULT_MAX_MINUTES = 43_200;
  /** Token names: at most this many characters. */
  public static final int NAME_MAX = Limits.NAME;
  /** Account API tokens: at most this many modules. */
  public static final int MODULES_MAX = Limits.MODULES;
  /** Stands for a requested time that is not a valid time at all; always rejected. */
  public static final Instant INVALID_TIME = Instant.MIN;
  /** The latest expiry a token may have; every store can hold it. */
  public static final Instant LATEST_EXPIRY = Instant.parse("9999-12-31T23:59:59.999Z");
  /** How precisely {@code last_used_at} follows use: at most one write per token per this interval. */
  public static final java.time.Duration LAST_USED_RESOLUTION = java.time.Duration.ofSeconds(60);
  /** Share-link codes: 16 base62 characters, about 95 bits. */
  private static final int SHORT_CODE_LENGTH = 16;

  /** A minted opaque token: its row, and its secret (returned once, never stored). */
  public record Issued(TokenRow row, String secret, String creatorEmail) {}

  /** A minted access token and the user it authenticates as. */
  public record IssuedAccessToken(Issued token, UserRow user) {}

  /** A minted account API token with its account and modules expanded. */
  public record IssuedApiToken(Issued token, AccountRow account, List<Module> modules) {}

  /** A minted JWT; {@code shortLink} only for fault tokens. */
  public record IssuedJwt(TokenRow row, String jwt, String shortLink) {}

  private final Database database;
  private final TokenRepository repository;
  private final Directory directory;
  private final Audit audit;
  private final Secrets secrets;
  private final SigningKeys keys;
  private final Clock clock;
  private final String issuer;
  private final String publicUrl;
  private final CoreMetrics metrics;
  private final AuthRateLimiter limiter;

  /** A core without metrics, allowing each client address the default failed authentications a minute. */
  public TokenCore(Database database, Directory directory, Audit audit, Secrets secrets, SigningKeys keys,
      Clock clock, String issuer, String publicUrl) {
    this(database, directory, audit, secrets, keys, clock, issuer, publicUrl, CoreMetrics.NONE,
        new AuthRateLimiter(clock, AuthRateLimiter.DEFAULT_ADDRESS_FAILURES_PER_MINUTE));
  }

  /**
   * As the constructor without metrics; {@code metrics} counts minted tokens and refused
   * credentials, and {@code limiter} limits failed authentications.
   */
  public TokenCore(Database database, Directory directory, Audit audit, Secrets secrets, SigningKeys keys,
      Clock clock, String issuer, String publicUrl, CoreMetrics metrics, AuthRateLimiter limiter) {
    this.database = database;
    this.repository = database.jdbi().onDemand(TokenRepository.class);
    this.directory = directory;
    this.audit = audit;
    this.secrets = secrets;
    this.keys = keys;
    this.clock = clock;
    this.issuer = issuer;
    this.publicUrl = publicUrl.endsWith("/") ? publicUrl.substring(0, publicUrl.length() - 1) : publicUrl;
    this.metrics = metrics;
    this.limiter = limiter;
  }

  /**
   * Resolves a presented secret, sent from {@code clientAddress}, to its principal, or throws
   * UNAUTHENTICATED. Malformed secrets (wrong prefix, length or checksum) are refused before
   * any lookup. Every refusal is audited (never with the secret).
   *
   * <p>Failed authentications are rate limited ({@link AuthRateLimiter}): an address that has
   * spent its failure budget is refused (RESOURCE_EXHAUSTED) before any lookup; a failure
   * against a token prefix that has spent its budget is answered RESOURCE_EXHAUSTED instead of
   * UNAUTHENTICATED. A success never costs budget, and the secret is checked before the prefix
   * limit applies, so a correct secret is never refused for its prefix.
   */
  public Principal authenticate(String secret, String clientAddress) {
    return authenticate(secret, clientAddress, null);
  }

  /**
   * As {@link #authenticate(String, String)}, for a call that came with the verified TLS client
   * certificate {@code certificate} (null: none): the principal carries it, and a refusal's
   * audit row records it too.
   */
  public Principal authenticate(String secret, String clientAddress, ClientCertificate certificate) {
    Caller caller = new Caller(clientAddress, certificate);
    java.time.Duration wait = limiter.addressWait(clientAddress);
    if (wait != null) {
      throw refused(Failure.rateLimited("from this client address", wait), null, caller);
    }
    if (secret == null || secret.isEmpty()) {
      throw failed(Failure.unauthenticated(Failure.Reason.CREDENTIAL_MISSING,
          "A credential is required: send 'authorization: Bearer <token>' or 'x-api-key: <token>'."),
          null, caller, null);
    }
    TokenKind kind = Secrets.kindOf(secret);
    if (kind == null) {
      throw failed(Failure.unauthenticated(Failure.Reason.CREDENTIAL_INVALID, secret.startsWith("eyJ")
          ? "Record and fault JWTs grant access to one resource; they cannot authenticate to Token Authority."
          : "The credential is not a token issued by Token Authority."), null, caller, null);
    }
    String prefix = AuthRateLimiter.prefixOf(kind, secret);
    String hash = Secrets.hash(secret);
    java.util.Optional<TokenRow> found = database.lookups().token(hash, () -> repository.findBySecretHash(hash));
    if (!secrets.matches(found.map(TokenRow::secretHash).orElse(null), hash)) {
      throw failed(Failure.unauthenticated(Failure.Reason.CREDENTIAL_INVALID,
          "The credential is not a token issued by Token Authority."), null, caller, prefix);
    }
    TokenRow token = found.get();
    if (token.revokedAt() != null) {
      throw failed(Failure.unauthenticated(Failure.Reason.CREDENTIAL_REVOKED, "The credential has been revoked."),
          token, caller, prefix);
    }
    if (token.expiresAt() != null && !clock.instant().isBefore(token.expiresAt())) {
      throw failed(Failure.unauthenticated(Failure.Reason.CREDENTIAL_EXPIRED,
          "The credential expired at " + token.expiresAt() + "."), token, caller, prefix);
    }
    UserRow user = directory.requireUser(token.tenantId(), token.userId());
    if (!user.active()) {
      throw failed(Failure.unauthenticated(Failure.Reason.CREDENTIAL_INVALID, "The credential's user is deactivated."),
          token, caller, prefix);
    }
    recordUse(token, hash);
    return new Principal(token.tenantId(), user.id(), user.email(), token.id(), Scopes.parse(token.scopes()),
        clientAddress, certificate);
  }

  /**
   * Charges a failed authentication to the limiter ({@code prefix}: the well-formed secret's,
   * else null), then audits and returns {@code failure}, or the rate-limit failure instead if
   * the address or prefix had already spent its budget.
   */
  private Failure failed(Failure failure, TokenRow token, Caller caller, String prefix) {
    java.time.Duration wait = limiter.failed(caller.address(), prefix);
    return refused(wait == null ? failure
        : Failure.rateLimited("from this client address or with this credential's prefix", wait), token, caller);
  }

  /** Where a call to authenticate came from: its client address and verified client certificate (or null). */
  private record Caller(String address, ClientCertificate certificate) {}

  /** Audits a refused credential ({@code token}: the known token it belongs to, or null) and returns the failure. */
  private Failure refused(Failure failure, TokenRow token, Caller caller) {
    metrics.authenticationFailed(failure.reason());
    audit.authenticationFailed(failure, token == null ? null : token.tenantId(), token == null ? null : token.id(),
        caller.address(), caller.certificate());
    return failure;
  }

  /**
   * Sets {@code last_used_at} at most once per {@link #LAST_USED_RESOLUTION} per token: a
   * busy token costs no write per call, and readers see its last use to within that interval.
   */
  private void recordUse(TokenRow token, String secretHash) {
    Instant now = now();
    Instant since = now.minus(LAST_USED_RESOLUTION);
    if (token.lastUsedAt() == null || token.lastUsedAt().isBefore(since)) {
      repository.touch(token.id(), now, since);
      database.lookups().forget(secretHash); // its remembered last use is now old
    }
  }

  /** Seed 004: a named, scoped workspace token of the caller's workspace. */
  public Issued createWorkspaceToken(Principal caller, String name, List<String> scopes, Instant expiresAt) {
    caller.require(Scopes.TOKENS_WRITE);
    Instant now = now();
    Violations violations = new Violations();
    violations.text("name", name, 1, NAME_MAX);
    Set<String> granted = Scopes.validate("scopes", scopes, 1, violations);
    expiresAt = expiry("expires_at", expiresAt, now, violations);
    violations.throwIfAny();
    caller.requireAll(granted);
    Issued token = prepareWorkspaceToken(caller.tenantId(), caller.userId(), caller.userEmail(), caller.tokenId(),
        name, granted, expiresAt, now);
    insert(token.row(), List.of(), AuditEvent.minted(caller, TokenKind.WORKSPACE, token.row().id()));
    metrics.minted(TokenKind.WORKSPACE);
    return token;
  }

  /** A workspace token ready to insert; tenant creation and bootstrap insert it in their own transaction. */
  Issued prepareWorkspaceToken(String tenantId, String userId, String userEmail, String createdByTokenId,
      String name, Set<String> scopes, Instant expiresAt, Instant now) {
    String secret = secrets.newSecret(TokenKind.WORKSPACE);
    TokenRow row = new TokenRow(secrets.newId(TokenKind.WORKSPACE.idPrefix(), 24), TokenKind.WORKSPACE.name(),
        tenantId, userId, userId, createdByTokenId, name, name, Secrets.hash(secret), null, Scopes.join(scopes),
        null, null, null, UUID.randomUUID().toString(), null, 1, now, now, expiresAt, null, null, userId,
        createdByTokenId);
    return new Issued(row, secret, userEmail);
  }

  /**
   * Seed 003: an access token for a user (the caller by default; another user of the
   * tenant needs {@code directory:write}), holding the caller's scopes the user also holds.
   */
  public IssuedAccessToken createAccessToken(Principal caller, String name, Instant expiresAt, String userId) {
    caller.require(Scopes.TOKENS_WRITE);
    Instant now = now();
    Violations violations = new Violations();
    violations.text("name", name, 1, NAME_MAX);
    expiresAt = expiry("expiresAt", expiresAt, now, violations);
    violations.optionalId("userId", userId);
    violations.throwIfAny();
    String targetId = userId == null || userId.isEmpty() ? caller.userId() : userId;
    if (!targetId.equals(caller.userId())) {
      caller.require(Scopes.DIRECTORY_WRITE);
    }
    UserRow user = directory.requireUser(caller.tenantId(), targetId);
    Set<String> scopes = new LinkedHashSet<>(caller.scopes());
    scopes.retainAll(Scopes.parse(user.scopes()));
    String secret = secrets.newSecret(TokenKind.ACCESS);
    TokenRow row = new TokenRow(UUID.randomUUID().toString(), TokenKind.ACCESS.name(), caller.tenantId(), user.id(),
        caller.userId(), caller.tokenId(), name, null, Secrets.hash(secret), null, Scopes.join(sorted(scopes)), null,
        null, null, UUID.randomUUID().toString(), null, 1, now, now, expiresAt, null, null, caller.userId(),
        caller.tokenId());
    insert(row, List.of(), AuditEvent.minted(caller, TokenKind.ACCESS, row.id()));
    metrics.minted(TokenKind.ACCESS);
    return new IssuedAccessToken(new Issued(row, secret, caller.userEmail()), user);
  }

  /** Seed 002: an API token of an account, granting modules; it holds no scopes on this service. */
  public IssuedApiToken createApiToken(Principal caller, String accountId, String name, String icon,
      String description, List<String> moduleIds) {
    caller.require(Scopes.TOKENS_WRITE);
    Violations violations = new Violations();
    violations.requiredId("account.id", accountId);
    violations.text("name", name, 0, NAME_MAX);
    violations.text("icon", icon, 0, Limits.LONG_TEXT);
    violations.text("description", description, 0, Limits.LONG_TEXT);
    if (moduleIds.size() > MODULES_MAX) {
      violations.add("modules", "must list at most " + MODULES_MAX + " modules");
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < moduleIds.size(); i++) {
      violations.requiredId("modules[" + i + "].id", moduleIds.get(i));
      if (!moduleIds.get(i).isEmpty() && !seen.add(moduleIds.get(i))) {
        violations.add("modules[" + i + "].id", "duplicate module '" + moduleIds.get(i) + "'");
      }
    }
    violations.throwIfAny();
    AccountRow account = directory.requireAccount(caller.tenantId(), accountId);
    List<Module> modules = new ArrayList<>();
    for (String moduleId : moduleIds) {
      modules.add(directory.requireModule(caller.tenantId(), moduleId));
    }
    Instant now = now();
    String id = secrets.newId(TokenKind.ACCOUNT_API.idPrefix(), 24);
    String secret = secrets.newSecret(TokenKind.ACCOUNT_API);
    TokenRow row = new TokenRow(id, TokenKind.ACCOUNT_API.name(), caller.tenantId(), caller.userId(), caller.userId(),
        caller.tokenId(), name == null || name.isEmpty() ? id : name, null, Secrets.hash(secret), null, "",
        account.id(), description, icon, UUID.randomUUID().toString(), null, 1, now, now, null, null, null,
        caller.userId(), caller.tokenId());
    insert(row, moduleIds, AuditEvent.minted(caller, TokenKind.ACCOUNT_API, row.id()));
    metrics.minted(TokenKind.ACCOUNT_API);
    return new IssuedApiToken(new Issued(row, secret, caller.userEmail()), account, modules);
  }

  /** Seed 000: a JWT that may update one record of the caller's company. */
  public IssuedJwt createRecordToken(Principal caller, String recordId, Long expiresInSeconds) {
    caller.require(Scopes.TOKENS_WRITE);
    caller.require(Scopes.RECORDS_UPDATE);
    long lifetime = expiresInSeconds == null ? RECORD_DEFAULT_SECONDS : expiresInSeconds;
    Violations violations = new Violations();
    violations.requiredId("record", recordId);
    if (lifetime < 1 || lifetime > RECORD_MAX_SECONDS) {
      violations.add("expires_in", "must be 1 to 2,592,000 seconds (30 days); omit it for 86,400 (1 day)");
    }
    violations.throwIfAny();
    directory.requireRecord(caller.tenantId(), recordId);
    return issueJwt(caller, TokenKind.RECORD, "records", Scopes.RECORDS_UPDATE, recordId, lifetime, false);
  }

  /** Seed 001: a read-only JWT over the caller's fault data, with a share link. */
  public IssuedJwt createFaultToken(Principal caller, Integer expireAfterMinutes) {
    caller.require(Scopes.TOKENS_WRITE);
    caller.require(Scopes.FAULTS_READ);
    Violations violations = new Violations();
    if (expireAfterMinutes == null) {
      violations.add("expire_after_minutes", Failure.REQUIRED + ": minutes until the token expires, 1 to 43,200");
    } else if (expireAfterMinutes < FAULT_MIN_MINUTES || expireAfterMinutes > FAULT_MAX_MINUTES) {
      violations.add("expire_after_minutes", "must be 1 to 43,200 minutes (30 days)");
    }
    violations.throwIfAny();
    return issueJwt(caller, TokenKind.FAULT, "faults", Scopes.FAULTS_READ, null, expireAfterMinutes * 60L, true);
  }

  private IssuedJwt issueJwt(Principal caller, TokenKind kind, String audience, String scope, String resourceId,
      long lifetimeSeconds, boolean withShortLink) {
    Instant now = now();
    Instant expiresAt = now.plusSeconds(lifetimeSeconds);
    String id = secrets.newId(kind.idPrefix(), 24);
    var claims = JWT.create()
        .withIssuer(issuer)
        .withSubject(caller.userId())
        .withAudience(audience)
        .withIssuedAt(now)
        .withExpiresAt(expiresAt)
        .withJWTId(id)
        .withClaim("tid", caller.tenantId())
        .withClaim("scope", scope);
    if (resourceId != null) {
      claims.withClaim("rec", resourceId);
    }
    SigningKeys.Signed signed = keys.sign(claims);
    String code = withShortLink ? secrets.newCode(SHORT_CODE_LENGTH) : null;
    TokenRow row = new TokenRow(id, kind.name(), caller.tenantId(), caller.userId(), caller.userId(),
        caller.tokenId(), "", null, Secrets.hash(signed.jwt()), code == null ? null : Secrets.hash(code), scope,
        resourceId, null, null,
        UUID.randomUUID().toString(), signed.kid(), 1, now, now, expiresAt, null, null, caller.userId(),
        caller.tokenId());
    // Sealed under the code, for the link to resolve; before the transaction, which may carry other mints.
    String sealedJwt = code == null ? null : ShareLinks.seal(code, id, signed.jwt());
    database.groupCommit().useTransaction(handle -> {
      insert(handle, row, List.of(), sealedJwt);
      audit.record(handle, AuditEvent.minted(caller, kind, row.id()));
    });
    metrics.minted(kind);
    return new IssuedJwt(row, signed.jwt(), code == null ? null : publicUrl + "/s/" + code);
  }

  /** Counts a token of {@code kind} minted elsewhere in the core (tenant admin tokens), once it committed. */
  void minted(TokenKind kind) {
    metrics.minted(kind);
  }

  /**
   * Inserts a minted token and its audit event in one transaction: neither commits without the
   * other (a commit that other mints may share, see GroupCommit).
   */
  private void insert(TokenRow row, List<String> moduleIds, AuditEvent minted) {
    database.groupCommit().useTransaction(handle -> {
      insert(handle, row, moduleIds, null);
      audit.record(handle, minted);
    });
  }

  /**
   * Inserts a token within {@code handle}'s transaction, with its share link's sealed JWT or
   * null; a taken unique name is ALREADY_EXISTS.
   */
  void insert(Handle handle, TokenRow row, List<String> moduleIds, String shareJwtSealed) {
    try {
      Inserts.token(handle, row, moduleIds, shareJwtSealed);
    } catch (RuntimeException e) {
      throw Database.isUniqueViolation(e) && row.uniqueName() != null
          ? Failure.alreadyExists("token", "name", row.uniqueName()) : e;
    }
  }

  /** What a token's status is right now: {@code revoked}, {@code expired} or {@code active}. */
  public String status(TokenRow row) {
    return TokenLifecycle.status(row, clock.instant());
  }

  /**
   * Checks a requested expiry and returns it at the precision every store keeps
   * (milliseconds), so that the expiry echoed, stored and enforced is one instant. Creation
   * and {@link AccessTokens#update} apply the same rules.
   */
  static Instant expiry(String field, Instant value, Instant now, Violations violations) {
    if (value == null) {
      return null;
    }
    if (value.equals(INVALID_TIME)) {
      violations.add(field, "must be a valid time from 0001-01-01T00:00:00Z to " + LATEST_EXPIRY);
      return value;
    }
    Instant truncated = value.truncatedTo(ChronoUnit.MILLIS);
    if (!truncated.isAfter(now)) {
      violations.add(field, "must be in the future (now is " + now + ")");
    } else if (truncated.isAfter(LATEST_EXPIRY)) {
      violations.add(field, "must be at most " + LATEST_EXPIRY);
    }
    return truncated;
  }

  private static Set<String> sorted(Set<String> scopes) {
    Set<String> ordered = new LinkedHashSet<>();
    Scopes.CATALOG.stream().filter(scopes::contains).forEach(ordered::add);
    return ordered;
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MILLIS);
  }
}
