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
use support::pg::TestDb;
use util::*;

/// A Flyway-layout project holding one migration.
fn one_migration(sql: &str) -> tempfile::TempDir {
    project(&[("V1__functions.sql", sql)])
}

/// [`one_migration`] of `sql`, and a fresh database `prefix` on which `sql` ran: the
/// truth its replay must match.
fn one_migration_case(prefix: &str, sql: &str) -> (tempfile::TempDir, TestDb) {
    flyway_case(prefix, &[("V1__functions.sql", sql)])
}

/// Fails the test, listing them, when drift finds differences between the replay of
/// `dir` and `truth`.
fn assert_no_drift(dir: &std::path::Path, truth: &TestDb) {
    let found = differences(dir, &truth.url);
    assert!(found.is_empty(), "false drift:\n{}", found.join("\n"));
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
    let (dir, truth) = one_migration_case("fr_parallel_truth", PARALLEL_SAFE);
    assert_no_drift(dir.path(), &truth);
    let (rebuilt, sql) = rebuilt_from_schema_sql(dir.path(), "fr_parallel_schema");
    assert_eq!(
        rebuilt.query(MARKINGS),
        truth.query(MARKINGS),
        "SQL:\n{sql}"
    );
}

#[test]
fn a_hand_changed_strict_marking_is_drift() {
    let (dir, truth) = one_migration_case("fr_strict_edited", PARALLEL_SAFE);
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
    let (dir, truth) = one_migration_case("fr_parallel_edited", PARALLEL_SAFE);
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
    let (dir, truth) = one_migration_case("fr_called_functions", CALLED_FUNCTIONS);
    let found = differences(dir.path(), &truth.url);
    // The `RETURN` body itself is stored parsed (`prosqlbody`), not modelled: the
    // function stays unverifiable, and nothing else.
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].starts_with("unverifiable public.f_unaccent(text)"),
        "{found:#?}"
    );
}

/// The `schema` SQL of immich left `f_unaccent` out (its `RETURN` body is not
/// modelled) but kept the indexes calling it, and put `text` in place of the
/// run-time `vector(${clipDimSize})` type but kept its `hnsw (… vector_cosine_ops)`
/// index: psql refused both. An index is left out, with a comment, when it needs
/// what the script leaves out.
const DIM_TS: &str = r#"import { MigrationInterface, QueryRunner } from 'typeorm';

export class Shapes1700000000000 implements MigrationInterface {
  public async up(queryRunner: QueryRunner): Promise<void> {
    const kind = (await queryRunner.query(`SELECT 'box' AS k`))[0].k;
    await queryRunner.query(`CREATE TABLE "shape" ("id" integer NOT NULL, "area" ${kind} NOT NULL)`);
    await queryRunner.query(`CREATE INDEX "shape_area" ON "shape" USING gist ("area")`);
    await queryRunner.query(`CREATE INDEX "shape_id" ON "shape" ("id")`);
  }
  public async down(queryRunner: QueryRunner): Promise<void> {}
}
"#;

