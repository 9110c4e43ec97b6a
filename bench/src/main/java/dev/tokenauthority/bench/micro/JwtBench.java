package dev.tokenauthority.bench.micro;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTCreator;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.interfaces.DecodedJWT;
import dev.tokenauthority.server.store.Rows.SigningKeyRow;
import dev.tokenauthority.server.store.SigningKeyRepository;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.ECPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * ES256 JWTs: signing through core/SigningKeys with the store's key (as a record token is
 * signed), and verification with java-jwt against that key's public half. The server does not
 * verify JWTs yet; this is what an introspection by signature would cost.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class JwtBench {
  private CoreFixture core;
  private JWTVerifier verifier;
  private String jwt;

  @Setup
  public void setUp() throws IOException, GeneralSecurityException {
    core = new CoreFixture();
    SigningKeyRow key = core.database.jdbi().onDemand(SigningKeyRepository.class).findCurrent().orElseThrow();
    ECPublicKey publicKey = (ECPublicKey) KeyFactory.getInstance("EC")
        .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(key.publicKey())));
    verifier = JWT.require(Algorithm.ECDSA256(publicKey, null)).withIssuer("http://localhost:8080").build();
    jwt = sign();
  }

  @TearDown
  public void tearDown() throws IOException {
    core.close();
  }

  /** The claims TokenCore puts in a record token, signed by SigningKeys. */
  @Benchmark
  public String sign() {
    Instant now = Instant.now();
    JWTCreator.Builder claims = JWT.create()
        .withIssuer("http://localhost:8080")
        .withSubject(core.admin.userId())
        .withAudience("records")
        .withIssuedAt(now)
        .withExpiresAt(now.plusSeconds(3600))
        .withJWTId("rtk_0123456789abcdefghijklmn")
        .withClaim("tid", core.admin.tenantId())
        .withClaim("scope", "records:update")
        .withClaim("rec", "rec-1");
    return core.keys.sign(claims).jwt();
  }

  @Benchmark
  public DecodedJWT verify() {
    return verifier.verify(jwt);
  }
}
