//! Lint judged with the replayed schema: an op is classified against the state the
//! earlier migrations leave, and what that state decides is checked against a real
//! PostgreSQL 15 — the relfilenode of the table and of its index (a rewrite or a
//! rebuild gives a new one) and the sequential scans the ALTER itself makes.

mod support;
mod util;

use support::pg::cluster;
use util::*;

/// Rules raised by `lint` over a SQL project of these files.
fn lint_rules(files: &[(&str, &str)]) -> Vec<String> {
    let dir = project(files);
    let r = run_in(dir.path(), &["lint", "m", "--format", "json"]);
    assert!(r.code == 0 || r.code == 1, "{}\n{}", r.stdout, r.stderr);
    rule_ids(&r.json())
}

/// (old type, new type, USING …, extra DDL after the table and its index exist).
const TYPE_CHANGES: &[(&str, &str, &str, &str)] = &[
    ("varchar(10)", "text", "", ""),
    ("varchar(10)", "varchar(20)", "", ""),
    ("varchar(10)", "varchar", "", ""),
    ("varchar(20)", "varchar(10)", "", ""),
    ("varchar", "text", "", ""),
    ("text", "varchar", "", ""),
    ("text", "varchar(10)", "", ""),
    ("character varying(10)", "character varying(10)", "", ""),
    ("numeric(10,2)", "numeric(12,2)", "", ""),
    ("numeric(10,2)", "numeric(12,3)", "", ""),
    ("numeric(10,2)", "numeric", "", ""),
    ("numeric(10,2)", "numeric(8,2)", "", ""),
    ("numeric", "numeric(10,2)", "", ""),
    // The session below is not UTC: PostgreSQL converts every value.
    ("timestamp", "timestamptz", "", ""),
    ("cidr", "inet", "", ""),
    ("inet", "cidr", "", ""),
    ("int", "integer", "", ""),
    ("int", "int", "USING c::int", ""),
    ("int", "int4", "USING \"c\"::integer", ""),
    ("int", "int", "USING c", ""),
    ("int", "int", "USING c + 0", ""),
    ("int", "bigint", "", ""),
    ("bigint", "int", "", ""),
    ("varchar(10)", "text", "USING c::text", ""),
    ("varchar(10)", "text", "USING c::varchar(5)", ""),
    ("varchar(10)[]", "text[]", "", ""),
    ("text", "text[]", "USING ARRAY[c]", ""),
    // A CHECK on the column is re-validated by a scan; one on another column is not.
    (
        "varchar(10)",
        "text",
        "",
        "ALTER TABLE t ADD CONSTRAINT t_c_check CHECK (c <> 'x');",
    ),
    (
        "varchar(10)",
        "varchar(20)",
        "",
        "ALTER TABLE t ADD CONSTRAINT t_id_check CHECK (id > 0);",
    ),
    // An index on an expression of the column, or with it in its predicate, is
    // rebuilt; an opclass index likewise counts as not plain.
    (
        "varchar(10)",
        "text",
        "",
        "CREATE INDEX t_lower ON t (lower(c));",
    ),
    (
        "varchar(10)",
        "text",
        "",
        "CREATE INDEX t_partial ON t (id) WHERE c <> '';",
    ),
    (
        "numeric(10,2)",
        "numeric(12,2)",
        "",
        "CREATE INDEX t_expr ON t ((c * 2));",
    ),
    (
        "varchar(10)",
        "varchar(20)",
        "",
        "CREATE INDEX t_desc ON t (c DESC);",
    ),
    // Its own collation is dropped with the type change: the index is rebuilt.
    ("varchar(10) COLLATE \"C\"", "text", "", ""),
];

/// Whether PostgreSQL changed only the catalog: same table and index files, and no
/// sequential scan by the ALTER (a constraint re-check).
fn pg_metadata_only(
    db: &support::pg::TestDb,
    old: &str,
    new: &str,
    using: &str,
    extra: &str,
) -> bool {
    // Every index of the table, by file: a rebuilt one has a new file.
    let indexes = "(SELECT array_agg(pg_relation_filenode(indexrelid) ORDER BY pg_relation_filenode(indexrelid)) \
                   FROM pg_index WHERE indrelid = 't'::regclass)";
    let out = db.query(&format!(
        "SET TimeZone = 'Europe/Berlin';
         DROP TABLE IF EXISTS t;
         CREATE TABLE t (id int, c {old});
         INSERT INTO t (id) SELECT g FROM generate_series(1, 100) g;
         CREATE INDEX t_c ON t (c);
         {extra}
         CREATE TEMP TABLE before AS SELECT pg_relation_filenode('t') AS tf,
           {indexes} AS xf,
           (SELECT seq_scan FROM pg_stat_xact_user_tables WHERE relname = 't') AS scans;
         ALTER TABLE t ALTER COLUMN c TYPE {new} {using};
         SELECT pg_relation_filenode('t') = tf AND {indexes} = xf
           AND (SELECT seq_scan FROM pg_stat_xact_user_tables WHERE relname = 't') = scans
         FROM before;"
    ));
    match out.trim() {
        "t" => true,
        "f" => false,
        other => panic!("unexpected psql output {other:?}"),
    }
}

