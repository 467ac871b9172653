CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, legacy text, age integer);
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint, note text, CONSTRAINT orders_note_check CHECK (note <> ''));
CREATE INDEX orders_user_id_idx ON orders (user_id);
CREATE TYPE mood AS ENUM ('ok', 'sad');
CREATE SCHEMA archive;
