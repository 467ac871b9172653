ALTER TABLE users ADD COLUMN age_v2 bigint;
