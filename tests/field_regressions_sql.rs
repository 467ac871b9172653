//! Regressions found by the SQL-layout field trials of round 19 (a Flyway project and a
//! Prisma project migguard had never seen, each migrated into a truth database by its
//! tool; see README "Field trials"). Each case is the minimal reproduction of one
//! difference migguard caused there: the migrations are applied by psql, one script per
//! file as Flyway sends them, then
//! - replaying them and diffing against the introspected truth finds nothing, and
//! - `migguard schema --format sql` applies with `ON_ERROR_STOP` and rebuilds the
//!   objects the case is about as PostgreSQL's catalog prints them.

mod support;
mod util;
use migguard::drift::IgnoreList;
use migguard::ir::Migration;
use support::pg::cluster;
use support::pg::introspect_public as introspect;
use support::pg::TestDb;
use util::*;

/// A Flyway-layout project of `files`, and a truth database built from them in order.
fn flyway_case(prefix: &str, files: &[(&str, &str)]) -> (tempfile::TempDir, TestDb) {
    let dir = project(files);
    let truth = cluster().create_database(prefix);
    for (_, sql) in files {
        truth.execute(sql);
    }
    (dir, truth)
}

/// Drift's differences between the replay of `dir` and the database at `url`.
fn differences(dir: &std::path::Path, url: &str) -> Vec<String> {
    let config = migguard::config::Config::default();
    let migrations = migguard::project::load_project(&[dir.to_path_buf()], &config)
        .unwrap()
        .migrations;
    let refs: Vec<&Migration> = migrations.iter().collect();
    let (model, conflicts) = migguard::schema::replay::replay(&refs, "public");
    assert!(conflicts.is_empty(), "{conflicts:?}");
    let ignore = IgnoreList::new("flyway_schema_history", "public", &[]);
    migguard::drift::diff::diff(&model, &introspect(url), &ignore)
        .into_iter()
        .map(|d| format!("{} {}: {:?} / {:?}", d.kind, d.object, d.expected, d.actual))
        .collect()
}

/// `schema --format sql` of `dir`, applied to a fresh database (psql stops at the first
/// error): the rebuilt database.
fn rebuilt_from_schema_sql(dir: &std::path::Path, prefix: &str) -> (TestDb, String) {
    let r = run_in(dir, &["schema", dir.to_str().unwrap(), "--format", "sql"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let rebuilt = cluster().create_database(prefix);
    rebuilt.execute(&r.stdout);
    (rebuilt, r.stdout)
}

/// hmpps-activities-management-api renames `appointment` away, creates a new
/// `appointment` with a `bigserial` (PostgreSQL names its sequence
/// `appointment_appointment_id_seq1`: `ChooseRelationName` skips the name the old
/// table's sequence still holds), drops the old table, then renames `…_seq1` back.
/// Replay named the new sequence `…_seq` and overwrote the old one: the rename became
/// "ALTER SEQUENCE on a sequence migguard does not know" (unverifiable).
const SERIAL_NAME_TAKEN: [(&str, &str); 3] = [
    (
        "V1__appointment.sql",
        "CREATE TABLE appointment (appointment_id bigserial NOT NULL CONSTRAINT appointment_pk PRIMARY KEY);",
    ),
    (
        "V2__rename_appointment_tables.sql",
        "ALTER TABLE appointment RENAME TO appointment_old;
ALTER TABLE appointment_old RENAME CONSTRAINT appointment_pk TO appointment_old_pk;
CREATE TABLE appointment (appointment_id bigserial NOT NULL CONSTRAINT appointment_pk PRIMARY KEY);",
    ),
    (
        "V3__sequences.sql",
        "DROP TABLE appointment_old;
ALTER SEQUENCE appointment_appointment_id_seq1 RENAME TO appointment_appointment_id_seq;",
    ),
];

const SEQUENCES: &str = "SELECT s.relname || ' ' || coalesce(d.refobjid::regclass::text, '-')
    FROM pg_class s LEFT JOIN pg_depend d ON d.objid = s.oid AND d.deptype = 'a'
   WHERE s.relkind = 'S' AND s.relnamespace = 'public'::regnamespace ORDER BY 1";

const DEFAULTS: &str =
    "SELECT c.relname || '.' || a.attname || ' ' || pg_get_expr(d.adbin, d.adrelid)
    FROM pg_attrdef d JOIN pg_class c ON c.oid = d.adrelid
    JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
   WHERE c.relnamespace = 'public'::regnamespace ORDER BY 1";

#[test]
fn a_serial_whose_sequence_name_is_taken_gets_the_next_free_name() {
    let (dir, truth) = flyway_case("frs_serial_taken", &SERIAL_NAME_TAKEN);
    assert_eq!(
        truth.query(SEQUENCES).trim(),
        "appointment_appointment_id_seq appointment",
        "the truth is what the trial saw"
    );
    let found = differences(dir.path(), &truth.url);
    assert!(found.is_empty(), "false drift:\n{}", found.join("\n"));
    let (rebuilt, sql) = rebuilt_from_schema_sql(dir.path(), "frs_serial_taken_sql");
    assert_eq!(
        rebuilt.query(SEQUENCES),
        truth.query(SEQUENCES),
        "SQL:\n{sql}"
    );
    assert_eq!(
        rebuilt.query(DEFAULTS),
        truth.query(DEFAULTS),
        "SQL:\n{sql}"
    );
}

/// `ALTER TABLE allocation ADD CONSTRAINT unique_non_ended_prisoner_allocation_key
/// EXCLUDE (…) WHERE (…)` (hmpps-activities-management-api): `schema` printed
/// `CONSTRAINT "…" CONSTRAINT … EXCLUDE …`, which psql refuses, so the whole rendered
/// schema failed to apply.
const NAMED_EXCLUSION: [(&str, &str); 1] = [(
    "V1__allocation.sql",
    "CREATE TABLE allocation (allocation_id bigserial PRIMARY KEY, activity_schedule_id bigint NOT NULL,
    prisoner_number varchar(7) NOT NULL, prisoner_status varchar(30) NOT NULL);
ALTER TABLE allocation ADD CONSTRAINT unique_non_ended_prisoner_allocation_key
    EXCLUDE (activity_schedule_id WITH =, prisoner_number WITH =)
    WHERE (prisoner_status != 'ENDED');
ALTER TABLE allocation ADD CONSTRAINT deferred_excl
    EXCLUDE (allocation_id WITH =) DEFERRABLE INITIALLY DEFERRED;",
)];

const CONSTRAINTS: &str = "SELECT conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint
   WHERE connamespace = 'public'::regnamespace ORDER BY 1";

#[test]
fn a_named_exclusion_constraint_renders_its_name_once() {
    let (dir, truth) = flyway_case("frs_named_excl", &NAMED_EXCLUSION);
    let found = differences(dir.path(), &truth.url);
    assert!(found.is_empty(), "false drift:\n{}", found.join("\n"));
    let (rebuilt, sql) = rebuilt_from_schema_sql(dir.path(), "frs_named_excl_sql");
    assert_eq!(
        rebuilt.query(CONSTRAINTS),
        truth.query(CONSTRAINTS),
        "SQL:\n{sql}"
    );
}
