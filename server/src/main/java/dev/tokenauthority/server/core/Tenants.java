package dev.tokenauthority.server.core;

import dev.tokenauthority.server.store.Database;
import dev.tokenauthority.server.store.DirectoryRepository;
import dev.tokenauthority.server.store.Rows.TenantRow;
import dev.tokenauthority.server.store.Rows.UserRow;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.LinkedHashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Creating tenants, with their first admin and admin token; and the first start's bootstrap. */
public final class Tenants {
  private static final Logger LOG = LoggerFactory.getLogger(Tenants.class);

  /** A tenant, its first admin and that admin's token. */
  public record TenantCreated(TenantRow tenant, UserRow admin, TokenCore.Issued adminToken) {}

  private final Database database;
  private final Directory directory;
  private final TokenCore tokens;
  private final Audit audit;
  private final Secrets secrets;
  private final Clock clock;

  public Tenants(Database database, Directory directory, TokenCore tokens, Audit audit, Secrets secrets,
      Clock clock) {
    this.database = database;
    this.directory = directory;
    this.tokens = tokens;
    this.audit = audit;
    this.secrets = secrets;
    this.clock = clock;
  }

  /** Creates a tenant; its admin gets {@link Scopes#TENANT_ADMIN}. Requires {@code tenants:write}. */
  public TenantCreated createTenant(Principal caller, String name, String adminEmail) {
    caller.require(Scopes.TENANTS_WRITE);
    Violations violations = new Violations();
    violations.text("tenant.name", name, 1, Limits.NAME);
    Directory.checkEmail("admin_email", adminEmail, violations);
    violations.throwIfAny();
    return insert(name, adminEmail, Scopes.TENANT_ADMIN, caller, "tenant-admin", false);
  }

  /**
   * On an empty store: creates the default tenant, an admin holding every scope and the
   * bootstrap admin token, and writes its secret to {@code <data-dir>/bootstrap-token}
   * (mode 0600). Later starts, and a node that loses a race to bootstrap, do nothing.
   * Returns the file written, or null.
   */
  public Path bootstrapIfEmpty(String adminEmail, Path dataDir) throws IOException {
    DirectoryRepository repository = database.jdbi().onDemand(DirectoryRepository.class);
    if (repository.isBootstrapped()) {
      return null;
    }
    Files.createDirectories(dataDir);
    Path target = dataDir.resolve("bootstrap-token");
    Path pending = Files.createTempFile(dataDir, "bootstrap-token", ".pending",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try {
      TenantCreated created;
      try {
        created = insert("Default", adminEmail, new LinkedHashSet<>(Scopes.CATALOG), null, "bootstrap-admin", true);
      } catch (RuntimeException e) {
        if (Database.isUniqueViolation(e)) {
          return null; // another node bootstrapped first
        }
        throw e;
      }
      // The secret reaches the disk before we report success, and only ever a 0600 file.
      Files.writeString(pending, created.adminToken().secret() + "\n", StandardCharsets.US_ASCII);
      Files.move(pending, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      LOG.info("Bootstrapped tenant " + created.tenant().id() + " with admin " + created.admin().email()
          + "; the admin token's secret is in " + target.toAbsolutePath().normalize());
      return target;
    } finally {
      Files.deleteIfExists(pending);
    }
  }

  /**
   * Inserts the tenant, its admin and admin token, and their audit events, in one transaction.
   * {@code caller} is null on bootstrap, when the server itself acts.
   */
  private TenantCreated insert(String name, String adminEmail, Set<String> adminScopes, Principal caller,
      String tokenName, boolean bootstrap) {
    Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
    TenantRow tenant = new TenantRow(secrets.newId("ten_", 24), name, now);
    UserRow admin = directory.newUser(tenant.id(), Directory.UserProfile.ofEmail(adminEmail), adminScopes, now);
    TokenCore.Issued token = tokens.prepareWorkspaceToken(tenant.id(), admin.id(), admin.email(),
        caller == null ? null : caller.tokenId(), tokenName, adminScopes, null, now);
    List<AuditEvent> events = List.of(
        event(caller, tenant.id(), AuditAction.TENANT_CREATE, AuditEvent.TENANT, tenant.id()),
        event(caller, tenant.id(), AuditAction.USER_CREATE, AuditEvent.USER, admin.id())
            .withDetails(Directory.scopesDetail(adminScopes)),
        event(caller, tenant.id(), AuditAction.TOKEN_MINT, AuditEvent.TOKEN, token.row().id())
            .withDetails("kind=" + TokenKind.WORKSPACE.name()));
    database.jdbi().useTransaction(handle -> {
      DirectoryRepository repository = handle.attach(DirectoryRepository.class);
      repository.insertTenant(tenant);
      repository.insertUser(admin);
      tokens.insert(handle, token.row(), List.of(), null);
      if (bootstrap) {
        repository.markBootstrapped(tenant.id(), now);
      }
      events.forEach(event -> audit.record(handle, event));
    });
    tokens.minted(TokenKind.WORKSPACE);
    return new TenantCreated(tenant, admin, token);
  }

  /** An event in the new tenant, by {@code caller} or, on bootstrap (null), by the server. */
  private static AuditEvent event(Principal caller, String tenantId, AuditAction action, String targetType,
      String targetId) {
    return caller == null ? AuditEvent.bySystem(tenantId, action, targetType, targetId)
        : AuditEvent.by(caller, action, targetType, targetId).inTenant(tenantId);
  }
}
