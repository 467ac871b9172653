//! Replay fidelity against real PostgreSQL: apply migrations with psql, introspect,
//! replay the same migrations offline, and require the two models to be equal.

mod support;
mod util;
use migguard::ir::{Migration, OpSource};
use migguard::schema::SchemaModel;
use support::pg::cluster;
use support::pg::introspect_public as introspect;
use util::*;

fn load(dir: &str) -> Vec<Migration> {
    let config = migguard::config::Config::default();
    migguard::project::load_project(&[repo_root().join(dir)], &config)
        .unwrap()
        .migrations
}

/// View SQL is not compared (PostgreSQL rewrites it); their names, kinds and output
/// columns are. Expressions compare as drift compares them (their keys).
fn comparable(m: SchemaModel) -> String {
    let mut m = m.compared_form();
    for v in m.views.values_mut() {
        v.definition = None;
    }
    // Whether a TOAST table exists is a fact of the live catalog only.
    for t in m.tables.values_mut() {
        t.storage.toast_table = None;
    }
    m.uncertain.clear();
    m.extensions.clear();
    format!("{m:#?}")
}

fn assert_same(expected: SchemaModel, live: SchemaModel) {
    let (e, l) = (comparable(expected), comparable(live));
    if e != l {
        let diff: Vec<String> = e
            .lines()
            .zip(l.lines())
            .filter(|(a, b)| a != b)
            .take(20)
            .map(|(a, b)| format!("- {a}\n+ {b}"))
            .collect();
        panic!(
            "replayed model (-) differs from the live schema (+):\n{}",
            diff.join("\n")
        );
    }
}

/// Field-trial bugs (misskey, marquez): each folder under tests/fixtures/field_fidelity
/// is applied to its own database; replay must equal the live schema, and the
/// `schema --format sql` output must apply and rebuild that same schema.
mod field_trials {
    use super::*;

