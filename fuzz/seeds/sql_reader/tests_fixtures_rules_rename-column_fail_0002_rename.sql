ALTER TABLE users RENAME COLUMN legacy TO legacy_old;
