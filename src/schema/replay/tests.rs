//! Replay on SQL read by the real reader.

use super::*;
use crate::parse::sql::read_sql_file;
use crate::parse::ReadOptions;
use crate::source::SourceFile;

fn migs(files: &[(&str, &str)]) -> Vec<Migration> {
    files
        .iter()
        .flat_map(|(p, sql)| {
            read_sql_file(
                &SourceFile::new((*p).into(), sql.to_string()),
                &ReadOptions::default(),
            )
        })
        .collect()
}

fn run(files: &[(&str, &str)]) -> (SchemaModel, Vec<Conflict>) {
    let ms = migs(files);
    let refs: Vec<&Migration> = ms.iter().collect();
    replay(&refs, "public")
}

#[test]
fn serial_pk_and_defaults() {
    let (m, c) = run(&[("0001_a.sql", "CREATE TABLE t (id serial PRIMARY KEY, name varchar(20) NOT NULL DEFAULT 'x', n int DEFAULT '1')")]);
    assert!(c.is_empty(), "{c:?}");
    let t = &m.tables[&QualifiedName::new("public", "t")];
    assert_eq!(t.columns[0].data_type, "integer");
    assert_eq!(t.columns[0].default.as_deref(), Some("nextval('t_id_seq')"));
    assert!(t.constraints.contains_key("t_pkey"));
    assert_eq!(t.columns[1].data_type, "character varying(20)");
    assert_eq!(t.columns[1].default.as_deref(), Some("'x'"));
    assert_eq!(t.columns[2].default.as_deref(), Some("1"));
    assert!(m
        .sequences
        .contains_key(&QualifiedName::new("public", "t_id_seq")));
}

#[test]
fn rename_chain_and_drop_cascade_of_dependents() {
    let (m, c) = run(&[
        ("0001_a.sql", "CREATE TABLE a (id int PRIMARY KEY, code text); CREATE INDEX a_code ON a (code); CREATE TABLE b (id int, a_id int REFERENCES a (id))"),
        ("0002_b.sql", "ALTER TABLE a RENAME COLUMN code TO sku; ALTER TABLE a RENAME TO items; ALTER TABLE items DROP COLUMN sku"),
    ]);
    assert!(c.is_empty(), "{c:?}");
    assert!(m
        .tables
        .contains_key(&QualifiedName::new("public", "items")));
    assert!(
        m.indexes.is_empty(),
        "index on the dropped column must go: {:?}",
        m.indexes
    );
    let b = &m.tables[&QualifiedName::new("public", "b")];
    let fk = b.constraints.values().next().unwrap();
    assert!(
        matches!(&fk.kind, ConstraintKind::ForeignKey { ref_table, .. } if ref_table.name == "items")
    );
}

#[test]
fn conflicts_are_reported_not_applied() {
    let (_, c) = run(&[(
        "0001_a.sql",
        "CREATE TABLE a (id int); ALTER TABLE a DROP COLUMN nope; ALTER TABLE a ADD COLUMN id int",
    )]);
    assert_eq!(c.len(), 2, "{c:?}");
    assert_eq!(c[0].migration, "0001_a");
}

#[test]
fn enum_rebuild() {
    let (m, c) = run(&[
        ("0001_a.sql", "CREATE TYPE mood AS ENUM ('a', 'b'); CREATE TABLE t (m mood NOT NULL DEFAULT 'a')"),
        ("0002_b.sql", "ALTER TYPE mood RENAME TO mood_old; CREATE TYPE mood AS ENUM ('a', 'c'); ALTER TABLE t ALTER COLUMN m DROP DEFAULT; ALTER TABLE t ALTER COLUMN m TYPE mood USING m::text::mood; ALTER TABLE t ALTER COLUMN m SET DEFAULT 'a'; DROP TYPE mood_old"),
    ]);
    assert!(c.is_empty(), "{c:?}");
    assert_eq!(m.enums.len(), 1);
    assert_eq!(
        m.enums[&QualifiedName::new("public", "mood")].labels,
        vec!["a", "c"]
    );
    assert_eq!(
        m.tables[&QualifiedName::new("public", "t")].columns[0].data_type,
        "public.mood"
    );
}

