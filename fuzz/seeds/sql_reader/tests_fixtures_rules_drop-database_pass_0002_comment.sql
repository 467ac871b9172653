-- DROP DATABASE legacy_reports; was done by hand, not here
COMMENT ON TABLE users IS 'DROP DATABASE is not run by this migration';
