//! Small schema objects drift and `schema` did not model (issue 11, README "not
//! modelled"): table storage parameters and persistence. For each, the migrations
//! are applied to a truth database by psql; then
//! - replaying them and diffing against the introspected truth finds nothing;
//! - one hand edit on the truth is exactly one precise drift item;
//! - `migguard schema --format sql` applies with `ON_ERROR_STOP` and rebuilds what
//!   PostgreSQL's catalog holds.

mod support;
mod util;
use support::fidelity::{assert_no_drift, assert_schema_sql_rebuilds, differences, sql_case, Case};
use support::pg::TestDb;

// ---------------------------------------------------------------------------------
// 1. Table storage parameters and persistence.

/// Each table's persistence and `reloptions`, and its TOAST table's.
fn storage(db: &TestDb) -> String {
    db.query(
        "SELECT c.relname, c.relkind, c.relpersistence, c.reloptions, tc.reloptions
           FROM pg_class c LEFT JOIN pg_class tc ON tc.oid = c.reltoastrelid
          WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
          ORDER BY 1",
    )
}

/// What PostgreSQL 15 does with them (checked on a scratch cluster): values kept as
/// written (`off`, `0.20`, `70.0`), a bare name as `true`, `SET` of a parameter
/// already set moves it to the end, `RESET` removes it, `toast.*` goes to the TOAST
/// table and is discarded on a table without one (`only_ints`), `oids = false` is
/// accepted and stores nothing.
const STORAGE_1: &str = r#"
CREATE TABLE account (id integer PRIMARY KEY, body text)
  WITH (FillFactor = '80', AUTOVACUUM_ENABLED = OFF, toast.autovacuum_enabled,
        autovacuum_vacuum_scale_factor = 0.20);
CREATE TABLE only_ints (id integer, n bigint) WITH (toast.autovacuum_enabled = false, fillfactor = 70.0);
CREATE UNLOGGED TABLE cache (k text PRIMARY KEY, v jsonb);
CREATE TABLE legacy (id integer) WITH (oids = false);
CREATE TABLE later (id integer, note text);
CREATE TABLE "Mixed" (id integer) WITH (vacuum_truncate);
"#;

const STORAGE_2: &str = r#"
ALTER TABLE account SET (fillfactor = 90, toast.vacuum_truncate = off), ADD COLUMN extra integer;
ALTER TABLE account RESET (autovacuum_vacuum_scale_factor, toast.autovacuum_enabled);
ALTER TABLE later SET UNLOGGED;
ALTER TABLE later SET (autovacuum_enabled = no, toast.autovacuum_enabled = 0);
ALTER TABLE cache SET LOGGED;
ALTER TABLE IF EXISTS "Mixed" RESET (vacuum_truncate);
"#;

fn storage_case(prefix: &str) -> Case {
    sql_case(
        prefix,
        &[
            ("1_storage.up.sql", STORAGE_1),
            ("2_storage.up.sql", STORAGE_2),
        ],
    )
}

#[test]
fn table_storage_replays_to_the_catalog_and_schema_sql_rebuilds_it() {
    let c = storage_case("small_storage_clean");
    // The truth holds what the test is about (not a vacuous pass).
    let truth = storage(&c.truth);
    assert!(truth.contains("fillfactor=90"), "{truth}");
    assert!(truth.contains("vacuum_truncate=off"), "{truth}");
    assert_no_drift(&c);
    assert_schema_sql_rebuilds(&c, "small_storage_sql", storage);
}

#[test]
fn a_hand_changed_storage_parameter_is_one_precise_item() {
    let c = storage_case("small_storage_edit");
    c.truth
        .execute("ALTER TABLE account SET (fillfactor = 50); ALTER TABLE later RESET (toast.autovacuum_enabled)");
    let found = differences(&c, &[], false);
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(
        found[0].starts_with("storage-mismatch public.account:")
            && found[0].contains("fillfactor=90")
            && found[0].contains("fillfactor=50"),
        "{found:#?}"
    );
    assert!(
        found[1].starts_with("storage-mismatch public.later:")
            && found[1].contains("toast.autovacuum_enabled=false"),
        "{found:#?}"
    );
}

#[test]
fn a_hand_changed_persistence_is_one_item_and_a_respelled_value_none() {
    let c = storage_case("small_storage_logged");
    // The same values spelled otherwise: what PostgreSQL reads is unchanged.
    c.truth.execute(
        "ALTER TABLE account SET (autovacuum_enabled = false, fillfactor = '90.0');
         ALTER TABLE later SET (autovacuum_enabled = 'off')",
    );
    assert_no_drift(&c);
    c.truth.execute("ALTER TABLE later SET LOGGED");
    let found = differences(&c, &[], true);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].starts_with("storage-mismatch public.later:")
            && found[0].contains("has storage WITH (")
            && found[0].contains("migrations give it UNLOGGED, WITH ("),
        "{found:#?}"
    );
}