#[test]
fn opaque_sql_marks_tables_uncertain() {
    let (m, _) = run(&[(
        "0001_a.sql",
        "CREATE TABLE t (id int); DO $$ BEGIN EXECUTE 'ALTER TABLE t ADD x int'; END $$",
    )]);
    assert!(m.uncertain.contains_key("public.t"), "{:?}", m.uncertain);
}

/// medusa's `extendedBatchJob` pattern: schema work behind a query result. Replay
/// cannot know whether the branch ran, so nothing it touches is vouched for, and a
/// guarded op that cannot apply is no conflict. A database-type branch is static.
#[test]
fn ops_under_a_run_time_condition_make_their_objects_uncertain() {
    use crate::parse::typeorm::read_typeorm_file;
    let ts = r#"
import { MigrationInterface, QueryRunner } from "typeorm";
export class Guarded1700000000002 implements MigrationInterface {
  public async up(queryRunner: QueryRunner): Promise<void> {
    const statusExists = await queryRunner.query(`SELECT exists (SELECT FROM information_schema.columns WHERE table_name = 'job' AND column_name = 'status')`);
    if (statusExists[0].exists) {
      await queryRunner.query(`ALTER TABLE "job" DROP COLUMN "status"`);
      await queryRunner.query(`ALTER TABLE "job" ADD "done_at" TIMESTAMP WITH TIME ZONE`);
    } else {
      await queryRunner.query(`UPDATE "job" SET "id" = "id"`);
    }
    if (queryRunner.connection.options.type === "postgres") {
      await queryRunner.query(`CREATE INDEX "job_id_idx" ON "job" ("id")`);
    }
  }
  public async down(): Promise<void> {}
}
"#;
    let mut ms = migs(&[("1700000000001_job.sql", "CREATE TABLE job (id int)")]);
    ms.extend(read_typeorm_file(
        &SourceFile::new("1700000000002-Guarded.ts".into(), ts.into()),
        &ReadOptions::default(),
    ));
    let conditions: Vec<(&str, Option<&str>)> = ms[1]
        .up
        .iter()
        .map(|op| match &op.guard {
            Some(Guard::Condition(c)) => (op.kind.name(), Some(c.as_str())),
            _ => (op.kind.name(), None),
        })
        .collect();
    let guard = Some("(statusExists[0].exists)");
    assert_eq!(
        conditions,
        vec![
            ("other", None),
            ("drop_column", guard),
            ("add_column", guard),
            ("update", guard),
            ("create_index", None),
        ]
    );

    let refs: Vec<&Migration> = ms.iter().collect();
    let (m, c) = replay(&refs, "public");
    assert!(
        c.is_empty(),
        "a guarded op that cannot apply is no conflict: {c:?}"
    );
    let job = &m.tables[&QualifiedName::new("public", "job")];
    assert!(
        job.columns.iter().any(|c| c.name == "done_at"),
        "best guess: the guarded ADD COLUMN is replayed"
    );
    let why = m.uncertain.get("public.job").expect("job is uncertain");
    assert_eq!(
        why,
        &vec![
            "changed in Guarded1700000000002: only if `(statusExists[0].exists)`, which migguard cannot evaluate"
                .to_string()
        ]
    );
    assert!(m
        .indexes
        .contains_key(&QualifiedName::new("public", "job_id_idx")));
    assert_eq!(m.uncertain.len(), 1, "{:?}", m.uncertain);
}

