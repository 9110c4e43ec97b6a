package dev.tokenauthority.server.core;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** The scope catalog: what a credential may do on this service, and what a resource token grants. */
public final class Scopes {
  public static final String TOKENS_READ = "tokens:read";
  public static final String TOKENS_WRITE = "tokens:write";
  public static final String TOKENS_REVOKE = "tokens:revoke";
  public static final String TOKENS_INTROSPECT = "tokens:introspect";
  public static final String RECORDS_UPDATE = "records:update";
  public static final String FAULTS_READ = "faults:read";
  public static final String DIRECTORY_READ = "directory:read";
  public static final String DIRECTORY_WRITE = "directory:write";
  public static final String AUDIT_READ = "audit:read";
  public static final String TENANTS_WRITE = "tenants:write";
  /** List the JWT signing keys and their states. */
  public static final String KEYS_READ = "keys:read";
  /** Rotate the JWT signing key. */
  public static final String KEYS_WRITE = "keys:write";

  /** Every scope, in catalog order. */
  public static final List<String> CATALOG = List.of(TOKENS_READ, TOKENS_WRITE, TOKENS_REVOKE, TOKENS_INTROSPECT,
      RECORDS_UPDATE, FAULTS_READ, DIRECTORY_READ, DIRECTORY_WRITE, AUDIT_READ, TENANTS_WRITE, KEYS_READ, KEYS_WRITE);

  /**
   * What only the bootstrap admin holds: scopes over the whole authority rather than one
   * tenant (creating tenants, the signing keys every tenant's JWTs share).
   */
  public static final Set<String> AUTHORITY_ADMIN_ONLY = Set.of(TENANTS_WRITE, KEYS_READ, KEYS_WRITE);

  /** What the admin of a tenant holds: everything but {@link #AUTHORITY_ADMIN_ONLY}. */
  public static final Set<String> TENANT_ADMIN = CATALOG.stream()
      .filter(s -> !AUTHORITY_ADMIN_ONLY.contains(s)).collect(Collectors.toCollection(LinkedHashSet::new));

  /** The most scopes a token may list. */
  public static final int MAX_PER_TOKEN = Limits.SCOPES;

  private Scopes() {}

  public static boolean isKnown(String scope) {
    return CATALOG.contains(scope);
  }

  /** Scopes as stored: space-separated, as in OAuth's {@code scope} parameter. */
  public static String join(Set<String> scopes) {
    return String.join(" ", scopes);
  }

  public static Set<String> parse(String joined) {
    if (joined == null || joined.isBlank()) {
      return Set.of();
    }
    return Arrays.stream(joined.split(" ")).collect(Collectors.toCollection(LinkedHashSet::new));
  }

  /**
   * Validates a requested scope list ({@code field} names it in errors): each known, no
   * duplicates, at most {@link #MAX_PER_TOKEN}, at least {@code min}.
   */
  static Set<String> validate(String field, List<String> requested, int min, Violations violations) {
    Set<String> scopes = new LinkedHashSet<>();
    if (requested.size() < min) {
      violations.add(field, "must list at least " + min + " scope; available: " + String.join(", ", CATALOG));
    } else if (requested.size() > MAX_PER_TOKEN) {
      violations.add(field, "must list at most " + MAX_PER_TOKEN + " scopes");
    }
    for (int i = 0; i < requested.size(); i++) {
      String scope = requested.get(i);
      if (!isKnown(scope)) {
        violations.add(field + "[" + i + "]", "unknown scope '" + scope + "'; available: " + String.join(", ", CATALOG));
      } else if (!scopes.add(scope)) {
        violations.add(field + "[" + i + "]", "duplicate scope '" + scope + "'");
      }
    }
    return scopes;
  }
}
