ALTER TABLE account DROP COLUMN display_name;
