-- Share links (seed 001's short_link) resolve to a dashboard URL carrying the fault token's
-- JWT, which is otherwise never stored. It is kept here sealed with AES-256-GCM under a key
-- derived (HKDF-SHA256) from the link's code, which is itself stored only as a SHA-256 hash
-- (short_code_hash): without the link, a copy of the database reveals neither the code nor
-- the JWT. Format: base64(12-byte nonce || ciphertext || 16-byte tag), bound to the token
-- ID. NULL for tokens without a share link (and links minted before this version).
ALTER TABLE tokens ADD COLUMN share_jwt_sealed VARCHAR(4000);
