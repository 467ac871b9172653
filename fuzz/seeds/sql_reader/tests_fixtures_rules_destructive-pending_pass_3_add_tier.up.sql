ALTER TABLE users ADD COLUMN tier text;
