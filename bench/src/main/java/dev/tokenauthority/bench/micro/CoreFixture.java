package dev.tokenauthority.bench.micro;

import dev.tokenauthority.bench.TempDirs;
import dev.tokenauthority.server.ServerConfig;
import dev.tokenauthority.server.core.Audit;
import dev.tokenauthority.server.core.Directory;
import dev.tokenauthority.server.core.MasterKey;
import dev.tokenauthority.server.core.Principal;
import dev.tokenauthority.server.core.Secrets;
import dev.tokenauthority.server.core.SigningKeys;
import dev.tokenauthority.server.core.Tenants;
import dev.tokenauthority.server.core.TokenCore;
import dev.tokenauthority.server.store.Database;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;

/**
 * The production core wired as {@code TokenAuthorityServer} wires it, on a fresh H2 file store
 * (the production URL and pool size) in a temporary directory, bootstrapped: the benchmarks
 * call these objects, not copies of them.
 */
final class CoreFixture implements AutoCloseable {
  final Path dataDir;
  final Database database;
  final Secrets secrets;
  final SigningKeys keys;
  final TokenCore tokens;
  final String adminSecret;
  final Principal admin;
  /** The client address core calls record (as an in-process gRPC caller's). */
  static final String CLIENT_ADDRESS = "in-process";

  CoreFixture() throws IOException {
    dataDir = Files.createTempDirectory("ta-jmh-");
    ServerConfig config = ServerConfig.defaults(dataDir);
    database = Database.open(config.effectiveDbUrl(), null, null, config.dbPoolSize());
    Clock clock = Clock.systemUTC();
    secrets = new Secrets();
    Audit audit = new Audit(database, secrets, clock, config.auditAuthFailuresPerSecond());
    keys = new SigningKeys(database, MasterKey.load(null, dataDir), clock, () -> secrets.newId("key_", 24), audit);
    keys.start();
    Directory directory = new Directory(database, audit, secrets, clock);
    tokens = new TokenCore(database, directory, audit, secrets, keys, clock, config.issuer(), config.publicUrl());
    Path bootstrapFile = new Tenants(database, directory, tokens, audit, secrets, clock)
        .bootstrapIfEmpty(config.adminEmail(), dataDir);
    adminSecret = Files.readString(bootstrapFile).trim();
    admin = tokens.authenticate(adminSecret, CLIENT_ADDRESS);
  }

  @Override
  public void close() throws IOException {
    database.close();
    TempDirs.delete(dataDir);
  }
}