#[test]
fn schema_sql_leaves_out_indexes_needing_what_it_leaves_out() {
    for (name, dir, left_out) in [
        (
            "fr_left_out_routine",
            one_migration(CALLED_FUNCTIONS),
            "public.idx_place_name",
        ),
        (
            "fr_left_out_type",
            project(&[("1700000000000-Shapes.ts", DIM_TS)]),
            "public.shape_area",
        ),
    ] {
        let r = run_in(
            dir.path(),
            &["schema", dir.path().to_str().unwrap(), "--format", "sql"],
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert!(
            r.stdout
                .lines()
                .any(|l| l.starts_with("--") && l.contains(&format!("index {left_out} left out"))),
            "{}",
            r.stdout
        );
        let db = cluster().create_database(name);
        db.execute(&r.stdout);
        assert_eq!(
            db.query("SELECT count(*) FROM pg_indexes WHERE schemaname = 'public'")
                .trim(),
            if left_out == "public.shape_area" {
                "1"
            } else {
                "0"
            },
            "{}",
            r.stdout
        );
    }
}

/// immich's audit triggers (`AFTER DELETE … REFERENCING OLD TABLE AS OLD FOR EACH
/// STATEMENT WHEN (pg_trigger_depth() = 0)`; lemmy and crates.io have more) were
/// `unverifiable`: transition tables were not modelled. They are compared and
/// rendered as `pg_get_triggerdef` prints them.
const TRANSITION_TABLES: &str = "CREATE TABLE assets (id integer);
CREATE TABLE assets_audit (id integer);
CREATE FUNCTION assets_delete_audit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO assets_audit (id) SELECT id FROM OLD;
  RETURN NULL;
END
$$;
CREATE OR REPLACE TRIGGER assets_delete_audit
  AFTER DELETE ON assets
  REFERENCING OLD TABLE AS OLD
  FOR EACH STATEMENT
  WHEN (pg_trigger_depth() = 0)
  EXECUTE FUNCTION assets_delete_audit();
CREATE TRIGGER assets_changes AFTER UPDATE ON assets
  REFERENCING NEW TABLE AS \"Fresh\" OLD TABLE stale
  FOR EACH STATEMENT EXECUTE FUNCTION assets_delete_audit();
";

const TRIGGER_DEFS: &str = "SELECT pg_get_triggerdef(oid) FROM pg_trigger
      WHERE NOT tgisinternal ORDER BY tgname";

#[test]
fn transition_table_triggers_are_compared_and_rendered() {
    let (dir, truth) = one_migration_case("fr_transition_truth", TRANSITION_TABLES);
    assert_no_drift(dir.path(), &truth);
    let (rebuilt, sql) = rebuilt_from_schema_sql(dir.path(), "fr_transition_schema");
    assert_eq!(
        rebuilt.query(TRIGGER_DEFS),
        truth.query(TRIGGER_DEFS),
        "SQL:\n{sql}"
    );
    // A hand-changed transition table name is drift.
    truth.execute(
        "CREATE OR REPLACE TRIGGER assets_delete_audit AFTER DELETE ON assets
           REFERENCING OLD TABLE AS gone FOR EACH STATEMENT
           WHEN (pg_trigger_depth() = 0) EXECUTE FUNCTION assets_delete_audit()",
    );
    let found = differences(dir.path(), &truth.url);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(found[0].contains("OLD TABLE AS gone"), "{found:#?}");
}

/// immich's `UsePgVectors1700713871511` sets `asset_faces.embedding` to
/// `vector(${faceDimSize})` (a size read from the data), and a later migration drops
/// that column. The doubt was about the whole table and outlived the column: drift
/// kept `asset_faces` unverifiable although nothing run-time-built is left in it.
const DYNAMIC_TYPE_TS: &str = r#"import { MigrationInterface, QueryRunner } from 'typeorm';

export class Faces1700000000000 implements MigrationInterface {
  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "asset_faces" ("id" integer NOT NULL, "embedding" real[])`);
    const dim = (await queryRunner.query(`SELECT 3 AS d`))[0].d;
    await queryRunner.query(`ALTER TABLE asset_faces ALTER COLUMN embedding SET NOT NULL, ALTER COLUMN embedding TYPE vector(${dim})`);
  }
  public async down(queryRunner: QueryRunner): Promise<void> {}
}
"#;

const DROP_EMBEDDING_TS: &str = r#"import { MigrationInterface, QueryRunner } from 'typeorm';

export class DropEmbedding1700000000001 implements MigrationInterface {
  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE asset_faces DROP COLUMN IF EXISTS embedding`);
  }
  public async down(queryRunner: QueryRunner): Promise<void> {}
}
"#;

#[test]
fn a_run_time_column_type_is_doubt_about_that_column_only() {
    let truth = cluster().create_database("fr_dynamic_column_type");
    truth.execute(r#"CREATE TABLE "asset_faces" ("id" integer NOT NULL)"#);
    let dir = project(&[
        ("1700000000000-Faces.ts", DYNAMIC_TYPE_TS),
        ("1700000000001-DropEmbedding.ts", DROP_EMBEDDING_TS),
    ]);
    assert_no_drift(dir.path(), &truth);
    // Before the drop, the column is what stays unverifiable, not its table.
    let dir = project(&[("1700000000000-Faces.ts", DYNAMIC_TYPE_TS)]);
    // (`vector` is pgvector's type; which type the database holds does not matter.)
    truth.execute("ALTER TABLE asset_faces ADD COLUMN embedding real[] NOT NULL");
    let found = differences(dir.path(), &truth.url);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].starts_with("unverifiable public.asset_faces.embedding"),
        "{found:#?}"
    );
    // A rename carries the doubt.
    let rename = DROP_EMBEDDING_TS
        .replace("DropEmbedding", "RenameEmbedding")
        .replace(
            "DROP COLUMN IF EXISTS embedding",
            "RENAME COLUMN embedding TO features",
        );
    let dir = project(&[
        ("1700000000000-Faces.ts", DYNAMIC_TYPE_TS),
        ("1700000000001-RenameEmbedding.ts", &rename),
    ]);
    truth.execute("ALTER TABLE asset_faces RENAME COLUMN embedding TO features");
    let found = differences(dir.path(), &truth.url);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].starts_with("unverifiable public.asset_faces.features"),
        "{found:#?}"
    );
}

// ---------------------------------------------------------------------------------
// The SQL-layout trials of round 19 (a Flyway project and a Prisma project).

/// A Flyway-layout project of `files`, and a truth database built from them in order.
fn flyway_case(prefix: &str, files: &[(&str, &str)]) -> (tempfile::TempDir, TestDb) {
    let dir = project(files);
    let truth = cluster().create_database(prefix);
    for (_, sql) in files {
        truth.execute(sql);
    }
    (dir, truth)
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
    assert_no_drift(dir.path(), &truth);
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
    assert_no_drift(dir.path(), &truth);
    let (rebuilt, sql) = rebuilt_from_schema_sql(dir.path(), "frs_named_excl_sql");
    assert_eq!(
        rebuilt.query(CONSTRAINTS),
        truth.query(CONSTRAINTS),
        "SQL:\n{sql}"
    );
}

