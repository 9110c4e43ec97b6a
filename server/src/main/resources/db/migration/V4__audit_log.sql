-- The audit log: one row per mint, update, revoke, key rotation, directory write and failed
-- authentication (V2 and V3 are reserved for work landing in parallel; Flyway allows gaps).
--
-- Never a secret, a secret's hash or a JWT: an actor or target is named by its ID only.
-- No foreign keys, on purpose: an audit row must outlive what it names, and a failed
-- authentication may name no tenant at all (tenant_id NULL). Rows are written in the same
-- transaction as the change they record (see core/Audit.java).

CREATE TABLE audit_events (
    -- aud_ + 24 lowercase alphanumerics (random: IDs reveal nothing about volume)
    id              VARCHAR(40)    PRIMARY KEY,
    -- when it happened, to the millisecond; (occurred_at, id) orders the listing
    occurred_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    -- the tenant the action affected; NULL for a failed authentication with no known token
    tenant_id       VARCHAR(40),
    -- who: the authenticated user and the token they called with; both NULL for the
    -- server itself (bootstrap) and for a failed authentication
    actor_user_id   VARCHAR(40),
    actor_token_id  VARCHAR(40),
    -- what: a dotted action name (token.mint, auth.failure, ...; core/AuditAction.java)
    action          VARCHAR(40)    NOT NULL,
    -- what it was done to: token, tenant, user, record, account, module, signing_key
    target_type     VARCHAR(20),
    target_id       VARCHAR(100),
    -- success | failure; reason is the failure's ErrorReason name (NULL on success)
    outcome         VARCHAR(10)    NOT NULL,
    reason          VARCHAR(40),
    -- an IP literal, "in-process", or NULL for the server itself
    client_address  VARCHAR(64),
    -- a short description, e.g. "kind=WORKSPACE"; at most 500 characters
    details         VARCHAR(500)
);

-- The listing runs newest first by (occurred_at, id), within one tenant or across all.
CREATE INDEX audit_events_by_tenant_time ON audit_events (tenant_id, occurred_at, id);
CREATE INDEX audit_events_by_time ON audit_events (occurred_at, id);

-- audit:read is new in the scope catalog and tenant admins hold it. Users and tokens created
-- before it existed that hold every other tenant-admin scope (the admins, their access tokens)
-- get it too, or nobody on an existing store could ever read the log: a token can never be
-- granted a scope its creator lacks.
UPDATE users SET scopes = scopes || ' audit:read'
WHERE (' ' || scopes || ' ') LIKE '% tokens:read %'
  AND (' ' || scopes || ' ') LIKE '% tokens:write %'
  AND (' ' || scopes || ' ') LIKE '% tokens:revoke %'
  AND (' ' || scopes || ' ') LIKE '% records:update %'
  AND (' ' || scopes || ' ') LIKE '% faults:read %'
  AND (' ' || scopes || ' ') LIKE '% directory:read %'
  AND (' ' || scopes || ' ') LIKE '% directory:write %';

UPDATE tokens SET scopes = scopes || ' audit:read'
WHERE (' ' || scopes || ' ') LIKE '% tokens:read %'
  AND (' ' || scopes || ' ') LIKE '% tokens:write %'
  AND (' ' || scopes || ' ') LIKE '% tokens:revoke %'
  AND (' ' || scopes || ' ') LIKE '% records:update %'
  AND (' ' || scopes || ' ') LIKE '% faults:read %'
  AND (' ' || scopes || ' ') LIKE '% directory:read %'
  AND (' ' || scopes || ' ') LIKE '% directory:write %';