#[test]
fn alter_column_type_warns_exactly_where_postgresql_rewrites_or_rescans() {
    let db = cluster().create_database("lint_replay_types");
    let mut metadata_only_seen = 0;
    for (old, new, using, extra) in TYPE_CHANGES {
        let pg = pg_metadata_only(&db, old, new, using, extra);
        metadata_only_seen += usize::from(pg);
        let init =
            format!("CREATE TABLE t (id int, c {old});\nCREATE INDEX t_c ON t (c);\n{extra}\n");
        let alter = format!("ALTER TABLE t ALTER COLUMN c TYPE {new} {using};\n");
        let rules = lint_rules(&[("m/0001_init.sql", &init), ("m/0002_alter.sql", &alter)]);
        let warned = rules.iter().any(|r| r == "alter-column-type");
        assert_eq!(
            warned, !pg,
            "{old} -> {new} {using} {extra}: PostgreSQL metadata-only = {pg}, migguard findings {rules:?}"
        );
    }
    // The table holds both outcomes, so neither answer passes by being constant.
    assert!(metadata_only_seen >= 10 && metadata_only_seen < TYPE_CHANGES.len());
}

#[test]
fn alter_column_type_with_an_unknown_prior_type_still_warns() {
    // The table was created outside the migrations.
    let rules = lint_rules(&[(
        "m/0002_alter.sql",
        "ALTER TABLE t ALTER COLUMN c TYPE text;\n",
    )]);
    assert!(rules.iter().any(|r| r == "alter-column-type"), "{rules:?}");
    // A statement migguard cannot read touched the table in between.
    let rules = lint_rules(&[
        (
            "m/0001_init.sql",
            "CREATE TABLE t (id int, c varchar(10));\n",
        ),
        (
            "m/0002_opaque.sql",
            "DO $$ BEGIN EXECUTE 'ALTER TABLE t ALTER COLUMN c TYPE int USING 1'; END $$;\n",
        ),
        (
            "m/0003_alter.sql",
            "ALTER TABLE t ALTER COLUMN c TYPE text;\n",
        ),
    ]);
    assert!(rules.iter().any(|r| r == "alter-column-type"), "{rules:?}");
    // The same change with the type known is metadata-only: no finding.
    let rules = lint_rules(&[
        (
            "m/0001_init.sql",
            "CREATE TABLE t (id int, c varchar(10));\n",
        ),
        (
            "m/0003_alter.sql",
            "ALTER TABLE t ALTER COLUMN c TYPE text;\n",
        ),
    ]);
    assert!(!rules.iter().any(|r| r == "alter-column-type"), "{rules:?}");
}

const INIT_TS: &str = r#"import { MigrationInterface, QueryRunner } from "typeorm";

