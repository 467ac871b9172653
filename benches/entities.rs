//! `lint --entities` at scale: 200 entities, as TypeORM's schema builder writes them.
//!
//! Measures migguard's side only — reading TypeORM's SQL into the entity model
//! (`from_script_output`) and comparing it with the replay of the migrations
//! (`lint_findings`); Node's own start, TypeScript transpile and metadata build are
//! measured separately (README, "Entities"). The script output is generated in the
//! shape `node/entities.js` prints, and the migrations are the same SQL as one
//! TypeORM-generated migration per 10 entities, plus one entity column no migration
//! creates (so the comparison has a finding to report).

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use migguard::ruleset::RuleSet;
use migguard::source::SourceFile;
use std::path::PathBuf;

const ENTITIES: usize = 200;

fn table_sql(i: usize) -> Vec<String> {
    vec![
        format!("CREATE TYPE \"entity{i}_status_enum\" AS ENUM('a', 'b', 'c')"),
        format!(
            "CREATE TABLE \"entity{i}\" (\"id\" SERIAL NOT NULL, \"name\" character varying(100) NOT NULL, \
             \"status\" \"entity{i}_status_enum\" NOT NULL DEFAULT 'a', \"price\" numeric(10,2) NOT NULL DEFAULT '0', \
             \"created_at\" TIMESTAMP NOT NULL DEFAULT now(), \"note\" text, \"parent_id\" integer, \
             CONSTRAINT \"UQ_entity{i}_name\" UNIQUE (\"name\"), CONSTRAINT \"PK_entity{i}\" PRIMARY KEY (\"id\"))"
        ),
        format!("CREATE INDEX \"IDX_entity{i}_created\" ON \"entity{i}\" (\"created_at\") "),
    ]
}

fn fk_sql(i: usize) -> String {
    format!(
        "ALTER TABLE \"entity{i}\" ADD CONSTRAINT \"FK_entity{i}_parent\" FOREIGN KEY (\"parent_id\") \
         REFERENCES \"entity{}\"(\"id\") ON DELETE NO ACTION ON UPDATE NO ACTION",
        (i + 1) % ENTITIES
    )
}

fn script_output() -> String {
    let mut sql: Vec<String> = (0..ENTITIES).flat_map(table_sql).collect();
    sql.extend((0..ENTITIES).map(fk_sql));
    // The branch's new column.
    sql[1] = sql[1].replace("\"note\" text,", "\"note\" text, \"extra\" integer,");
    let entities: Vec<serde_json::Value> = (0..ENTITIES)
        .map(|i| {
            let columns: Vec<serde_json::Value> =
                ["id", "name", "status", "price", "created_at", "note", "parent_id"]
                    .iter()
                    .enumerate()
                    .map(|(k, c)| {
                        serde_json::json!({"name": c, "property": c, "file": null, "line": 5 + 3 * k})
                    })
                    .collect();
            serde_json::json!({
                "class": format!("Entity{i}"), "table": format!("entity{i}"), "kind": "regular",
                "file": format!("src/entity/entity{i}.ts"), "line": 3,
                "columns": columns,
                "indices": [format!("IDX_entity{i}_created")], "uniques": [format!("UQ_entity{i}_name")],
                "foreign_keys": [format!("FK_entity{i}_parent")], "checks": [], "exclusions": []
            })
        })
        .collect();
    serde_json::json!({
        "typeorm_version": "0.3.20", "schema": "public",
        "sql": sql.iter().map(|s| serde_json::json!({"sql": s, "parameters": []})).collect::<Vec<_>>(),
        "entities": entities,
    })
    .to_string()
}

fn migrations() -> Vec<migguard::ir::Migration> {
    let mut out = Vec::new();
    for chunk in 0..ENTITIES / 10 {
        let ts = 1_700_000_000_000u64 + chunk as u64;
        let mut body = String::new();
        for i in chunk * 10..chunk * 10 + 10 {
            for s in table_sql(i) {
                body.push_str(&format!("        await queryRunner.query(`{s}`);\n"));
            }
        }
        if chunk == ENTITIES / 10 - 1 {
            for i in 0..ENTITIES {
                body.push_str(&format!(
                    "        await queryRunner.query(`{}`);\n",
                    fk_sql(i)
                ));
            }
        }
        let text = format!(
            "import {{ MigrationInterface, QueryRunner }} from \"typeorm\";\n\nexport class M{ts} implements MigrationInterface {{\n    public async up(queryRunner: QueryRunner): Promise<void> {{\n{body}    }}\n}}\n"
        );
        let file = SourceFile::new(PathBuf::from(format!("src/migrations/{ts}-M.ts")), text);
        out.extend(migguard::parse::typeorm::read_typeorm_file(
            &file,
            &Default::default(),
        ));
    }
    out
}

fn bench(c: &mut Criterion) {
    let json = script_output();
    let migrations = migrations();
    let rules = RuleSet::builtin();
    let set = migguard::entities::from_script_output(&json).unwrap();
    let findings = migguard::entities::lint_findings(&set, &migrations, "migrations", &[], &rules);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    c.bench_function(
        "entities: TypeORM SQL → entity model, 200 entities",
        |b| b.iter(|| migguard::entities::from_script_output(black_box(&json)).unwrap()),
    );
    // The comparison alone: the replay of the migrations is lint's own work (it
    // replays them for its rules anyway), so it is measured apart.
    let mut ordered: Vec<&migguard::ir::Migration> = migrations.iter().collect();
    ordered.sort_by(|a, b| a.order.cmp(&b.order));
    c.bench_function("entities: replay of 20 migrations (800 statements)", |b| {
        b.iter(|| migguard::schema::replay::replay(black_box(&ordered), "public"))
    });
    let (replayed, _) = migguard::schema::replay::replay(&ordered, "public");
    let ignore = migguard::drift::IgnoreList::new("migrations", "public", &[]);
    c.bench_function("entities: comparison only, 200 entities", |b| {
        b.iter(|| {
            migguard::entities::compare::check(
                black_box(&set),
                black_box(&replayed),
                &migrations,
                &ignore,
                &rules,
            )
        })
    });
    c.bench_function(
        "entities: compare with the replay of 20 migrations, 200 entities",
        |b| {
            b.iter(|| {
                migguard::entities::lint_findings(
                    black_box(&set),
                    &migrations,
                    "migrations",
                    &[],
                    &rules,
                )
            })
        },
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench
}
criterion_main!(benches);
