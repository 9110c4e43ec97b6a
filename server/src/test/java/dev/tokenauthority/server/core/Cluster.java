package dev.tokenauthority.server.core;

import dev.tokenauthority.server.ServerConfig;
import dev.tokenauthority.server.store.Database;
import dev.tokenauthority.server.testing.MutableClock;
import dev.tokenauthority.server.testing.TestStores;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;

/**
 * Several nodes of one authority sharing one database, as the core sees them: each node has
 * its own {@link SigningKeys} (its own view of the keys), {@link TokenCore} and
 * {@link JwtVerifier}; all share one store, master key and {@link MutableClock}. No
 * scheduler runs: a test reloads a node's keys only by calling it.
 */
final class Cluster implements AutoCloseable {
  static final String ISSUER = "https://authority.example";

  final MutableClock clock;
  final Database database;
  final Secrets secrets = new Secrets();
  private final MasterKey masterKey;
  private final Audit audit;
  private final Path dataDir;
  private Principal admin;

  /** One node of the cluster. */
  record Node(SigningKeys keys, TokenCore tokens, JwtVerifier verifier) {}

  Cluster(Path dataDir, Instant start) {
    this.dataDir = dataDir;
    this.clock = new MutableClock(start);
    this.database = Database.open(TestStores.url(dataDir), null, null, 10);
    this.audit = new Audit(database, secrets, clock, ServerConfig.DEFAULT_AUDIT_AUTH_FAILURES_PER_SECOND);
    try {
      this.masterKey = MasterKey.load(null, dataDir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Starts a node: loads the keys (creating the first on an empty store). */
  Node node() {
    SigningKeys keys = new SigningKeys(database, masterKey, clock, () -> secrets.newId("key_", 24), audit);
    keys.start();
    Directory directory = new Directory(database, audit, secrets, clock);
    TokenCore tokens = new TokenCore(database, directory, audit, secrets, keys, clock, ISSUER, "https://share.example");
    return new Node(keys, tokens, new JwtVerifier(keys, ISSUER, clock));
  }

  /** The bootstrap admin (every scope), bootstrapping the store through {@code node} on first use. */
  Principal admin(Node node) {
    if (admin == null) {
      try {
        Path file = new Tenants(database, new Directory(database, audit, secrets, clock), node.tokens(), audit, secrets,
            clock).bootstrapIfEmpty("admin@localhost", dataDir);
        admin = node.tokens().authenticate(Files.readString(file, StandardCharsets.US_ASCII).trim(), "in-process");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return admin;
  }

  /** A fault JWT minted on {@code node} by the admin, living {@code minutes}. */
  TokenCore.IssuedJwt mint(Node node, int minutes) {
    return node.tokens().createFaultToken(admin(node), minutes);
  }

  /** The private half of the current key {@code kid}, unsealed (for tests that forge with the right key). */
  PrivateKey privateKey(String kid) throws Exception {
    String sealed = database.jdbi().withHandle(handle -> handle.select(
        "SELECT private_key_sealed FROM signing_keys WHERE kid = ?", kid).mapTo(String.class).one());
    return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(masterKey.open(sealed, kid)));
  }

  @Override
  public void close() {
    database.close();
  }
}