export class Init1700000000000 implements MigrationInterface {
  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "item" ("id" SERIAL PRIMARY KEY, "name" character varying(255), "qty" integer, "note" character varying(40), "flag" boolean)`);
    await queryRunner.query(`INSERT INTO "item" ("name", "qty", "note", "flag") VALUES ('kept', 7, 'lost', true)`);
  }
  public async down(queryRunner: QueryRunner): Promise<void> {}
}
"#;

/// Old columns passed by name. TypeORM compares with the column it loads from the
/// database: `character varying` + `"255"` is the same (in place); `int` is not
/// `integer`, a numeric length `40` is not the loaded `"40"` (both recreated).
const CHANGE_TS: &str = r#"import { MigrationInterface, QueryRunner, TableColumn } from "typeorm";

export class Change1700000000001 implements MigrationInterface {
  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.changeColumn("item", "name", new TableColumn({ name: "name", type: "character varying", length: "255", isNullable: true }));
    await queryRunner.changeColumn("item", "qty", new TableColumn({ name: "qty", type: "int", isNullable: true }));
    await queryRunner.changeColumn("item", "note", new TableColumn({ name: "note", type: "character varying", length: 40, isNullable: true }));
    await queryRunner.changeColumn("item", "flag", new TableColumn({ name: "flag", type: "boolean", isNullable: false }));
  }
  public async down(queryRunner: QueryRunner): Promise<void> {}
}
"#;

#[test]
fn change_column_by_name_is_judged_like_typeorm_judges_it() {
    let dir = project(&[
        ("m/1700000000000-Init.ts", INIT_TS),
        ("m/1700000000001-Change.ts", CHANGE_TS),
    ]);
    // Real TypeORM: the in-place change keeps the value, the recreated columns lose theirs.
    let db = cluster().create_database("lint_replay_change");
    let migrations: Vec<String> = ["1700000000000-Init.ts", "1700000000001-Change.ts"]
        .iter()
        .map(|f| dir.path().join("m").join(f).display().to_string())
        .collect();
    support::node::run_typeorm(&db.url, &migrations, &[]);
    assert_eq!(
        db.query(r#"SELECT concat_ws(',', name, qty, note, flag) FROM item"#)
            .trim(),
        "kept,t"
    );
    // migguard: recreate exactly where TypeORM recreated; the in-place change that
    // turns `flag` NOT NULL is the set-not-null scan.
    let r = run_in(dir.path(), &["lint", "m", "--format", "json"]);
    let json = r.json();
    let objects = |rule: &str| -> Vec<String> {
        findings_of(&json, rule)
            .into_iter()
            .map(|f| f["object"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    assert_eq!(
        objects("change-column-recreate"),
        vec!["public.item.qty", "public.item.note"],
        "{}",
        r.stdout
    );
    assert_eq!(
        objects("set-not-null"),
        vec!["public.item.flag"],
        "{}",
        r.stdout
    );
}

/// `ALTER TABLE t …` forms that add a foreign key; PostgreSQL decides which scan.
const FOREIGN_KEYS: &[&str] = &[
    "ALTER TABLE t ADD COLUMN c int REFERENCES p(id)",
    "ALTER TABLE t ADD COLUMN c int DEFAULT 5 REFERENCES p(id)",
    "ALTER TABLE t ADD COLUMN c int DEFAULT NULL REFERENCES p(id)",
    "ALTER TABLE t ADD COLUMN c int REFERENCES p(id), ADD COLUMN d int DEFAULT 1",
    "ALTER TABLE t ADD COLUMN c int REFERENCES p(id), ADD CONSTRAINT f2 FOREIGN KEY (id) REFERENCES p(id)",
    "ALTER TABLE t ADD COLUMN c int GENERATED ALWAYS AS IDENTITY REFERENCES p(id)",
    "ALTER TABLE t ADD COLUMN c serial REFERENCES p(id)",
    "ALTER TABLE t ADD COLUMN c int GENERATED ALWAYS AS (id) STORED REFERENCES p(id)",
    "ALTER TABLE t ADD COLUMN c int; ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (c) REFERENCES p(id)",
    "ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (id) REFERENCES p(id)",
];

/// Whether the statements scan `t` or `p` (the foreign key's validation), counted
/// within their own transaction.
fn pg_fk_scans(db: &support::pg::TestDb, alter: &str) -> bool {
    let scans = "(SELECT sum(seq_scan + coalesce(idx_scan, 0)) FROM pg_stat_xact_user_tables \
                 WHERE relname IN ('t', 'p'))";
    let out = db.query(&format!(
        "DROP TABLE IF EXISTS t, p CASCADE;
         CREATE TABLE p (id int PRIMARY KEY);
         INSERT INTO p SELECT g FROM generate_series(1, 100) g;
         CREATE TABLE t (id int);
         INSERT INTO t SELECT g FROM generate_series(1, 100) g;
         CREATE TEMP TABLE before AS SELECT {scans} AS n;
         {alter};
         SELECT {scans} > n FROM before;"
    ));
    match out.trim() {
        "t" => true,
        "f" => false,
        other => panic!("unexpected psql output {other:?}"),
    }
}

#[test]
fn add_foreign_key_validating_is_raised_exactly_where_postgresql_scans() {
    let db = cluster().create_database("lint_replay_fks");
    let mut skipped = 0;
    for alter in FOREIGN_KEYS {
        let pg = pg_fk_scans(&db, alter);
        skipped += usize::from(!pg);
        let rules = lint_rules(&[
            (
                "m/0001_init.sql",
                "CREATE TABLE p (id int PRIMARY KEY);\nCREATE TABLE t (id int);\n",
            ),
            ("m/0002_fk.sql", &format!("{alter};\n")),
        ]);
        let warned = rules.iter().any(|r| r == "add-foreign-key-validating");
        assert_eq!(
            warned, pg,
            "{alter}: PostgreSQL scans = {pg}, migguard findings {rules:?}"
        );
    }
    assert!(skipped >= 2 && skipped < FOREIGN_KEYS.len());
}

/// release-check judges a pending migration as the PR gate does: an in-place
/// `changeColumn` by name needs no permission, a recreating one does.
#[test]
fn release_check_judges_change_column_by_name_with_the_replayed_column() {
    let in_place = r#"import { MigrationInterface, QueryRunner, TableColumn } from "typeorm";

export class Widen1700000000001 implements MigrationInterface {
  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.changeColumn("item", "name", new TableColumn({ name: "name", type: "character varying", length: "255", isNullable: true }));
  }
  public async down(queryRunner: QueryRunner): Promise<void> {}
}
"#;
    let db = cluster().create_database("lint_replay_rc");
    db.execute(r#"CREATE TABLE "migrations" ("id" SERIAL NOT NULL, "timestamp" bigint NOT NULL, "name" character varying NOT NULL)"#);
    db.execute(
        "INSERT INTO migrations (timestamp, name) VALUES (1700000000000, 'Init1700000000000')",
    );
    let release = |change: &str| {
        let dir = project(&[
            ("m/1700000000000-Init.ts", INIT_TS),
            ("m/1700000000001-Widen.ts", change),
        ]);
        run_json_on_db(dir.path(), &["release-check", "m"], &db.url)
    };
    let r = release(in_place);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let recreate = in_place.replace(
        r#"type: "character varying", length: "255""#,
        r#"type: "varchar", length: "255""#,
    );
    let r = release(&recreate);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("destructive-pending"), "{}", r.stdout);
}
