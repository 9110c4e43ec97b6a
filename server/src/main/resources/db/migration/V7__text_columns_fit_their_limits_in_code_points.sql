-- Text limits are documented and checked in characters (Unicode code points): a workspace
-- token's name may be 100 emoji. H2 counts a VARCHAR's length in UTF-16 units, where a code
-- point outside the Basic Multilingual Plane takes two, so such a value passed validation and
-- then failed the INSERT (INTERNAL instead of OK; found by the fuzz test). Every column that
-- holds validated free text gets twice its limit, enough for any value that passes the
-- check; PostgreSQL counts code points and only widens (no rewrite).
ALTER TABLE tenants ALTER COLUMN name SET DATA TYPE VARCHAR(200);

ALTER TABLE users ALTER COLUMN email SET DATA TYPE VARCHAR(508);
ALTER TABLE users ALTER COLUMN first_name SET DATA TYPE VARCHAR(400);
ALTER TABLE users ALTER COLUMN last_name SET DATA TYPE VARCHAR(400);
ALTER TABLE users ALTER COLUMN title SET DATA TYPE VARCHAR(400);
ALTER TABLE users ALTER COLUMN bio SET DATA TYPE VARCHAR(4000);
ALTER TABLE users ALTER COLUMN business_group SET DATA TYPE VARCHAR(400);
ALTER TABLE users ALTER COLUMN image SET DATA TYPE VARCHAR(4000);
ALTER TABLE users ALTER COLUMN user_type SET DATA TYPE VARCHAR(100);
ALTER TABLE users ALTER COLUMN roles SET DATA TYPE VARCHAR(12000);
ALTER TABLE users ALTER COLUMN favorite_links SET DATA TYPE VARCHAR(420000);

ALTER TABLE records ALTER COLUMN title SET DATA TYPE VARCHAR(400);

ALTER TABLE accounts ALTER COLUMN name SET DATA TYPE VARCHAR(400);
ALTER TABLE accounts ALTER COLUMN icon SET DATA TYPE VARCHAR(4000);
ALTER TABLE accounts ALTER COLUMN type SET DATA TYPE VARCHAR(100);

ALTER TABLE modules ALTER COLUMN name SET DATA TYPE VARCHAR(400);
ALTER TABLE modules ALTER COLUMN description SET DATA TYPE VARCHAR(4000);
ALTER TABLE modules ALTER COLUMN types SET DATA TYPE VARCHAR(4200);

ALTER TABLE module_filters ALTER COLUMN filter_key SET DATA TYPE VARCHAR(400);
ALTER TABLE module_filters ALTER COLUMN filter_value SET DATA TYPE VARCHAR(2000);

ALTER TABLE tokens ALTER COLUMN name SET DATA TYPE VARCHAR(200);
ALTER TABLE tokens ALTER COLUMN unique_name SET DATA TYPE VARCHAR(200);
ALTER TABLE tokens ALTER COLUMN description SET DATA TYPE VARCHAR(4000);
ALTER TABLE tokens ALTER COLUMN icon SET DATA TYPE VARCHAR(4000);
