-- @destructive: DROP COLUMN users.legacy
ALTER TABLE users DROP COLUMN legacy;
