//! Comments (`COMMENT ON …`, issue 11 "objects drift does not see yet"): a removed or
//! hand-edited comment was "clean", and misskey's and crates.io's rebuilt schemas
//! lacked every `COMMENT ON`. For each case the migrations are applied to a truth
//! database by psql; then
//! - replaying them and diffing against the introspected truth finds nothing;
//! - one hand edit of a comment on the truth is exactly one precise drift item;
//! - `migguard schema --format sql` applies with `ON_ERROR_STOP` and rebuilds the
//!   comments `pg_description` holds.

mod support;
mod util;
use support::fidelity::{self, assert_no_drift, assert_schema_sql_rebuilds, sql_case, Case};
use support::pg::{cluster, TestDb};
use util::*;

fn differences_ignoring(c: &Case, ignore: &[&str]) -> Vec<String> {
    fidelity::differences(c, ignore, false)
}

fn differences(c: &Case) -> Vec<String> {
    differences_ignoring(c, &[])
}

/// Every comment of the database's own objects (not PostgreSQL's, not an
/// extension's members), named as PostgreSQL describes the object.
fn comments(db: &TestDb) -> String {
    db.query(
        "SELECT pg_describe_object(d.classoid, d.objoid, d.objsubid), d.description
           FROM pg_description d
          WHERE (pg_identify_object(d.classoid, d.objoid, d.objsubid)).schema
                IS DISTINCT FROM 'pg_catalog'
            AND (pg_identify_object(d.classoid, d.objoid, d.objsubid)).schema
                IS DISTINCT FROM 'information_schema'
            AND NOT EXISTS (SELECT 1 FROM pg_depend x WHERE x.classid = d.classoid
                              AND x.objid = d.objoid AND x.deptype = 'e')
          ORDER BY 1",
    )
}

/// Every kind of `COMMENT ON` drift models, and what PostgreSQL 15 does to a comment
/// (checked on a scratch cluster): it follows a rename of its object, dies with a
/// DROP (a re-created object has none), survives `ALTER COLUMN … TYPE` (also on the
/// index and constraint PostgreSQL rebuilds for it) and `CREATE OR REPLACE` of a
/// view, function or trigger; `IS NULL` and `IS ''` remove it.
const COMMENTS_1: &str = r#"
CREATE EXTENSION IF NOT EXISTS ltree;
CREATE TYPE mood AS ENUM ('sad', 'ok');
CREATE TYPE pair AS (a int, b text);
CREATE TABLE account (
  id integer PRIMARY KEY,
  email varchar(40) NOT NULL,
  balance integer CONSTRAINT balance_positive CHECK (balance >= 0),
  "Nick" text
);
CREATE INDEX account_email ON account (email);
CREATE INDEX account_balance ON account (balance);
CREATE SEQUENCE invoice_no;
CREATE VIEW rich AS SELECT id FROM account WHERE id > 100;
CREATE MATERIALIZED VIEW totals AS SELECT 1 AS n;
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE FUNCTION add(a int, b int) RETURNS int LANGUAGE sql AS 'SELECT a + b';
CREATE TRIGGER account_touch BEFORE INSERT ON account FOR EACH ROW EXECUTE FUNCTION touch();
ALTER TABLE account ENABLE ROW LEVEL SECURITY;
CREATE POLICY own ON account USING (id > 0);
CREATE TABLE doomed (id int);

COMMENT ON SCHEMA public IS 'the application';
COMMENT ON EXTENSION ltree IS 'paths';
COMMENT ON TYPE mood IS 'how it feels';
COMMENT ON TYPE public.pair IS 'two things';
COMMENT ON TABLE account IS 'who pays';
COMMENT ON COLUMN account.email IS E'login\nname, it''s unique';
COMMENT ON COLUMN public.account."Nick" IS $$shown 'as is'$$;
COMMENT ON COLUMN account.balance IS 'in cents';
COMMENT ON CONSTRAINT balance_positive ON account IS 'no debt';
COMMENT ON CONSTRAINT account_pkey ON public.account IS 'the key';
COMMENT ON INDEX account_email IS 'lookup';
COMMENT ON INDEX account_balance IS 'reports';
COMMENT ON SEQUENCE invoice_no IS 'numbers'
  ' continued';
