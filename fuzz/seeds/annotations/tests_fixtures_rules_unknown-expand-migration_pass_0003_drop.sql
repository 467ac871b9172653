-- @destructive: DROP COLUMN users.legacy
-- @expand-migration: 0002_add_replacement
ALTER TABLE users DROP COLUMN legacy;
