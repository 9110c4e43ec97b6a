package dev.tokenauthority.server.store;

import dev.tokenauthority.server.store.Rows.AuditRow;
import dev.tokenauthority.server.store.Rows.TokenRow;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * The rows a mint writes (its token, the modules it grants, an audit event), on a handle whose
 * transaction the caller opened. Not through an attached repository: {@code Handle.attach}
 * builds an invoker for every method of the interface each time, which took 19% of the group
 * committer's time (JFR), once per mint.
 */
public final class Inserts {
  private Inserts() {}

  /**
   * Inserts {@code token} and, in order, the modules it grants (none for most kinds), with its
   * share link's sealed JWT (see V6__share_links.sql), or null when it has no share link.
   */
  public static void token(Handle handle, TokenRow token, List<String> moduleIds, String shareJwtSealed) {
    handle.createUpdate(TokenRepository.INSERT).bindMethods(token).bind("shareJwtSealed", shareJwtSealed).execute();
    if (moduleIds.isEmpty()) {
      return;
    }
    PreparedBatch modules = handle.prepareBatch(TokenRepository.INSERT_MODULE);
    for (int position = 0; position < moduleIds.size(); position++) {
      modules.bind("tokenId", token.id()).bind("position", position).bind("moduleId", moduleIds.get(position)).add();
    }
    modules.execute();
  }

  /** Inserts one audit event. */
  public static void audit(Handle handle, AuditRow row) {
    handle.createUpdate(AuditRepository.INSERT).bindMethods(row).execute();
  }
}
