//! Regressions found by the field trials (real public projects migrated into a truth
//! database by their own tool, then `drift` and `schema --format sql` against it; see
//! README "Field trials"). Each case is the minimal reproduction of one difference
//! migguard caused there, checked against the real PostgreSQL the harness starts.

mod support;
mod util;
use migguard::drift::IgnoreList;
use migguard::ir::Migration;
use support::pg::cluster;
use support::pg::introspect_public as introspect;
use util::*;

/// A Flyway-layout project holding one migration.
fn one_migration(sql: &str) -> tempfile::TempDir {
    project(&[("V1__functions.sql", sql)])
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
        .map(|d| {
            format!(
                "{} {}: {:?} / {:?} ({})",
                d.kind, d.object, d.expected, d.actual, d.message
            )
        })
        .collect()
}

/// lemmy's `reverse_timestamp_sort` is `IMMUTABLE PARALLEL SAFE`, crates.io's
/// `canon_crate_name` `IMMUTABLE STRICT PARALLEL SAFE`: the rendered schema kept
/// IMMUTABLE and silently dropped STRICT and PARALLEL SAFE (pg_dump of the truth and
/// of the rebuilt database differed), and drift could not see such a marking change.
const PARALLEL_SAFE: &str = "CREATE FUNCTION reverse_timestamp_sort (t timestamp with time zone)
    RETURNS bigint
    AS $$
BEGIN
    RETURN (-1000000 * EXTRACT(EPOCH FROM t))::bigint;
END;
$$
LANGUAGE plpgsql
IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION restricted_one (n int) RETURNS int AS $$ SELECT n $$ LANGUAGE sql PARALLEL RESTRICTED;
CREATE FUNCTION canon_crate_name (text) RETURNS text AS $$ SELECT replace(lower($1), '-', '_') $$
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION null_input (n int) RETURNS int AS $$ SELECT n $$ LANGUAGE sql RETURNS NULL ON NULL INPUT;
";

const MARKINGS: &str = "SELECT format('%s %s %s', proname, proparallel, proisstrict) FROM pg_proc
      WHERE pronamespace = 'public'::regnamespace ORDER BY 1";

#[test]
fn schema_sql_keeps_the_parallel_marking_of_a_function() {
    let dir = one_migration(PARALLEL_SAFE);
    let truth = cluster().create_database("fr_parallel_truth");
    truth.execute(PARALLEL_SAFE);
    assert!(
        differences(dir.path(), &truth.url).is_empty(),
        "false drift on the clean database"
    );
    let r = run_in(
        dir.path(),
        &["schema", dir.path().to_str().unwrap(), "--format", "sql"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let rebuilt = cluster().create_database("fr_parallel_schema");
    rebuilt.execute(&r.stdout);
    assert_eq!(
        rebuilt.query(MARKINGS),
        truth.query(MARKINGS),
        "SQL:\n{}",
        r.stdout
    );
}

#[test]
fn a_hand_changed_strict_marking_is_drift() {
    let dir = one_migration(PARALLEL_SAFE);
    let truth = cluster().create_database("fr_strict_edited");
    truth.execute(PARALLEL_SAFE);
    truth.execute("ALTER FUNCTION canon_crate_name(text) CALLED ON NULL INPUT");
    let found = differences(dir.path(), &truth.url);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].contains("canon_crate_name") && found[0].contains("IMMUTABLE STRICT"),
        "{found:#?}"
    );
}

#[test]
fn a_hand_changed_parallel_marking_is_drift() {
    let dir = one_migration(PARALLEL_SAFE);
    let truth = cluster().create_database("fr_parallel_edited");
    truth.execute(PARALLEL_SAFE);
    truth.execute("ALTER FUNCTION reverse_timestamp_sort(timestamptz) PARALLEL UNSAFE");
    let found = differences(dir.path(), &truth.url);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].contains("reverse_timestamp_sort") && found[0].contains("PARALLEL SAFE"),
        "{found:#?}"
    );
}

// ---------------------------------------------------------------------------------
// immich v1.131.3 (TypeORM, 195 migrations).

/// immich's `RemoveSystemConfigTable1715787369686`: the `DROP TABLE` only runs when the
/// table held rows (`if (overrides.length === 0) { return; }` before it). On a fresh
/// database TypeORM returns early and the table stays; replay took the drop for
/// certain and drift reported the table as unexpected (a false item).
const EARLY_RETURN_TS: &str = r#"import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateConfig1700000000000 implements MigrationInterface {
  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "system_config" ("key" character varying NOT NULL, "value" character varying)`);
  }
  public async down(queryRunner: QueryRunner): Promise<void> {}
}
"#;

const EARLY_RETURN_2_TS: &str = r#"import { MigrationInterface, QueryRunner } from 'typeorm';

export class RemoveConfig1700000000001 implements MigrationInterface {
  public async up(queryRunner: QueryRunner): Promise<void> {
    const overrides = await queryRunner.query('SELECT "key", "value" FROM "system_config"');
    if (overrides.length === 0) {
      return;
    }
    await queryRunner.query(`DROP TABLE "system_config"`);
  }
  public async down(queryRunner: QueryRunner): Promise<void> {}
}
"#;

#[test]
fn statements_after_an_early_return_are_conditional() {
    let dir = project(&[
        ("1700000000000-CreateConfig.ts", EARLY_RETURN_TS),
        ("1700000000001-RemoveConfig.ts", EARLY_RETURN_2_TS),
    ]);
    // What TypeORM leaves on an empty database: the early return is taken.
    let truth = cluster().create_database("fr_early_return");
    truth.execute(
        r#"CREATE TABLE "system_config" ("key" character varying NOT NULL, "value" character varying)"#,
    );
    let found = differences(dir.path(), &truth.url);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].starts_with("unverifiable public.system_config")
            && found[0].contains("overrides.length === 0"),
        "{found:#?}"
    );
}

/// immich's `f_concat_ws` (a `LANGUAGE sql` body in single quotes) and `f_unaccent` (a
/// SQL-standard `RETURN` body) are called by a generated column and by index
/// expressions. Neither body can change the schema, yet each call made an unreadable
/// op and a false `unverifiable` item named after the function (`public.f_unaccent`).
const CALLED_FUNCTIONS: &str = "CREATE FUNCTION f_concat_ws(text, text[]) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT array_to_string($2, $1)';
CREATE FUNCTION f_unaccent(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    RETURN lower($1);
CREATE TABLE place (name varchar, tags text[],
    searchable tsvector GENERATED ALWAYS AS (to_tsvector('english', f_concat_ws(' '::text, COALESCE(tags, array[]::text[])))) STORED);
CREATE INDEX idx_place_name ON place USING btree (f_unaccent(name));
";

#[test]
fn calling_a_sql_function_with_a_quoted_or_return_body_is_read() {
    let dir = one_migration(CALLED_FUNCTIONS);
    let truth = cluster().create_database("fr_called_functions");
    truth.execute(CALLED_FUNCTIONS);
    let found = differences(dir.path(), &truth.url);
    // The `RETURN` body itself is stored parsed (`prosqlbody`), not modelled: the
    // function stays unverifiable, and nothing else.
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].starts_with("unverifiable public.f_unaccent(text)"),
        "{found:#?}"
    );
}
