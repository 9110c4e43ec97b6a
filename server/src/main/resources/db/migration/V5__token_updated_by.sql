-- Who last changed a token (an update, a revocation), beside when (updated_at): seed 002
-- shows it as audit.updated.by. A token nobody has changed since minting was last changed
-- by its creator, so existing rows take their creator's user and token.
ALTER TABLE tokens ADD COLUMN updated_by_user_id VARCHAR(40);
ALTER TABLE tokens ADD COLUMN updated_by_token_id VARCHAR(40);
UPDATE tokens SET updated_by_user_id = created_by_user_id, updated_by_token_id = created_by_token_id;
ALTER TABLE tokens ALTER COLUMN updated_by_user_id SET NOT NULL;
ALTER TABLE tokens ADD CONSTRAINT tokens_updated_by_user FOREIGN KEY (updated_by_user_id) REFERENCES users (id);