/// hmpps-activities-management-api's `V2023.05.13__digital_prison_reporting_user.sql`
/// ends with `CREATE ROLE ${dpr_user} WITH LOGIN PASSWORD '${dpr_password}' …`: Flyway
/// substitutes its placeholders before it runs the script. Read as SQL the statement
/// failed to parse and, naming no table, made the whole schema unverifiable (`*`).
const PLACEHOLDERS: [(&str, &str); 2] = [
    (
        "V1__activity.sql",
        "CREATE TABLE activity (activity_id bigserial PRIMARY KEY, name text);",
    ),
    (
        "V2__reporting_user.sql",
        "CREATE ROLE frs_saa_ro_group;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO frs_saa_ro_group;
CREATE ROLE ${dpr_user} WITH LOGIN PASSWORD '${dpr_password}' IN GROUP frs_saa_ro_group;
DROP TABLE activity;",
    ),
];

#[test]
fn flyway_placeholders_are_values_known_at_run_time_not_unreadable_sql() {
    let truth_sql: Vec<(&str, String)> = PLACEHOLDERS
        .iter()
        .map(|(name, sql)| {
            let sql = sql
                .replace("${dpr_user}", "frs_dpr_user")
                .replace("${dpr_password}", "secret");
            (*name, sql)
        })
        .collect();
    cluster().psql(
        "postgres",
        "DROP ROLE IF EXISTS frs_dpr_user; DROP ROLE IF EXISTS frs_saa_ro_group",
    );
    let dir = project(&PLACEHOLDERS);
    let truth = cluster().create_database("frs_placeholders");
    for (_, sql) in &truth_sql {
        truth.execute(sql);
    }
    assert_no_drift(dir.path(), &truth);
    // The statements after the placeholder still point at their own line.
    let r = run_in(dir.path(), &["lint", ".", "--format", "json"]);
    let v = r.json();
    let drop = finding_of(&v, "drop-table");
    assert_eq!(drop["line"], 4, "{drop}");
    assert!(
        !v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "unparsed-sql"),
        "{v}"
    );
}

/// n8n wraps each TypeORM migration and calls `up` with a context object, not the query
/// runner: `up({ queryRunner, tablePrefix, schemaBuilder: { dropColumns }, runQuery })`.
/// `RemoveResetPasswordColumns1690000000030` drops two columns through
/// `dropColumns(…)`, taken from that object: lint read nothing at all (no finding, exit
/// 0), and `runQuery(sql)` ran SQL unseen the same way. A function destructured from
/// what `up` receives can reach the database: fail closed.
const N8N_CONTEXT_MIGRATION: &str = r#""use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.RemoveResetPasswordColumns1690000000030 = void 0;
class RemoveResetPasswordColumns1690000000030 {
    async up({ schemaBuilder: { dropColumns }, runQuery, ...rest }) {
        await dropColumns('user', ['resetPasswordToken', 'resetPasswordTokenExpiration'], {
            recreatesOnSqlite: true,
        });
        await runQuery('DELETE FROM "user"');
        await rest.copyTable('a', 'b');
    }
    async down({ schemaBuilder: { addColumns, column } }) {
        await addColumns('user', [column('resetPasswordToken').varchar()]);
    }
}
exports.RemoveResetPasswordColumns1690000000030 = RemoveResetPasswordColumns1690000000030;
"#;

/// The same context, read where it can be: `queryRunner` taken from it is the query
/// runner (its `query()` SQL is read as usual); `tablePrefix` only names things.
const N8N_CONTEXT_QUERY_RUNNER: &str = r#""use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.DropUnusedTable1690000000040 = void 0;
class DropUnusedTable1690000000040 {
    async up({ queryRunner, tablePrefix }) {
        await queryRunner.dropTable(`${tablePrefix}unused`);
        await queryRunner.query('DROP TABLE "old_table"');
    }
}
exports.DropUnusedTable1690000000040 = DropUnusedTable1690000000040;
"#;

#[test]
fn functions_taken_from_a_migration_context_object_are_opaque() {
    let dir = project(&[
        (
            "migrations/1690000000030-RemoveResetPasswordColumns.js",
            N8N_CONTEXT_MIGRATION,
        ),
        (
            "migrations/1690000000040-DropUnusedTable.js",
            N8N_CONTEXT_QUERY_RUNNER,
        ),
    ]);
    let r = run_in(dir.path(), &["lint", "migrations", "--format", "json"]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    let v = r.json();
    let at = |file: &str| blocking_in(&v, file);
    let context = at("RemoveResetPasswordColumns");
    for line in [6, 9, 10] {
        assert!(
            context.contains(&("opaque-operation".to_string(), line)),
            "line {line} not opaque: {context:?}"
        );
    }
    // The `down` method's calls are not gated, and `column(…)` there is not `up`'s.
    assert!(context.iter().all(|(_, l)| *l <= 10), "{context:?}");
    let runner = at("DropUnusedTable");
    assert!(
        runner.contains(&("drop-table".to_string(), 7)),
        "the query runner taken from the context is not read: {runner:?}"
    );
    assert!(
        runner.iter().any(|(r, l)| r == "drop-table" && *l == 6)
            || runner
                .iter()
                .any(|(r, l)| r == "opaque-operation" && *l == 6),
        "{runner:?}"
    );
}

/// n8n's context also hands out `escape.tableName(…)` and `logger.info(…)`, which
/// only build names or log: declared in `[typeorm] read_only_helpers` they are not
/// operations, while `runQuery` (not declared) stays opaque.
#[test]
fn read_only_helpers_cover_functions_taken_from_a_context_object() {
    let migration = r#"class AddIndex1690000000050 {
    async up({ escape, logger, runQuery }) {
        const table = escape.tableName('user');
        logger.info('adding');
        await runQuery(`CREATE INDEX idx ON ${table} (id)`);
    }
}
exports.AddIndex1690000000050 = AddIndex1690000000050;
"#;
    let dir = project(&[
        ("migrations/1690000000050-AddIndex.js", migration),
        (
            "migguard.toml",
            "migrations = [\"migrations\"]\n[typeorm]\nread_only_helpers = [\"escape.tableName\", \"info\"]\n",
        ),
    ]);
    let r = run_in(dir.path(), &["lint", "--format", "json"]);
    let v = r.json();
    let opaque: Vec<i64> = findings_of(&v, "opaque-operation")
        .into_iter()
        .map(|f| f["line"].as_i64().unwrap())
        .collect();
    assert_eq!(opaque, vec![5], "{v}");
}

