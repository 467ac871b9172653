-- @destructive: DROP TABLE orders
-- @expand-migration: NONE (the application stopped reading it in release 41)
DROP TABLE orders;
