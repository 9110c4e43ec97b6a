package dev.tokenauthority.server.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tokenauthority.server.ServerConfig;
import dev.tokenauthority.server.store.Database;
import dev.tokenauthority.server.testing.MutableClock;
import dev.tokenauthority.server.testing.TestStores;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Timing, structurally (no clocks): every well-formed secret, known or not, costs exactly one
 * comparison through the same constant-time comparator. Malformed ones cost none: they are
 * refused on their public shape and checksum, before any lookup.
 */
class SecretComparisonPathTest {
  @TempDir Path dataDir;
  final List<String[]> comparisons = new ArrayList<>();
  Database database;
  TokenCore tokens;
  String admin;

  @BeforeEach
  void start() throws Exception {
    MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    Secrets secrets = new Secrets((a, b) -> {
      comparisons.add(new String[] {a, b});
      return Secrets.sameHash(a, b);
    });
    database = Database.open(TestStores.url(dataDir), null, null, 4);
    Audit audit = new Audit(database, secrets, clock, ServerConfig.DEFAULT_AUDIT_AUTH_FAILURES_PER_SECOND);
    SigningKeys keys = new SigningKeys(database, MasterKey.load(null, dataDir), clock, () -> secrets.newId("key_", 24),
        audit);
    keys.start();
    Directory directory = new Directory(database, audit, secrets, clock);
    tokens = new TokenCore(database, directory, audit, secrets, keys, clock, "https://authority.example",
        "https://share.example");
    Path file = new Tenants(database, directory, tokens, audit, secrets, clock).bootstrapIfEmpty("admin@localhost",
        dataDir);
    admin = Files.readString(file, StandardCharsets.US_ASCII).trim();
  }

  @AfterEach
  void stop() {
    database.close();
  }

  @Test
  void knownAndUnknownSecretsMakeExactlyOneComparisonOfTheSameShape() {
    comparisons.clear();
    tokens.authenticate(admin, "192.0.2.1");
    assertThat(comparisons).hasSize(1);
    String[] known = comparisons.get(0);

    comparisons.clear();
    Failure unknown = catchThrowableOfType(Failure.class,
        () -> tokens.authenticate(new Secrets().newSecret(TokenKind.WORKSPACE), "192.0.2.1"));
    assertThat(unknown.reason()).isEqualTo(Failure.Reason.CREDENTIAL_INVALID);
    assertThat(comparisons).hasSize(1);
    String[] miss = comparisons.get(0);
    // both compare two 64-hex-digit hashes: the same work, whatever the lookup found
    assertThat(miss[0]).hasSize(known[0].length()).matches("[0-9a-f]{64}");
    assertThat(miss[1]).hasSize(known[1].length()).matches("[0-9a-f]{64}");

    comparisons.clear();
    String wrongChecksum = admin.substring(0, admin.length() - 1) + (admin.endsWith("0") ? "1" : "0");
    catchThrowableOfType(Failure.class, () -> tokens.authenticate(wrongChecksum, "192.0.2.1"));
    assertThat(comparisons).isEmpty();
  }
}
