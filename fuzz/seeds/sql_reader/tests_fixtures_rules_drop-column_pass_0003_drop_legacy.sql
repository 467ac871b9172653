-- @destructive: DROP COLUMN users.legacy (replaced by legacy_v2)
-- @expand-migration: 0002_add_replacement
ALTER TABLE users DROP COLUMN legacy;
