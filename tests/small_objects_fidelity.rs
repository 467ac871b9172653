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
