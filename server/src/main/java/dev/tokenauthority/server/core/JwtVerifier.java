package dev.tokenauthority.server.core;

import com.auth0.jwt.JWT;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.interfaces.DecodedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Verifies the JWTs this authority mints (record and fault tokens). The one entry point is
 * {@link #verify}: it returns {@link Valid} with the claims, or {@link Invalid} with the
 * first check that failed, and never throws for anything a caller may send (null, garbage,
 * malformed base64 or JSON, a huge string).
 *
 * <p>It checks, in this order:
 * <ol>
 *   <li>the shape: at most {@link #MAX_LENGTH} characters, three base64url segments;
 *   <li>header and payload decode as JSON objects;
 *   <li>the header's {@code alg} is exactly {@code ES256} ({@code none}, HS256 keyed with the
 *       public key, RS256 ... are refused before any key is used);
 *   <li>the header's {@code kid} names a key this authority publishes now: the current key,
 *       or a retired one still within its retention ({@link SigningKeys}). An unknown kid
 *       reloads the keys (another node may have rotated), at most once a second;
 *   <li>the ES256 signature verifies with that key;
 *   <li>{@code iss} is this authority's issuer;
 *   <li>{@code exp} is present and has not passed by the injected clock (a JWT is valid
 *       while now &lt; exp);
 *   <li>{@code jti} is present (the tokens table's ID).
 * </ol>
 *
 * <p>It does NOT check, and the caller must: revocation, and anything else the token's
 * record says (look the token up by {@link Claims#id()} in the tokens table); the
 * audience ({@code records} or {@code faults}) and the scope and resource the caller
 * requires ({@link #verify(String, String)} checks the audience); whether the tenant, user or
 * record still exist. It ignores {@code iat}. This authority sets no {@code nbf}, but a JWT
 * that has one is refused until then ({@link Rejection#NOT_YET_VALID}), as RFC 7519 requires.
 *
 * <p>Key objects and ES256 verifiers are built once per kid ({@link SigningKeys.PublishedKey}).
 */
public final class JwtVerifier {
  /** Longer inputs are refused unread; this authority's JWTs are well under 1,000 characters. */
  public static final int MAX_LENGTH = 8192;
  /** Three base64url segments; the signature may be empty, as in {@code alg: none}. */
  private static final Pattern SHAPE = Pattern.compile("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*");

  /** Why a JWT was refused. */
  public enum Rejection {
    /** Not a JWT: empty, too long, not three base64url segments, or not JSON. */
    MALFORMED,
    /** The header's {@code alg} is not {@code ES256}. */
    ALGORITHM_NOT_ALLOWED,
    /** No {@code kid}, or one that names no key this authority publishes now. */
    UNKNOWN_KEY,
    /** The signature does not verify with the named key. */
    BAD_SIGNATURE,
    /** {@code iss} is missing or is not this authority. */
    WRONG_ISSUER,
    /** {@code exp} has passed. */
    EXPIRED,
    /** A claim this authority always sets ({@code exp}, {@code jti}) is missing. */
    MISSING_CLAIM,
    /** {@code nbf} is still in the future. */
    NOT_YET_VALID,
    /** {@code aud} does not name the audience the caller asked for ({@link #verify(String, String)}). */
    WRONG_AUDIENCE
  }

  /** The outcome of {@link #verify}: {@link Valid} or {@link Invalid}. */
  public sealed interface Result permits Valid, Invalid {}

  /** The JWT is authentic, this authority's, and unexpired; here are its claims. */
  public record Valid(Claims claims) implements Result {}

  /** The JWT was refused; {@code message} says why in words fit for a log (it never echoes the JWT). */
  public record Invalid(Rejection rejection, String message) implements Result {}

  /**
   * The claims of a verified JWT. {@code id} is the {@code jti}: the token's ID in the
   * tokens table. {@code resourceId} ({@code rec}) is set for record tokens only; the
   * others are set on every JWT this authority mints, and null (empty {@code audience}) if
   * absent.
   */
  public record Claims(String id, String keyId, String issuer, String subject, List<String> audience,
      String tenantId, String scope, String resourceId, Instant issuedAt, Instant expiresAt) {}

  private final SigningKeys keys;
  private final String issuer;
  private final Clock clock;

  public JwtVerifier(SigningKeys keys, String issuer, Clock clock) {
    this.keys = keys;
    this.issuer = issuer;
    this.clock = clock;
  }

  /**
   * Whether a base64url segment holds a JSON object's text (the JWT library parses it; a
   * {@code null} or an array would reach its accessors as nothing). Throws
   * IllegalArgumentException if it is not base64url.
   */
  private static boolean isJsonObject(String segment) {
    return new String(Base64.getUrlDecoder().decode(segment), StandardCharsets.UTF_8).strip().startsWith("{");
  }

  /**
   * As {@link #verify(String)}, and also requires {@code aud} to name {@code audience}
   * ({@code records} or {@code faults}): a token minted for one audience is refused by another.
   */
  public Result verify(String jwt, String audience) {
    Result result = verify(jwt);
    if (result instanceof Valid valid && !valid.claims().audience().contains(audience)) {
      return new Invalid(Rejection.WRONG_AUDIENCE, "aud does not name " + audience);
    }
    return result;
  }

  /** Verifies {@code jwt}; see the class comment for what is checked and what is not. */
  public Result verify(String jwt) {
    if (jwt == null || jwt.length() > MAX_LENGTH || !SHAPE.matcher(jwt).matches()) {
      return new Invalid(Rejection.MALFORMED, "not a JWT: three base64url segments of at most " + MAX_LENGTH
          + " characters in all");
    }
    DecodedJWT decoded;
    try {
      int dot = jwt.indexOf('.');
      if (!isJsonObject(jwt.substring(0, dot)) || !isJsonObject(jwt.substring(dot + 1, jwt.indexOf('.', dot + 1)))) {
        return new Invalid(Rejection.MALFORMED, "the header and the payload must be JSON objects");
      }
      decoded = JWT.decode(jwt);
    } catch (JWTVerificationException | IllegalArgumentException e) {
      return new Invalid(Rejection.MALFORMED, "the header or payload is not base64url-encoded JSON");
    }
    if (!SigningKeys.ALGORITHM.equals(decoded.getAlgorithm())) {
      return new Invalid(Rejection.ALGORITHM_NOT_ALLOWED, "alg must be " + SigningKeys.ALGORITHM);
    }
    Optional<SigningKeys.PublishedKey> key = decoded.getKeyId() == null
        ? Optional.empty() : keys.publishedKey(decoded.getKeyId());
    if (key.isEmpty()) {
      return new Invalid(Rejection.UNKNOWN_KEY, "kid names no key this authority publishes");
    }
    try {
      key.get().verifier().verify(decoded);
    } catch (JWTVerificationException e) {
      return new Invalid(Rejection.BAD_SIGNATURE, "the signature does not verify with key " + key.get().kid());
    }
    if (!issuer.equals(decoded.getIssuer())) {
      return new Invalid(Rejection.WRONG_ISSUER, "iss is not " + issuer);
    }
    Instant expiresAt = decoded.getExpiresAtAsInstant();
    if (expiresAt == null || decoded.getId() == null) {
      return new Invalid(Rejection.MISSING_CLAIM, expiresAt == null ? "exp is missing" : "jti is missing");
    }
    if (!clock.instant().isBefore(expiresAt)) {
      return new Invalid(Rejection.EXPIRED, "expired at " + expiresAt);
    }
    Instant notBefore = decoded.getNotBeforeAsInstant();
    if (notBefore != null && clock.instant().isBefore(notBefore)) {
      return new Invalid(Rejection.NOT_YET_VALID, "not valid before " + notBefore);
    }
    return new Valid(new Claims(decoded.getId(), decoded.getKeyId(), decoded.getIssuer(), decoded.getSubject(),
        decoded.getAudience() == null ? List.of() : List.copyOf(decoded.getAudience()), decoded.getClaim("tid").asString(), decoded.getClaim("scope").asString(),
        decoded.getClaim("rec").asString(), decoded.getIssuedAtAsInstant(), expiresAt));
  }
}
