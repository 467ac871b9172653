-- Spellings and defaults PostgreSQL fills in, and names it chooses, that a replay
-- must reproduce exactly (each was a false drift or a broken `schema --format sql`).
CREATE EXTENSION IF NOT EXISTS btree_gist;
CREATE TYPE "Weird Type" AS ENUM ('a''b', 'C');
CREATE TABLE booking (
    id serial PRIMARY KEY,
    room int,
    during tsrange,
    amount numeric(5) DEFAULT 1.5,
    flag "char",
    w "Weird Type",
    ws "Weird Type"[],
    EXCLUDE USING gist (room WITH =, during WITH &&),
    CHECK (room IN (1, 2, 3) AND amount BETWEEN 0 AND 10)
);
ALTER TABLE booking RENAME COLUMN id TO booking_id;
CREATE UNIQUE INDEX booking_room_nnd ON booking (room) NULLS NOT DISTINCT;
CREATE SEQUENCE ticket_seq AS smallint MINVALUE 5 MAXVALUE 500 CYCLE CACHE 10;
CREATE SEQUENCE countdown_seq INCREMENT BY -1;
-- A view follows a renamed column of its table (PostgreSQL keeps column numbers).
CREATE TABLE item (id int PRIMARY KEY, title text);
CREATE VIEW red_items AS SELECT id, title FROM item WHERE title LIKE 'red%';
ALTER TABLE item RENAME COLUMN title TO name;
-- An exclusion constraint follows a renamed column too.
ALTER TABLE booking RENAME COLUMN during TO stay;
-- Collations of their own are compared; a type change drops back to the default.
CREATE TABLE label (code text COLLATE "C", name text COLLATE "POSIX", plain text COLLATE "default");
ALTER TABLE label ALTER COLUMN name TYPE varchar(50);
-- Dropping a column takes the views that read it with CASCADE (and views on those).
CREATE TABLE draft2 (id int, note text, keep int);
CREATE VIEW draft2_notes AS SELECT id, note FROM draft2;
CREATE VIEW draft2_notes_upper AS SELECT upper(note) FROM draft2_notes;
CREATE VIEW draft2_keep AS SELECT keep FROM draft2;
ALTER TABLE draft2 DROP COLUMN note CASCADE;