/// harbor's `0004_1.8.0_schema.up.sql` (golang-migrate) backfills in a DO block with
/// PL/pgSQL's `INSERT … RETURNING id INTO execid`. The `INTO <variable>` clause is
/// PL/pgSQL, not SQL: the statement did not parse, so the loop held an unreadable
/// statement and the whole schema was `unverifiable` (`*`); lint blocked on
/// `unparsed-sql` 14 times across harbor's migrations.
const RETURNING_INTO: &str = "CREATE TABLE replication_job (id serial PRIMARY KEY, policy_id int, operation varchar(64));
CREATE TABLE replication_execution (id SERIAL PRIMARY KEY, policy_id int);
DO $$
DECLARE
    job RECORD;
    execid integer;
BEGIN
    FOR job IN SELECT * FROM replication_job WHERE operation != 'schedule'
    LOOP
      INSERT INTO replication_execution (policy_id) VALUES (job.policy_id) RETURNING id INTO execid;
      UPDATE replication_job SET policy_id = execid WHERE id = job.id RETURNING id, policy_id INTO STRICT execid, execid;
      WITH moved AS (DELETE FROM replication_execution WHERE id < 0 RETURNING policy_id)
        INSERT INTO replication_execution (policy_id) SELECT policy_id FROM moved;
    END LOOP;
END $$;
ALTER TABLE replication_job RENAME TO replication_schedule_job;
";

#[test]
fn plpgsql_returning_into_a_variable_is_read_as_the_statement() {
    let (dir, truth) = one_migration_case("fr_returning_into", RETURNING_INTO);
    assert_no_drift(dir.path(), &truth);
    let v = run_in(dir.path(), &["lint", ".", "--format", "json"]).json();
    let rules = rule_ids(&v);
    assert!(!rules.iter().any(|r| r == "unparsed-sql"), "{v}");
    assert!(rules.iter().any(|r| r == "rename-table"), "{v}");
}

/// harbor's `0110_2.8.0_schema.up.sql` drops `unique_artifact_accessory`, then re-adds it
/// in `DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = '…') THEN
/// ALTER TABLE … ADD CONSTRAINT …; END IF; END $$`. The block was unreadable, so the
/// table was `unverifiable` and the constraint left out of `schema` SQL. The guard asks
/// the catalog whether a constraint of that name exists on any table: replay knows.
const CONSTRAINT_GUARD: &str =
    "CREATE TABLE artifact_accessory (id serial PRIMARY KEY, artifact_id int, digest varchar(1024),
    CONSTRAINT unique_artifact_accessory UNIQUE (artifact_id));
CREATE TABLE other (id int, CONSTRAINT taken_name UNIQUE (id));
ALTER TABLE artifact_accessory DROP CONSTRAINT IF EXISTS unique_artifact_accessory;
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1
                   FROM   pg_constraint
                   WHERE  conname = 'unique_artifact_accessory')
    THEN
        ALTER TABLE artifact_accessory
        ADD CONSTRAINT unique_artifact_accessory UNIQUE (artifact_id, digest);
    END IF;
END $$;
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'taken_name') THEN
    ALTER TABLE artifact_accessory ADD CONSTRAINT taken_name CHECK (id > 0);
  END IF;
END $$;
";

#[test]
fn a_ddl_guarded_by_its_constraint_name_in_pg_constraint_is_replayed() {
    let (dir, truth) = one_migration_case("fr_constraint_guard", CONSTRAINT_GUARD);
    assert_no_drift(dir.path(), &truth);
    // A hand-dropped constraint is drift again (the guard is no blanket pass).
    truth.execute("ALTER TABLE artifact_accessory DROP CONSTRAINT unique_artifact_accessory");
    let found = differences(dir.path(), &truth.url);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0]
            .starts_with("missing-constraint public.artifact_accessory.unique_artifact_accessory"),
        "{found:#?}"
    );
    let v = run_in(dir.path(), &["lint", ".", "--format", "json"]).json();
    assert!(!rule_ids(&v).iter().any(|r| r == "unparsed-sql"), "{v}");
}

