DELETE FROM orders WHERE user_id IS NULL;