COMMENT ON VIEW rich IS 'the rich';
COMMENT ON MATERIALIZED VIEW totals IS 'counted';
COMMENT ON FUNCTION add(integer, int4) IS 'sums';
COMMENT ON FUNCTION touch IS 'touches';
COMMENT ON TRIGGER account_touch ON account IS 'on insert';
COMMENT ON POLICY own ON account IS 'mine';
COMMENT ON TABLE doomed IS 'gone soon';
"#;

const COMMENTS_2: &str = r#"
ALTER TABLE account RENAME TO customer;
ALTER TABLE customer RENAME COLUMN email TO login;
ALTER INDEX account_email RENAME TO customer_login;
ALTER TABLE customer RENAME CONSTRAINT balance_positive TO balance_not_negative;
ALTER TABLE customer ALTER COLUMN balance TYPE bigint;
ALTER TABLE customer ALTER COLUMN login TYPE text;
CREATE OR REPLACE VIEW rich AS SELECT id FROM customer WHERE id > 1000;
CREATE OR REPLACE FUNCTION add(a int, b int) RETURNS int LANGUAGE sql AS 'SELECT b + a';
CREATE OR REPLACE TRIGGER account_touch BEFORE UPDATE ON customer FOR EACH ROW EXECUTE FUNCTION touch();
COMMENT ON COLUMN customer."Nick" IS NULL;
COMMENT ON MATERIALIZED VIEW totals IS '';
DROP TABLE doomed;
CREATE TABLE doomed (id int);
"#;

fn comments_case(prefix: &str) -> Case {
    sql_case(
        prefix,
        &[
            ("1_comments.up.sql", COMMENTS_1),
            ("2_comments.up.sql", COMMENTS_2),
        ],
    )
}

#[test]
fn comments_replay_to_the_catalog_and_schema_sql_rebuilds_them() {
    let c = comments_case("cm_clean");
    assert_no_drift(&c);
    // The truth really holds them (the case is no empty comparison).
    let truth = comments(&c.truth);
    for expected in [
        "column login of table customer|login\nname, it's unique",
        "constraint balance_not_negative on table customer|no debt",
        "index customer_login|lookup",
        "index account_balance|reports",
        "sequence invoice_no|numbers continued",
        "view rich|the rich",
        "function add(integer,integer)|sums",
        "trigger account_touch on table customer|on insert",
        "schema public|the application",
    ] {
        assert!(truth.contains(expected), "{expected} not in\n{truth}");
    }
    assert!(!truth.contains("Nick"), "{truth}");
    assert!(!truth.contains("totals"), "{truth}");
    assert!(!truth.contains("gone soon"), "{truth}");
    assert_schema_sql_rebuilds(&c, "cm_sql", comments);
}

#[test]
fn a_removed_edited_or_added_comment_is_one_precise_item() {
    let c = comments_case("cm_removed");
    c.truth
        .execute("COMMENT ON COLUMN customer.balance IS NULL;");
    assert_eq!(
        differences(&c),
        vec![
            "missing-comment public.customer.balance: expected Some(\"in cents\"), actual None"
                .to_string()
        ]
    );

    let c = comments_case("cm_edited");
    c.truth.execute("COMMENT ON TABLE customer IS 'who owes';");
    assert_eq!(
        differences(&c),
        vec![
            "comment-mismatch public.customer: expected Some(\"who pays\"), actual Some(\"who owes\")"
                .to_string()
        ]
    );

    let c = comments_case("cm_added");
    c.truth.execute(
        "COMMENT ON POLICY own ON customer IS 'ours';
         COMMENT ON COLUMN customer.id IS 'added';",
    );
    assert_eq!(
        differences(&c),
        vec![
            "unexpected-comment public.customer.id: expected None, actual Some(\"added\")"
                .to_string(),
            "comment-mismatch public.customer.own: expected Some(\"mine\"), actual Some(\"ours\")"
                .to_string(),
        ]
    );
    // `[drift] ignore` on the object covers its comment.
    assert_eq!(
        differences_ignoring(&c, &["public.customer.own", "public.customer.id"]),
        Vec::<String>::new()
    );
}