/// The same context taken apart inside `up` (`const { schemaBuilder } = context`) or
/// reached through it: calls are opaque either way.
#[test]
fn a_context_object_taken_apart_inside_up_stays_opaque() {
    let migration = r#"class DropLegacy1690000000060 {
    async up(context) {
        const { schemaBuilder, tablePrefix } = context;
        await schemaBuilder.dropTable(`${tablePrefix}legacy`);
        const { dropColumns } = context.schemaBuilder;
        await dropColumns('user', ['legacy']);
    }
}
exports.DropLegacy1690000000060 = DropLegacy1690000000060;
"#;
    let dir = project(&[("migrations/1690000000060-DropLegacy.js", migration)]);
    let r = run_in(dir.path(), &["lint", "migrations", "--format", "json"]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    let v = r.json();
    let opaque: Vec<i64> = findings_of(&v, "opaque-operation")
        .into_iter()
        .map(|f| f["line"].as_i64().unwrap())
        .collect();
    assert!(opaque.contains(&4) && opaque.contains(&6), "{v}");
}

// ---------------------------------------------------------------------------------
// Round 22: medusa v1 (TypeORM, 82 migrations).

/// medusa's `address.country_code` references `country (iso_2)`, which is unique only
/// through `CREATE UNIQUE INDEX "IDX_e78901b1131eaf8203d9b1cb5f" ON "country"
/// ("iso_2")` (PostgreSQL accepts a unique index as a foreign key's target). `schema`
/// wrote the foreign keys before the indexes, so psql refused the rendered schema:
/// "there is no unique constraint matching given keys for referenced table".
const FK_TO_A_UNIQUE_INDEX: [(&str, &str); 1] = [(
    "V1__country.sql",
    "CREATE TABLE country (id serial PRIMARY KEY, iso_2 varchar NOT NULL);
CREATE UNIQUE INDEX \"IDX_e78901b1131eaf8203d9b1cb5f\" ON country (iso_2);
CREATE TABLE address (id varchar PRIMARY KEY, country_code varchar);
ALTER TABLE address ADD CONSTRAINT \"FK_6df8c6bf969a51d24c1980c4ff4\"
    FOREIGN KEY (country_code) REFERENCES country (iso_2);",
)];

#[test]
fn a_foreign_key_to_a_unique_index_is_rendered_after_the_index() {
    let (dir, truth) = flyway_case("frs_fk_unique_index", &FK_TO_A_UNIQUE_INDEX);
    let found = differences(dir.path(), &truth.url);
    assert!(found.is_empty(), "false drift:\n{}", found.join("\n"));
    let (rebuilt, sql) = rebuilt_from_schema_sql(dir.path(), "frs_fk_unique_index_sql");
    assert_eq!(
        rebuilt.query(CONSTRAINTS),
        truth.query(CONSTRAINTS),
        "SQL:\n{sql}"
    );
}

/// medusa ships its migrations compiled by tsc with `"target": "es5"`: every `const`
/// of `up()` becomes one hoisted `var` of the `__awaiter` callback, assigned where the
/// declaration was (`query = "INSERT …"; return [4, queryRunner.query(query, …)]`, one
/// `query` for both of `countries_currencies`' loops). Such a name was no constant, so
/// both literal INSERTs were blocking `opaque-operation`s and drift's whole schema
/// `unverifiable *`. The assignment that reaches the call in straight-line code is
/// its value; `down()`'s own `var query` is another variable.
const ES5_HOISTED_VARS: &str = r#""use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.Seed1611063174563 = void 0;
var Seed1611063174563 = /** @class */ (function () {
    function Seed1611063174563() {
    }
    Seed1611063174563.prototype.up = function (queryRunner) {
        return __awaiter(this, void 0, void 0, function () {
            var c, query, query;
            return __generator(this, function (_a) {
                switch (_a.label) {
                    case 0:
                        c = "fr";
                        query = "INSERT INTO \"country\" (\"iso_2\") VALUES ($1)";
                        return [4 /*yield*/, queryRunner.query(query, [c])]; // insert
                    case 1:
                        _a.sent();
                        query = "DROP TABLE \"legacy_currency\"";
                        return [4 /*yield*/, queryRunner.query(query)]; // drop
                    case 2:
                        _a.sent();
                        return [2 /*return*/];
                }
            });
        });
    };
    Seed1611063174563.prototype.down = function (queryRunner) {
        return __awaiter(this, void 0, void 0, function () {
            var query;
            return __generator(this, function (_a) {
                query = "SELECT 1";
                return [2 /*return*/, queryRunner.query(query)];
            });
        });
    };
    return Seed1611063174563;
}());
exports.Seed1611063174563 = Seed1611063174563;
"#;

