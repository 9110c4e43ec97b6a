package dev.tokenauthority.server.core;

import dev.tokenauthority.server.store.Database;
import dev.tokenauthority.server.store.DirectoryRepository;
import dev.tokenauthority.server.store.Rows.AccountRow;
import dev.tokenauthority.server.store.Rows.ModuleFilterRow;
import dev.tokenauthority.server.store.Rows.ModuleRow;
import dev.tokenauthority.server.store.Rows.RecordRow;
import dev.tokenauthority.server.store.Rows.UserRow;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/** The directory every token refers to: tenants, users, records, accounts, modules. */
public final class Directory {
  private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+");

  /** A user's profile as a client gives it (the generated fields are the directory's). */
  public record UserProfile(
      String email, String firstName, String lastName, String title, String bio, String businessGroup,
      String image, String userType, boolean active, boolean externallyManaged, boolean showDeveloperTools,
      boolean showOnboarding, boolean showScrollbars, boolean showWelcomeMessage,
      List<String> roles, List<String> favoriteLinks) {

    /** A profile with only an email: what bootstrap and tenant creation give their admins. */
    public static UserProfile ofEmail(String email) {
      return new UserProfile(email, "", "", "", "", "", "", "HUMAN", true, false, false, true, true, true,
          List.of("ADMIN"), List.of());
    }
  }

  /** A module with its filters. */
  public record Module(ModuleRow row, Map<String, List<String>> filters) {}

  /** A module as a client gives it. */
  public record ModuleSpec(
      String id, String name, String description, Map<String, List<String>> filters, boolean configurable,
      boolean enabledByDefault, boolean paid, List<String> types, boolean obsolete, boolean eligibleMulti,
      boolean eligibleSingle) {}

  private final Database database;
  private final DirectoryRepository repository;
  private final Audit audit;
  private final Secrets secrets;
  private final Clock clock;

  public Directory(Database database, Audit audit, Secrets secrets, Clock clock) {
    this.database = database;
    this.repository = database.jdbi().onDemand(DirectoryRepository.class);
    this.audit = audit;
    this.secrets = secrets;
    this.clock = clock;
  }

  /** Creates a user in the caller's tenant. Requires {@code directory:write}; no scope escalation. */
  public UserRow createUser(Principal caller, UserProfile profile, List<String> scopes) {
    caller.require(Scopes.DIRECTORY_WRITE);
    Violations violations = new Violations();
    checkEmail("user.email", profile.email(), violations);
    violations.text("user.firstName", profile.firstName(), 0, Limits.DISPLAY_NAME);
    violations.text("user.lastName", profile.lastName(), 0, Limits.DISPLAY_NAME);
    violations.text("user.title", profile.title(), 0, Limits.DISPLAY_NAME);
    violations.text("user.bio", profile.bio(), 0, Limits.LONG_TEXT);
    violations.text("user.businessGroup", profile.businessGroup(), 0, Limits.DISPLAY_NAME);
    violations.text("user.image", profile.image(), 0, Limits.LONG_TEXT);
    violations.text("user.userType", profile.userType(), 0, Limits.TYPE);
    list("user.roles.roles", profile.roles(), Limits.ROLES, 1, Limits.ROLE, violations);
    list("user.userStorage.favoriteLinks", profile.favoriteLinks(), Limits.FAVORITE_LINKS, 1, Limits.LONG_TEXT,
        violations);
    Set<String> granted = Scopes.validate("scopes", scopes, 0, violations);
    violations.throwIfAny();
    caller.requireAll(granted);
    UserRow user = newUser(caller.tenantId(), profile, granted, now());
    insertUnique(rows -> rows.insertUser(user),
        AuditEvent.by(caller, AuditAction.USER_CREATE, AuditEvent.USER, user.id()).withDetails(scopesDetail(granted)),
        "user", "user.email", user.email());
    return user;
  }

  public RecordRow createRecord(Principal caller, String id, String title) {
    caller.require(Scopes.DIRECTORY_WRITE);
    Violations violations = new Violations();
    violations.optionalId("record.id", id);
    violations.text("record.title", title, 0, Limits.DISPLAY_NAME);
    violations.throwIfAny();
    RecordRow record = new RecordRow(caller.tenantId(), orGenerated(id, "rec_"), title == null ? "" : title, now());
    insertUnique(rows -> rows.insertRecord(record),
        AuditEvent.by(caller, AuditAction.RECORD_CREATE, AuditEvent.RECORD, record.id()), "record", "record.id",
        record.id());
    return record;
  }

  public AccountRow createAccount(Principal caller, String id, String name, String icon, String type) {
    caller.require(Scopes.DIRECTORY_WRITE);
    Violations violations = new Violations();
    violations.optionalId("account.id", id);
    violations.text("account.name", name, 1, Limits.DISPLAY_NAME);
    violations.text("account.icon", icon, 0, Limits.LONG_TEXT);
    violations.text("account.type", type, 0, Limits.TYPE);
    violations.throwIfAny();
    AccountRow account = new AccountRow(caller.tenantId(), orGenerated(id, "acc_"), name, icon == null ? "" : icon,
        type == null || type.isEmpty() ? "standard" : type, "active", now());
    insertUnique(rows -> rows.insertAccount(account),
        AuditEvent.by(caller, AuditAction.ACCOUNT_CREATE, AuditEvent.ACCOUNT, account.id()), "account", "account.id",
        account.id());
    return account;
  }

