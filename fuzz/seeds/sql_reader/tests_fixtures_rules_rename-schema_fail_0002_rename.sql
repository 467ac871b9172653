ALTER SCHEMA archive RENAME TO archive_old;
