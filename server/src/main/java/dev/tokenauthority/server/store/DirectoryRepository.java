package dev.tokenauthority.server.store;

import dev.tokenauthority.server.store.Rows.AccountRow;
import dev.tokenauthority.server.store.Rows.ModuleFilterRow;
import dev.tokenauthority.server.store.Rows.ModuleRow;
import dev.tokenauthority.server.store.Rows.RecordRow;
import dev.tokenauthority.server.store.Rows.TenantRow;
import dev.tokenauthority.server.store.Rows.UserRow;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlBatch;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;
import org.jdbi.v3.sqlobject.transaction.Transaction;

/** Tenants, users, records, accounts and modules. Every lookup but a tenant's is scoped to a tenant. */
public interface DirectoryRepository {

  @SqlUpdate("INSERT INTO tenants (id, name, created_at) VALUES (:id, :name, :createdAt)")
  void insertTenant(@BindMethods TenantRow tenant);

  @SqlQuery("SELECT * FROM tenants WHERE id = :id")
  Optional<TenantRow> findTenant(@Bind("id") String id);

  @SqlQuery("SELECT COUNT(*) > 0 FROM bootstrap")
  boolean isBootstrapped();

  @SqlUpdate("INSERT INTO bootstrap (id, tenant_id, created_at) VALUES (1, :tenantId, :createdAt)")
  void markBootstrapped(@Bind("tenantId") String tenantId, @Bind("createdAt") Instant createdAt);

  @SqlUpdate("""
      INSERT INTO users (id, tenant_id, uuid, email, first_name, last_name, title, bio, business_group,
          image, user_type, active, externally_managed, show_developer_tools, show_onboarding,
          show_scrollbars, show_welcome_message, roles, favorite_links, scopes, change_sequence,
          created_at, updated_at)
      VALUES (:id, :tenantId, :uuid, :email, :firstName, :lastName, :title, :bio, :businessGroup,
          :image, :userType, :active, :externallyManaged, :showDeveloperTools, :showOnboarding,
          :showScrollbars, :showWelcomeMessage, :roles, :favoriteLinks, :scopes, :changeSequence,
          :createdAt, :updatedAt)
      """)
  void insertUser(@BindMethods UserRow user);

  @SqlQuery("SELECT * FROM users WHERE tenant_id = :tenantId AND id = :id")
  Optional<UserRow> findUser(@Bind("tenantId") String tenantId, @Bind("id") String id);

  @SqlUpdate("INSERT INTO records (tenant_id, id, title, created_at) VALUES (:tenantId, :id, :title, :createdAt)")
  void insertRecord(@BindMethods RecordRow record);

  @SqlQuery("SELECT * FROM records WHERE tenant_id = :tenantId AND id = :id")
  Optional<RecordRow> findRecord(@Bind("tenantId") String tenantId, @Bind("id") String id);

  @SqlUpdate("""
      INSERT INTO accounts (tenant_id, id, name, icon, type, status, created_at)
      VALUES (:tenantId, :id, :name, :icon, :type, :status, :createdAt)
      """)
  void insertAccount(@BindMethods AccountRow account);

  @SqlQuery("SELECT * FROM accounts WHERE tenant_id = :tenantId AND id = :id")
  Optional<AccountRow> findAccount(@Bind("tenantId") String tenantId, @Bind("id") String id);

  @SqlUpdate("""
      INSERT INTO modules (tenant_id, id, name, description, configurable, enabled_by_default, paid,
          obsolete, eligible_multi, eligible_single, types, created_at)
      VALUES (:tenantId, :id, :name, :description, :configurable, :enabledByDefault, :paid,
          :obsolete, :eligibleMulti, :eligibleSingle, :types, :createdAt)
      """)
  void insertModuleRow(@BindMethods ModuleRow module);

  @SqlBatch("""
      INSERT INTO module_filters (tenant_id, module_id, filter_key, position, filter_value)
      VALUES (:tenantId, :moduleId, :filterKey, :position, :filterValue)
      """)
  void insertModuleFilters(@BindMethods List<ModuleFilterRow> filters);

  /** Inserts a module and its filters atomically. */
  @Transaction
  default void insertModule(ModuleRow module, List<ModuleFilterRow> filters) {
    insertModuleRow(module);
    if (!filters.isEmpty()) {
      insertModuleFilters(filters);
    }
  }

  @SqlQuery("SELECT * FROM modules WHERE tenant_id = :tenantId AND id = :id")
  Optional<ModuleRow> findModule(@Bind("tenantId") String tenantId, @Bind("id") String id);

  @SqlQuery("""
      SELECT * FROM module_filters WHERE tenant_id = :tenantId AND module_id = :moduleId
      ORDER BY filter_key, position
      """)
  List<ModuleFilterRow> findModuleFilters(@Bind("tenantId") String tenantId, @Bind("moduleId") String moduleId);
}
