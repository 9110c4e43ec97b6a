package dev.tokenauthority.server.core;

import java.util.List;
import java.util.Set;

/**
 * Who is calling, and from where: resolved from the credential by the auth interceptor and
 * handed to the core with every call. It never holds the secret.
 *
 * @param clientAddress where the call came from, for the audit log: an IP literal (the
 *     transport peer, or the client a trusted proxy names in {@code x-forwarded-for}) or
 *     {@code in-process}; the API layer decides it (see api/ClientAddresses)
 * @param clientCertificate the verified TLS client certificate the call came with (mutual
 *     TLS, directly or through the embedded REST gateway), or null; it goes into the audit
 *     log with everything this principal does
 */
public record Principal(String tenantId, String userId, String userEmail, String tokenId, Set<String> scopes,
    String clientAddress, ClientCertificate clientCertificate) {

  public Principal {
    scopes = Set.copyOf(scopes);
  }

  /** A principal that presented no client certificate. */
  public Principal(String tenantId, String userId, String userEmail, String tokenId, Set<String> scopes,
      String clientAddress) {
    this(tenantId, userId, userEmail, tokenId, scopes, clientAddress, null);
  }

  /** Throws PERMISSION_DENIED naming {@code scope} unless this principal holds it. */
  public void require(String scope) {
    if (!scopes.contains(scope)) {
      throw Failure.missingScope(scope);
    }
  }

  /** Throws PERMISSION_DENIED listing every scope of {@code granted} this principal lacks. */
  public void requireAll(Set<String> granted) {
    List<String> lacking = granted.stream().filter(s -> !scopes.contains(s)).toList();
    if (!lacking.isEmpty()) {
      throw Failure.escalation(lacking);
    }
  }
}
