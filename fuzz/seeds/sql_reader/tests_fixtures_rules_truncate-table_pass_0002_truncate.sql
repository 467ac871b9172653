-- @destructive: TRUNCATE orders (rows are rebuilt from the ledger)
-- @expand-migration: NONE (the application stopped reading it in release 41)
TRUNCATE orders;
