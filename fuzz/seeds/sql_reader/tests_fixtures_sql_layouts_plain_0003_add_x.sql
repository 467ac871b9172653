-- @expand-migration: NONE (new column only)
ALTER TABLE product ADD COLUMN x text;
-- migguard-ignore create-index-non-concurrent: tiny table
CREATE INDEX idx_x ON product (x);
