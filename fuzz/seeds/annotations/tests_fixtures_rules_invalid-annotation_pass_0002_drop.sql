-- @destructive: DROP COLUMN users.legacy
-- @expand-migration: NONE (the application stopped reading it in release 41)
ALTER TABLE users DROP COLUMN legacy;
