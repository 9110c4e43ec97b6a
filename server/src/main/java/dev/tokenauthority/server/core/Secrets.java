package dev.tokenauthority.server.core;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.zip.CRC32;

/**
 * Opaque secrets in a GitHub-style format: {@code <kind prefix><43 base62 chars><6 base62
 * checksum chars>}, e.g. {@code taw_...}. The body carries 256 bits from SecureRandom;
 * the CRC32 checksum lets secret scanners (and this service, before any lookup) tell a
 * real secret from a typo offline. Only the SHA-256 of a secret is ever stored.
 */
public final class Secrets {
  private static final char[] BASE62 =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
  private static final char[] LOWER_ALNUM = "0123456789abcdefghijklmnopqrstuvwxyz".toCharArray();
  /** 43 base62 characters hold 256.03 bits. */
  private static final int BODY_LENGTH = 43;
  /** 62^6 > 2^32: six characters hold a CRC32. */
  private static final int CHECKSUM_LENGTH = 6;

  /**
   * Compared against when a lookup finds nothing, so that an unknown secret costs the same
   * comparison as a known one (the hash of no secret: 64 hex digits like any stored hash).
   */
  private static final String NO_HASH = hash("no secret: the lookup found nothing");

  private final SecureRandom random = new SecureRandom();
  private final java.util.function.BiPredicate<String, String> comparator;

  public Secrets() {
    this(Secrets::sameHash);
  }

  /** Tests count comparisons through {@code comparator}; everything else uses {@link #sameHash}. */
  Secrets(java.util.function.BiPredicate<String, String> comparator) {
    this.comparator = comparator;
  }

  /** A new secret of an opaque kind. */
  public String newSecret(TokenKind kind) {
    StringBuilder secret = new StringBuilder(kind.secretPrefix());
    appendRandom(secret, BASE62, BODY_LENGTH);
    return secret.append(checksum(secret)).toString();
  }

  /** An ID: {@code prefix} + {@code length} random lowercase alphanumerics (e.g. {@code tok_} + 24). */
  public String newId(String prefix, int length) {
    return appendRandom(new StringBuilder(prefix), LOWER_ALNUM, length).toString();
  }

  /** {@code length} random base62 characters: short-link codes. */
  public String newCode(int length) {
    return appendRandom(new StringBuilder(), BASE62, length).toString();
  }

  private StringBuilder appendRandom(StringBuilder into, char[] alphabet, int length) {
    for (int i = 0; i < length; i++) {
      into.append(alphabet[random.nextInt(alphabet.length)]);
    }
    return into;
  }

  /** The kind whose format {@code secret} has (prefix, length, checksum), or null. */
  public static TokenKind kindOf(String secret) {
    for (TokenKind kind : TokenKind.values()) {
      if (kind.isOpaque() && secret.startsWith(kind.secretPrefix())
          && secret.length() == kind.secretPrefix().length() + BODY_LENGTH + CHECKSUM_LENGTH) {
        int split = secret.length() - CHECKSUM_LENGTH;
        return checksum(secret.substring(0, split)).equals(secret.substring(split)) ? kind : null;
      }
    }
    return null;
  }

  /** The stored form of a secret: hex SHA-256. */
  public static String hash(String secret) {
    try {
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(sha256.digest(secret.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK provides SHA-256", e);
    }
  }

  /** Constant-time comparison of two stored hashes. */
  public static boolean sameHash(String a, String b) {
    return MessageDigest.isEqual(a.getBytes(StandardCharsets.US_ASCII), b.getBytes(StandardCharsets.US_ASCII));
  }

  /**
   * Whether {@code storedHash} (what a lookup by {@code hash} found, or null if it found
   * nothing) matches {@code hash}. Always makes exactly one constant-time comparison, so
   * that unknown and wrong secrets take the same path as known ones.
   */
  public boolean matches(String storedHash, String hash) {
    boolean same = comparator.test(storedHash == null ? NO_HASH : storedHash, hash);
    return storedHash != null && same;
  }

  private static String checksum(CharSequence text) {
    CRC32 crc = new CRC32();
    crc.update(text.toString().getBytes(StandardCharsets.US_ASCII));
    long value = crc.getValue();
    char[] out = new char[CHECKSUM_LENGTH];
    for (int i = CHECKSUM_LENGTH - 1; i >= 0; i--) {
      out[i] = BASE62[(int) (value % 62)];
      value /= 62;
    }
    return new String(out);
  }
}
