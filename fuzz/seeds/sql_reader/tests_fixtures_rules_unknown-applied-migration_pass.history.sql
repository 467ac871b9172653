CREATE TABLE "migrations" ("id" SERIAL NOT NULL PRIMARY KEY, "timestamp" bigint NOT NULL, "name" character varying NOT NULL);
INSERT INTO migrations (timestamp, name) VALUES (1700000000000, 'Init1700000000000');
INSERT INTO migrations (timestamp, name) VALUES (1700000000002, 'AddCode1700000000002');
