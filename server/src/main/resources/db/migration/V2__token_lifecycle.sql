-- Token lifecycle: paging in a stable order (newest first, ties broken by id), bulk
-- revocation by creator, and record tokens listed by their record.
DROP INDEX tokens_by_tenant_kind;
CREATE INDEX tokens_page ON tokens (tenant_id, kind, created_at, id);
CREATE INDEX tokens_by_resource ON tokens (tenant_id, kind, resource_id, created_at, id);
CREATE INDEX tokens_by_creator_user ON tokens (tenant_id, created_by_user_id);
CREATE INDEX tokens_by_creator_token ON tokens (tenant_id, created_by_token_id);