    fn replays_to_the_live_schema_and_renders_sql_that_applies(folder: &str) -> SchemaModel {
        let dir = format!("tests/fixtures/field_fidelity/{folder}");
        let db = cluster().create_database(&format!("field_{folder}"));
        let migrations = load(&dir);
        assert!(!migrations.is_empty(), "no migrations in {dir}");
        for m in &migrations {
            db.execute(&std::fs::read_to_string(&m.file).unwrap());
        }
        let refs: Vec<&Migration> = migrations.iter().collect();
        let (expected, conflicts) = migguard::schema::replay::replay(&refs, "public");
        assert!(conflicts.is_empty(), "{conflicts:?}");
        assert_same(expected.clone(), introspect(&db.url));

        let work = tempfile::tempdir().unwrap();
        let dir_path = repo_root().join(&dir);
        let r = run_in(
            work.path(),
            &["schema", dir_path.to_str().unwrap(), "--format", "sql"],
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
        let rebuilt = cluster().create_database(&format!("field_{folder}_sql"));
        rebuilt.execute(&r.stdout);
        assert_same(expected.clone(), introspect(&rebuilt.url));
        expected
    }

    fn constraint_names(model: &SchemaModel, table: &str) -> Vec<String> {
        model.tables[&migguard::ir::QualifiedName::new("public", table)]
            .constraints
            .keys()
            .cloned()
            .collect()
    }

    #[test]
    fn create_table_keeps_one_of_duplicate_pk_and_unique_constraints() {
        let m =
            replays_to_the_live_schema_and_renders_sql_that_applies("duplicate_index_constraints");
        assert_eq!(
            constraint_names(&m, "user_keypair"),
            ["PK_f4853eb41ab722fe05f81cedeb6"]
        );
        assert_eq!(constraint_names(&m, "twin_unique"), ["first_u"]);
        assert_eq!(constraint_names(&m, "unnamed_pk"), ["named_u"]);
        assert_eq!(constraint_names(&m, "unnamed_unique"), ["later_name"]);
        assert_eq!(constraint_names(&m, "not_twins").len(), 6);
        assert_eq!(constraint_names(&m, "altered").len(), 3);
    }

    #[test]
    fn rename_column_follows_include_predicates_expressions_checks_and_fks() {
        let m = replays_to_the_live_schema_and_renders_sql_that_applies("rename_column_everywhere");
        let i = &m.indexes[&migguard::ir::QualifiedName::new("public", "jobs_symlinks")];
        assert_eq!(i.include, ["simple_name", "namespace_name"]);
    }

    #[test]
    fn composite_types_replay_render_and_introspect() {
        let m = replays_to_the_live_schema_and_renders_sql_that_applies("composite_types");
        let names: Vec<String> = m.composites.keys().map(|k| k.to_string()).collect();
        assert_eq!(names, ["public.Pair", "public.dataset_name"]);
        let pair = &m.composites[&migguard::ir::QualifiedName::new("public", "Pair")];
        let shape: Vec<(&str, &str)> = pair
            .attributes
            .iter()
            .map(|a| (a.name.as_str(), a.data_type.as_str()))
            .collect();
        assert_eq!(
            shape,
            [
                ("a", "integer"),
                ("b", "numeric(10,2)"),
                ("tags", "text[]"),
                ("at", "timestamp with time zone")
            ]
        );
    }

    #[test]
    fn constraint_using_index_owns_the_index_it_was_built_from() {
        let m = replays_to_the_live_schema_and_renders_sql_that_applies("constraint_using_index");
        assert!(m.indexes.is_empty(), "{:?}", m.indexes.keys());
        assert_eq!(
            constraint_names(&m, "jobs"),
            ["jobs_uuid_unique", "unique_jobs_namespace_uuid_name_parent"]
        );
        assert_eq!(constraint_names(&m, "runs"), ["runs_id_idx"]);
        assert_eq!(constraint_names(&m, "tags"), ["tags_label_uq"]);
    }
}

#[test]
fn sql_migrations_replay_to_the_live_schema() {
    let db = cluster().create_database("fid_sql");
    let migrations = load("tests/fixtures/fidelity");
    for m in &migrations {
        db.execute(&std::fs::read_to_string(&m.file).unwrap());
    }
    let refs: Vec<&Migration> = migrations.iter().collect();
    let (expected, conflicts) = migguard::schema::replay::replay(&refs, "public");
    assert!(conflicts.is_empty(), "{conflicts:?}");
    // Not two empty models: the objects the migrations leave behind are all there.
    assert_eq!(expected.tables.len(), 11);
    assert_eq!(expected.indexes.len(), 8);
    assert_eq!(expected.views.len(), 8);
    // Every view's columns were named, so the comparison below checks them too.
    assert!(
        expected.views.values().all(|v| v.columns.is_some()),
        "{:?}",
        expected.views
    );
    let labels = |name: &str| {
        expected.enums[&migguard::ir::QualifiedName::new("public", name)]
            .labels
            .len()
    };
    assert_eq!((labels("order_status_enum"), labels("place_kind")), (4, 2));
    assert_eq!(expected.sequences.len(), 4);
    assert_same(expected, introspect(&db.url));
}

#[test]
fn typeorm_raw_sql_migrations_replay_to_the_live_schema() {
    // The SQL TypeORM would send: every op of the fixture migrations that came from
    // query(…) strings, statement by statement (CONCURRENTLY needs its own statement).
    let db = cluster().create_database("fid_ts");
    let migrations: Vec<Migration> = load("fixtures/src/migrations")
        .into_iter()
        .filter(|m| m.up.iter().all(|o| o.source == OpSource::Sql))
        .collect();
    assert_eq!(migrations.len(), 3);
    for m in &migrations {
        let mut last = String::new();
        for op in &m.up {
            if op.text != last {
                db.execute(&op.text);
                last = op.text.clone();
            }
        }
    }
    let refs: Vec<&Migration> = migrations.iter().collect();
    let (expected, conflicts) = migguard::schema::replay::replay(&refs, "public");
    assert!(conflicts.is_empty(), "{conflicts:?}");
    assert_same(expected, introspect(&db.url));
}

#[test]
fn schema_sql_output_applies_and_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let r = run_in(
        dir.path(),
        &[
            "schema",
            repo_root()
                .join("tests/fixtures/fidelity")
                .to_str()
                .unwrap(),
            "--format",
            "sql",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let db = cluster().create_database("fid_roundtrip");
    db.execute(&r.stdout);
    let migrations = load("tests/fixtures/fidelity");
    let refs: Vec<&Migration> = migrations.iter().collect();
    let (expected, _) = migguard::schema::replay::replay(&refs, "public");
    assert_same(expected, introspect(&db.url));
    let r = run_in(
        dir.path(),
        &[
            "schema",
            repo_root()
                .join("tests/fixtures/fidelity")
                .to_str()
                .unwrap(),
            "--format",
            "json",
        ],
    );
    let v = r.json();
    assert_eq!(v["schema_version"], 1);
    assert!(
        v["tables"]["public.order"]["columns"]
            .as_array()
            .unwrap()
            .len()
            == 6
    );
}

/// Apply `sql` (one migration file) with psql and require the offline replay of the
/// same file to equal the live schema, with no conflicts.
fn assert_replays_like_postgres(prefix: &str, sql: &str) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("0001_case.sql"), sql).unwrap();
    let db = cluster().create_database(prefix);
    db.execute(sql);
    let migrations = load(dir.path().to_str().unwrap());
    let refs: Vec<&Migration> = migrations.iter().collect();
    let (expected, conflicts) = migguard::schema::replay::replay(&refs, "public");
    assert!(conflicts.is_empty(), "{conflicts:?}");
    assert_same(expected, introspect(&db.url));
}