// ---------------------------------------------------------------------------------
// 2. Comments on a view's columns and on the index behind a constraint.

/// Every comment in `public`, named as PostgreSQL describes the object.
fn comments(db: &TestDb) -> String {
    db.query(
        "SELECT pg_describe_object(d.classoid, d.objoid, d.objsubid), d.description
           FROM pg_description d
          WHERE (pg_identify_object(d.classoid, d.objoid, d.objsubid)).schema = 'public'
          ORDER BY 1",
    )
}

/// PostgreSQL 15 keeps the comment of the index behind a constraint apart from the
/// constraint's; `ADD CONSTRAINT … USING INDEX` and `ALTER INDEX … RENAME` keep it;
/// `CREATE OR REPLACE VIEW` keeps its columns' comments.
const COMMENTS: &str = r#"
CREATE TABLE account (id integer PRIMARY KEY, email text CONSTRAINT account_email_key UNIQUE, n integer);
COMMENT ON INDEX account_pkey IS 'pk index';
COMMENT ON CONSTRAINT account_pkey ON account IS 'pk constraint';
COMMENT ON INDEX account_email_key IS 'email index';
ALTER INDEX account_email_key RENAME TO account_email_uq;
CREATE UNIQUE INDEX account_n_idx ON account (n);
COMMENT ON INDEX account_n_idx IS 'n index';
ALTER TABLE account ADD CONSTRAINT account_n_key UNIQUE USING INDEX account_n_idx;
CREATE VIEW rich AS SELECT id, email FROM account;
COMMENT ON COLUMN rich.email IS 'mail';
COMMENT ON COLUMN rich.id IS 'gone';
COMMENT ON COLUMN rich.id IS NULL;
CREATE OR REPLACE VIEW rich AS SELECT id, email, n FROM account;
CREATE MATERIALIZED VIEW totals AS SELECT id FROM account;
COMMENT ON COLUMN totals.id IS 'total id';
"#;

#[test]
fn view_column_and_constraint_index_comments_replay_and_rebuild() {
    let c = sql_case("small_comments_clean", &[("1_init.up.sql", COMMENTS)]);
    let truth = comments(&c.truth);
    for want in ["pk index", "email index", "n index", "mail", "total id"] {
        assert!(truth.contains(want), "{want}: {truth}");
    }
    assert_no_drift(&c);
    assert_schema_sql_rebuilds(&c, "small_comments_sql", comments);
}

#[test]
fn a_hand_edited_view_column_or_constraint_index_comment_is_one_item_each() {
    let c = sql_case("small_comments_edit", &[("1_init.up.sql", COMMENTS)]);
    c.truth.execute(
        "COMMENT ON INDEX account_pkey IS 'changed';
         COMMENT ON COLUMN rich.n IS 'added';
         COMMENT ON COLUMN totals.id IS NULL;",
    );
    let mut found = differences(&c, &[], false);
    found.sort();
    assert_eq!(
        found,
        vec![
            "comment-mismatch public.account_pkey: expected Some(\"pk index\"), actual Some(\"changed\")",
            "missing-comment public.totals.id: expected Some(\"total id\"), actual None",
            "unexpected-comment public.rich.n: expected None, actual Some(\"added\")",
        ],
        "{found:#?}"
    );
}

// ---------------------------------------------------------------------------------
// 3. `DEFAULT NULL`: no default to drift, but a line of the catalog to rebuild.

/// Each column's stored default as PostgreSQL prints it.
fn column_defaults(db: &TestDb) -> String {
    db.query(
        "SELECT c.relname, a.attname, pg_get_expr(d.adbin, d.adrelid)
           FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
           LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
          WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
            AND a.attnum > 0 AND NOT a.attisdropped
          ORDER BY 1, 2",
    )
}

const NULL_DEFAULTS: &str = r#"
CREATE TABLE account (salt varchar(40) DEFAULT NULL, n integer DEFAULT NULL::integer, k text,
                      gone text DEFAULT NULL, later text DEFAULT 'x');
ALTER TABLE account ALTER COLUMN k SET DEFAULT NULL;
ALTER TABLE account ALTER COLUMN gone DROP DEFAULT;
ALTER TABLE account ALTER COLUMN later SET DEFAULT NULL;
ALTER TABLE account ADD COLUMN added timestamptz DEFAULT NULL;
"#;

#[test]
fn null_defaults_are_written_back_by_schema_sql_and_never_drift() {
    let c = sql_case("small_null_default", &[("1_init.up.sql", NULL_DEFAULTS)]);
    let truth = column_defaults(&c.truth);
    assert!(truth.contains("NULL::character varying"), "{truth}");
    assert_no_drift(&c);
    assert_schema_sql_rebuilds(&c, "small_null_default_sql", column_defaults);
    // A NULL default dropped by hand behaves the same: still clean.
    c.truth
        .execute("ALTER TABLE account ALTER COLUMN salt DROP DEFAULT, ALTER COLUMN k DROP DEFAULT");
    assert_no_drift(&c);
}
