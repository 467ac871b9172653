-- @destructive: DROP COLUMN users.legacy
-- @expand-migration: 0003_add_replacement
ALTER TABLE users DROP COLUMN legacy;