/// What the assignment before a call does not decide: a closure that reassigns the
/// name (also one whose own `let` of that name is in an inner block only), a
/// conditional reassignment in between, a reassignment later in a loop.
const ES5_NOT_STRAIGHT_LINE: &str = r#""use strict";
Object.defineProperty(exports, "__esModule", { value: true });
var Evade1611063174564 = /** @class */ (function () {
    function Evade1611063174564() {
    }
    Evade1611063174564.prototype.up = function (queryRunner) {
        return __awaiter(this, void 0, void 0, function () {
            var sql, other, loop, set, i, shadow, setShadow;
            return __generator(this, function (_a) {
                switch (_a.label) {
                    case 0:
                        set = function () { sql = "DROP TABLE \"audit\""; };
                        sql = "SELECT 1";
                        set();
                        return [4 /*yield*/, queryRunner.query(sql)]; // closure
                    case 1:
                        _a.sent();
                        other = "SELECT 2";
                        if (process.env.X) { other = "DROP TABLE \"audit2\""; }
                        return [4 /*yield*/, queryRunner.query(other)]; // conditional
                    case 2:
                        _a.sent();
                        loop = "SELECT 3";
                        for (i = 0; i < 2; i++) { queryRunner.query(loop); loop = "DROP TABLE \"audit3\""; } // loop
                        setShadow = function () { { let shadow; } shadow = "DROP TABLE \"audit4\""; };
                        shadow = "SELECT 4";
                        setShadow();
                        return [4 /*yield*/, queryRunner.query(shadow)]; // block-scoped shadow
                    case 3:
                        _a.sent();
                        return [2 /*return*/];
                }
            });
        });
    };
    return Evade1611063174564;
}());
exports.Evade1611063174564 = Evade1611063174564;
"#;

/// The 1-based line of `marker` in `text`.
fn line_of(text: &str, marker: &str) -> i64 {
    text.lines().position(|l| l.contains(marker)).unwrap() as i64 + 1
}

/// The blocking findings of a lint report in the file whose path holds `file`:
/// (rule, line) each.
fn blocking_in(v: &serde_json::Value, file: &str) -> Vec<(String, i64)> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["file"].as_str().unwrap_or_default().contains(file))
        .filter(|f| f["severity"] == "block")
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["line"].as_i64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn es5_hoisted_vars_are_read_from_the_assignment_before_the_call() {
    let dir = project(&[
        (
            "migrations/1611063174563-countries_currencies.js",
            ES5_HOISTED_VARS,
        ),
        ("migrations/1611063174564-evade.js", ES5_NOT_STRAIGHT_LINE),
    ]);
    let r = run_in(dir.path(), &["lint", "migrations", "--format", "json"]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    let v = r.json();
    let blocking = |file: &str| blocking_in(&v, file);
    let seed = blocking("countries_currencies");
    assert!(
        seed.iter().all(|(rule, _)| rule != "opaque-operation"),
        "literal SQL read as opaque: {seed:?}"
    );
    let drop = line_of(ES5_HOISTED_VARS, "// drop");
    assert!(
        seed.contains(&("drop-table".to_string(), drop)),
        "the second assignment is not what the second call runs: {seed:?}"
    );
    let evade = blocking("evade");
    for marker in [
        "// closure",
        "// conditional",
        "// loop",
        "// block-scoped shadow",
    ] {
        let line = line_of(ES5_NOT_STRAIGHT_LINE, marker);
        assert!(
            evade.iter().any(|(_, l)| *l == line),
            "{marker} (line {line}) passed: {evade:?}"
        );
    }
    let schema = run_in(
        dir.path(),
        &[
            "schema",
            "migrations/1611063174563-countries_currencies.js",
            "--format",
            "json",
        ],
    );
    assert_eq!(schema.code, 0, "{}", schema.stderr);
    assert_eq!(
        schema.json()["uncertain"],
        serde_json::json!({}),
        "drift could not verify the schema: {}",
        schema.stderr
    );
}

// ---------------------------------------------------------------------------------
// Round 22: hoppscotch (Prisma, 21 migrations).

/// hoppscotch's `20251016080714_mock_server`: a BEFORE trigger whose body only sets a
/// column of the row being written (`NEW."mockExamples" := jsonb_build_object(…);
/// RETURN NEW;`), fired by a backfill `UPDATE`. The body was "PL/pgSQL that cannot be
/// read statically": a blocking `unparsed-sql` and, naming no table, the whole schema
/// `unverifiable *` in drift. Such a body runs no statement: only what its expressions
/// call can act, and a routine created earlier in the text is still read when called.
const ROW_ASSIGNING_TRIGGER: &str = r#"CREATE TABLE "UserRequest" (id text PRIMARY KEY, request jsonb);
CREATE TABLE audit (id int);
ALTER TABLE "UserRequest" ADD COLUMN "mockExamples" JSONB;
CREATE OR REPLACE FUNCTION sync_mock_examples()
RETURNS TRIGGER AS $$
BEGIN
  NEW."mockExamples" := jsonb_build_object(
    'examples',
    COALESCE(
      (SELECT jsonb_agg(jsonb_build_object('key', key, 'name', value->>'name'))
         FROM jsonb_each(NEW.request->'responses') AS responses(key, value)
        WHERE jsonb_typeof(NEW.request->'responses') = 'object'),
      '[]'::jsonb));
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER trigger_sync_mock_examples_user_request
BEFORE INSERT OR UPDATE OF request ON "UserRequest"
FOR EACH ROW
EXECUTE FUNCTION sync_mock_examples();
UPDATE "UserRequest" SET request = request WHERE request IS NOT NULL;
"#;

/// The same shape, but one assignment calls a routine of the text that drops a table,
/// and another trigger's body also deletes rows: neither may pass as harmless.
const ROW_ASSIGNING_TRIGGER_THAT_ACTS: &str = r#"CREATE TABLE t (id int PRIMARY KEY, a text, b text);
CREATE TABLE audit (id int);
CREATE TABLE audit2 (id int);
CREATE FUNCTION evil() RETURNS text AS $$ BEGIN DROP TABLE audit; RETURN 'x'; END $$ LANGUAGE plpgsql;
CREATE FUNCTION set_a() RETURNS TRIGGER AS $$
BEGIN
  NEW.a := evil();
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE FUNCTION set_b() RETURNS TRIGGER AS $$
BEGIN
  NEW.b = 'y';
  DELETE FROM audit2;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER ta BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION set_a();
CREATE TRIGGER tb BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION set_b();
UPDATE t SET id = id WHERE id > 0;
"#;

#[test]
fn a_trigger_body_that_only_sets_the_new_row_is_read() {
    let (dir, truth) = flyway_case(
        "frs_row_trigger",
        &[("V1__mock_server.sql", ROW_ASSIGNING_TRIGGER)],
    );
    let r = run_in(
        dir.path(),
        &["lint", dir.path().to_str().unwrap(), "--format", "json"],
    );
    let v = r.json();
    let rules = rule_ids(&v);
    assert!(
        !rules.iter().any(|r| r == "unparsed-sql"),
        "the trigger body is unreadable: {rules:?}"
    );
    let found = differences(dir.path(), &truth.url);
    assert!(found.is_empty(), "false drift:\n{}", found.join("\n"));
    let schema = run_in(
        dir.path(),
        &["schema", dir.path().to_str().unwrap(), "--format", "json"],
    );
    assert_eq!(schema.code, 0, "{}", schema.stderr);
    assert_eq!(
        schema.json()["uncertain"],
        serde_json::json!({}),
        "{}",
        schema.stderr
    );

    let acts = project(&[("V1__acts.sql", ROW_ASSIGNING_TRIGGER_THAT_ACTS)]);
    let r = run_in(
        acts.path(),
        &["lint", acts.path().to_str().unwrap(), "--format", "json"],
    );
    let v = r.json();
    let blocking = findings(&v);
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "drop-table"
                && f["message"].as_str().unwrap_or_default().contains("evil()")),
        "a routine called from an assignment is not read: {blocking:?}"
    );
    assert!(
        rule_ids(&v).iter().any(|r| r == "unparsed-sql"),
        "a trigger body that deletes rows passed as harmless: {blocking:?}"
    );
}

