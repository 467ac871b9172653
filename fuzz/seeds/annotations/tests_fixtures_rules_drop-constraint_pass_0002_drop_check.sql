-- migguard-ignore drop-constraint: the note rule moved into the application (ticket 812)
ALTER TABLE orders DROP CONSTRAINT orders_note_check;
