-- Token Authority schema. Portable SQL: the same migration runs on H2 and PostgreSQL.
-- Times are TIMESTAMP WITH TIME ZONE (bound as UTC OffsetDateTime); secrets never appear:
-- opaque tokens are found by the SHA-256 (hex) of their secret, share links by the hash
-- of their code.

CREATE TABLE tenants (
    id          VARCHAR(40)  PRIMARY KEY,
    name        VARCHAR(100) NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL
);

-- Exactly one row once the first start has created the default tenant and admin token;
-- its primary key makes a concurrent second bootstrap fail instead of duplicating.
CREATE TABLE bootstrap (
    id          INT          PRIMARY KEY,
    tenant_id   VARCHAR(40)  NOT NULL REFERENCES tenants (id),
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE TABLE users (
    id                    VARCHAR(40)    PRIMARY KEY,
    tenant_id             VARCHAR(40)    NOT NULL REFERENCES tenants (id),
    uuid                  VARCHAR(36)    NOT NULL,
    email                 VARCHAR(254)   NOT NULL,
    first_name            VARCHAR(200)   NOT NULL,
    last_name             VARCHAR(200)   NOT NULL,
    title                 VARCHAR(200)   NOT NULL,
    bio                   VARCHAR(2000)  NOT NULL,
    business_group        VARCHAR(200)   NOT NULL,
    image                 VARCHAR(2000)  NOT NULL,
    user_type             VARCHAR(50)    NOT NULL,
    active                BOOLEAN        NOT NULL,
    externally_managed    BOOLEAN        NOT NULL,
    show_developer_tools  BOOLEAN        NOT NULL,
    show_onboarding       BOOLEAN        NOT NULL,
    show_scrollbars       BOOLEAN        NOT NULL,
    show_welcome_message  BOOLEAN        NOT NULL,
    -- newline-separated lists (validation forbids control characters in items)
    roles                 VARCHAR(6000)   NOT NULL,
    favorite_links        VARCHAR(210000) NOT NULL,
    -- space-separated scope names the user may hold
    scopes                VARCHAR(2000)  NOT NULL,
    change_sequence       INT            NOT NULL,
    created_at            TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at            TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT users_email_per_tenant UNIQUE (tenant_id, email)
);

CREATE TABLE records (
    tenant_id   VARCHAR(40)   NOT NULL REFERENCES tenants (id),
    id          VARCHAR(100)  NOT NULL,
    title       VARCHAR(200)  NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE accounts (
    tenant_id   VARCHAR(40)   NOT NULL REFERENCES tenants (id),
    id          VARCHAR(100)  NOT NULL,
    name        VARCHAR(200)  NOT NULL,
    icon        VARCHAR(2000) NOT NULL,
    type        VARCHAR(50)   NOT NULL,
    status      VARCHAR(20)   NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE modules (
    tenant_id              VARCHAR(40)   NOT NULL REFERENCES tenants (id),
    id                     VARCHAR(100)  NOT NULL,
    name                   VARCHAR(200)  NOT NULL,
    description            VARCHAR(2000) NOT NULL,
    configurable           BOOLEAN       NOT NULL,
    enabled_by_default     BOOLEAN       NOT NULL,
    paid                   BOOLEAN       NOT NULL,
    obsolete               BOOLEAN       NOT NULL,
    eligible_multi         BOOLEAN       NOT NULL,
    eligible_single        BOOLEAN       NOT NULL,
    -- newline-separated
    types                  VARCHAR(2100) NOT NULL,
    created_at             TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE module_filters (
    tenant_id    VARCHAR(40)   NOT NULL,
    module_id    VARCHAR(100)  NOT NULL,
    filter_key   VARCHAR(200)  NOT NULL,
    position     INT           NOT NULL,
    filter_value VARCHAR(1000) NOT NULL,
    PRIMARY KEY (tenant_id, module_id, filter_key, position),
    FOREIGN KEY (tenant_id, module_id) REFERENCES modules (tenant_id, id)
);

-- Every token of every kind. Opaque kinds (WORKSPACE, ACCESS, ACCOUNT_API) have a
-- secret_hash; JWT kinds (RECORD, FAULT) are recorded by id (= jti) for lookup and
-- revocation. unique_name is set only where names must be unique (workspace tokens),
-- so the database, not a racy read, enforces that rule.
CREATE TABLE tokens (
    id                   VARCHAR(40)    PRIMARY KEY,
    kind                 VARCHAR(20)    NOT NULL,
    tenant_id            VARCHAR(40)    NOT NULL REFERENCES tenants (id),
    user_id              VARCHAR(40)    NOT NULL REFERENCES users (id),
    created_by_user_id   VARCHAR(40)    NOT NULL REFERENCES users (id),
    created_by_token_id  VARCHAR(40),
    name                 VARCHAR(100)   NOT NULL,
    unique_name          VARCHAR(100),
    secret_hash          VARCHAR(64)    UNIQUE,
    short_code_hash      VARCHAR(64)    UNIQUE,
    scopes               VARCHAR(2000)  NOT NULL,
    resource_id          VARCHAR(100),
    description          VARCHAR(2000),
    icon                 VARCHAR(2000),
    uuid                 VARCHAR(36)    NOT NULL,
    signing_key_id       VARCHAR(40),
    change_sequence      INT            NOT NULL,
    created_at           TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at           TIMESTAMP WITH TIME ZONE NOT NULL,
    expires_at           TIMESTAMP WITH TIME ZONE,
    last_used_at         TIMESTAMP WITH TIME ZONE,
    revoked_at           TIMESTAMP WITH TIME ZONE,
    CONSTRAINT tokens_unique_name_per_tenant UNIQUE (tenant_id, unique_name)
);

CREATE INDEX tokens_by_tenant_kind ON tokens (tenant_id, kind, created_at);

CREATE TABLE token_modules (
    token_id   VARCHAR(40)   NOT NULL REFERENCES tokens (id),
    position   INT           NOT NULL,
    module_id  VARCHAR(100)  NOT NULL,
    PRIMARY KEY (token_id, position)
);

-- JWT signing keys. The private half is AES-256-GCM encrypted with the master key
-- (which lives outside the database); the public half is plain X.509 DER, base64.
CREATE TABLE signing_keys (
    kid                VARCHAR(40)   PRIMARY KEY,
    algorithm          VARCHAR(10)   NOT NULL,
    public_key         VARCHAR(1000) NOT NULL,
    private_key_sealed VARCHAR(2000) NOT NULL,
    created_at         TIMESTAMP WITH TIME ZONE NOT NULL,
    retired_at         TIMESTAMP WITH TIME ZONE
);
