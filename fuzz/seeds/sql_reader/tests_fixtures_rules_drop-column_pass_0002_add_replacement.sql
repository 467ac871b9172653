ALTER TABLE users ADD COLUMN legacy_v2 text;
