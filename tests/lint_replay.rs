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
    r.json()["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["rule"].as_str().unwrap_or_default().to_string())
        .collect()
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
    let out = db.query(&format!(
        "SET TimeZone = 'Europe/Berlin';
         DROP TABLE IF EXISTS t;
         CREATE TABLE t (id int, c {old});
         INSERT INTO t (id) SELECT g FROM generate_series(1, 100) g;
         CREATE INDEX t_c ON t (c);
         {extra}
         CREATE TEMP TABLE before AS SELECT pg_relation_filenode('t') AS tf,
           pg_relation_filenode('t_c') AS xf,
           (SELECT seq_scan FROM pg_stat_xact_user_tables WHERE relname = 't') AS scans;
         ALTER TABLE t ALTER COLUMN c TYPE {new} {using};
         SELECT pg_relation_filenode('t') = tf AND pg_relation_filenode('t_c') = xf
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