/// Bug K: `ADD CONSTRAINT … PRIMARY KEY / UNIQUE USING INDEX idx` takes the index's
/// columns, and PostgreSQL renames the index to the constraint's name (so it is no
/// longer a standalone index under its old name).
#[test]
fn constraint_using_index_takes_the_index() {
    assert_replays_like_postgres(
        "fid_using_index",
        "CREATE TABLE vd (id serial PRIMARY KEY, version_id int NOT NULL, date date NOT NULL);\n\
         CREATE UNIQUE INDEX vd_unique ON vd (version_id, date);\n\
         ALTER TABLE vd DROP CONSTRAINT vd_pkey, ADD CONSTRAINT vd_pkey PRIMARY KEY USING INDEX vd_unique, DROP COLUMN id;\n\
         CREATE TABLE u (a int, b int);\n\
         CREATE UNIQUE INDEX u_a_idx ON u (a) NULLS NOT DISTINCT;\n\
         ALTER TABLE u ADD CONSTRAINT u_a_uq UNIQUE USING INDEX u_a_idx;\n\
         CREATE UNIQUE INDEX u_b_idx ON u (b);\n\
         ALTER TABLE u ADD UNIQUE USING INDEX u_b_idx;\n",
    );
}

/// Bug M: PostgreSQL names an unnamed index's expression column after the function
/// it calls (FigureColname), `expr` for other expressions.
#[test]
fn unnamed_expression_indexes_get_postgres_names() {
    assert_replays_like_postgres(
        "fid_expr_names",
        "CREATE FUNCTION canon(text) RETURNS text AS $$ SELECT lower($1) $$ LANGUAGE sql IMMUTABLE;\n\
         CREATE TABLE r (name text PRIMARY KEY, n int);\n\
         CREATE UNIQUE INDEX ON r (canon(name));\n\
         CREATE INDEX ON r (lower(name), (name || 'x'));\n\
         CREATE INDEX ON r ((n::text));\n\
         CREATE INDEX ON r ((CAST(n AS bigint)));\n\
         CREATE INDEX ON r ((n + 1), name);\n\
         CREATE INDEX ON r (public.canon(name));\n\
         CREATE INDEX ON r ((coalesce(name, 'x')));\n\
         CREATE INDEX ON r ((CASE WHEN n > 0 THEN 1 ELSE 0 END));\n\
         CREATE INDEX ON r ((CASE WHEN n > 0 THEN 1 ELSE n END));\n\
         CREATE INDEX ON r ((lower(name)::varchar));\n\
         CREATE INDEX ON r ((n + 1)) INCLUDE (name);\n\
         CREATE INDEX ON r (((n + 1)::bigint), (n * 2), ('a'::text || name));\n\
         CREATE INDEX ON r ((n IS NULL));\n",
    );
}

/// Bug N: dropping `vd.id` leaves a view that reads `versions.id` (another table).
#[test]
fn dropping_a_column_keeps_views_reading_a_same_named_column_elsewhere() {
    assert_replays_like_postgres(
        "fid_view_other_table",
        "CREATE TABLE versions (id int PRIMARY KEY, crate_id int);\n\
         CREATE TABLE vd (id int PRIMARY KEY, version_id int, downloads int);\n\
         CREATE VIEW recent (crate_id, downloads) AS SELECT crate_id, SUM(vd.downloads) FROM vd\n\
           INNER JOIN versions ON vd.version_id = versions.id GROUP BY crate_id;\n\
         ALTER TABLE vd DROP COLUMN id;\n",
    );
}
