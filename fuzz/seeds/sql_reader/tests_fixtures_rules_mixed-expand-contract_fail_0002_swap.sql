-- @destructive: DROP COLUMN users.legacy
-- @expand-migration: NONE (the application stopped reading it in release 41)
ALTER TABLE users ADD COLUMN legacy_v2 text;
ALTER TABLE users DROP COLUMN legacy;
