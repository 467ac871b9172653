ALTER TABLE account ADD COLUMN display_name text;
