package dev.tokenauthority.server.store;

import dev.tokenauthority.server.store.Rows.SigningKeyRow;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** JWT signing keys. */
@RegisterConstructorMapper(SigningKeyRow.class)
public interface SigningKeyRepository {

  @SqlUpdate("""
      INSERT INTO signing_keys (kid, algorithm, public_key, private_key_sealed, created_at, retired_at)
      VALUES (:kid, :algorithm, :publicKey, :privateKeySealed, :createdAt, :retiredAt)
      """)
  void insert(@BindMethods SigningKeyRow key);

  /** The key new tokens are signed with: the newest one not retired. */
  @SqlQuery("SELECT * FROM signing_keys WHERE retired_at IS NULL ORDER BY created_at DESC, kid FETCH FIRST 1 ROWS ONLY")
  Optional<SigningKeyRow> findCurrent();

  @SqlQuery("SELECT * FROM signing_keys ORDER BY created_at")
  List<SigningKeyRow> findAll();
}
