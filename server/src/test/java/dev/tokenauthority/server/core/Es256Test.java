package dev.tokenauthority.server.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.SignatureVerificationException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPrivateKeySpec;
import java.security.spec.ECPublicKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The Bouncy Castle ES256 signer: RFC 6979's own test vector, and JWTs the JDK's ES256 accepts. */
class Es256Test {
  /** RFC 6979 appendix A.2.5: the P-256 key pair. */
  private static final String X = "C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721";
  private static final String UX = "60FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB6";
  private static final String UY = "7903FE1008B8BC99A41AE9E95628BC64F2F1B20C2D7E9F5177A3C294D4462299";

  @Test
  void signsRfc6979sVectorExactly() throws Exception {
    Es256 es256 = rfc6979Key();
    // with SHA-256, message "sample": the deterministic nonce gives exactly this r and s
    assertThat(HexFormat.of().withUpperCase().formatHex(es256.sign("sample".getBytes(StandardCharsets.US_ASCII))))
        .isEqualTo("EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716"
            + "F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8");
  }

  @Test
  void itsJwtsVerifyWithTheJdksEs256AndATamperedOneDoesNot() throws Exception {
    KeyPair pair = p256();
    Es256 es256 = new Es256((ECPublicKey) pair.getPublic(), (ECPrivateKey) pair.getPrivate());
    Algorithm jdk = Algorithm.ECDSA256((ECPublicKey) pair.getPublic(), null);
    for (int i = 0; i < 50; i++) { // r or s with leading zero bytes come up now and then: all must verify
      String jwt = JWT.create().withSubject("record-" + i).sign(es256);
      assertThat(JWT.decode(jwt).getAlgorithm()).isEqualTo("ES256");
      assertThat(Base64.getUrlDecoder().decode(jwt.substring(jwt.lastIndexOf('.') + 1))).hasSize(64);
      assertThat(JWT.require(jdk).build().verify(jwt).getSubject()).isEqualTo("record-" + i);
      es256.verify(JWT.decode(jwt)); // its own verify is the JDK's
    }
    String jwt = JWT.create().withSubject("record").sign(es256);
    String[] parts = jwt.split("\\.");
    String otherPayload = Base64.getUrlEncoder().withoutPadding()
        .encodeToString("{\"sub\":\"other\"}".getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> JWT.require(jdk).build().verify(parts[0] + "." + otherPayload + "." + parts[2]))
        .isInstanceOf(SignatureVerificationException.class);
  }

  @Test
  void refusesAKeyOfAnotherCurve() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp384r1"));
    KeyPair p384 = generator.generateKeyPair();
    assertThatThrownBy(() -> new Es256((ECPublicKey) p384.getPublic(), (ECPrivateKey) p384.getPrivate()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("P-256");
  }

  private static Es256 rfc6979Key() throws Exception {
    AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
    parameters.init(new ECGenParameterSpec("secp256r1"));
    ECParameterSpec p256 = parameters.getParameterSpec(ECParameterSpec.class);
    KeyFactory factory = KeyFactory.getInstance("EC");
    ECPrivateKey privateKey = (ECPrivateKey) factory.generatePrivate(new ECPrivateKeySpec(new BigInteger(X, 16), p256));
    ECPublicKey publicKey = (ECPublicKey) factory.generatePublic(
        new ECPublicKeySpec(new ECPoint(new BigInteger(UX, 16), new BigInteger(UY, 16)), p256));
    return new Es256(publicKey, privateKey);
  }

  private static KeyPair p256() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return generator.generateKeyPair();
  }
}