/// An EXCEPTION handler that swallows the error makes a single statement idempotent:
/// replay applies it where it can and skips it where PostgreSQL would raise, without
/// a conflict and without doubt. Several statements under one handler roll back
/// together, so replay cannot tell which ran.
#[test]
fn do_block_guards_replay_like_postgres() {
    let (m, c) = run(&[
        ("0001_a.sql", "CREATE TABLE piv (id int, quantity int); CREATE TYPE mood AS ENUM ('a')"),
        (
            "0002_b.sql",
            "DO $$ BEGIN ALTER TABLE piv RENAME COLUMN quantity TO required_quantity; \
             EXCEPTION WHEN undefined_column THEN END $$; \
             DO $$ BEGIN ALTER TABLE piv RENAME COLUMN quantity TO required_quantity; \
             EXCEPTION WHEN undefined_column THEN END $$; \
             DO $$ BEGIN CREATE TYPE mood AS ENUM ('b'); EXCEPTION WHEN duplicate_object THEN null; END $$",
        ),
    ]);
    assert!(c.is_empty(), "{c:?}");
    assert!(m.uncertain.is_empty(), "{:?}", m.uncertain);
    let piv = &m.tables[&QualifiedName::new("public", "piv")];
    let names: Vec<&str> = piv.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["id", "required_quantity"]);
    assert_eq!(m.enums[&QualifiedName::new("public", "mood")].labels, ["a"]);

    let (m, c) = run(&[(
        "0001_a.sql",
        "CREATE TABLE t (id int); \
         DO $$ BEGIN ALTER TABLE t ADD COLUMN a int; ALTER TABLE t ADD COLUMN id int; \
         EXCEPTION WHEN duplicate_column THEN NULL; END $$",
    )]);
    assert!(c.is_empty(), "{c:?}");
    assert!(
        m.uncertain["public.t"][0].contains("no statement of the DO block raises duplicate_column"),
        "{:?}",
        m.uncertain
    );
}

/// PostgreSQL rewrites every expression that uses a renamed column: index keys
/// (with their operator class and order), predicates and CHECKs.
#[test]
fn rename_column_rewrites_expressions_that_use_it() {
    let (m, c) = run(&[(
        "0001_a.sql",
        "CREATE TABLE p (id int, code text CHECK (code <> 'code'), decode text); \
         CREATE INDEX p_lower ON p (lower(code) text_pattern_ops DESC) WHERE code IS NOT NULL; \
         CREATE INDEX p_plain ON p (code varchar_pattern_ops, decode); \
         ALTER TABLE p RENAME COLUMN code TO sku",
    )]);
    assert!(c.is_empty(), "{c:?}");
    let lower = &m.indexes[&QualifiedName::new("public", "p_lower")];
    assert_eq!(lower.keys, ["(lower(sku)) text_pattern_ops desc"]);
    assert_eq!(lower.predicate.as_deref(), Some("sku is not null"));
    let plain = &m.indexes[&QualifiedName::new("public", "p_plain")];
    assert_eq!(plain.keys, ["sku varchar_pattern_ops", "decode"]);
    let check = m.tables[&QualifiedName::new("public", "p")]
        .constraints
        .values()
        .find_map(|c| match &c.kind {
            ConstraintKind::Check { expr } => Some(expr.clone()),
            _ => None,
        })
        .unwrap();
    // The string literal is data, not the column.
    assert!(check.contains("sku") && check.contains("'code'"), "{check}");
}

/// `${…}` the reader could not resolve: a definition built at run time makes its
/// object uncertain; a *name* built at run time could be any object, so the op is not
/// replayed at all (replay never invents `__migguard_dynamic_1__`).
#[test]
fn run_time_parts_make_objects_uncertain_and_never_invent_names() {
    use crate::parse::typeorm::read_typeorm_file;
    let ts = r#"
import { MigrationInterface, QueryRunner } from "typeorm";
export class Vectors1700000000001 implements MigrationInterface {
  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE EXTENSION IF NOT EXISTS ${await getVectorExtension(queryRunner)}`);
    await queryRunner.query(`CREATE TABLE smart_search ("assetId" uuid PRIMARY KEY, embedding vector(${dimSize}) NOT NULL)`);
  }
  public async down(): Promise<void> {}
}
"#;
    let ms = read_typeorm_file(
        &SourceFile::new("1700000000001-Vectors.ts".into(), ts.into()),
        &ReadOptions::default(),
    );
    let refs: Vec<&Migration> = ms.iter().collect();
    let (m, _) = replay(&refs, "public");
    assert!(m.extensions.is_empty(), "{:?}", m.extensions);
    assert!(m
        .tables
        .contains_key(&QualifiedName::new("public", "smart_search")));
    assert!(m.uncertain["public.smart_search"][0].contains("built at run time"));
    // An extension named at run time casts doubt on extensions, not on every table.
    assert!(
        m.uncertain
            .get("extension ${…}")
            .is_some_and(|r| r[0].starts_with("create_extension in Vectors1700000000001")),
        "{:?}",
        m.uncertain
    );
}