#[test]
fn a_comment_is_never_reported_on_a_missing_or_unverifiable_object() {
    let c = comments_case("cm_missing");
    c.truth
        .execute("DROP INDEX customer_login; DROP VIEW rich;");
    assert_eq!(
        differences(&c),
        vec![
            "missing-index public.customer_login: expected Some(\"INDEX ON public.customer USING btree (login)\"), actual None"
                .to_string(),
            "missing-view public.rich: expected Some(\"public.rich\"), actual None".to_string(),
        ]
    );

    // A comment set on a table that unreadable SQL also touches: the table is
    // unverifiable, its comment difference folds into that one item.
    let c = sql_case(
        "cm_unverifiable",
        &[(
            "1_t.up.sql",
            "CREATE TABLE t (id int);
             COMMENT ON TABLE t IS 'kept';
             DO $$ BEGIN IF now() > '2000-01-01' THEN EXECUTE 'ALTER TABLE t ADD COLUMN x int'; END IF; END $$;",
        )],
    );
    c.truth.execute("COMMENT ON TABLE t IS 'changed';");
    let found = differences(&c);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].starts_with("unverifiable public.t"), "{found:?}");
}

/// TypeORM's `comment:` options, run by TypeORM 0.3 itself (`migration:run`): the
/// replay of what PostgresQueryRunner sends (`escapeComment`: `""` is no comment,
/// NUL characters dropped; an in-place `changeColumn` between two literals with the
/// same comment sends nothing) leaves drift clean; a comment removed by hand is one
/// item.
#[test]
fn typeorm_comments_run_by_typeorm_then_drift_is_clean_and_a_removed_one_is_one_item() {
    let db = cluster().create_database("cm_typeorm");
    support::node::run_typeorm(&db.url, &["tests/fixtures/typeorm_comments/*.ts"], &[]);
    let on_note: String = comments(&db)
        .lines()
        .filter(|l| l.contains("table note|"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(
        on_note,
        "column a of table note|big a\n\
         column body of table note|it's the text\n\
         column flag of table note|onoff\n\
         column writer of table note|who wrote\n\
         table note|all notes\n"
    );
    let dir = repo_root().join("tests/fixtures/typeorm_comments");
    let drift = || run_json_on_db(&repo_root(), &["drift", dir.to_str().unwrap()], &db.url);
    let r = drift();
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(r.json()["status"], "clean");

    db.execute("COMMENT ON COLUMN note.writer IS NULL;");
    let r = drift();
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let items = r.json()["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(items[0]["kind"], "missing-comment");
    assert_eq!(items[0]["object"], "public.note.writer");
}

/// `public` comes with `initdb`'s comment, but a database whose `public` was
/// created again has none: that is no migration's doing and no drift. A comment
/// the migrations put on `public` is still compared.
#[test]
fn a_public_schema_without_initdbs_comment_is_not_drift() {
    let c = sql_case("cm_public", &[("0001_t.sql", "CREATE TABLE t (id int);\n")]);
    c.truth.execute("COMMENT ON SCHEMA public IS NULL;");
    assert_no_drift(&c);

    let c = sql_case(
        "cm_public_set",
        &[(
            "0001_t.sql",
            "CREATE TABLE t (id int);\nCOMMENT ON SCHEMA public IS 'app data';\n",
        )],
    );
    assert_no_drift(&c);
    c.truth.execute("COMMENT ON SCHEMA public IS NULL;");
    assert_eq!(
        differences(&c),
        vec!["missing-comment public: expected Some(\"app data\"), actual None".to_string()]
    );
}
