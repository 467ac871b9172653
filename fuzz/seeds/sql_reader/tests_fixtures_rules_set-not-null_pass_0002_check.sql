ALTER TABLE users ADD CONSTRAINT users_legacy_not_null CHECK (legacy IS NOT NULL) NOT VALID;
