package dev.tokenauthority.server.store;

import dev.tokenauthority.server.store.Rows.TokenModuleRow;
import dev.tokenauthority.server.store.Rows.TokenRow;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.SqlObject;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindList;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** Tokens of every kind, found by id or by the hash of their secret, listed a page at a time. */
public interface TokenRepository extends SqlObject {

  /** A token's row, as {@link Inserts#token} writes it. */
  String INSERT = """
      INSERT INTO tokens (id, kind, tenant_id, user_id, created_by_user_id, created_by_token_id, name,
          unique_name, secret_hash, short_code_hash, scopes, resource_id, description, icon, uuid,
          signing_key_id, change_sequence, created_at, updated_at, expires_at, last_used_at, revoked_at,
          updated_by_user_id, updated_by_token_id, share_jwt_sealed)
      VALUES (:id, :kind, :tenantId, :userId, :createdByUserId, :createdByTokenId, :name,
          :uniqueName, :secretHash, :shortCodeHash, :scopes, :resourceId, :description, :icon, :uuid,
          :signingKeyId, :changeSequence, :createdAt, :updatedAt, :expiresAt, :lastUsedAt, :revokedAt,
          :updatedByUserId, :updatedByTokenId, :shareJwtSealed)
      """;

  /** One module an account API token grants, at its position in the grant. */
  String INSERT_MODULE = "INSERT INTO token_modules (token_id, position, module_id) VALUES (:tokenId, :position, :moduleId)";

  @SqlQuery("SELECT * FROM tokens WHERE secret_hash = :hash")
  Optional<TokenRow> findBySecretHash(@Bind("hash") String secretHash);

  @SqlQuery("SELECT * FROM tokens WHERE tenant_id = :tenantId AND kind = :kind AND id = :id")
  Optional<TokenRow> findById(@Bind("tenantId") String tenantId, @Bind("kind") String kind, @Bind("id") String id);

  /** Which tokens a page lists, by their status at {@code now}. */
  enum StatusFilter { ANY, ACTIVE, EXPIRED, REVOKED }

  /** Where the previous page ended (it is excluded): the last token's creation time and id. */
  record Cursor(Instant createdAt, String id) {}

  /**
   * Up to {@code limit} tokens of one kind in a tenant, newest first (ties by id), after
   * {@code after} if given, of one resource if {@code resourceId} is given.
   */
  default List<TokenRow> page(String tenantId, String kind, String resourceId, StatusFilter status, Instant now,
      Cursor after, int limit) {
    StringBuilder sql = new StringBuilder("SELECT * FROM tokens WHERE tenant_id = :tenantId AND kind = :kind");
    if (resourceId != null) {
      sql.append(" AND resource_id = :resourceId");
    }
    switch (status) {
      case ACTIVE -> sql.append(" AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > :now)");
      case EXPIRED -> sql.append(" AND revoked_at IS NULL AND expires_at <= :now");
      case REVOKED -> sql.append(" AND revoked_at IS NOT NULL");
      case ANY -> { }
    }
    if (after != null) {
      sql.append(" AND (created_at < :afterCreatedAt OR (created_at = :afterCreatedAt AND id < :afterId))");
    }
    sql.append(" ORDER BY created_at DESC, id DESC LIMIT :limit");
    var query = getHandle().createQuery(sql.toString())
        .bind("tenantId", tenantId).bind("kind", kind).bind("limit", limit);
    if (resourceId != null) {
      query.bind("resourceId", resourceId);
    }
    if (status == StatusFilter.ACTIVE || status == StatusFilter.EXPIRED) {
      query.bind("now", now);
    }
    if (after != null) {
      query.bind("afterCreatedAt", after.createdAt()).bind("afterId", after.id());
    }
    return query.mapTo(TokenRow.class).list();
  }

  /**
   * What every revocation sets: when and by whom (a revocation is a change, so it also
   * advances {@code change_sequence}: an update based on an earlier read then fails).
   */
  String SET_REVOKED = "revoked_at = :now, updated_at = :now, change_sequence = change_sequence + 1, "
      + "updated_by_user_id = :byUserId, updated_by_token_id = :byTokenId, share_jwt_sealed = NULL";

