-- migguard-ignore drop-constraint
ALTER TABLE orders DROP CONSTRAINT orders_note_check;