  public Module createModule(Principal caller, ModuleSpec spec) {
    caller.require(Scopes.DIRECTORY_WRITE);
    Violations violations = new Violations();
    violations.optionalId("module.id", spec.id());
    violations.text("module.name", spec.name(), 1, Limits.DISPLAY_NAME);
    violations.text("module.description", spec.description(), 0, Limits.LONG_TEXT);
    list("module.settings.type", spec.types(), Limits.MODULE_TYPES, 1, Limits.MODULE_TYPE, violations);
    if (spec.filters().size() > Limits.FILTER_KEYS) {
      violations.add("module.filters", "must have at most " + Limits.FILTER_KEYS + " keys");
    }
    spec.filters().forEach((key, values) -> {
      violations.text("module.filters", key, 1, Limits.FILTER_KEY);
      String field = "module.filters." + key;
      if (values.isEmpty()) {
        violations.add(field, "must list at least one value");
      } else if (values.contains(null)) {
        violations.add(field + "[" + values.indexOf(null) + "]", "must be a string");
      } else {
        list(field, values, Limits.FILTER_VALUES, 0, Limits.FILTER_VALUE, violations);
      }
    });
    violations.throwIfAny();
    Instant now = now();
    String id = orGenerated(spec.id(), "mod_");
    ModuleRow row = new ModuleRow(caller.tenantId(), id, spec.name(), nullToEmpty(spec.description()),
        spec.configurable(), spec.enabledByDefault(), spec.paid(), spec.obsolete(), spec.eligibleMulti(),
        spec.eligibleSingle(), String.join("\n", spec.types()), now);
    List<ModuleFilterRow> filters = new ArrayList<>();
    spec.filters().forEach((key, values) -> {
      for (int i = 0; i < values.size(); i++) {
        filters.add(new ModuleFilterRow(caller.tenantId(), id, key, i, values.get(i)));
      }
    });
    insertUnique(rows -> rows.insertModule(row, filters),
        AuditEvent.by(caller, AuditAction.MODULE_CREATE, AuditEvent.MODULE, id), "module", "module.id", id);
    return new Module(row, new LinkedHashMap<>(spec.filters()));
  }

  Optional<UserRow> findUser(String tenantId, String id) {
    return database.lookups().user(tenantId, id, () -> repository.findUser(tenantId, id));
  }

  UserRow requireUser(String tenantId, String id) {
    return findUser(tenantId, id).orElseThrow(() -> Failure.notFound("user", id));
  }

  RecordRow requireRecord(String tenantId, String id) {
    return repository.findRecord(tenantId, id).orElseThrow(() -> Failure.notFound("record", id));
  }

  AccountRow requireAccount(String tenantId, String id) {
    return repository.findAccount(tenantId, id).orElseThrow(() -> Failure.notFound("account", id));
  }

  Module requireModule(String tenantId, String id) {
    ModuleRow row = repository.findModule(tenantId, id).orElseThrow(() -> Failure.notFound("module", id));
    Map<String, List<String>> filters = new LinkedHashMap<>();
    for (ModuleFilterRow filter : repository.findModuleFilters(tenantId, id)) {
      filters.computeIfAbsent(filter.filterKey(), k -> new ArrayList<>()).add(filter.filterValue());
    }
    return new Module(row, filters);
  }

  /** Splits a newline-joined list column. */
  public static List<String> split(String joined) {
    return joined == null || joined.isEmpty() ? List.of() : List.of(joined.split("\n"));
  }

  UserRow newUser(String tenantId, UserProfile p, Set<String> scopes, Instant now) {
    return new UserRow(secrets.newId("usr_", 24), tenantId, UUID.randomUUID().toString(),
        p.email().toLowerCase(Locale.ROOT), nullToEmpty(p.firstName()), nullToEmpty(p.lastName()),
        nullToEmpty(p.title()), nullToEmpty(p.bio()), nullToEmpty(p.businessGroup()), nullToEmpty(p.image()),
        nullToEmpty(p.userType()), p.active(), p.externallyManaged(), p.showDeveloperTools(), p.showOnboarding(),
        p.showScrollbars(), p.showWelcomeMessage(), String.join("\n", p.roles()),
        String.join("\n", p.favoriteLinks()), Scopes.join(scopes), 1, now, now);
  }

  static void checkEmail(String field, String email, Violations violations) {
    violations.text(field, email, 1, Limits.EMAIL);
    if (email != null && !email.isEmpty() && email.length() <= Limits.EMAIL && !EMAIL.matcher(email).matches()) {
      violations.add(field, "must be an email address such as name@example.com");
    }
  }

  private static void list(String field, List<String> items, int maxItems, int minLength, int maxLength,
      Violations violations) {
    if (items.size() > maxItems) {
      violations.add(field, "must have at most " + maxItems + " items");
      return;
    }
    for (int i = 0; i < items.size(); i++) {
      violations.text(field + "[" + i + "]", items.get(i), minLength, maxLength);
    }
  }

  /**
   * Runs {@code insert} and records {@code event} in one transaction; a unique-key clash
   * becomes ALREADY_EXISTS naming {@code field} (and records nothing).
   */
  private void insertUnique(Consumer<DirectoryRepository> insert, AuditEvent event, String type, String field,
      String value) {
    try {
      database.jdbi().useTransaction(handle -> {
        insert.accept(handle.attach(DirectoryRepository.class));
        audit.record(handle, event);
      });
    } catch (RuntimeException e) {
      throw Database.isUniqueViolation(e) ? Failure.alreadyExists(type, field, value) : e;
    }
  }

  /** A user's granted scopes as audit details: a privilege grant is worth seeing in the log. */
  static String scopesDetail(Set<String> scopes) {
    return "scopes=" + Scopes.join(scopes);
  }

  private String orGenerated(String id, String prefix) {
    return id == null || id.isEmpty() ? secrets.newId(prefix, 24) : id;
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MILLIS);
  }
}
