-- @destructive: RENAME SCHEMA archive (to archive_old)
-- @expand-migration: NONE (the application stopped reading it in release 41)
ALTER SCHEMA archive RENAME TO archive_old;
