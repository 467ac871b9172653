ALTER TABLE account ADD COLUMN legacy_flag boolean;
