//! Drift without false alarms (issue 11, "replay and comparison bugs"): each case is a
//! minimal reproduction from a real project. The migrations are applied to a truth
//! database by psql (or, for TypeORM builder calls, the SQL TypeORM 0.3's
//! PostgresQueryRunner sends for them); then
//! - replaying them and diffing against the introspected truth finds nothing, and
//! - `migguard schema --format sql` applies with `ON_ERROR_STOP` and rebuilds the
//!   catalog PostgreSQL built: column types, defaults, index and constraint
//!   definitions and sequences as `pg_get_expr` / `pg_get_indexdef` /
//!   `pg_get_constraintdef` / `pg_sequences` print them.

mod support;
mod util;
use migguard::drift::IgnoreList;
use migguard::ir::Migration;
use migguard::schema::SchemaModel;
use std::path::Path;
use support::pg::introspect_public as introspect;
use support::pg::{cluster, TestDb};
use util::*;

struct Case {
    dir: tempfile::TempDir,
    truth: TestDb,
}

/// Writes `files` (name, content) as the migrations folder and applies `truth_sql` to a
/// fresh database, one script per migration, in order.
fn case(prefix: &str, files: &[(&str, &str)], truth_sql: &[&str]) -> Case {
    let dir = project(files);
    let truth = cluster().create_database(prefix);
    for sql in truth_sql {
        truth.execute(sql);
    }
    Case { dir, truth }
}

/// A case whose migrations are SQL files: psql applies them as they are.
fn sql_case(prefix: &str, files: &[(&str, &str)]) -> Case {
    let sql: Vec<&str> = files.iter().map(|(_, s)| *s).collect();
    case(prefix, files, &sql)
}

fn load(dir: &Path) -> Vec<Migration> {
    let config = migguard::config::Config::default();
    migguard::project::load_project(&[dir.to_path_buf()], &config)
        .unwrap()
        .migrations
}

fn replayed(c: &Case) -> SchemaModel {
    let migrations = load(c.dir.path());
    let refs: Vec<&Migration> = migrations.iter().collect();
    let (model, conflicts) = migguard::schema::replay::replay(&refs, "public");
    assert!(conflicts.is_empty(), "{conflicts:?}");
    model
}

/// Drift's differences between the replay and the truth, one line each.
fn differences(expected: &SchemaModel, live: &SchemaModel) -> Vec<String> {
    let ignore = IgnoreList::new("schema_migrations", "public", &[]);
    migguard::drift::diff::diff(expected, live, &ignore)
        .into_iter()
        .map(|d| {
            format!(
                "{} {}: expected {:?}, actual {:?}",
                d.kind, d.object, d.expected, d.actual
            )
        })
        .collect()
}

fn assert_no_drift(c: &Case) {
    let found = differences(&replayed(c), &introspect(&c.truth.url));
    assert!(found.is_empty(), "false drift:\n{}", found.join("\n"));
}

/// What PostgreSQL's catalog says about the public schema, as its own functions
/// print it: two databases built the same way give the same text.
fn catalog(db: &TestDb) -> String {
    db.query(
        "SELECT 'col', c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
                pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated
           FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
           LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
          WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
            AND a.attnum > 0 AND NOT a.attisdropped
         UNION ALL
         SELECT 'idx', indexrelid::regclass::text, pg_get_indexdef(indexrelid), '', NULL, NULL, '', ''
           FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
          WHERE c.relnamespace = 'public'::regnamespace
         UNION ALL
         SELECT 'con', conrelid::regclass::text, conname, pg_get_constraintdef(oid), NULL, NULL, '', ''
           FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND conrelid <> 0
         UNION ALL
         SELECT 'seq', sequencename, data_type::text,
                format('%s %s %s %s %s', start_value, min_value, max_value, increment_by, cycle),
                NULL, NULL, '', ''
           FROM pg_sequences WHERE schemaname = 'public'
         UNION ALL
         SELECT 'enum', t.typname, string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder), '', NULL, NULL, '', ''
           FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
          WHERE t.typnamespace = 'public'::regnamespace GROUP BY t.typname
         UNION ALL
         SELECT 'fn', p.proname, '', pg_get_function_arguments(p.oid), NULL,
                format('%s %s %s %s %s', p.procost, p.prorows, p.proleakproof, p.prosecdef,
                       array_to_string(p.proconfig, ' | ')),
                '', ''
           FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace
            AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                              AND d.objid = p.oid AND d.deptype = 'e')
         UNION ALL
         SELECT 'opt', c.relname, '', array_to_string(c.reloptions, ','), NULL, NULL, '', ''
           FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.reloptions IS NOT NULL
         ORDER BY 1, 2, 3, 4",
    )
}

