-- @destructive: DROP SCHEMA archive
-- @expand-migration: NONE (the application stopped reading it in release 41)
DROP SCHEMA archive;