/// A multi-database migration in the shape ever-gauzy's are written in (round 23):
/// `up` picks a method by the database type; only the PostgreSQL one runs here.
fn multi_database_migration(class: &str, up_body: &str) -> String {
    format!(
        r#"import {{ MigrationInterface, QueryRunner }} from 'typeorm';
export class {class} implements MigrationInterface {{
    name = '{class}';
    public async up(queryRunner: QueryRunner): Promise<void> {{
{up_body}
    }}
    public async down(queryRunner: QueryRunner): Promise<void> {{}}
    private async sqliteUp(queryRunner: QueryRunner): Promise<void> {{
        await queryRunner.query(`DROP TABLE "sqlite_only"`);
    }}
    private async postgresUp(queryRunner: QueryRunner): Promise<void> {{
        await queryRunner.query(`ALTER TABLE "pg_table" DROP COLUMN "pg_column"`);
    }}
}}
"#
    )
}

/// Found probing the idioms around ever-gauzy's `switch`: a database test bound to a
/// const, an `||` naming PostgreSQL and another driver, a ternary, a test `&&`-ed
/// with something unknown, and the type destructured from the options (`const { type }
/// = queryRunner.connection.options`) were "too complex to tell", so the SQLite method was read
/// too (a false `drop-table`), and `[...].includes(queryRunner.connection.options.type)`
/// outside an `if` was taken for handing on the query runner (a false opaque op). The
/// options are data, and the tests are exact three-valued logic: the PostgreSQL method
/// is still read (and blocks) in every case, the SQLite one in none.
#[test]
fn database_type_tests_of_every_shape_read_only_the_postgresql_path() {
    let t = "queryRunner.connection.options.type";
    let cases = [
        (
            "ConstIsSqlite1700000000001",
            format!("        const isSqlite = ['sqlite', 'better-sqlite3'].includes({t});\n        if (isSqlite) {{ await this.sqliteUp(queryRunner); }} else {{ await this.postgresUp(queryRunner); }}"),
        ),
        (
            "OrCockroach1700000000002",
            format!("        if ({t} === 'postgres' || {t} === 'cockroachdb') {{ await this.postgresUp(queryRunner); }} else {{ await this.sqliteUp(queryRunner); }}"),
        ),
        (
            "Ternary1700000000003",
            format!("        {t} === 'postgres' ? await this.postgresUp(queryRunner) : await this.sqliteUp(queryRunner);"),
        ),
        (
            "SqliteAndFlag1700000000004",
            format!("        if ({t} === 'sqlite' && process.env.LEGACY) {{ await this.sqliteUp(queryRunner); }} else {{ await this.postgresUp(queryRunner); }}"),
        ),
        (
            "Destructured1700000000008",
            "        const { type } = queryRunner.connection.options;\n        const { type: kind } = queryRunner.connection.options;\n        if (type === 'sqlite' || kind === 'mysql') { await this.sqliteUp(queryRunner); } else if (type === 'postgres') { await this.postgresUp(queryRunner); }".to_string(),
        ),
        (
            "NotPostgresReturns1700000000005",
            format!("        const isPostgres = ({t} as string) === 'postgres';\n        if (!isPostgres) {{ await this.sqliteUp(queryRunner); return; }}\n        await this.postgresUp(queryRunner);"),
        ),
    ];
    let files: Vec<(String, String)> = cases
        .iter()
        .map(|(class, body)| {
            (
                format!("migrations/{}-{class}.ts", &class[class.len() - 13..]),
                multi_database_migration(class, body),
            )
        })
        .collect();
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let dir = project(&refs);
    let r = run_in(dir.path(), &["lint", "migrations", "--format", "json"]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    let v = r.json();
    for (path, _) in &files {
        let blocking = blocking_in(&v, path);
        assert!(
            blocking.iter().any(|(rule, _)| rule == "drop-column"),
            "{path}: the PostgreSQL path is not read: {blocking:?}"
        );
        assert!(
            blocking
                .iter()
                .all(|(rule, _)| rule != "drop-table" && rule != "opaque-operation"),
            "{path}: the SQLite path read, or the options taken for the runner: {blocking:?}"
        );
    }
}

/// The connection itself can run SQL, and so can a DataSource built from its options:
/// handing either on stays opaque, unlike the database type.
#[test]
fn handing_on_the_connection_stays_opaque_while_its_type_is_data() {
    let body = "        const isSqlite = ['sqlite'].includes(queryRunner.connection.options.type);\n        await runWith(queryRunner.connection); // opaque\n        await runWith(new DataSource(queryRunner.connection.options)); // opaque\n        if (!isSqlite) { await this.postgresUp(queryRunner); }";
    let text = multi_database_migration("HandsOn1700000000006", body);
    let dir = project(&[("migrations/1700000000006-HandsOn.ts", &text)]);
    let r = run_in(dir.path(), &["lint", "migrations", "--format", "json"]);
    let blocking = blocking_in(&r.json(), "HandsOn");
    assert_eq!(
        blocking
            .iter()
            .filter(|(rule, _)| rule == "opaque-operation")
            .map(|(_, line)| *line)
            .collect::<Vec<_>>(),
        text.lines()
            .enumerate()
            .filter(|(_, l)| l.contains("// opaque"))
            .map(|(i, _)| i as i64 + 1)
            .collect::<Vec<_>>(),
        "{blocking:?}"
    );
}

/// Probing round 23's database switches: a case label that names no database migguard
/// knows (`case DbType.PG:`, an alias imported from the project) was taken for another
/// database, so the PostgreSQL `DROP COLUMN` under it passed lint. A label that might
/// be PostgreSQL is read; one naming another driver is not.
#[test]
fn a_switch_case_naming_no_known_database_is_read() {
    let up_body = "        switch (queryRunner.connection.options.type) {
            case DbType.PG:
                await this.postgresUp(queryRunner);
                break;
            case 'sqlite':
                await this.sqliteUp(queryRunner);
                break;
            default:
                throw new Error('unsupported');
        }";
    let text = multi_database_migration("PgAlias1700000000007", up_body);
    // `'postgres-legacy'` is not the driver's name: PostgreSQL takes `default`.
    let legacy_body = "        switch (queryRunner.connection.options.type) {
            case 'postgres-legacy':
                break;
            default:
                await this.postgresUp(queryRunner);
        }";
    let legacy = multi_database_migration("Legacy1700000000009", legacy_body);
    let dir = project(&[
        ("migrations/1700000000007-PgAlias.ts", &text),
        ("migrations/1700000000009-Legacy.ts", &legacy),
    ]);
    let r = run_in(dir.path(), &["lint", "migrations", "--format", "json"]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    let v = r.json();
    let legacy_blocking = blocking_in(&v, "Legacy");
    assert!(
        legacy_blocking
            .iter()
            .any(|(rule, _)| rule == "drop-column"),
        "the default PostgreSQL takes is not read: {legacy_blocking:?}"
    );
    let blocking = blocking_in(&v, "PgAlias");
    assert!(
        blocking.iter().any(|(rule, _)| rule == "drop-column"),
        "the case that may be PostgreSQL is not read: {blocking:?}"
    );
    assert!(
        blocking.iter().all(|(rule, _)| rule != "drop-table"),
        "the SQLite case is read: {blocking:?}"
    );
}

/// `['postgres-legacy'].includes(type)` is false on PostgreSQL (whose type is
/// `postgres`): the `else` runs there and must be read, as a `switch` case of that
/// name is.
#[test]
fn an_includes_list_whose_names_only_contain_postgres_is_false_on_postgresql() {
    let up_body = "        if (['postgres-legacy'].includes(queryRunner.connection.options.type)) {
            await this.sqliteUp(queryRunner);
        } else {
            await this.postgresUp(queryRunner);
        }";
    let text = multi_database_migration("Lookalike1700000000011", up_body);
    let dir = project(&[("migrations/1700000000011-Lookalike.ts", &text)]);
    let r = run_in(dir.path(), &["lint", "migrations", "--format", "json"]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    let blocking = blocking_in(&r.json(), "Lookalike");
    assert!(
        blocking.iter().any(|(rule, _)| rule == "drop-column"),
        "the branch PostgreSQL takes is not read: {blocking:?}"
    );
}
