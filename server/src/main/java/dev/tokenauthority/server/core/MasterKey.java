package dev.tokenauthority.server.core;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The key that seals signing keys at rest (AES-256-GCM). It comes from configuration
 * (base64 of 32 bytes) or, failing that, from {@code <data-dir>/master.key}, generated
 * once with mode 0600. It never enters the database: a copy of the database alone does
 * not reveal a private key. Every node of a cluster must share it.
 */
public final class MasterKey {
  private static final int KEY_BYTES = 32;
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;

  private final SecretKey key;
  private final SecureRandom random = new SecureRandom();

  private MasterKey(byte[] key) {
    if (key.length != KEY_BYTES) {
      throw new IllegalArgumentException("the master key must be " + KEY_BYTES + " bytes (base64-encoded)");
    }
    this.key = new SecretKeySpec(key, "AES");
  }

  /** The configured key if {@code configured} is set, else the data dir's key file (created if absent). */
  public static MasterKey load(String configured, Path dataDir) throws IOException {
    if (configured != null && !configured.isBlank()) {
      return new MasterKey(Base64.getDecoder().decode(configured.trim()));
    }
    Path file = dataDir.resolve("master.key");
    if (!Files.exists(file)) {
      byte[] fresh = new byte[KEY_BYTES];
      new SecureRandom().nextBytes(fresh);
      try {
        Files.createDirectories(dataDir);
        Files.write(file, Base64.getEncoder().encode(fresh), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
      } catch (FileAlreadyExistsException raced) {
        // another process created it first: use theirs
      }
    }
    String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
    return new MasterKey(Base64.getDecoder().decode(text));
  }

  /** Encrypts {@code plain}, bound to {@code context} (e.g. the key ID), as base64(nonce || ciphertext). */
  public String seal(byte[] plain, String context) {
    try {
      byte[] nonce = new byte[NONCE_BYTES];
      random.nextBytes(nonce);
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
      byte[] sealed = cipher.doFinal(plain);
      return Base64.getEncoder().encodeToString(ByteBuffer.allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed).array());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is unavailable", e);
    }
  }

  /** Decrypts what {@link #seal} produced for the same {@code context}; fails if either was altered. */
  public byte[] open(String sealed, String context) {
    byte[] bytes = Base64.getDecoder().decode(sealed);
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, bytes, 0, NONCE_BYTES));
      cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
      return cipher.doFinal(bytes, NONCE_BYTES, bytes.length - NONCE_BYTES);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("a sealed key cannot be opened: wrong master key or altered data", e);
    }
  }
}