/// `schema --format sql` of the case's migrations.
fn schema_sql(c: &Case) -> String {
    let r = run_in(
        c.dir.path(),
        &["schema", c.dir.path().to_str().unwrap(), "--format", "sql"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    r.stdout
}

/// The rendered SQL applies (psql stops at the first error) and rebuilds the catalog
/// the truth database has.
fn assert_schema_sql_rebuilds_truth(c: &Case, prefix: &str) -> String {
    let sql = schema_sql(c);
    let rebuilt = cluster().create_database(prefix);
    rebuilt.execute(&sql);
    let (want, got) = (catalog(&c.truth), catalog(&rebuilt));
    if want != got {
        let diff: Vec<String> = want
            .lines()
            .zip(got.lines())
            .filter(|(a, b)| a != b)
            .map(|(a, b)| format!("- {a}\n+ {b}"))
            .collect();
        panic!(
            "the rendered schema builds a different catalog ({} vs {} lines):\n{}\n\nSQL:\n{sql}",
            want.lines().count(),
            got.lines().count(),
            diff.join("\n")
        );
    }
    sql
}

// ---------------------------------------------------------------------------------
// 1. TypeORM renameTable renames what carries its default names.

// The same files tests/e2e_typeorm.rs lets TypeORM itself run.
const RENAME_TABLE_TS: &str =
    include_str!("fixtures/typeorm_rename_table/1700000000000-Subscription.ts");
const RENAME_TABLE_2_TS: &str =
    include_str!("fixtures/typeorm_rename_table/1700000000001-RenameSubscription.ts");

#[test]
fn typeorm_rename_table_renames_its_default_named_index_sequence_and_enum() {
    use migguard::schema::naming::{typeorm_index, typeorm_pk};
    // The index name in the issue is the naming strategy's: the rename must follow it.
    assert_eq!(
        typeorm_index("subscription", &["entity".into()], None),
        "IDX_cb98de07e0868a9951e4d9b353"
    );
    let id = ["id".to_string()];
    let (old_pk, new_pk) = (
        typeorm_pk("subscription", &id),
        typeorm_pk("entity_subscription", &id),
    );
    assert_eq!(old_pk, "PK_8c3e00ebd02103caa1174cd5d9d");
    let new_idx = typeorm_index("entity_subscription", &["entity".into()], None);
    // What PostgresQueryRunner.renameTable (TypeORM 0.3) sends: the table, the PK
    // (default name), the serial's sequence, the default-named UNIQUE (the one here has
    // a user name: not renamed), default-named indexes, the enum type of each enum
    // column without an explicit enumName.
    let rename = format!(
        r#"ALTER TABLE "subscription" RENAME TO "entity_subscription";
        ALTER TABLE "entity_subscription" RENAME CONSTRAINT "{old_pk}" TO "{new_pk}";
        ALTER SEQUENCE "subscription_id_seq" RENAME TO "entity_subscription_id_seq";
        ALTER INDEX "IDX_cb98de07e0868a9951e4d9b353" RENAME TO "{new_idx}";
        ALTER TYPE "public"."subscription_kind_enum" RENAME TO entity_subscription_kind_enum"#
    );
    let create = load_ts_sql(RENAME_TABLE_TS);
    let c = case(
        "fid_rename_table",
        &[
            ("1700000000000-Subscription.ts", RENAME_TABLE_TS),
            ("1700000000001-RenameSubscription.ts", RENAME_TABLE_2_TS),
        ],
        &[&create, &rename],
    );
    assert_no_drift(&c);
    assert_schema_sql_rebuilds_truth(&c, "fid_rename_table_sql");
}

/// The SQL strings of a TypeORM migration's `query(…)` calls, one script.
fn load_ts_sql(ts: &str) -> String {
    ts.lines()
        .filter_map(|l| {
            let start = l.find("query(`")? + 7;
            let end = l.rfind("`)")?;
            Some(format!("{};", &l[start..end]))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

// ---------------------------------------------------------------------------------
// 2. Quoted literal defaults stay quoted.

#[test]
fn quoted_literal_defaults_rebuild_the_same_catalog() {
    let c = sql_case(
        "fid_quoted_defaults",
        &[(
            "1_init.up.sql",
            "CREATE TYPE tf AS ENUM ('12', '24');
             CREATE TABLE u (f tf NOT NULL DEFAULT '12', n numeric DEFAULT '0', i integer DEFAULT '7', b boolean DEFAULT 'true', m numeric DEFAULT 0);",
        )],
    );
    assert_no_drift(&c);
    assert_schema_sql_rebuilds_truth(&c, "fid_quoted_defaults_sql");
}

// ---------------------------------------------------------------------------------
// 3. Quoted identifiers inside expressions keep their case.

#[test]
fn expressions_keep_quoted_identifiers() {
    let c = sql_case(
        "fid_quoted_idents",
        &[(
            "1_init.up.sql",
            r#"CREATE TABLE s ("pluginId" integer NOT NULL, "subscriberId" integer, CONSTRAINT s_ck CHECK ("pluginId" > 0));
               CREATE UNIQUE INDEX s_uq ON s ("pluginId") WHERE "subscriberId" IS NOT NULL;
               CREATE INDEX s_expr ON s (("pluginId" + 1));"#,
        )],
    );
    assert_no_drift(&c);
    assert_schema_sql_rebuilds_truth(&c, "fid_quoted_idents_sql");
}

#[test]
fn identifier_case_inside_expressions_is_compared() {
    // The migrations say "subscriberId"; the live index reads another column that
    // only differs in case: that is drift, not equality.
    let c = sql_case(
        "fid_ident_case",
        &[(
            "1_init.up.sql",
            r#"CREATE TABLE s ("pluginId" integer, "subscriberId" integer, subscriberid integer);
               CREATE UNIQUE INDEX s_uq ON s ("pluginId") WHERE "subscriberId" IS NOT NULL;"#,
        )],
    );
    c.truth.execute(
        r#"DROP INDEX s_uq; CREATE UNIQUE INDEX s_uq ON s ("pluginId") WHERE subscriberid IS NOT NULL"#,
    );
    let found = differences(&replayed(&c), &introspect(&c.truth.url));
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with("index-mismatch public.s_uq"),
        "{found:?}"
    );
}

// ---------------------------------------------------------------------------------
// 4. Casts inside index expressions are kept.

#[test]
fn casts_inside_index_expressions_are_kept() {
    let c = sql_case(
        "fid_index_cast",
        &[(
            "1_init.up.sql",
            "CREATE TABLE task (id serial PRIMARY KEY, extra_attrs json, created timestamp);
             CREATE INDEX task_k ON task USING gin ((extra_attrs::jsonb -> 'k'));
             CREATE INDEX task_day ON task ((created::date));",
        )],
    );
    assert_no_drift(&c);
    assert_schema_sql_rebuilds_truth(&c, "fid_index_cast_sql");
}

// ---------------------------------------------------------------------------------
// 5. A renamed sequence is what nextval defaults use.

#[test]
fn renamed_sequence_follows_into_defaults() {
    let c = sql_case(
        "fid_seq_rename",
        &[
            (
                "1_init.up.sql",
                "CREATE TABLE person (_id serial PRIMARY KEY, name text);",
            ),
            (
                "2_rename.up.sql",
                "ALTER TABLE person RENAME COLUMN _id TO id;
                 ALTER SEQUENCE person__id_seq RENAME TO person_id_seq;",
            ),
        ],
    );
    assert_no_drift(&c);
    assert_schema_sql_rebuilds_truth(&c, "fid_seq_rename_sql");
}

// ---------------------------------------------------------------------------------
// 6. A renamed enum label is what defaults use.

#[test]
fn renamed_enum_label_follows_into_defaults() {
    let c = sql_case(
        "fid_enum_label",
        &[
            (
                "1_init.up.sql",
                "CREATE TYPE mode AS ENUM ('require_application', 'open');
                 CREATE TABLE club (m mode NOT NULL DEFAULT 'require_application', ms mode[] DEFAULT '{require_application}');",
            ),
            (
                "2_rename.up.sql",
                "ALTER TYPE mode RENAME VALUE 'require_application' TO 'RequireApplication';",
            ),
        ],
    );
    assert_no_drift(&c);
    assert_schema_sql_rebuilds_truth(&c, "fid_enum_label_sql");
}

// ---------------------------------------------------------------------------------
// 7. A NULL default is no default.

#[test]
fn null_default_is_no_default() {
    let c = sql_case(
        "fid_null_default",
        &[(
            "1_init.up.sql",
            "CREATE TABLE account (salt varchar(40) DEFAULT NULL, n integer DEFAULT NULL::integer);",
        )],
    );
    assert_no_drift(&c);
}

// ---------------------------------------------------------------------------------
// 8. Extension types.

#[test]
fn extension_types_compare_equal_qualified_or_not() {
    let c = sql_case(
        "fid_ext_type",
        &[(
            "1_init.up.sql",
            "CREATE EXTENSION IF NOT EXISTS ltree;
             CREATE EXTENSION IF NOT EXISTS citext;
             CREATE TABLE c (path ltree, paths ltree[], email citext, p2 public.ltree);",
        )],
    );
    assert_no_drift(&c);
    assert_schema_sql_rebuilds_truth(&c, "fid_ext_type_sql");
}

// ---------------------------------------------------------------------------------
// 9. Interval literals compare as PostgreSQL stores them.

#[test]
fn interval_literals_are_normalised() {
    let c = sql_case(
        "fid_interval",
        &[(
            "1_init.up.sql",
            "CREATE TABLE job (
                run_at timestamptz DEFAULT (now() - (random() * (interval '12 months'))),
                every interval DEFAULT '90 minutes',
                grace interval DEFAULT '36 hours'::interval,
                keep interval NOT NULL DEFAULT interval '1 day');",
        )],
    );
    assert_no_drift(&c);
    assert_schema_sql_rebuilds_truth(&c, "fid_interval_sql");
}

// ---------------------------------------------------------------------------------
// 10. Tables created AS / TEMPORARY and dropped later are nowhere.

#[test]
fn dropped_ctas_and_temporary_tables_are_not_unverifiable() {
    let c = sql_case(
        "fid_ctas_dropped",
        &[
            ("1_init.up.sql", "CREATE TABLE src (id integer, v text);"),
            (
                "2_copy.up.sql",
                "CREATE TABLE backup_src AS SELECT id, v FROM src;
                 CREATE TEMPORARY TABLE tmp_ids (id integer);
                 INSERT INTO tmp_ids SELECT id FROM src;
                 DROP TABLE tmp_ids;
                 DROP TABLE backup_src;",
            ),
        ],
    );
    assert_no_drift(&c);
    let model = replayed(&c);
    assert!(model.uncertain.is_empty(), "{:?}", model.uncertain);
}

// ---------------------------------------------------------------------------------
// 11. Sequences: ALTER SEQUENCE is replayed, and attributes are compared.

#[test]
fn alter_sequence_options_are_replayed() {
    let c = sql_case(
        "fid_seq_alter",
        &[
            (
                "1_init.up.sql",
                "CREATE TABLE item (id serial PRIMARY KEY);
                 CREATE SEQUENCE counter AS integer INCREMENT BY 5 CYCLE;",
            ),
            (
                "2_widen.up.sql",
                "ALTER TABLE item ALTER COLUMN id TYPE bigint;
                 ALTER SEQUENCE item_id_seq AS bigint MAXVALUE 9007199254740991;
                 ALTER SEQUENCE counter NO CYCLE INCREMENT BY 2 MINVALUE 10 START WITH 10 RESTART WITH 10;",
            ),
        ],
    );
    assert_no_drift(&c);
    assert_schema_sql_rebuilds_truth(&c, "fid_seq_alter_sql");
}

#[test]
fn sequence_attributes_are_compared() {
    // The migration widens the sequence; the live one is still integer: the
    // int4-exhaustion case the migration exists to fix is drift. So is an owner
    // the migrations never gave.
    let c = case(
        "fid_seq_compare",
        &[(
            "1_init.up.sql",
            "CREATE SEQUENCE s AS bigint; CREATE TABLE o (id integer); CREATE SEQUENCE mine;",
        )],
        &[
            "CREATE SEQUENCE s AS integer; CREATE TABLE o (id integer); \
           CREATE SEQUENCE mine OWNED BY o.id;",
        ],
    );
    let found = differences(&replayed(&c), &introspect(&c.truth.url));
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(
        found[0].starts_with("sequence-mismatch public.mine"),
        "{found:?}"
    );
    assert!(found[0].contains("OWNED BY public.o.id"), "{found:?}");
    assert!(
        found[1].starts_with("sequence-mismatch public.s"),
        "{found:?}"
    );
    assert!(
        found[1].contains("AS bigint") && found[1].contains("AS integer"),
        "{found:?}"
    );
}

// ---------------------------------------------------------------------------------
// 12. CREATE TABLE AS: columns derived, or the SQL never fails.

#[test]
fn ctas_columns_are_derived_and_the_sql_applies() {
    let c = sql_case(
        "fid_ctas",
        &[
            (
                "1_init.up.sql",
                "CREATE TABLE src (id integer NOT NULL, v varchar(20), w text);",
            ),
            (
                "2_copy.up.sql",
                "CREATE TABLE t AS SELECT id, v FROM src;
                 ALTER TABLE t ADD PRIMARY KEY (id);",
            ),
        ],
    );
    assert_no_drift(&c);
    assert_schema_sql_rebuilds_truth(&c, "fid_ctas_sql");
}

// ---------------------------------------------------------------------------------
// 13. Run-time parts are left out of `schema --format sql`, with a comment.

const DYNAMIC_TS: &str = r#"import { MigrationInterface, QueryRunner } from "typeorm";

export class Settings1700000000000 implements MigrationInterface {
    name = 'Settings1700000000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "settings" ("id" integer NOT NULL, "lang" character varying NOT NULL DEFAULT '${process.env.LANG}', CONSTRAINT "PK_settings" PRIMARY KEY ("id"))`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {}
}
"#;

#[test]
fn schema_sql_leaves_run_time_parts_out_with_a_comment() {
    let dir = project(&[("1700000000000-Settings.ts", DYNAMIC_TS)]);
    let r = run_in(
        dir.path(),
        &["schema", dir.path().to_str().unwrap(), "--format", "sql"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stdout.contains("__migguard_dynamic"), "{}", r.stdout);
    assert!(
        r.stdout.lines().any(|l| l.trim_start().starts_with("--")
            && l.contains("public.settings.lang")
            && l.contains("Settings1700000000000")),
        "{}",
        r.stdout
    );
    let db = cluster().create_database("fid_dynamic_sql");
    db.execute(&r.stdout);
    assert_eq!(
        db.query("SELECT count(*) FROM information_schema.columns WHERE table_name = 'settings'")
            .trim(),
        "2"
    );
}

// ---------------------------------------------------------------------------------
// 14. A migration that alters its own ledger table.

#[test]
fn a_migration_altering_its_ledger_gets_no_warning() {
    let dir = project(&[
        ("1_init.up.sql", "CREATE TABLE a (id integer);"),
        (
            "2_ledger.up.sql",
            "ALTER TABLE schema_migrations ADD COLUMN applied_at timestamptz DEFAULT now();",
        ),
    ]);
    let r = run_in(
        dir.path(),
        &["schema", dir.path().to_str().unwrap(), "--format", "sql"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stderr.contains("schema_migrations"), "{}", r.stderr);
    assert!(
        r.stdout.contains("CREATE TABLE \"public\".\"a\""),
        "{}",
        r.stdout
    );
    // And drift against a database golang-migrate-style built is clean.
    let db = cluster().create_database("fid_ledger");
    db.execute(
        "CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL);
         CREATE TABLE a (id integer);
         ALTER TABLE schema_migrations ADD COLUMN applied_at timestamptz DEFAULT now();
         INSERT INTO schema_migrations (version, dirty) VALUES (2, false);",
    );
    let r = run_json_on_db(
        dir.path(),
        &["drift", dir.path().to_str().unwrap()],
        &db.url,
    );
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(!r.stderr.contains("schema_migrations"), "{}", r.stderr);
}

#[test]
fn ctas_columns_that_cannot_be_derived_are_left_out_and_unverifiable() {
    let c = sql_case(
        "fid_ctas_computed",
        &[
            ("1_init.up.sql", "CREATE TABLE src (id integer, v text);"),
            (
                "2_agg.up.sql",
                "CREATE TABLE agg AS SELECT count(*) AS n FROM src;
                 ALTER TABLE agg ADD PRIMARY KEY (n);
                 CREATE INDEX agg_n ON agg (n);",
            ),
        ],
    );
    let found = differences(&replayed(&c), &introspect(&c.truth.url));
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].starts_with("unverifiable public.agg"), "{found:?}");
    let sql = schema_sql(&c);
    assert!(
        sql.lines()
            .any(|l| l.starts_with("-- public.agg: the table") && l.contains("2_agg")),
        "{sql}"
    );
    let db = cluster().create_database("fid_ctas_computed_sql");
    db.execute(&sql);
    assert_eq!(
        db.query("SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class WHERE relnamespace = 'public'::regnamespace").trim(),
        "src"
    );
}

// ---------------------------------------------------------------------------------
// Field trial (marquez): a default whose top level is not a plain term (`AT TIME ZONE`,
// `IS NULL`, an operator) needs its parentheses in `CREATE TABLE … DEFAULT (…)`,
// whose grammar takes only a restricted expression there.

#[test]
fn defaults_that_need_parentheses_keep_them_in_schema_sql() {
    let c = sql_case(
        "fid_default_parens",
        &[(
            "1_init.up.sql",
            "CREATE TABLE le (id int, created_at timestamptz);
             ALTER TABLE le ALTER COLUMN created_at SET DEFAULT (now() AT TIME ZONE 'UTC')::timestamptz;
             CREATE TABLE le2 (id int, t timestamp DEFAULT (now() AT TIME ZONE 'UTC'), flag boolean DEFAULT (1 IS NULL));",
        )],
    );
    assert_no_drift(&c);
    assert_schema_sql_rebuilds_truth(&c, "fid_default_parens_sql");
}

// ---------------------------------------------------------------------------------
// Issue 11 follow-up (field trials): function attributes sqlparser cannot read.

const COSTLY_FUNCTIONS: &str = "CREATE FUNCTION hot_rank(score numeric, published timestamptz)
    RETURNS integer LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE COST 5
    AS $$ BEGIN RETURN floor(10000 * log(greatest(1, score + 3))); END; $$;
CREATE OR REPLACE FUNCTION ids() RETURNS SETOF integer LANGUAGE sql ROWS 10 LEAKPROOF
    SECURITY DEFINER SET search_path = public, pg_temp SET work_mem = '64MB'
    AS $$ SELECT 1 $$;
CREATE FUNCTION plain() RETURNS integer LANGUAGE sql SET search_path = '' AS $$ SELECT 1 $$;";

#[test]
fn function_cost_rows_leakproof_and_settings_are_read_compared_and_rendered() {
    let c = sql_case("fid_fn_cost", &[("1_init.up.sql", COSTLY_FUNCTIONS)]);
    let model = replayed(&c);
    assert!(model.uncertain.is_empty(), "{:?}", model.uncertain);
    assert_no_drift(&c);
    assert_schema_sql_rebuilds_truth(&c, "fid_fn_cost_sql");
    // A hand change of any of them is drift.
    c.truth.execute(
        "ALTER FUNCTION hot_rank(numeric, timestamptz) COST 50;
         ALTER FUNCTION ids() RESET search_path;
         ALTER FUNCTION plain() LEAKPROOF;",
    );
    let found = differences(&replayed(&c), &introspect(&c.truth.url));
    assert_eq!(found.len(), 3, "{found:#?}");
    assert!(found.iter().any(|d| d.contains("COST 50")), "{found:#?}");
}

#[test]
fn an_unreadable_routine_statement_is_named_by_its_start() {
    // `WINDOW` is rare enough to stay unread: the reason must say which
    // routine, not "CREATE OR in …".
    // (Replay only: PostgreSQL refuses a `LANGUAGE sql` window function anyway.)
    let dir = project(&[(
        "1_init.up.sql",
        "CREATE OR REPLACE FUNCTION public.odd(a integer) RETURNS integer LANGUAGE sql
             WINDOW AS $$ SELECT 1 $$;",
    )]);
    let migrations = load(dir.path());
    let refs: Vec<&Migration> = migrations.iter().collect();
    let (model, _) = migguard::schema::replay::replay(&refs, "public");
    let reasons: Vec<&String> = model.uncertain.values().flatten().collect();
    assert!(
        reasons
            .iter()
            .any(|r| r.starts_with("CREATE OR REPLACE FUNCTION public.odd in 1_init")),
        "{reasons:?}"
    );
}

#[test]
fn function_argument_defaults_are_compared_and_rendered() {
    let c = sql_case(
        "fid_fn_defaults",
        &[(
            "1_init.up.sql",
            "CREATE FUNCTION nanoid(size int DEFAULT 21, alphabet text DEFAULT '_-0123456789abc',
                                    OUT id text)
                 LANGUAGE sql VOLATILE AS $$ SELECT left(alphabet, size) $$;
             CREATE FUNCTION later(a int, since timestamptz DEFAULT now(), n numeric = 0)
                 RETURNS integer LANGUAGE sql AS $$ SELECT a $$;",
        )],
    );
    assert_no_drift(&c);
    assert_schema_sql_rebuilds_truth(&c, "fid_fn_defaults_sql");
    c.truth.execute(
        "CREATE OR REPLACE FUNCTION later(a int, since timestamptz DEFAULT now(), n numeric = 1)
             RETURNS integer LANGUAGE sql AS $$ SELECT a $$;",
    );
    let found = differences(&replayed(&c), &introspect(&c.truth.url));
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(found[0].contains("later"), "{found:#?}");
}

#[test]
fn index_storage_parameters_are_compared_and_rendered() {
    let c = sql_case(
        "fid_index_with",
        &[(
            "1_init.up.sql",
            "CREATE TABLE v (id int, at timestamptz, tags int[]);
             CREATE INDEX v_at ON v USING brin (at) WITH (pages_per_range='1');
             CREATE INDEX v_id ON v (id) WITH (FillFactor = 80, deduplicate_items = OFF);
             CREATE INDEX v_tags ON v USING gin (tags) WITH (fastupdate);",
        )],
    );
    assert_no_drift(&c);
    assert_schema_sql_rebuilds_truth(&c, "fid_index_with_sql");
    c.truth.execute("ALTER INDEX v_id SET (fillfactor = 90)");
    let found = differences(&replayed(&c), &introspect(&c.truth.url));
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(found[0].contains("fillfactor='90'"), "{found:#?}");
}

#[test]
fn temporary_tables_left_to_the_session_end_are_not_in_the_schema() {
    // lemmy: a TEMP table built AS a query, filled, read, and never dropped (it goes
    // when the session ends).
    let c = sql_case(
        "fid_temp_kept",
        &[
            (
                "1_init.up.sql",
                "CREATE TABLE comment (id integer PRIMARY KEY, path text);",
            ),
            (
                "2_copy.up.sql",
                "CREATE TEMP TABLE comment_temp AS SELECT id, path FROM comment;
                 CREATE INDEX idx_comment_temp_path ON comment_temp (path);
                 ALTER TABLE comment_temp ADD COLUMN depth integer;
                 UPDATE comment_temp SET depth = 1;
                 CREATE TEMPORARY TABLE ids (id integer) ON COMMIT DROP;
                 ALTER TABLE comment ADD COLUMN depth integer;",
            ),
        ],
    );
    let model = replayed(&c);
    assert!(model.uncertain.is_empty(), "{:?}", model.uncertain);
    assert!(
        !model
            .tables
            .keys()
            .any(|t| t.name.contains("temp") || t.name == "ids"),
        "{:?}",
        model.tables.keys()
    );
    assert!(model.indexes.is_empty(), "{:?}", model.indexes.keys());
    assert_no_drift(&c);
    assert_schema_sql_rebuilds_truth(&c, "fid_temp_kept_sql");
}

#[test]
fn a_literal_default_keeps_its_old_type_through_a_type_change() {
    // crates.io: PostgreSQL keeps the default typed as it was written for the old
    // column type (`'…'::timestamp without time zone`) and casts at insert time in the
    // session's time zone; rendering the bare literal on the new `timestamptz` column
    // would fix one instant instead.
    let c = sql_case(
        "fid_default_retype",
        &[
            (
                "1_init.up.sql",
                "CREATE TABLE crates (id int, checked_at timestamp DEFAULT '1970-01-01 00:00:00',
                                      code varchar(10) DEFAULT 'x', n bigint DEFAULT '0',
                                      tags integer[] DEFAULT '{}');",
            ),
            (
                "2_retype.up.sql",
                "ALTER TABLE crates ALTER COLUMN checked_at TYPE timestamptz,
                                    ALTER COLUMN code TYPE text,
                                    ALTER COLUMN n TYPE integer,
                                    ALTER COLUMN tags TYPE bigint[];",
            ),
        ],
    );
    assert_no_drift(&c);
    let sql = assert_schema_sql_rebuilds_truth(&c, "fid_default_retype_sql");
    assert!(
        sql.contains("'1970-01-01 00:00:00'::timestamp without time zone"),
        "{sql}"
    );
}

#[test]
fn extension_versions_pinned_by_migrations_and_schemas_are_compared() {
    let c = sql_case(
        "fid_ext_version",
        &[
            (
                "1_init.up.sql",
                "CREATE SCHEMA ext;
                 CREATE EXTENSION IF NOT EXISTS citext VERSION '1.4';
                 CREATE EXTENSION hstore SCHEMA ext VERSION '1.4';
                 CREATE EXTENSION ltree VERSION '1.1';",
            ),
            (
                "2_update.up.sql",
                "ALTER EXTENSION citext UPDATE TO '1.5';
                 ALTER EXTENSION ltree UPDATE;",
            ),
        ],
    );
    let model = replayed(&c);
    assert!(model.uncertain.is_empty(), "{:?}", model.uncertain);
    assert_eq!(model.extensions["citext"].version.as_deref(), Some("1.5"));
    // `UPDATE` without `TO` goes to the default version of whatever the server has.
    assert_eq!(model.extensions["ltree"].version, None);
    assert_no_drift(&c);
    c.truth.execute(
        "ALTER EXTENSION citext UPDATE TO '1.6';
         ALTER EXTENSION hstore SET SCHEMA public;",
    );
    let found = differences(&replayed(&c), &introspect(&c.truth.url));
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(
        found.iter().all(|d| d.starts_with("extension-mismatch")),
        "{found:#?}"
    );
}

// ---------------------------------------------------------------------------------
// Issue 16 (identifier-too-long): PostgreSQL truncates a name longer than 63 bytes on
// a character boundary (with a NOTICE). Replay keeps the name PostgreSQL keeps, for
// SQL and for the names TypeORM builder calls pass through verbatim, so a long name is
// no drift.

/// 70 bytes of ASCII.
const LONG_TABLE: &str = "customer_acquisition_channel_attribution_first_touch_campaign_records";
const LONG_COLUMN: &str = "first_touch_campaign_name_as_reported_by_the_attribution_provider_api";
/// 35 two-byte characters: 70 bytes, cut inside the 32nd character (byte 63).
fn long_multibyte() -> String {
    "é".repeat(35)
}

#[test]
fn long_sql_identifiers_are_truncated_like_postgresql_does() {
    assert!(LONG_TABLE.len() > 63 && LONG_COLUMN.len() > 63);
    let wide = long_multibyte();
    let sql = format!(
        r#"CREATE TABLE "{LONG_TABLE}" (id bigint PRIMARY KEY, "{LONG_COLUMN}" text, "{wide}" int);
        CREATE INDEX "idx_{LONG_COLUMN}" ON "{LONG_TABLE}" ("{LONG_COLUMN}");
        ALTER TABLE "{LONG_TABLE}" ADD CONSTRAINT "key_{LONG_COLUMN}" UNIQUE ("{wide}");"#
    );
    let c = sql_case("fid_long_sql", &[("1_init.up.sql", &sql)]);
    assert_no_drift(&c);
    assert_schema_sql_rebuilds_truth(&c, "fid_long_sql_sql");
}

#[test]
fn long_typeorm_builder_names_are_truncated_like_postgresql_does() {
    let ts = format!(
        r#"import {{ MigrationInterface, QueryRunner, Table, TableColumn, TableIndex }} from "typeorm";

export class LongNames1700000000000 implements MigrationInterface {{
    public async up(queryRunner: QueryRunner): Promise<void> {{
        await queryRunner.createTable(new Table({{
            name: "{LONG_TABLE}",
            columns: [
                {{ name: "id", type: "bigint" }},
                {{ name: "{LONG_COLUMN}", type: "text", isNullable: true }},
            ],
        }}));
        await queryRunner.addColumn("{LONG_TABLE}", new TableColumn({{ name: "{wide}", type: "int", isNullable: true }}));
        await queryRunner.createIndex("{LONG_TABLE}", new TableIndex({{ name: "idx_{LONG_COLUMN}", columnNames: ["{LONG_COLUMN}"] }}));
    }}
    public async down(queryRunner: QueryRunner): Promise<void> {{}}
}}
"#,
        wide = long_multibyte()
    );
    // What PostgresQueryRunner (TypeORM 0.3) sends: the names as given, quoted.
    let wide = long_multibyte();
    let truth = format!(
        r#"CREATE TABLE "{LONG_TABLE}" ("id" bigint NOT NULL, "{LONG_COLUMN}" text);
        ALTER TABLE "{LONG_TABLE}" ADD "{wide}" int;
        CREATE INDEX "idx_{LONG_COLUMN}" ON "{LONG_TABLE}" ("{LONG_COLUMN}");"#
    );
    let c = case(
        "fid_long_typeorm",
        &[("1700000000000-LongNames.ts", &ts)],
        &[&truth],
    );
    assert_no_drift(&c);
}

/// Introspection prints a column default without its table as context (a default
/// cannot name a column, and the table context made `pg_get_expr` the costliest part
/// of the catalog read): every shape of default still reads as `pg_get_expr` with the
/// table prints it, and a generated column, which does name columns, keeps them.
#[test]
fn defaults_and_generated_columns_read_as_pg_get_expr_prints_them_with_the_table() {
    let sql = r#"CREATE TYPE mood AS ENUM ('ok', 'sad');
CREATE DOMAIN posint AS integer CHECK (VALUE > 0);
CREATE SEQUENCE "Odd Seq";
CREATE TABLE "Mixed Case" (
    id serial PRIMARY KEY,
    big bigint GENERATED BY DEFAULT AS IDENTITY,
    name varchar(50) DEFAULT 'v1',
    qty numeric(10,2) DEFAULT 1.5,
    tags text[] DEFAULT ARRAY['a', 'b'],
    ints int[] DEFAULT '{1,2}',
    at timestamptz DEFAULT now(),
    day date DEFAULT CURRENT_DATE + 1,
    m mood DEFAULT 'ok',
    p posint DEFAULT 3,
    odd bigint DEFAULT nextval('"Odd Seq"'),
    j jsonb DEFAULT '{"k": [1]}'::jsonb,
    u text DEFAULT upper('x' || 'y'),
    "Quoted Col" integer DEFAULT 7,
    total numeric GENERATED ALWAYS AS (qty * 2 + "Quoted Col") STORED,
    label text GENERATED ALWAYS AS (name || '-' || coalesce(u, '')) STORED
);"#;
    let c = sql_case("fid_default_shapes", &[("1_init.up.sql", sql)]);
    assert_no_drift(&c);

    let live = introspect(&c.truth.url);
    let table = &live.tables[&migguard::ir::QualifiedName::new("public", "Mixed Case")];
    // What PostgreSQL prints for each default / generation expression with the
    // table as context, one `name, generated, expression` line (tab-separated) per
    // column that has one.
    let printed = c.truth.query(
        "SELECT a.attname || chr(9) || a.attgenerated::text || chr(9) || pg_get_expr(d.adbin, d.adrelid)
           FROM pg_attribute a JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
          WHERE a.attrelid = 'public.\"Mixed Case\"'::regclass ORDER BY a.attnum",
    );
    let mut defaults = migguard::schema::normalize::DefaultCanon::new("public");
    let mut checked = 0;
    for line in printed.lines().filter(|l| !l.trim().is_empty()) {
        let mut parts = line.splitn(3, '\t');
        let (name, generated, expr) = (
            parts.next().unwrap(),
            parts.next().unwrap(),
            parts.next().unwrap(),
        );
        let column = table
            .columns
            .iter()
            .find(|col| col.name == name)
            .unwrap_or_else(|| panic!("column {name} introspected"));
        if generated.is_empty() {
            assert_eq!(column.default, defaults.get(Some(expr)), "{name}");
            assert_eq!(column.generated, None, "{name}");
        } else {
            assert_eq!(column.default, None, "{name}");
            assert_eq!(
                column.generated.as_deref(),
                Some(migguard::schema::normalize::canonical_expr(expr, "public").as_str()),
                "{name}"
            );
            assert!(
                column.generated.as_deref().unwrap().contains("qty")
                    || column.generated.as_deref().unwrap().contains("name"),
                "a generated column names its columns: {:?}",
                column.generated
            );
        }
        checked += 1;
    }
    // 13 defaults (the identity column has none) and 2 generated columns.
    assert_eq!(checked, 15, "{printed}");
}
