package dev.tokenauthority.server.store;

import dev.tokenauthority.server.store.Rows.SigningKeyRow;
import dev.tokenauthority.server.store.Rows.SigningKeyStatusRow;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * JWT signing keys. At most one is current ({@code is_current}, unique in the schema); the
 * others are retired.
 */
public interface SigningKeyRepository {

  /** The columns of {@link SigningKeyStatusRow}: the retention rule needs each key's latest token expiry. */
  String STATUS = """
      SELECT k.kid, k.algorithm, k.public_key, k.created_at, k.retired_at,
             (SELECT MAX(t.expires_at) FROM tokens t WHERE t.signing_key_id = k.kid) AS last_token_expires_at
        FROM signing_keys k
      """;

  /**
   * The current key, then the others by creation, newest first; keys created in the same
   * instant by when they were retired (the later was current later).
   */
  String NEWEST_FIRST = " ORDER BY CASE WHEN k.retired_at IS NULL THEN 0 ELSE 1 END, k.created_at DESC, k.retired_at DESC,"
      + " k.kid";

  /** Inserts {@code key} as the current key; a unique violation if another key is current. */
  @SqlUpdate("""
      INSERT INTO signing_keys (kid, algorithm, public_key, private_key_sealed, created_at, retired_at, is_current)
      VALUES (:kid, :algorithm, :publicKey, :privateKeySealed, :createdAt, NULL, TRUE)
      """)
  void insertCurrent(@BindMethods SigningKeyRow key);

  /** The key new tokens are signed with. */
  @SqlQuery("SELECT kid, algorithm, public_key, private_key_sealed, created_at, retired_at FROM signing_keys"
      + " WHERE is_current = TRUE")
  Optional<SigningKeyRow> findCurrent();

  /**
   * Retires {@code kid} if it is still the current key, erasing its private half; returns
   * 0 when another rotation retired it first.
   */
  @SqlUpdate("""
      UPDATE signing_keys SET is_current = NULL, retired_at = :now, private_key_sealed = NULL
       WHERE kid = :kid AND is_current = TRUE
      """)
  int retireIfCurrent(@Bind("kid") String kid, @Bind("now") Instant now);

  /** The current key and every key retired after {@code retiredAfter}, newest first. */
  @SqlQuery(STATUS + " WHERE k.retired_at IS NULL OR k.retired_at > :retiredAfter" + NEWEST_FIRST)
  List<SigningKeyStatusRow> findStatusesRetiredAfter(@Bind("retiredAfter") Instant retiredAfter);

  /** Every key, newest first. */
  @SqlQuery(STATUS + NEWEST_FIRST)
  List<SigningKeyStatusRow> findAllStatuses();
}
