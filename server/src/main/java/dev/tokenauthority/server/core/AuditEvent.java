package dev.tokenauthority.server.core;

import java.util.Objects;

/**
 * One thing to put in the audit log; {@link Audit#record} stamps it with an ID and the time.
 * Build it with a factory, e.g.
 * {@code AuditEvent.by(caller, AuditAction.TOKEN_REVOKE, AuditEvent.TOKEN, tokenId)}.
 * It names actors and targets by ID only: never put a secret, a hash or a JWT in it.
 *
 * @param tenantId the tenant the action affected; null only for a failed authentication with
 *     no known token
 * @param actorUserId the acting user, or null for the server itself and for failed authentication
 * @param actorTokenId the token the actor called with, or null likewise
 * @param action what happened
 * @param targetType what it happened to ({@link #TOKEN}, {@link #TENANT}, ...), or null
 * @param targetId the target's ID, or null
 * @param failureReason null on success; otherwise why it failed
 * @param clientAddress where the call came from (see {@link Principal#clientAddress()}), or
 *     null for the server itself
 * @param details a short description, e.g. {@code kind=WORKSPACE}; cut to {@link #DETAILS_MAX}
 * @param clientCertificate the caller's verified TLS client certificate, or null; stored after
 *     the details ({@link #storedDetails})
 */
public record AuditEvent(
    String tenantId,
    String actorUserId,
    String actorTokenId,
    AuditAction action,
    String targetType,
    String targetId,
    Failure.Reason failureReason,
    String clientAddress,
    String details,
    ClientCertificate clientCertificate) {

  /** Target types. */
  public static final String TOKEN = "token";
  public static final String TENANT = "tenant";
  public static final String USER = "user";
  public static final String RECORD = "record";
  public static final String ACCOUNT = "account";
  public static final String MODULE = "module";
  public static final String SIGNING_KEY = "signing_key";

  /** The longest details text kept; longer text is cut, so that auditing never fails a change. */
  public static final int DETAILS_MAX = 500;

  public AuditEvent {
    Objects.requireNonNull(action, "action");
    if (details != null && details.length() > DETAILS_MAX) {
      details = details.substring(0, DETAILS_MAX);
    }
  }

  /** An event without a client certificate. */
  public AuditEvent(String tenantId, String actorUserId, String actorTokenId, AuditAction action, String targetType,
      String targetId, Failure.Reason failureReason, String clientAddress, String details) {
    this(tenantId, actorUserId, actorTokenId, action, targetType, targetId, failureReason, clientAddress, details,
        null);
  }

  /**
   * The details as stored (the API has no field of its own for the certificate, so the proto
   * stays as it is): the details, then the client certificate's identity
   * ({@link ClientCertificate#describe}), cut to {@link #DETAILS_MAX}.
   */
  public String storedDetails() {
    if (clientCertificate == null) {
      return details;
    }
    String text = (details == null || details.isEmpty() ? "" : details + " ") + clientCertificate.describe();
    return text.length() > DETAILS_MAX ? text.substring(0, DETAILS_MAX) : text;
  }

  /** What {@code caller} did, successfully, in its own tenant, from its client address. */
  public static AuditEvent by(Principal caller, AuditAction action, String targetType, String targetId) {
    return new AuditEvent(caller.tenantId(), caller.userId(), caller.tokenId(), action, targetType, targetId, null,
        caller.clientAddress(), null, caller.clientCertificate());
  }

  /** What the server did by itself (bootstrap, scheduled work): no actor, no client address. */
  public static AuditEvent bySystem(String tenantId, AuditAction action, String targetType, String targetId) {
    return new AuditEvent(tenantId, null, null, action, targetType, targetId, null, null, null);
  }

  /** {@code caller} minted token {@code tokenId} of {@code kind}. */
  public static AuditEvent minted(Principal caller, TokenKind kind, String tokenId) {
    return by(caller, AuditAction.TOKEN_MINT, TOKEN, tokenId).withDetails("kind=" + kind.name());
  }

  /**
   * A failed authentication from {@code clientAddress} (with the verified client certificate
   * {@code certificate}, or null): {@code tokenId} and {@code tenantId}
   * only when the secret matched a known token (expired, revoked, user deactivated), else null.
   * The failure's message is the details: it never contains the credential.
   */
  static AuditEvent authenticationFailed(Failure failure, String tenantId, String tokenId, String clientAddress,
      ClientCertificate certificate) {
    return new AuditEvent(tenantId, null, null, AuditAction.AUTH_FAILURE, tokenId == null ? null : TOKEN, tokenId,
        failure.reason(), clientAddress, failure.getMessage(), certificate);
  }

  /** The same event with {@code text} as its details. */
  public AuditEvent withDetails(String text) {
    return new AuditEvent(tenantId, actorUserId, actorTokenId, action, targetType, targetId, failureReason,
        clientAddress, text, clientCertificate);
  }

  /** The same event in tenant {@code id} (an action on another tenant, such as creating it). */
  public AuditEvent inTenant(String id) {
    return new AuditEvent(id, actorUserId, actorTokenId, action, targetType, targetId, failureReason, clientAddress,
        details, clientCertificate);
  }
}
