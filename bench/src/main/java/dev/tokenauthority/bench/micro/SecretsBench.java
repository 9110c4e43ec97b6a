package dev.tokenauthority.bench.micro;

import dev.tokenauthority.server.core.Secrets;
import dev.tokenauthority.server.core.TokenKind;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Opaque secret material (core/Secrets). One Secrets instance is shared by every thread, as
 * the server shares one: with {@code -t 2} its SecureRandom's contention shows.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class SecretsBench {
  private final Secrets secrets = new Secrets();
  private String secret;

  @Setup
  public void setUp() {
    secret = secrets.newSecret(TokenKind.WORKSPACE);
  }

  /** 43 base62 characters from SecureRandom plus the CRC32 checksum: every opaque mint. */
  @Benchmark
  public String newSecret() {
    return secrets.newSecret(TokenKind.WORKSPACE);
  }

  /** A token ID ({@code tok_} + 24 random characters): every mint. */
  @Benchmark
  public String newId() {
    return secrets.newId(TokenKind.WORKSPACE.idPrefix(), 24);
  }

  /** Hex SHA-256 of a secret: every mint and every authentication. */
  @Benchmark
  public String hash() {
    return Secrets.hash(secret);
  }

  /** Prefix, length and checksum check: every authentication, before any lookup. */
  @Benchmark
  public TokenKind checkFormat() {
    return Secrets.kindOf(secret);
  }
}
