package dev.tokenauthority.server.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.interfaces.DecodedJWT;
import dev.tokenauthority.server.core.Cluster.Node;
import dev.tokenauthority.server.core.JwtVerifier.Claims;
import dev.tokenauthority.server.core.JwtVerifier.Invalid;
import dev.tokenauthority.server.core.JwtVerifier.Rejection;
import dev.tokenauthority.server.core.JwtVerifier.Result;
import dev.tokenauthority.server.core.JwtVerifier.Valid;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.math.BigInteger;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@link JwtVerifier#verify} accepts and what it refuses, never throwing. */
class JwtVerifierTest {
  static final Instant START = Instant.parse("2031-03-04T05:06:07Z");
  static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  @TempDir Path dataDir;
  @TempDir Path otherDataDir;
  Cluster cluster;
  Node node;
  TokenCore.IssuedJwt minted;
  DecodedJWT decoded;

  @BeforeEach
  void start() {
    cluster = new Cluster(dataDir, START);
    node = cluster.node();
    minted = cluster.mint(node, 60);
    decoded = JWT.decode(minted.jwt());
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  Rejection rejection(String jwt) {
    Result result = node.verifier().verify(jwt);
    assertThat(result).as("refused: %s", jwt == null ? null : jwt.substring(0, Math.min(jwt.length(), 80)))
        .isInstanceOf(Invalid.class);
    Invalid invalid = (Invalid) result;
    assertThat(invalid.message()).isNotBlank();
    return invalid.rejection();
  }

  static String segment(String json) {
    return B64.encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }

  static String json(byte[] segment) {
    return new String(Base64.getUrlDecoder().decode(segment), StandardCharsets.UTF_8);
  }

  /** The minted JWT's payload with {@code from} replaced by {@code to}. */
  String payloadWith(String from, String to) {
    String payload = json(decoded.getPayload().getBytes(StandardCharsets.US_ASCII));
    assertThat(payload).contains(from);
    return segment(payload.replace(from, to));
  }

  // ---------------------------------------------------------------- accepted

  @Test
  void aMintedJwtVerifiesWithItsClaims() {
    Result result = node.verifier().verify(minted.jwt());

    assertThat(result).isInstanceOf(Valid.class);
    Claims claims = ((Valid) result).claims();
    assertThat(claims.id()).isEqualTo(minted.row().id()).startsWith("ftk_");
    assertThat(claims.keyId()).isEqualTo(minted.row().signingKeyId());
    assertThat(claims.issuer()).isEqualTo(Cluster.ISSUER);
    assertThat(claims.subject()).isEqualTo(minted.row().userId());
    assertThat(claims.audience()).containsExactly("faults");
    assertThat(claims.tenantId()).isEqualTo(minted.row().tenantId());
    assertThat(claims.scope()).isEqualTo("faults:read");
    assertThat(claims.resourceId()).isNull();
    assertThat(claims.issuedAt()).isEqualTo(START);
    assertThat(claims.expiresAt()).isEqualTo(START.plus(Duration.ofMinutes(60)));
  }

  @Test
  void aJwtIsValidUntilItsExpAndExpiredFromThen() {
    cluster.clock.set(START.plus(Duration.ofMinutes(60)).minusMillis(1));
    assertThat(node.verifier().verify(minted.jwt())).isInstanceOf(Valid.class);
    cluster.clock.set(START.plus(Duration.ofMinutes(60)));
    assertThat(rejection(minted.jwt())).isEqualTo(Rejection.EXPIRED);
  }

  // ---------------------------------------------------------------- forged

  @Test
  void aTamperedPayloadIsRefused() {
    String tampered = decoded.getHeader() + "." + payloadWith("\"faults:read\"", "\"records:update\"") + "."
        + decoded.getSignature();
    assertThat(rejection(tampered)).isEqualTo(Rejection.BAD_SIGNATURE);
    String longer = decoded.getHeader() + "." + payloadWith("\"exp\":", "\"exp\":9") + "." + decoded.getSignature();
    assertThat(rejection(longer)).isEqualTo(Rejection.BAD_SIGNATURE);
  }

  @Test
  void algNoneIsRefusedInAnySpelling() {
    for (String none : List.of("none", "None", "NONE", "")) {
      String header = segment("{\"alg\":\"" + none + "\",\"typ\":\"JWT\",\"kid\":\"" + decoded.getKeyId() + "\"}");
      assertThat(rejection(header + "." + decoded.getPayload() + ".")).as(none).isEqualTo(Rejection.ALGORITHM_NOT_ALLOWED);
      assertThat(rejection(header + "." + decoded.getPayload() + "." + decoded.getSignature())).as(none)
          .isEqualTo(Rejection.ALGORITHM_NOT_ALLOWED);
    }
    String noAlg = segment("{\"typ\":\"JWT\",\"kid\":\"" + decoded.getKeyId() + "\"}");
    assertThat(rejection(noAlg + "." + decoded.getPayload() + "." + decoded.getSignature()))
        .isEqualTo(Rejection.ALGORITHM_NOT_ALLOWED);
  }

  @Test
  void hmacKeyedWithThePublicKeyIsRefused() throws Exception {
    byte[] publicKeyDer = cluster.database.jdbi().withHandle(h -> Base64.getDecoder().decode(
        h.select("SELECT public_key FROM signing_keys WHERE kid = ?", decoded.getKeyId()).mapTo(String.class).one()));
    SigningKeys.PublishedKey published = node.keys().published().get(0);
    String jwk = "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" + published.x() + "\",\"y\":\"" + published.y() + "\"}";
    String pem = "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(publicKeyDer) + "\n-----END PUBLIC KEY-----\n";
    for (byte[] secret : List.of(publicKeyDer, jwk.getBytes(StandardCharsets.UTF_8), pem.getBytes(StandardCharsets.UTF_8))) {
      for (Algorithm hmac : List.of(Algorithm.HMAC256(secret), Algorithm.HMAC384(secret), Algorithm.HMAC512(secret))) {
        String forged = JWT.create().withKeyId(decoded.getKeyId()).withIssuer(Cluster.ISSUER).withJWTId("ftk_forged")
            .withExpiresAt(START.plusSeconds(3600)).sign(hmac);
        assertThat(rejection(forged)).isEqualTo(Rejection.ALGORITHM_NOT_ALLOWED);
      }
    }
  }

  @Test
  void rs256AndOtherEcCurvesAreRefused() throws Exception {
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(2048);
    var pair = rsa.generateKeyPair();
    String rs256 = JWT.create().withKeyId(decoded.getKeyId()).withIssuer(Cluster.ISSUER).withJWTId("x")
        .withExpiresAt(START.plusSeconds(3600))
        .sign(Algorithm.RSA256((RSAPublicKey) pair.getPublic(), (RSAPrivateKey) pair.getPrivate()));
    assertThat(rejection(rs256)).isEqualTo(Rejection.ALGORITHM_NOT_ALLOWED);
    String es384 = segment("{\"alg\":\"ES384\",\"kid\":\"" + decoded.getKeyId() + "\"}");
    assertThat(rejection(es384 + "." + decoded.getPayload() + "." + decoded.getSignature()))
        .isEqualTo(Rejection.ALGORITHM_NOT_ALLOWED);
  }

  @Test
  void aJwtOfAnotherAuthorityIsRefused() {
    try (Cluster other = new Cluster(otherDataDir, START)) {
      Node stranger = other.node();
      String theirs = other.mint(stranger, 60).jwt();
      assertThat(rejection(theirs)).isEqualTo(Rejection.UNKNOWN_KEY);
      // their key under our kid: the kid is ours, the signature is not
      DecodedJWT their = JWT.decode(theirs);
      String header = segment(json(their.getHeader().getBytes(StandardCharsets.US_ASCII))
          .replace(their.getKeyId(), decoded.getKeyId()));
      String ourKidTheirSignature = stranger.keys().sign(JWT.create().withIssuer(Cluster.ISSUER).withJWTId("x")
          .withExpiresAt(START.plusSeconds(3600))).jwt();
      DecodedJWT reKeyed = JWT.decode(ourKidTheirSignature);
      assertThat(rejection(header + "." + reKeyed.getPayload() + "." + reKeyed.getSignature()))
          .isEqualTo(Rejection.BAD_SIGNATURE);
    }
  }

  @Test
  void aMissingOrUnknownKidIsRefused() {
    String noKid = segment("{\"alg\":\"ES256\",\"typ\":\"JWT\"}");
    assertThat(rejection(noKid + "." + decoded.getPayload() + "." + decoded.getSignature()))
        .isEqualTo(Rejection.UNKNOWN_KEY);
    for (String kid : List.of("key_nope", "", "../../etc/passwd", "x".repeat(5000))) {
      String header = segment("{\"alg\":\"ES256\",\"typ\":\"JWT\",\"kid\":\"" + kid + "\"}");
      Rejection reason = rejection(header + "." + decoded.getPayload() + "." + decoded.getSignature());
      assertThat(reason).isIn(Rejection.UNKNOWN_KEY, Rejection.MALFORMED); // the longest is over MAX_LENGTH
    }
  }

  @Test
  void zeroAndDerEncodedSignaturesAreRefused() throws Exception {
    String unsigned = decoded.getHeader() + "." + decoded.getPayload();
    assertThat(rejection(unsigned + "." + B64.encodeToString(new byte[64]))).isEqualTo(Rejection.BAD_SIGNATURE);
    assertThat(rejection(unsigned + ".")).isEqualTo(Rejection.BAD_SIGNATURE);

    // a genuine signature by the right key, but DER (ASN.1) rather than JWS's r || s
    Signature ecdsa = Signature.getInstance("SHA256withECDSA");
    ecdsa.initSign(cluster.privateKey(decoded.getKeyId()));
    ecdsa.update(unsigned.getBytes(StandardCharsets.US_ASCII));
    byte[] der = ecdsa.sign();
    assertThat(rejection(unsigned + "." + B64.encodeToString(der))).isEqualTo(Rejection.BAD_SIGNATURE);
    // the same signature as r || s verifies: the refusal was the encoding
    assertThat(node.verifier().verify(unsigned + "." + B64.encodeToString(jose(der)))).isInstanceOf(Valid.class);
  }

  /** DER {@code SEQUENCE { INTEGER r, INTEGER s }} to JWS's 64 bytes r || s. */
  static byte[] jose(byte[] der) {
    int rLength = der[3];
    BigInteger r = new BigInteger(1, Arrays.copyOfRange(der, 4, 4 + rLength));
    int sAt = 4 + rLength + 2;
    BigInteger s = new BigInteger(1, Arrays.copyOfRange(der, sAt, sAt + der[sAt - 1]));
    byte[] jose = new byte[64];
    System.arraycopy(Base64.getUrlDecoder().decode(SigningKeys.coordinate(r)), 0, jose, 0, 32);
    System.arraycopy(Base64.getUrlDecoder().decode(SigningKeys.coordinate(s)), 0, jose, 32, 32);
    return jose;
  }

  @Test
  void aJwtSignedByThisAuthorityForAnotherIssuerOrWithoutExpOrJtiIsRefused() {
    String otherIssuer = node.keys().sign(JWT.create().withIssuer("https://evil.example").withJWTId("x")
        .withExpiresAt(START.plusSeconds(3600))).jwt();
    assertThat(rejection(otherIssuer)).isEqualTo(Rejection.WRONG_ISSUER);
    String noIssuer = node.keys().sign(JWT.create().withJWTId("x").withExpiresAt(START.plusSeconds(3600))).jwt();
    assertThat(rejection(noIssuer)).isEqualTo(Rejection.WRONG_ISSUER);
    String noExp = node.keys().sign(JWT.create().withIssuer(Cluster.ISSUER).withJWTId("x")).jwt();
    assertThat(rejection(noExp)).isEqualTo(Rejection.MISSING_CLAIM);
    String noJti = node.keys().sign(JWT.create().withIssuer(Cluster.ISSUER).withExpiresAt(START.plusSeconds(3600))).jwt();
    assertThat(rejection(noJti)).isEqualTo(Rejection.MISSING_CLAIM);
    String ok = node.keys().sign(JWT.create().withIssuer(Cluster.ISSUER).withJWTId("x")
        .withExpiresAt(START.plusSeconds(3600))).jwt();
    assertThat(node.verifier().verify(ok)).isInstanceOf(Valid.class);
  }

  @Test
  void aJwtIsRefusedBeforeItsNbf() {
    String later = node.keys().sign(JWT.create().withIssuer(Cluster.ISSUER).withJWTId("x")
        .withExpiresAt(START.plusSeconds(3600)).withNotBefore(START.plusSeconds(60))).jwt();
    assertThat(rejection(later)).isEqualTo(Rejection.NOT_YET_VALID);
    cluster.clock.set(START.plusSeconds(60).minusMillis(1));
    assertThat(rejection(later)).isEqualTo(Rejection.NOT_YET_VALID);
    cluster.clock.set(START.plusSeconds(60));
    assertThat(node.verifier().verify(later)).isInstanceOf(Valid.class);
  }

  @Test
  void aJwtForAnotherAudienceIsRefusedWhenTheCallerNamesItsAudience() {
    assertThat(node.verifier().verify(minted.jwt(), "faults")).isInstanceOf(Valid.class);
    Result records = node.verifier().verify(minted.jwt(), "records");
    assertThat(records).isInstanceOf(Invalid.class);
    assertThat(((Invalid) records).rejection()).isEqualTo(Rejection.WRONG_AUDIENCE);
    String noAudience = node.keys().sign(JWT.create().withIssuer(Cluster.ISSUER).withJWTId("x")
        .withExpiresAt(START.plusSeconds(3600))).jwt();
    assertThat(((Invalid) node.verifier().verify(noAudience, "faults")).rejection()).isEqualTo(Rejection.WRONG_AUDIENCE);
    // a forged aud is a tampered payload: the signature fails first
    String forged = decoded.getHeader() + "." + payloadWith("\"faults\"", "\"records\"") + "." + decoded.getSignature();
    assertThat(((Invalid) node.verifier().verify(forged, "records")).rejection()).isEqualTo(Rejection.BAD_SIGNATURE);
  }

  @Test
  void aTamperedSignatureIsRefused() {
    String signature = decoded.getSignature();
    for (int at : new int[] {0, signature.length() / 2, signature.length() - 2}) {
      char flipped = signature.charAt(at) == 'A' ? 'B' : 'A';
      String tampered = decoded.getHeader() + "." + decoded.getPayload() + "."
          + signature.substring(0, at) + flipped + signature.substring(at + 1);
      assertThat(rejection(tampered)).as("at %d", at).isEqualTo(Rejection.BAD_SIGNATURE);
    }
    // another genuine signature of this authority, on another token
    String other = cluster.mint(node, 30).jwt();
    String swapped = decoded.getHeader() + "." + decoded.getPayload() + "." + JWT.decode(other).getSignature();
    assertThat(rejection(swapped)).isEqualTo(Rejection.BAD_SIGNATURE);
  }

  // ---------------------------------------------------------------- garbage

  @Test
  void garbageIsMalformedNeverAnException() {
    String header = decoded.getHeader();
    String payload = decoded.getPayload();
    String signature = decoded.getSignature();
    List<String> garbage = new ArrayList<>(List.of("", " ", "a", "a.b", "a.b.c.d", "..", "...", ".a.b", "a..b",
        "eyJ", "Bearer " + minted.jwt(), minted.jwt() + " ", " " + minted.jwt(), minted.jwt() + ".",
        minted.jwt().replace('.', ','), header + "." + payload + "." + signature + "=",
        "x".repeat(JwtVerifier.MAX_LENGTH + 1),
        header + "." + payload + "." + signature + "A".repeat(JwtVerifier.MAX_LENGTH),
        "é.é.é", "\u0000.\u0000.\u0000", "a\nb.c.d",
        // valid alphabet, impossible base64 lengths
        "a.b.c", header + "." + "A" + "." + signature, "A" + "." + payload + "." + signature,
        // base64url of things that are not JSON objects
        segment("not json") + "." + payload + "." + signature,
        segment("[]") + "." + payload + "." + signature,
        segment("\"ES256\"") + "." + payload + "." + signature,
        segment("null") + "." + payload + "." + signature,
        segment("{\"alg\":\"ES256\"") + "." + payload + "." + signature,
        header + "." + segment("[1,2]") + "." + signature,
        header + "." + segment("{\"exp\":\"tomorrow\"}") + "." + signature,
        header + "." + segment("{\"aud\":{\"a\":1}}") + "." + signature,
        header + "." + segment("{\"iat\":1e999}") + "." + signature,
        segment("{\"alg\":[\"ES256\"],\"kid\":{}}") + "." + payload + "." + signature,
        segment("{\"alg\":\"ES256\",\"kid\":7}") + "." + payload + "." + signature,
        segment("[".repeat(3000) + "]".repeat(3000)) + "." + payload + "." + signature,
        segment("{\"a\":".repeat(1000) + "1" + "}".repeat(1000)) + "." + payload + "." + signature));
    garbage.add(null);
    for (String jwt : garbage) {
      Result result = node.verifier().verify(jwt);
      assertThat(result).as("%s", jwt == null ? "null" : jwt.substring(0, Math.min(80, jwt.length())))
          .isInstanceOf(Invalid.class);
    }
    assertThat(rejection("x".repeat(JwtVerifier.MAX_LENGTH + 1))).isEqualTo(Rejection.MALFORMED);
    assertThat(rejection(segment("not json") + "." + payload + "." + signature)).isEqualTo(Rejection.MALFORMED);
  }

  @Test
  void randomMutationsOfAValidJwtNeverThrow() {
    Random random = new Random(20310304L);
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ \"{}";
    String original = minted.jwt();
    for (int i = 0; i < 3000; i++) {
      StringBuilder jwt = new StringBuilder(original);
      int edits = 1 + random.nextInt(4);
      for (int e = 0; e < edits && jwt.length() > 0; e++) {
        int at = random.nextInt(jwt.length());
        switch (random.nextInt(3)) {
          case 0 -> jwt.setCharAt(at, alphabet.charAt(random.nextInt(alphabet.length())));
          case 1 -> jwt.deleteCharAt(at);
          default -> jwt.insert(at, alphabet.charAt(random.nextInt(alphabet.length())));
        }
      }
      Result result = node.verifier().verify(jwt.toString());
      if (result instanceof Valid valid) {
        // only edits the base64 decoding ignores (unused trailing bits) can leave a valid JWT
        assertThat(valid.claims().id()).isEqualTo(minted.row().id());
      }
    }
  }
}
