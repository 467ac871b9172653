//! Generated, realistic migration corpora for the benchmarks (shared by the bench
//! targets through `#[path]`).
#![allow(dead_code)]

use std::fmt::Write;
use std::path::Path;

/// One TypeORM migration file of ~1–3 KB: raw SQL and builder calls, some annotated
/// contract migrations.
pub fn typeorm_migration(i: usize) -> String {
    let ts = 1_600_000_000_000u64 + i as u64 * 1000;
    let t = format!("table_{}", i % 500);
    let mut s = String::new();
    if i % 10 == 9 {
        let _ = writeln!(
            s,
            "// @destructive: DROP COLUMN {t}.legacy_{i}\n// @expand-migration: Gen{}",
            ts - 1000
        );
    }
    let _ = writeln!(s, "import {{ MigrationInterface, QueryRunner, Table, TableColumn, TableIndex }} from \"typeorm\";\n");
    let _ = writeln!(
        s,
        "export class Gen{ts} implements MigrationInterface {{\n    name = 'Gen{ts}'\n"
    );
    let _ = writeln!(
        s,
        "    public async up(queryRunner: QueryRunner): Promise<void> {{"
    );
    match i % 10 {
        9 => {
            let _ = writeln!(s, "        await queryRunner.query(`ALTER TABLE \"{t}\" DROP COLUMN \"legacy_{i}\"`);");
        }
        0..=4 => {
            let _ = writeln!(s, "        await queryRunner.query(`CREATE TABLE \"{t}_{i}\" (\"id\" uuid NOT NULL DEFAULT gen_random_uuid(), \"name\" character varying(255) NOT NULL, \"count\" integer NOT NULL DEFAULT '0', \"created_at\" TIMESTAMP NOT NULL DEFAULT now(), CONSTRAINT \"PK_{i}\" PRIMARY KEY (\"id\"))`);");
            let _ = writeln!(s, "        await queryRunner.query(`CREATE INDEX \"IDX_{i}\" ON \"{t}_{i}\" (\"name\") `);");
            let _ = writeln!(s, "        await queryRunner.query(`ALTER TABLE \"{t}_{i}\" ADD CONSTRAINT \"FK_{i}\" FOREIGN KEY (\"id\") REFERENCES \"{t}\"(\"id\") ON DELETE CASCADE`);");
        }
        _ => {
            let _ = writeln!(s, "        await queryRunner.addColumn(\"{t}\", new TableColumn({{ name: \"col_{i}\", type: \"varchar\", length: \"64\", isNullable: true }}));");
            let _ = writeln!(s, "        await queryRunner.createIndex(\"{t}\", new TableIndex({{ name: \"IDX_col_{i}\", columnNames: [\"col_{i}\"] }}));");
            let _ = writeln!(s, "        await queryRunner.query(`UPDATE \"{t}\" SET \"col_{i}\" = 'x' WHERE \"id\" IS NOT NULL`);");
        }
    }
    let _ = writeln!(s, "    }}\n\n    public async down(queryRunner: QueryRunner): Promise<void> {{\n        await queryRunner.query(`DROP TABLE IF EXISTS \"{t}_{i}\"`);\n    }}\n}}");
    s
}

pub fn write_typeorm_corpus(dir: &Path, n: usize) {
    std::fs::create_dir_all(dir).unwrap();
    for i in 0..n {
        let ts = 1_600_000_000_000u64 + i as u64 * 1000;
        std::fs::write(dir.join(format!("{ts}-Gen.ts")), typeorm_migration(i)).unwrap();
    }
}

