-- @destructive: DROP COLUMN account.legacy_flag (replaced by display_name rules)
-- @expand-migration: 000002_add_display_name
ALTER TABLE account DROP COLUMN legacy_flag;
