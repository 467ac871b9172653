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
