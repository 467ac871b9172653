UPDATE users SET age = 0 WHERE age IS NULL AND id < 10000;
