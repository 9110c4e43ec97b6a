package dev.tokenauthority.server.core;

import dev.tokenauthority.server.store.Database;
import dev.tokenauthority.server.store.Rows.TokenRow;
import dev.tokenauthority.server.store.TokenRepository;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seed 001's share links ({@code short_link}, {@code <public url>/s/<code>}): while the fault
 * token is active, a link leads to the configured dashboard URL with the JWT in it.
 *
 * <p>The JWT is not stored in the clear, and neither is the code (only its SHA-256, the
 * lookup key). So that the link can still produce the JWT, minting stores it sealed with
 * AES-256-GCM under a key derived from the code with HKDF-SHA256 (RFC 5869; salt and info
 * fixed here, so the key is a different function of the code than the stored hash), bound
 * to the token ID as associated data. Without the link, a copy of the database reveals
 * neither; the link holder could have had the JWT anyway.
 */
public final class ShareLinks {
  /** What the target template's placeholder is replaced with: the JWT. */
  public static final String TOKEN_PLACEHOLDER = "{token}";
  /** Codes this authority could have minted: base62, at most 64 characters (today 16). */
  private static final Pattern CODE = Pattern.compile("[0-9A-Za-z]{1,64}");
  private static final String TYPE = "share link";
  private static final byte[] HKDF_SALT = "tokenauthority/share-link".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] HKDF_INFO = "AES-256-GCM key of the share link's JWT, v1".getBytes(StandardCharsets.US_ASCII);
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final TokenRepository repository;
  private final Clock clock;
  private final String target;

  /** {@code target}: a URL template checked by {@link #checkTarget}, e.g. {@code https://dash.example/#token={token}}. */
  public ShareLinks(Database database, Clock clock, String target) {
    this.repository = database.jdbi().onDemand(TokenRepository.class);
    this.clock = clock;
    this.target = target;
  }

  /**
   * Rejects a target template that is not an absolute http(s) URL of printable ASCII
   * (it travels in a {@code Location} header) with at least one {@value #TOKEN_PLACEHOLDER}.
   */
  public static void checkTarget(String template) {
    if (template == null || !template.contains(TOKEN_PLACEHOLDER)) {
      throw new IllegalArgumentException("the share-link target must contain " + TOKEN_PLACEHOLDER + ": " + template);
    }
    if (!template.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      throw new IllegalArgumentException("the share-link target must be printable ASCII without spaces: " + template);
    }
    try {
      URI uri = new URI(template.replace(TOKEN_PLACEHOLDER, "token"));
      if (!uri.isAbsolute() || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
          || uri.getHost() == null) {
        throw new IllegalArgumentException("the share-link target must be an absolute http(s) URL: " + template);
      }
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("the share-link target is not a URL: " + e.getMessage(), e);
    }
  }

  /**
   * Where the link of {@code code} leads now: the target with the token's JWT. An unknown
   * (or malformed) code is NOT_FOUND; a link whose token has expired or been revoked is
   * {@link Failure#gone gone}. Takes no principal: the code is the credential.
   */
  public String resolve(String code) {
    if (code == null || !CODE.matcher(code).matches()) {
      throw Failure.notFoundBySecret(TYPE);
    }
    String hash = Secrets.hash(code);
    TokenRow token = repository.findByShortCodeHash(hash)
        .filter(row -> Secrets.sameHash(row.shortCodeHash(), hash))
        .orElseThrow(() -> Failure.notFoundBySecret(TYPE));
    String status = TokenLifecycle.status(token, clock.instant());
    if (!status.equals("active")) {
      throw Failure.gone(TYPE, status, "The token this share link carries has "
          + (status.equals("revoked") ? "been revoked" : "expired") + "; ask its owner for a new link.");
    }
    String sealed = repository.findShareJwt(token.id());
    if (sealed == null) {
      throw Failure.gone(TYPE, "unavailable",
          "This share link was minted before share links resolved; ask its owner for a new link.");
    }
    return target.replace(TOKEN_PLACEHOLDER, open(sealed, code, token.id()));
  }

  /** base64(nonce || AES-256-GCM of {@code jwt}) under the code's key, bound to {@code tokenId}. */
  static String seal(String code, String tokenId, String jwt) {
    try {
      byte[] nonce = new byte[NONCE_BYTES];
      RANDOM.nextBytes(nonce);
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, keyOf(code), new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(tokenId.getBytes(StandardCharsets.UTF_8));
      byte[] sealed = cipher.doFinal(jwt.getBytes(StandardCharsets.US_ASCII));
      return Base64.getEncoder().encodeToString(
          ByteBuffer.allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed).array());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is unavailable", e);
    }
  }

  /** The JWT {@link #seal} sealed for the same code and token; fails if anything differs or was altered. */
  static String open(String sealed, String code, String tokenId) {
    byte[] bytes = Base64.getDecoder().decode(sealed);
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, keyOf(code), new GCMParameterSpec(TAG_BITS, bytes, 0, NONCE_BYTES));
      cipher.updateAAD(tokenId.getBytes(StandardCharsets.UTF_8));
      return new String(cipher.doFinal(bytes, NONCE_BYTES, bytes.length - NONCE_BYTES), StandardCharsets.US_ASCII);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("a share link's JWT cannot be opened: altered data", e);
    }
  }

  /** HKDF-SHA256 (RFC 5869) of the code: extract with the fixed salt, then one expand block (32 bytes). */
  private static SecretKey keyOf(String code) throws GeneralSecurityException {
    Mac hmac = Mac.getInstance("HmacSHA256");
    hmac.init(new SecretKeySpec(HKDF_SALT, "HmacSHA256"));
    byte[] pseudoRandomKey = hmac.doFinal(code.getBytes(StandardCharsets.US_ASCII));
    hmac.init(new SecretKeySpec(pseudoRandomKey, "HmacSHA256"));
    hmac.update(HKDF_INFO);
    hmac.update((byte) 1);
    return new SecretKeySpec(hmac.doFinal(), "AES");
  }
}
