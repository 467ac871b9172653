-- @destructive: DROP COLUMN users.email
-- @expand-migration: NONE (the application stopped reading it in release 41)
ALTER TABLE users DROP COLUMN legacy;
