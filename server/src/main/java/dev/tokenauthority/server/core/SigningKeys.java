package dev.tokenauthority.server.core;

import com.auth0.jwt.JWTCreator;
import com.auth0.jwt.algorithms.Algorithm;
import dev.tokenauthority.server.store.Database;
import dev.tokenauthority.server.store.Rows.SigningKeyRow;
import dev.tokenauthority.server.store.SigningKeyRepository;
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
import java.util.Base64;
import java.util.function.Supplier;

/**
 * The ES256 keys JWTs are signed with. Keys live in the database (private halves sealed
 * with the master key); the current one is held in memory, and every JWT names it in
 * its {@code kid} header.
 */
public final class SigningKeys {
  public static final String ALGORITHM = "ES256";

  private final SigningKeyRepository repository;
  private final MasterKey masterKey;
  private final Clock clock;
  private final Supplier<String> kidSource;
  private volatile Current current;

  private record Current(String kid, Algorithm algorithm) {}

  public SigningKeys(Database database, MasterKey masterKey, Clock clock, Supplier<String> kidSource) {
    this.repository = database.jdbi().onDemand(SigningKeyRepository.class);
    this.masterKey = masterKey;
    this.clock = clock;
    this.kidSource = kidSource;
  }

  /** Loads the current key, creating the first one on an empty store. */
  public void start() {
    SigningKeyRow row = repository.findCurrent().orElseGet(this::createKey);
    current = load(row);
  }

  /** A signed JWT and the ID of the key that signed it. */
  public record Signed(String jwt, String kid) {}

  /** Signs {@code jwt} with the current key, setting its {@code kid}. */
  public Signed sign(JWTCreator.Builder jwt) {
    Current key = current;
    return new Signed(jwt.withKeyId(key.kid()).sign(key.algorithm()), key.kid());
  }

  private SigningKeyRow createKey() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      KeyPair pair = generator.generateKeyPair();
      String kid = kidSource.get();
      SigningKeyRow row = new SigningKeyRow(kid, ALGORITHM,
          Base64.getEncoder().encodeToString(pair.getPublic().getEncoded()),
          masterKey.seal(pair.getPrivate().getEncoded(), kid),
          clock.instant(), null);
      repository.insert(row);
      return row;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("EC P-256 key generation is unavailable", e);
    }
  }

  private Current load(SigningKeyRow row) {
    try {
      KeyFactory factory = KeyFactory.getInstance("EC");
      ECPublicKey publicKey = (ECPublicKey) factory.generatePublic(
          new X509EncodedKeySpec(Base64.getDecoder().decode(row.publicKey())));
      ECPrivateKey privateKey = (ECPrivateKey) factory.generatePrivate(
          new PKCS8EncodedKeySpec(masterKey.open(row.privateKeySealed(), row.kid())));
      return new Current(row.kid(), Algorithm.ECDSA256(publicKey, privateKey));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("signing key " + row.kid() + " cannot be loaded", e);
    }
  }
}
