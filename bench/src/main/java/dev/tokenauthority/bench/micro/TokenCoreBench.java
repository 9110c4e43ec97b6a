package dev.tokenauthority.bench.micro;

import dev.tokenauthority.server.core.Principal;
import dev.tokenauthority.server.core.TokenCore;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * core/TokenCore without any transport: what one authentication and one mint cost in the
 * core (checks, secret, hash, signature, store). Compared with the end-to-end figures it
 * tells the core's share from gRPC's.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class TokenCoreBench {
  private CoreFixture core;
  private final AtomicLong sequence = new AtomicLong();

  @Setup
  public void setUp() throws IOException {
    core = new CoreFixture();
  }

  @TearDown
  public void tearDown() throws IOException {
    core.close();
  }

  /** Format check, hash, token lookup by hash, user lookup: every authenticated call. */
  @Benchmark
  public Principal authenticate() {
    return core.tokens.authenticate(core.adminSecret, CoreFixture.CLIENT_ADDRESS);
  }

  /** Seed 004: an opaque token, persisted. */
  @Benchmark
  public TokenCore.Issued mintWorkspaceToken() {
    return core.tokens.createWorkspaceToken(core.admin, "bench-" + sequence.incrementAndGet(),
        List.of("tokens:read"), null);
  }

  /** Seed 001: an ES256 JWT and its share link, persisted. */
  @Benchmark
  public TokenCore.IssuedJwt mintFaultToken() {
    return core.tokens.createFaultToken(core.admin, 60);
  }
}
