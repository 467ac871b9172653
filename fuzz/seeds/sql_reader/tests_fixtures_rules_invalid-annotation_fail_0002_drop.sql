-- @destructive: DROP COLUMN users.legacy
-- @expand-migration: NONE
ALTER TABLE users DROP COLUMN legacy;
