-- @destructive: RENAME TABLE orders (to purchases)
-- @expand-migration: NONE (the application stopped reading it in release 41)
ALTER TABLE orders RENAME TO purchases;
