-- TypeORM's one-to-one relation whose join column is also the primary key: the
-- UNIQUE duplicates the PRIMARY KEY, so PostgreSQL creates only the PK.
CREATE TABLE "user_keypair" ("userId" character varying(32) NOT NULL, "publicKey" character varying(4096) NOT NULL, CONSTRAINT "REL_f4853eb41ab722fe05f81cedeb" UNIQUE ("userId"), CONSTRAINT "PK_f4853eb41ab722fe05f81cedeb6" PRIMARY KEY ("userId"));
-- Two equal UNIQUEs: the first is kept.
CREATE TABLE twin_unique (u int, CONSTRAINT first_u UNIQUE (u), CONSTRAINT second_u UNIQUE (u));
-- An unnamed prior takes the later name (the PK here, since the PK comes first).
CREATE TABLE unnamed_pk (u int, CONSTRAINT named_u UNIQUE (u), PRIMARY KEY (u));
CREATE TABLE unnamed_unique (u int, UNIQUE (u), CONSTRAINT later_name UNIQUE (u));
-- Column constraints take part too.
CREATE TABLE inline_both (u int UNIQUE PRIMARY KEY);
-- Not duplicates: other column order, other NULLS NOT DISTINCT, other deferrability.
CREATE TABLE not_twins (u int, v int,
  CONSTRAINT uv UNIQUE (u, v), CONSTRAINT vu UNIQUE (v, u),
  CONSTRAINT u_nnd UNIQUE NULLS NOT DISTINCT (u), CONSTRAINT u_plain UNIQUE (u),
  CONSTRAINT v_deferred UNIQUE (v) DEFERRABLE, CONSTRAINT v_plain UNIQUE (v));
-- ALTER TABLE … ADD does not merge, even several in one statement.
CREATE TABLE altered (u int PRIMARY KEY);
ALTER TABLE altered ADD CONSTRAINT altered_u1 UNIQUE (u), ADD CONSTRAINT altered_u2 UNIQUE (u);
