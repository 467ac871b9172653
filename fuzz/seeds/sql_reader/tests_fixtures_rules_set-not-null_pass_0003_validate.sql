ALTER TABLE users VALIDATE CONSTRAINT users_legacy_not_null;
