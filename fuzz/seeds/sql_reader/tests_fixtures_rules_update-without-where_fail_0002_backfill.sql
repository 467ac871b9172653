UPDATE users SET age = 0;
