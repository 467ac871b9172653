-- migguard-ignore drop-constraint: the note rule moved into the application
ALTER TABLE orders DROP CONSTRAINT orders_note_check;
