package dev.tokenauthority.server.core;

import com.auth0.jwt.JWTCreator;
import com.auth0.jwt.algorithms.Algorithm;
import dev.tokenauthority.server.store.Database;
import dev.tokenauthority.server.store.Rows.SigningKeyRow;
import dev.tokenauthority.server.store.Rows.SigningKeyStatusRow;
import dev.tokenauthority.server.store.SigningKeyRepository;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ES256 keys JWTs are signed with, and their lifecycle. Keys live in the database
 * (private halves sealed with the master key); exactly one is current (a unique constraint
 * in the schema), and every JWT names its key in the {@code kid} header.
 *
 * <p>Each node holds a view of the keys in memory: the current key's signer and the public
 * half of every key still published, each parsed once per kid. The server reloads it every
 * {@link #REFRESH_INTERVAL}; {@link #sign} never uses a view older than
 * {@link #MAX_VIEW_AGE} (it reloads first), which bounds how long after a rotation another
 * node may still sign with the retired key. A kid the view does not publish reloads it at
 * once, at most every {@link #RELOAD_MIN_INTERVAL}.
 *
 * <p>Retention: a retired key stays published (in the JWKS, and verifying) until
 * {@link #publishedUntil}: the later of its retirement + {@link #RETIRED_MIN_PUBLISHED} and
 * the latest {@code expires_at} of the tokens it signed. Every JWT is recorded with its
 * {@code signing_key_id} before it is returned, so this holds for every JWT a key signed,
 * on any node, whatever its lifetime.
 */
public final class SigningKeys {
  private static final Logger LOG = LoggerFactory.getLogger(SigningKeys.class);

  public static final String ALGORITHM = "ES256";
  /** How often the server reloads every node's view of the keys. */
  public static final Duration REFRESH_INTERVAL = Duration.ofSeconds(5);
  /**
   * The propagation bound: no node signs with a view of the keys older than this, so no
   * node signs with a key retired longer ago than this (by the nodes' clocks).
   */
  public static final Duration MAX_VIEW_AGE = Duration.ofSeconds(10);
  /** A retired key stays published at least this long, even if it signed no token. */
  public static final Duration RETIRED_MIN_PUBLISHED = Duration.ofMinutes(1);
  /** A kid the view does not publish reloads the view at most this often. */
  public static final Duration RELOAD_MIN_INTERVAL = Duration.ofSeconds(1);
  /** How long REST callers may cache the JWKS: with the refresh, at most {@link #MAX_VIEW_AGE} behind. */
  public static final Duration JWKS_MAX_AGE = REFRESH_INTERVAL;
  /** A rotation that keeps losing races with concurrent rotations gives up after this many attempts. */
  private static final int ROTATION_ATTEMPTS = 5;
  /**
   * Keys retired longer ago than this are never loaded into the view: every JWT they signed
   * was minted at most {@link #MAX_VIEW_AGE} after their retirement and has expired since
   * (the longest JWT lifetime, plus a day for clock skew between nodes).
   */
  static final Duration LOAD_HORIZON = Duration.ofSeconds(Math.max(TokenCore.RECORD_MAX_SECONDS,
      TokenCore.FAULT_MAX_MINUTES * 60L)).plus(MAX_VIEW_AGE).plusDays(1);
  private static final int COORDINATE_BYTES = 32;

  /** Where a key is in its life. */
  public enum State { CURRENT, RETIRED, EXPIRED }

  /** A key as administrators see it; {@code retiredAt} and {@code publishedUntil} are null for the current key. */
  public record KeyStatus(String kid, String algorithm, Instant createdAt, Instant retiredAt, Instant publishedUntil,
      State state) {}

  /**
   * A published key: its public half (the JWK coordinates, base64url of 32 bytes each) and
   * the ES256 verifier built from it once per kid. {@code retiredAt} and
   * {@code publishedUntil} are null for the current key.
   */
  public record PublishedKey(String kid, Instant createdAt, Instant retiredAt, Instant publishedUntil, String x,
      String y, Algorithm verifier) {
    /** Whether this key is published (and verifies) at {@code now}. */
    boolean isPublishedAt(Instant now) {
      return publishedUntil == null || now.isBefore(publishedUntil);
    }
  }

  /** A rotation's outcome: the new current key and the key it retired. */
  public record Rotation(String kid, Instant createdAt, String previousKid) {}

  /** A signed JWT and the ID of the key that signed it. */
  public record Signed(String jwt, String kid) {}

  private record Signer(String kid, Algorithm algorithm) {}

  /** What a node knows of the keys, as of {@code loadedAt}: the current key first, then retired ones, newest first. */
  private record View(Signer signer, Map<String, PublishedKey> keys, Instant loadedAt) {}

  private final Database database;
  private final Audit audit;
  private final SigningKeyRepository repository;
  private final MasterKey masterKey;
  private final Clock clock;
  private final Supplier<String> kidSource;
  private volatile View view;
  /** When the view was last (re)loaded or tried to be; guarded by this. */
  private Instant lastLoadAttempt = Instant.MIN;

  public SigningKeys(Database database, MasterKey masterKey, Clock clock, Supplier<String> kidSource, Audit audit) {
    this.database = database;
    this.audit = audit;
    this.repository = database.jdbi().onDemand(SigningKeyRepository.class);
    this.masterKey = masterKey;
    this.clock = clock;
    this.kidSource = kidSource;
  }

  /** Loads the keys, creating the first one on an empty store. */
  public void start() {
    if (repository.findCurrent().isEmpty()) {
      try {
        repository.insertCurrent(newKey(now()));
      } catch (RuntimeException e) {
        if (!Database.isUniqueViolation(e)) {
          throw e;
        }
        // another node created the first key at the same time: use theirs
      }
    }
    refresh();
  }

  /** Signs {@code jwt} with the current key, setting its {@code kid}. */
  public Signed sign(JWTCreator.Builder jwt) {
    View current = view;
    if (!clock.instant().isBefore(current.loadedAt().plus(MAX_VIEW_AGE))) {
      current = loadedWithin(MAX_VIEW_AGE);
    }
    return new Signed(jwt.withKeyId(current.signer().kid()).sign(current.signer().algorithm()), current.signer().kid());
  }

  /** Reloads the view from the database (the server does so every {@link #REFRESH_INTERVAL}). */
  public synchronized void refresh() {
    view = load();
  }

  /** The keys published now (the JWKS): the current key first, then retired ones, newest first. */
  public List<PublishedKey> published() {
    Instant now = clock.instant();
    return view.keys().values().stream().filter(key -> key.isPublishedAt(now)).toList();
  }

  /**
   * The key {@code kid} names if it is published now. A kid the view does not publish
   * reloads the view first (another node may have rotated), at most every
   * {@link #RELOAD_MIN_INTERVAL}, so unknown kids cannot flood the database.
   */
  Optional<PublishedKey> publishedKey(String kid) {
    Instant now = clock.instant();
    PublishedKey key = view.keys().get(kid);
    if (key == null || !key.isPublishedAt(now)) {
      key = reloadUnlessTriedWithin(RELOAD_MIN_INTERVAL).keys().get(kid);
    }
    return key != null && key.isPublishedAt(now) ? Optional.of(key) : Optional.empty();
  }

  /**
   * Makes a new key current and retires the current one. Requires {@code keys:write}. When
   * rotations race (callers or nodes), each retires the key current when it commits.
   */
  public Rotation rotate(Principal caller) {
    caller.require(Scopes.KEYS_WRITE);
    for (int attempt = 1; attempt <= ROTATION_ATTEMPTS; attempt++) {
      Optional<Rotation> rotation = tryRotate(null);
      if (rotation.isPresent()) {
        refresh();
        audit.record(AuditEvent.by(caller, AuditAction.SIGNING_KEY_ROTATE, AuditEvent.SIGNING_KEY, rotation.get().kid())
            .withDetails("previous=" + rotation.get().previousKid()));
        LOG.info("Signing key " + rotation.get().kid() + " replaces " + rotation.get().previousKid()
            + " (rotated by user " + caller.userId() + ")");
        return rotation.get();
      }
    }
    throw new IllegalStateException("signing key rotation lost " + ROTATION_ATTEMPTS + " races with other rotations");
  }

  /**
   * Rotates if the current key is at least {@code interval} old (zero: never); returns
   * whether this call rotated. The age is checked again in the rotating transaction, so
   * nodes running this at once rotate once.
   */
  public boolean rotateIfDue(Duration interval) {
    if (interval.isZero() || now().isBefore(currentCreatedAt(view).plus(interval))) {
      return false;
    }
    Optional<Rotation> rotation = tryRotate(interval);
    refresh();
    rotation.ifPresent(r -> {
      audit.record(AuditEvent.bySystem(null, AuditAction.SIGNING_KEY_ROTATE, AuditEvent.SIGNING_KEY, r.kid())
          .withDetails("previous=" + r.previousKid() + " scheduled=" + interval));
      LOG.info("Signing key " + r.kid() + " replaces " + r.previousKid() + " (scheduled: the key was " + interval
          + " old)");
    });
    return rotation.isPresent();
  }

  /** Every key, newest first, with its state now. Requires {@code keys:read}. */
  public List<KeyStatus> list(Principal caller) {
    caller.require(Scopes.KEYS_READ);
    Instant now = clock.instant();
    return repository.findAllStatuses().stream().map(row -> {
      Instant until = publishedUntil(row.retiredAt(), row.lastTokenExpiresAt());
      State state = row.retiredAt() == null ? State.CURRENT : now.isBefore(until) ? State.RETIRED : State.EXPIRED;
      return new KeyStatus(row.kid(), row.algorithm(), row.createdAt(), row.retiredAt(), until, state);
    }).toList();
  }

  /**
   * Until when a key retired at {@code retiredAt} is published: the later of
   * {@code retiredAt} + {@link #RETIRED_MIN_PUBLISHED} and the latest expiry of the tokens it
   * signed. Null for the current key ({@code retiredAt} null).
   */
  static Instant publishedUntil(Instant retiredAt, Instant lastTokenExpiresAt) {
    if (retiredAt == null) {
      return null;
    }
    Instant floor = retiredAt.plus(RETIRED_MIN_PUBLISHED);
    return lastTokenExpiresAt != null && lastTokenExpiresAt.isAfter(floor) ? lastTokenExpiresAt : floor;
  }

  /**
   * One attempt: in one transaction, retire the current key if it is at least
   * {@code minAge} old (null: any age) and still current, and insert a new current key.
   * Empty when the key is younger, or another rotation retired it first: the conditional
   * update waits for the other transaction's row lock and then matches nothing (H2 and
   * PostgreSQL at READ COMMITTED). The unique constraint on {@code is_current} backs this
   * up: a second current key can never commit.
   */
  private Optional<Rotation> tryRotate(Duration minAge) {
    Instant now = now();
    SigningKeyRow fresh = newKey(now);
    return database.jdbi().inTransaction(handle -> {
      SigningKeyRepository keys = handle.attach(SigningKeyRepository.class);
      SigningKeyRow current = keys.findCurrent()
          .orElseThrow(() -> new IllegalStateException("the store has no current signing key"));
      if ((minAge != null && now.isBefore(current.createdAt().plus(minAge)))
          || keys.retireIfCurrent(current.kid(), now) == 0) {
        return Optional.empty();
      }
      keys.insertCurrent(fresh);
      return Optional.of(new Rotation(fresh.kid(), now, current.kid()));
    });
  }

  /** The view, reloaded first unless it was loaded within {@code age}. */
  private synchronized View loadedWithin(Duration age) {
    if (!clock.instant().isBefore(view.loadedAt().plus(age))) {
      view = load();
    }
    return view;
  }

  /** The view, reloaded first unless a load was tried (failed or not) within {@code interval}. */
  private synchronized View reloadUnlessTriedWithin(Duration interval) {
    if (!clock.instant().isBefore(lastLoadAttempt.plus(interval))) {
      view = load();
    }
    return view;
  }

  /** Reads the view from the database; call holding this object's lock. */
  private View load() {
    Instant loadedAt = clock.instant();
    lastLoadAttempt = loadedAt;
    View previous = view;
    // The current key first: a rotation between the two reads leaves a signer that was
    // current at loadedAt, which is all MAX_VIEW_AGE promises.
    SigningKeyRow current = repository.findCurrent()
        .orElseThrow(() -> new IllegalStateException("the store has no current signing key"));
    Signer signer = previous != null && previous.signer().kid().equals(current.kid()) ? previous.signer() : signer(current);
    Map<String, PublishedKey> keys = new LinkedHashMap<>();
    List<SigningKeyStatusRow> rows = repository.findStatusesRetiredAfter(loadedAt.minus(LOAD_HORIZON));
    rows.forEach(row -> keys.put(row.kid(), published(row, previous)));
    return new View(signer, Collections.unmodifiableMap(keys), loadedAt);
  }

  private PublishedKey published(SigningKeyStatusRow row, View previous) {
    PublishedKey known = previous == null ? null : previous.keys().get(row.kid());
    Instant until = publishedUntil(row.retiredAt(), row.lastTokenExpiresAt());
    if (known != null) {
      return new PublishedKey(row.kid(), row.createdAt(), row.retiredAt(), until, known.x(), known.y(), known.verifier());
    }
    ECPublicKey publicKey = publicKey(row.kid(), row.publicKey());
    return new PublishedKey(row.kid(), row.createdAt(), row.retiredAt(), until,
        coordinate(publicKey.getW().getAffineX()), coordinate(publicKey.getW().getAffineY()),
        Algorithm.ECDSA256(publicKey, null));
  }

  private static Instant currentCreatedAt(View view) {
    return view.keys().get(view.signer().kid()).createdAt();
  }

  /** A new key pair as a row, its private half sealed under the master key. */
  private SigningKeyRow newKey(Instant now) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      KeyPair pair = generator.generateKeyPair();
      String kid = kidSource.get();
      return new SigningKeyRow(kid, ALGORITHM, Base64.getEncoder().encodeToString(pair.getPublic().getEncoded()),
          masterKey.seal(pair.getPrivate().getEncoded(), kid), now, null);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("EC P-256 key generation is unavailable", e);
    }
  }

  private Signer signer(SigningKeyRow row) {
    try {
      ECPrivateKey privateKey = (ECPrivateKey) KeyFactory.getInstance("EC").generatePrivate(
          new PKCS8EncodedKeySpec(masterKey.open(row.privateKeySealed(), row.kid())));
      return new Signer(row.kid(), new Es256(publicKey(row.kid(), row.publicKey()), privateKey));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("signing key " + row.kid() + " cannot be loaded", e);
    }
  }

  private static ECPublicKey publicKey(String kid, String encoded) {
    try {
      return (ECPublicKey) KeyFactory.getInstance("EC")
          .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(encoded)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("public key " + kid + " cannot be loaded", e);
    }
  }

  /** A P-256 coordinate as a JWK wants it: 32 bytes big-endian, left-padded, base64url without padding. */
  static String coordinate(BigInteger value) {
    byte[] minimal = value.toByteArray(); // may carry a leading sign byte, or be shorter than 32
    byte[] fixed = new byte[COORDINATE_BYTES];
    int length = Math.min(minimal.length, COORDINATE_BYTES);
    System.arraycopy(minimal, minimal.length - length, fixed, COORDINATE_BYTES - length, length);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(fixed);
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MILLIS);
  }
}