/// One TypeORM migration file of ~4 KB where almost every statement is flagged:
/// six flagged statements (drop column, drop table, rename, alter type,
/// non-concurrent index, set not null), half through raw SQL and half through
/// builder calls, the mix rotating from file to file. Every 10th file is an
/// annotated contract migration (its destructive findings acknowledged), every 7th
/// suppresses its index finding with a reason. The shape of a large project's
/// history linted in full, where the findings (not the reading) dominate.
pub fn flagged_typeorm_migration(i: usize) -> String {
    let ts = 1_600_000_000_000u64 + i as u64 * 1000;
    let t = format!("table_{}", i % 500);
    let mut s = String::new();
    let _ = writeln!(
        s,
        "import {{ MigrationInterface, QueryRunner, Table, TableColumn, TableIndex }} from \"typeorm\";\n"
    );
    let _ = writeln!(
        s,
        "/**\n * Generated migration {i}: reshapes `{t}` for the billing rewrite.\n *\n * The legacy column is gone from the entity since the previous release; the\n * archive table was copied to cold storage by the nightly export job. The amount\n * column outgrew `integer` and the e-mail column is backfilled by the job that\n * ran before this release (see the runbook for table {t}).\n */"
    );
    if i % 10 == 9 {
        let _ = writeln!(
            s,
            "// @destructive: DROP COLUMN {t}.legacy_{i}, DROP TABLE {t}_archive_{i}, RENAME COLUMN {t}.title_{i}, ALTER COLUMN {t}.amount_{i}\n// @expand-migration: Flagged{}",
            ts - 1000
        );
    }
    let _ = writeln!(
        s,
        "export class Flagged{ts} implements MigrationInterface {{\n    name = 'Flagged{ts}'\n"
    );
    let _ = writeln!(
        s,
        "    public async up(queryRunner: QueryRunner): Promise<void> {{"
    );
    // Each kind once per file, written raw or through the builder by turns.
    let raw = |k: usize| (i + k).is_multiple_of(2);
    // drop column
    if raw(0) {
        let _ = writeln!(
            s,
            "        await queryRunner.query(`ALTER TABLE \"{t}\" DROP COLUMN \"legacy_{i}\"`);"
        );
    } else {
        let _ = writeln!(
            s,
            "        await queryRunner.dropColumn(\"{t}\", \"legacy_{i}\");"
        );
    }
    // rename
    if raw(1) {
        let _ = writeln!(s, "        await queryRunner.query(`ALTER TABLE \"{t}\" RENAME COLUMN \"title_{i}\" TO \"headline_{i}\"`);");
    } else {
        let _ = writeln!(
            s,
            "        await queryRunner.renameColumn(\"{t}\", \"title_{i}\", \"headline_{i}\");"
        );
    }
    // alter type
    if raw(2) {
        let _ = writeln!(s, "        await queryRunner.query(`ALTER TABLE \"{t}\" ALTER COLUMN \"amount_{i}\" TYPE bigint USING \"amount_{i}\"::bigint`);");
    } else {
        let _ = writeln!(s, "        await queryRunner.changeColumn(\"{t}\", new TableColumn({{ name: \"amount_{i}\", type: \"integer\", isNullable: true }}), new TableColumn({{ name: \"amount_{i}\", type: \"bigint\", isNullable: true }}));");
    }
    // non-concurrent index
    if i % 7 == 3 {
        let _ = writeln!(s, "        // migguard-ignore create-index-non-concurrent: {t} is small and read-only during the release window");
    }
    if raw(3) {
        let _ = writeln!(s, "        await queryRunner.query(`CREATE INDEX \"IDX_{t}_created_{i}\" ON \"{t}\" (\"created_at\", \"status_{i}\")`);");
    } else {
        let _ = writeln!(s, "        await queryRunner.createIndex(\"{t}\", new TableIndex({{ name: \"IDX_{t}_created_{i}\", columnNames: [\"created_at\", \"status_{i}\"] }}));");
    }
    // set not null
    if raw(4) {
        let _ = writeln!(s, "        await queryRunner.query(`ALTER TABLE \"{t}\" ALTER COLUMN \"email_{i}\" SET NOT NULL`);");
    } else {
        let _ = writeln!(s, "        await queryRunner.changeColumn(\"{t}\", new TableColumn({{ name: \"email_{i}\", type: \"character varying\", isNullable: true }}), new TableColumn({{ name: \"email_{i}\", type: \"character varying\", isNullable: false }}));");
    }
    // drop table
    if raw(5) {
        let _ = writeln!(
            s,
            "        await queryRunner.query(`DROP TABLE \"{t}_archive_{i}\"`);"
        );
    } else {
        let _ = writeln!(
            s,
            "        await queryRunner.dropTable(\"{t}_archive_{i}\");"
        );
    }
    let _ = writeln!(s, "    }}\n");
    let _ = writeln!(
        s,
        "    public async down(queryRunner: QueryRunner): Promise<void> {{\n        await queryRunner.query(`CREATE TABLE \"{t}_archive_{i}\" (\"id\" uuid NOT NULL DEFAULT gen_random_uuid(), \"payload\" jsonb NOT NULL, \"archived_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT \"PK_{t}_archive_{i}\" PRIMARY KEY (\"id\"))`);\n        await queryRunner.query(`ALTER TABLE \"{t}\" ALTER COLUMN \"email_{i}\" DROP NOT NULL`);\n        await queryRunner.query(`DROP INDEX \"public\".\"IDX_{t}_created_{i}\"`);\n        await queryRunner.query(`ALTER TABLE \"{t}\" ALTER COLUMN \"amount_{i}\" TYPE integer USING \"amount_{i}\"::integer`);\n        await queryRunner.query(`ALTER TABLE \"{t}\" RENAME COLUMN \"headline_{i}\" TO \"title_{i}\"`);\n        await queryRunner.query(`ALTER TABLE \"{t}\" ADD \"legacy_{i}\" character varying(255)`);\n    }}\n}}"
    );
    s
}

/// `n` files of [`flagged_typeorm_migration`] in `dir`.
pub fn write_flagged_typeorm_corpus(dir: &Path, n: usize) {
    std::fs::create_dir_all(dir).unwrap();
    for i in 0..n {
        let ts = 1_600_000_000_000u64 + i as u64 * 1000;
        std::fs::write(
            dir.join(format!("{ts}-Flagged.ts")),
            flagged_typeorm_migration(i),
        )
        .unwrap();
    }
}

/// A migration history creating `tables` tables of `cols` columns each, one
/// migration per table plus index and FK statements.
pub fn wide_history_sql(tables: usize, cols: usize) -> Vec<String> {
    (0..tables)
        .map(|t| {
            let mut s = format!("CREATE TABLE t{t} (id serial PRIMARY KEY");
            for c in 1..cols {
                let _ = write!(s, ", c{c} varchar(50) DEFAULT 'v{c}'");
            }
            s.push_str(");\n");
            let _ = writeln!(s, "CREATE INDEX t{t}_c1_idx ON t{t} (c1);");
            if t > 0 {
                let _ = writeln!(
                    s,
                    "ALTER TABLE t{t} ADD COLUMN parent_id int REFERENCES t{} (id);",
                    t - 1
                );
            }
            s
        })
        .collect()
}
