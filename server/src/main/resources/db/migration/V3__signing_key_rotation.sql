-- Signing key rotation (SigningKeys.java). Portable SQL: the same migration runs on H2 and
-- PostgreSQL. (V2 belongs to the token lifecycle work; Flyway allows the gap.)

-- Exactly one current key, enforced by the database rather than by a racy read: is_current
-- is TRUE for the current key and NULL for every other, and a UNIQUE constraint admits any
-- number of NULLs but one TRUE (on H2 and PostgreSQL alike). Two nodes rotating at once
-- cannot both commit a new current key.
ALTER TABLE signing_keys ADD COLUMN is_current BOOLEAN;

-- Until now the current key was the newest unretired one; a concurrent first start could
-- have left a second unretired key, which is retired here (it stays published while tokens
-- it signed are valid).
UPDATE signing_keys SET is_current = TRUE
 WHERE kid = (SELECT kid FROM signing_keys WHERE retired_at IS NULL
               ORDER BY created_at DESC, kid FETCH FIRST 1 ROWS ONLY);
UPDATE signing_keys SET retired_at = CURRENT_TIMESTAMP WHERE retired_at IS NULL AND is_current IS NULL;

ALTER TABLE signing_keys ADD CONSTRAINT signing_keys_one_current UNIQUE (is_current);
-- Current, or retired: never both, never neither. (Written so that no operand is NULL: a
-- CHECK whose condition is unknown passes.)
ALTER TABLE signing_keys ADD CONSTRAINT signing_keys_current_xor_retired
    CHECK ((is_current IS NOT NULL AND is_current = TRUE AND retired_at IS NULL)
           OR (is_current IS NULL AND retired_at IS NOT NULL));

-- A retired key never signs again: its sealed private half is erased when it is retired.
ALTER TABLE signing_keys ALTER COLUMN private_key_sealed DROP NOT NULL;
UPDATE signing_keys SET private_key_sealed = NULL WHERE is_current IS NULL;

-- How long a retired key stays published: until the latest expires_at of the JWTs it signed.
CREATE INDEX tokens_by_signing_key ON tokens (signing_key_id, expires_at);

-- The new scopes keys:read and keys:write belong to the bootstrap admin only (as tenants:write
-- does); a store bootstrapped before they existed grants them to that admin and its token.
UPDATE users SET scopes = scopes || ' keys:read keys:write'
 WHERE id = (SELECT user_id FROM tokens
              WHERE tenant_id = (SELECT tenant_id FROM bootstrap) AND kind = 'WORKSPACE'
                AND unique_name = 'bootstrap-admin' AND created_by_token_id IS NULL);
UPDATE tokens SET scopes = scopes || ' keys:read keys:write'
 WHERE tenant_id = (SELECT tenant_id FROM bootstrap) AND kind = 'WORKSPACE'
   AND unique_name = 'bootstrap-admin' AND created_by_token_id IS NULL;
