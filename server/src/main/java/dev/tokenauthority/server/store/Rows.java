package dev.tokenauthority.server.store;

import java.time.Instant;

/**
 * The rows the repositories read and write: plain Java records, mapped by column name
 * (snake_case columns to camelCase components). Lists are stored joined (see the
 * migration) and split by the core.
 */
public final class Rows {
  private Rows() {}

  /** A tenant. */
  public record TenantRow(String id, String name, Instant createdAt) {}

  /** A user and their profile. */
  public record UserRow(
      String id,
      String tenantId,
      String uuid,
      String email,
      String firstName,
      String lastName,
      String title,
      String bio,
      String businessGroup,
      String image,
      String userType,
      boolean active,
      boolean externallyManaged,
      boolean showDeveloperTools,
      boolean showOnboarding,
      boolean showScrollbars,
      boolean showWelcomeMessage,
      String roles,
      String favoriteLinks,
      String scopes,
      int changeSequence,
      Instant createdAt,
      Instant updatedAt) {}

  /** A Workboard record. */
  public record RecordRow(String tenantId, String id, String title, Instant createdAt) {}

  /** An account. */
  public record AccountRow(
      String tenantId, String id, String name, String icon, String type, String status, Instant createdAt) {}

  /** A module. */
  public record ModuleRow(
      String tenantId,
      String id,
      String name,
      String description,
      boolean configurable,
      boolean enabledByDefault,
      boolean paid,
      boolean obsolete,
      boolean eligibleMulti,
      boolean eligibleSingle,
      String types,
      Instant createdAt) {}

  /** One value of one named filter of a module. */
  public record ModuleFilterRow(String tenantId, String moduleId, String filterKey, int position, String filterValue) {}

  /**
   * A token of any kind; see the migrations for which columns each kind uses. The
   * {@code updatedBy*} columns name who last changed it (its creator until someone does).
   */
  public record TokenRow(
      String id,
      String kind,
      String tenantId,
      String userId,
      String createdByUserId,
      String createdByTokenId,
      String name,
      String uniqueName,
      String secretHash,
      String shortCodeHash,
      String scopes,
      String resourceId,
      String description,
      String icon,
      String uuid,
      String signingKeyId,
      int changeSequence,
      Instant createdAt,
      Instant updatedAt,
      Instant expiresAt,
      Instant lastUsedAt,
      Instant revokedAt,
      String updatedByUserId,
      String updatedByTokenId) {}

  /**
   * A JWT signing key; the private half sealed with the master key, and null once the key
   * is retired.
   */
  public record SigningKeyRow(
      String kid, String algorithm, String publicKey, String privateKeySealed, Instant createdAt, Instant retiredAt) {}

  /**
   * A signing key's public half and lifecycle: {@code retiredAt} null for the current key,
   * {@code lastTokenExpiresAt} the latest expiry of the tokens it signed (null if none).
   */
  public record SigningKeyStatusRow(
      String kid, String algorithm, String publicKey, Instant createdAt, Instant retiredAt, Instant lastTokenExpiresAt) {}

  /** One module a token grants. */
  public record TokenModuleRow(String tokenId, String moduleId) {}

  /**
   * One audit event: {@code outcome} is {@code success} or {@code failure} (with the
   * failure's reason); never a secret, hash or JWT, only IDs.
   */
  public record AuditRow(
      String id,
      Instant occurredAt,
      String tenantId,
      String actorUserId,
      String actorTokenId,
      String action,
      String targetType,
      String targetId,
      String outcome,
      String reason,
      String clientAddress,
      String details) {}
}