  /** Revokes one token if it is not revoked yet; the first revocation (time, revoker) stands. */
  @SqlUpdate("UPDATE tokens SET " + SET_REVOKED
      + " WHERE tenant_id = :tenantId AND kind = :kind AND id = :id AND revoked_at IS NULL")
  int revoke(@Bind("tenantId") String tenantId, @Bind("kind") String kind, @Bind("id") String id, @Bind("now") Instant now,
      @Bind("byUserId") String byUserId, @Bind("byTokenId") String byTokenId);

  /** Revokes, in one statement, every unrevoked token a user created. */
  @SqlUpdate("UPDATE tokens SET " + SET_REVOKED
      + " WHERE tenant_id = :tenantId AND created_by_user_id = :userId AND revoked_at IS NULL")
  int revokeCreatedByUser(@Bind("tenantId") String tenantId, @Bind("userId") String userId, @Bind("now") Instant now,
      @Bind("byUserId") String byUserId, @Bind("byTokenId") String byTokenId);

  /** Revokes, in one statement, every unrevoked token minted with a given token as credential. */
  @SqlUpdate("UPDATE tokens SET " + SET_REVOKED
      + " WHERE tenant_id = :tenantId AND created_by_token_id = :tokenId AND revoked_at IS NULL")
  int revokeCreatedByToken(@Bind("tenantId") String tenantId, @Bind("tokenId") String tokenId, @Bind("now") Instant now,
      @Bind("byUserId") String byUserId, @Bind("byTokenId") String byTokenId);

  /** Last-use bookkeeping: the one UPDATE that leaves the {@link LookupCache} valid (readers forget the token). */
  String TOUCH = "UPDATE tokens SET last_used_at = :now WHERE id = :id AND (last_used_at IS NULL OR last_used_at < :since)";

  /**
   * Records a use, unless one was recorded since {@code since}: at most one write per token
   * per interval, however busy the token, and across any number of servers.
   */
  @SqlUpdate(TOUCH)
  int touch(@Bind("id") String id, @Bind("now") Instant now, @Bind("since") Instant since);

  /** The token whose share link's code has this hash (the column is unique). */
  @SqlQuery("SELECT * FROM tokens WHERE short_code_hash = :hash")
  Optional<TokenRow> findByShortCodeHash(@Bind("hash") String shortCodeHash);

  /** A token's sealed share-link JWT, or null when it has none. */
  @SqlQuery("SELECT share_jwt_sealed FROM tokens WHERE id = :id")
  String findShareJwt(@Bind("id") String id);

  /**
   * Changes a token's name and expiry if it is still at change {@code expected}, unrevoked
   * and unexpired at {@code now}, advancing its change sequence: one conditional statement,
   * so of two changes based on the same read exactly one applies. Returns 1 if it applied.
   */
  @SqlUpdate("""
      UPDATE tokens SET name = :name, expires_at = :expiresAt, change_sequence = change_sequence + 1,
          updated_at = :now, updated_by_user_id = :byUserId, updated_by_token_id = :byTokenId
      WHERE tenant_id = :tenantId AND kind = :kind AND id = :id AND change_sequence = :expected
          AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > :now)
      """)
  int update(@Bind("tenantId") String tenantId, @Bind("kind") String kind, @Bind("id") String id,
      @Bind("expected") int expected, @Bind("name") String name, @Bind("expiresAt") Instant expiresAt,
      @Bind("now") Instant now, @Bind("byUserId") String byUserId, @Bind("byTokenId") String byTokenId);

  /** The modules each of {@code tokenIds} grants, in one query: token by token, in their order. */
  @SqlQuery("SELECT token_id, module_id FROM token_modules WHERE token_id IN (<tokenIds>) "
      + "ORDER BY token_id, position")
  List<TokenModuleRow> findModuleIdsOf(@BindList("tokenIds") List<String> tokenIds);
}
