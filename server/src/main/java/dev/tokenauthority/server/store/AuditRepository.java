package dev.tokenauthority.server.store;

import dev.tokenauthority.server.store.Rows.AuditRow;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.statement.Query;
import org.jdbi.v3.sqlobject.SqlObject;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** The audit log: append-only, listed newest first by (occurred_at, id). */
public interface AuditRepository extends SqlObject {

  /** An event's row; within a mint's transaction {@link Inserts#audit} writes it. */
  String INSERT = """
      INSERT INTO audit_events (id, occurred_at, tenant_id, actor_user_id, actor_token_id, action, target_type,
          target_id, outcome, reason, client_address, details)
      VALUES (:id, :occurredAt, :tenantId, :actorUserId, :actorTokenId, :action, :targetType,
          :targetId, :outcome, :reason, :clientAddress, :details)
      """;

  @SqlUpdate(INSERT)
  void insert(@BindMethods AuditRow row);

  /**
   * At most {@code limit} events, newest first by (occurred_at, id), strictly after the cursor
   * ({@code afterTime}, {@code afterId}) in that order when it is given. Every other argument
   * is a filter that applies only when not null: {@code start} inclusive, {@code end}
   * exclusive. Only the conditions in use reach the SQL, so each form can use its index.
   */
  default List<AuditRow> list(String tenantId, String action, Instant start, Instant end, Instant afterTime,
      String afterId, int limit) {
    List<String> conditions = new ArrayList<>();
    Map<String, Object> bindings = new LinkedHashMap<>();
    if (tenantId != null) {
      conditions.add("tenant_id = :tenantId");
      bindings.put("tenantId", tenantId);
    }
    if (action != null) {
      conditions.add("action = :action");
      bindings.put("action", action);
    }
    if (start != null) {
      conditions.add("occurred_at >= :start");
      bindings.put("start", start);
    }
    if (end != null) {
      conditions.add("occurred_at < :end");
      bindings.put("end", end);
    }
    if (afterTime != null) {
      conditions.add("(occurred_at < :afterTime OR (occurred_at = :afterTime AND id < :afterId))");
      bindings.put("afterTime", afterTime);
      bindings.put("afterId", afterId);
    }
    String where = conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions);
    Query query = getHandle().createQuery(
        "SELECT * FROM audit_events" + where + " ORDER BY occurred_at DESC, id DESC LIMIT :limit");
    bindings.forEach(query::bind);
    return query.bind("limit", limit).mapTo(AuditRow.class).list();
  }
}
