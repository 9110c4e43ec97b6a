package dev.tokenauthority.bench.micro;

import dev.tokenauthority.server.core.Secrets;
import dev.tokenauthority.server.core.TokenKind;
import dev.tokenauthority.server.store.Inserts;
import dev.tokenauthority.server.store.Rows.TokenRow;
import dev.tokenauthority.server.store.TokenRepository;
import java.io.IOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * store/TokenRepository on the production H2 file URL (WRITE_DELAY=0, pool of 10), called the
 * way TokenCore calls it: insert through a handle of its own, lookup through the on-demand
 * repository. {@code storedTokens} rows are there before measuring ({@code -p storedTokens=1000000}
 * for the scale check); inserts grow the table further while measuring.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class RepositoryBench {
  @Param("10000")
  public int storedTokens;

  private CoreFixture core;
  private TokenRepository repository;
  private String[] storedHashes;
  private final AtomicLong sequence = new AtomicLong();

  @Setup
  public void setUp() throws IOException {
    core = new CoreFixture();
    repository = core.database.jdbi().onDemand(TokenRepository.class);
    storedHashes = new String[storedTokens];
    core.database.jdbi().useTransaction(handle -> {
      for (int i = 0; i < storedTokens; i++) {
        TokenRow row = workspaceRow();
        storedHashes[i] = row.secretHash();
        Inserts.token(handle, row, List.of(), null);
      }
    });
  }

  @TearDown
  public void tearDown() throws IOException {
    core.close();
  }

  @Benchmark
  public void insert() {
    TokenRow row = workspaceRow();
    core.database.jdbi().useHandle(handle -> Inserts.token(handle, row, List.of(), null));
  }

  /** 16 inserts in one transaction: what one commit costs when it carries many mints. */
  @Benchmark
  @OperationsPerInvocation(16)
  public void insert16PerCommit() {
    core.database.jdbi().useTransaction(handle -> {
      for (int i = 0; i < 16; i++) {
        Inserts.token(handle, workspaceRow(), List.of(), null);
      }
    });
  }

  @Benchmark
  public Optional<TokenRow> findBySecretHash() {
    return repository.findBySecretHash(storedHashes[ThreadLocalRandom.current().nextInt(storedHashes.length)]);
  }

  /** A row as TokenCore mints a workspace token (unique name and hash), cheap to make. */
  private TokenRow workspaceRow() {
    long n = sequence.incrementAndGet();
    String name = "bench-" + n;
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    return new TokenRow(TokenKind.WORKSPACE.idPrefix() + n, TokenKind.WORKSPACE.name(), core.admin.tenantId(),
        core.admin.userId(), core.admin.userId(), core.admin.tokenId(), name, name, Secrets.hash(name), null,
        "tokens:read", null, null, null, UUID.randomUUID().toString(), null, 1, now, now, null, null, null,
        core.admin.userId(), core.admin.tokenId());
  }
}
