package dev.tokenauthority.server.store;

import dev.tokenauthority.server.store.Rows.TokenRow;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlBatch;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;
import org.jdbi.v3.sqlobject.transaction.Transaction;

/** Tokens of every kind, found by id or by the hash of their secret. */
@RegisterConstructorMapper(TokenRow.class)
public interface TokenRepository {

  @SqlUpdate("""
      INSERT INTO tokens (id, kind, tenant_id, user_id, created_by_user_id, created_by_token_id, name,
          unique_name, secret_hash, short_code_hash, scopes, resource_id, description, icon, uuid,
          signing_key_id, change_sequence, created_at, updated_at, expires_at, last_used_at, revoked_at)
      VALUES (:id, :kind, :tenantId, :userId, :createdByUserId, :createdByTokenId, :name,
          :uniqueName, :secretHash, :shortCodeHash, :scopes, :resourceId, :description, :icon, :uuid,
          :signingKeyId, :changeSequence, :createdAt, :updatedAt, :expiresAt, :lastUsedAt, :revokedAt)
      """)
  void insertRow(@BindMethods TokenRow token);

  @SqlBatch("INSERT INTO token_modules (token_id, position, module_id) VALUES (:tokenId, :position, :moduleId)")
  void insertModules(@Bind("tokenId") String tokenId, @Bind("position") List<Integer> positions,
      @Bind("moduleId") List<String> moduleIds);

  /** Inserts a token and the modules it grants atomically. */
  @Transaction
  default void insert(TokenRow token, List<String> moduleIds) {
    insertRow(token);
    if (!moduleIds.isEmpty()) {
      List<Integer> positions = java.util.stream.IntStream.range(0, moduleIds.size()).boxed().toList();
      insertModules(token.id(), positions, moduleIds);
    }
  }

  @SqlQuery("SELECT * FROM tokens WHERE secret_hash = :hash")
  Optional<TokenRow> findBySecretHash(@Bind("hash") String secretHash);

  @SqlQuery("SELECT * FROM tokens WHERE tenant_id = :tenantId AND id = :id")
  Optional<TokenRow> findById(@Bind("tenantId") String tenantId, @Bind("id") String id);

  @SqlQuery("SELECT module_id FROM token_modules WHERE token_id = :tokenId ORDER BY position")
  List<String> findModuleIds(@Bind("tokenId") String tokenId);
}
