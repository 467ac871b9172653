-- @destructive: DROP COLUMN users.legacy
-- @expand-migration: 2_add_replacement
ALTER TABLE users DROP COLUMN legacy;
