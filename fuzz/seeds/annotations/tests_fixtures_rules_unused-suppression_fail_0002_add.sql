-- migguard-ignore drop-constraint: left over from an earlier draft
ALTER TABLE users ADD COLUMN tier text;
