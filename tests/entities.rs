//! Entities against TypeORM itself (`lint --entities`, `drift --entities`), with real
//! TypeORM 0.3 (the shared npm install of `tests/support/node.rs`) and real
//! PostgreSQL.
//!
//! The fixture app (`tests/fixtures/entities/app`) has 17 entity tables covering what
//! TypeORM's schema builder does: types, lengths, defaults, nullability, serial /
//! identity / uuid generation, enums with default and custom type names, PK/UQ/IDX/
//! FK/CHK names, a one-to-one and many-to-one join column, a composite FK, a
//! many-to-many join table, embedded columns, single-table inheritance, the three
//! tree kinds, a stored generated column, and a custom naming strategy. Its committed
//! migration is what `typeorm migration:generate` wrote for it on an empty database.

mod support;
mod util;

use migguard::drift::IgnoreList;
use migguard::entities::EntitySet;
use migguard::schema::SchemaModel;
use std::path::{Path, PathBuf};
use std::process::Command;
use support::node::node_modules;
use support::pg::{cluster, introspect_public};
use util::*;

fn app_fixture() -> PathBuf {
    repo_root().join("tests/fixtures/entities/app")
}

/// A scratch copy of the fixture app.
fn app_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&app_fixture(), dir.path());
    dir
}

/// The environment Node needs to find the shared TypeORM install; ts-node without
/// type checking (the fixture has no `@types/node`).
fn node_env() -> Vec<(String, String)> {
    vec![
        (
            "NODE_PATH".into(),
            node_modules().to_string_lossy().into_owned(),
        ),
        ("TS_NODE_TRANSPILE_ONLY".into(), "true".into()),
    ]
}

fn migguard(dir: &Path, args: &[&str]) -> Run {
    let env = node_env();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    run_env(dir, args, &env)
}

/// Runs the TypeORM CLI (ts-node flavour) in `dir` against `url`.
fn typeorm(dir: &Path, url: &str, args: &[&str]) -> String {
    let cli = node_modules().join("typeorm/cli-ts-node-commonjs.js");
    let out = Command::new("node")
        .arg(cli)
        .args(args)
        .args(["-d", "src/data-source.ts"])
        .current_dir(dir)
        .envs(node_env())
        .env("DATABASE_URL", url)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "typeorm {args:?} failed:\n{text}");
    text
}

/// The entity model migguard reads from the app in `dir`.
fn entity_set(dir: &Path) -> EntitySet {
    let out = Command::new("node")
        .arg(repo_root().join("node/entities.js"))
        .args(["src/data-source.ts", "public", "15"])
        .current_dir(dir)
        .envs(node_env())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "entity reader failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    migguard::entities::from_script_output(&String::from_utf8(out.stdout).unwrap()).unwrap()
}

/// The replay of the TypeORM migration files in `dir`.
fn replay_dir(dir: &Path) -> SchemaModel {
    let mut migrations = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let file = migguard::source::load(&path).unwrap();
        migrations.extend(migguard::parse::typeorm::read_typeorm_file(
            &file,
            &Default::default(),
        ));
    }
    migrations.sort_by(|a, b| a.order.cmp(&b.order));
    let refs: Vec<_> = migrations.iter().collect();
    migguard::schema::replay::replay(&refs, "public").0
}

/// What the two models are compared as: expressions by their keys, and without the
/// tables TypeORM keeps for itself.
fn comparable(m: &SchemaModel, other: &SchemaModel) -> SchemaModel {
    let user_types = m.enums.keys().chain(other.enums.keys()).cloned().collect();
    let mut c = m.compared_form_with(&user_types, &mut Default::default());
    c.tables
        .retain(|n, _| n.name != "typeorm_metadata" && n.name != "migrations");
    c.sequences.retain(|n, _| n.name != "migrations_id_seq");
    c.extensions.clear();
    c.schemas.clear();
    c
}

fn assert_same_model(what: &str, entities: &SchemaModel, other: &SchemaModel) {
    let ignore = IgnoreList::new("migrations", "public", &[]);
    let differences = migguard::drift::diff(entities, other, &ignore);
    assert!(
        differences.is_empty(),
        "{what}: differences from the entity model: {differences:#?}"
    );
    let (e, o) = (comparable(entities, other), comparable(other, entities));
    // Object for object: same names, and each object equal.
    assert_eq!(
        e.tables.keys().collect::<Vec<_>>(),
        o.tables.keys().collect::<Vec<_>>(),
        "{what}: tables"
    );
    for (name, t) in &e.tables {
        assert_eq!(Some(t), o.tables.get(name), "{what}: table {name}");
    }
    assert_eq!(e.indexes, o.indexes, "{what}: indexes");
    assert_eq!(e.enums, o.enums, "{what}: enums");
    assert_eq!(e.sequences, o.sequences, "{what}: sequences");
}

#[test]
fn entity_model_equals_what_typeorm_synchronize_builds_and_migration_generate_writes() {
    let app = app_copy();
    let set = entity_set(app.path());
    assert!(
        set.entities.len() >= 15,
        "the fixture covers at least 15 entity tables"
    );
    assert!(set.model.tables.len() >= 15);

    // TypeORM synchronize builds a database: its catalog is the entity model.
    let synced = cluster().create_database("entities_sync");
    typeorm(app.path(), &synced.url, &["schema:sync"]);
    let live = introspect_public(&synced.url);
    assert_same_model("synchronize", &set.model, &live);

    // migration:generate on an empty database, replayed by migguard: the same model.
    let empty = cluster().create_database("entities_generate");
    let generated = tempfile::tempdir().unwrap();
    let target = generated.path().join("Generated");
    typeorm(
        app.path(),
        &empty.url,
        &["migration:generate", target.to_str().unwrap()],
    );
    assert_same_model(
        "migration:generate",
        &set.model,
        &replay_dir(generated.path()),
    );

    // drift --entities on the synchronized database, its migration recorded as applied
    // the way TypeORM records it: clean.
    let init = std::fs::read_dir(app.path().join("src/migrations"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .find(|n| n.ends_with("-Init.ts"))
        .unwrap();
    let timestamp = init.split('-').next().unwrap();
    synced.execute(&format!(
        "CREATE TABLE migrations (id SERIAL PRIMARY KEY, timestamp bigint NOT NULL, name varchar NOT NULL);
         INSERT INTO migrations (timestamp, name) VALUES ({timestamp}, 'Init{timestamp}');"
    ));
    let r = migguard(
        app.path(),
        &[
            "drift",
            "--entities",
            "--database-url",
            &synced.url,
            "--format",
            "json",
        ],
    );
    assert_eq!(r.code, 0, "drift --entities:\n{}{}", r.stdout, r.stderr);
    assert_eq!(r.json()["status"], "clean");
}

/// `lint --entities --format json` in `dir`.
fn lint(dir: &Path) -> (i32, serde_json::Value) {
    let r = migguard(dir, &["lint", "--entities", "--format", "json"]);
    assert_ne!(r.code, 2, "lint --entities could not run: {}", r.stderr);
    (r.code, r.json())
}

/// (rule, object, file, line) of the entity findings.
fn entity_findings(json: &serde_json::Value) -> Vec<(String, String, String, u64)> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "missing-migration" || f["rule"] == "undeclared-in-entities")
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["object"].as_str().unwrap_or_default().to_string(),
                f["file"].as_str().unwrap_or_default().to_string(),
                f["line"].as_u64().unwrap_or_default(),
            )
        })
        .collect()
}

fn edit(dir: &Path, file: &str, from: &str, to: &str) {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{file} holds {from:?}");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

fn line_of(dir: &Path, file: &str, needle: &str) -> u64 {
    let text = std::fs::read_to_string(dir.join(file)).unwrap();
    text.lines().position(|l| l.contains(needle)).unwrap() as u64 + 1
}

/// The unchanged app passes: its migration is what TypeORM generated for it.
#[test]
fn lint_entities_passes_when_the_migrations_create_every_entity_object() {
    let app = app_copy();
    let (code, json) = lint(app.path());
    assert_eq!(entity_findings(&json), vec![]);
    assert_eq!(code, 0, "{json:#}");
}

/// One entity change: without a migration `lint --entities` fails with
/// `missing-migration` at the entity; with the migration TypeORM generates for it
/// (after `migration:run` of the existing ones), it passes, with `leftover` the
/// entity findings that are still true then.
fn entity_change_case(
    name: &str,
    change: impl Fn(&Path),
    expected: &[(&str, &str)],
    at: (&str, &str),
    leftover: &[(&str, &str)],
) {
    let app = app_copy();
    change(app.path());
    let (code, json) = lint(app.path());
    let found = entity_findings(&json);
    for (rule, object) in expected {
        assert!(
            found.iter().any(|(r, o, ..)| r == rule && o == object),
            "{name}: expected {rule} on {object}, got {found:#?}"
        );
    }
    let (file, needle) = at;
    let line = line_of(app.path(), file, needle);
    assert!(
        found
            .iter()
            .any(|(r, _, f, l)| r == "missing-migration" && f.ends_with(file) && *l == line),
        "{name}: a missing-migration finding points at {file}:{line}: {found:#?}"
    );
    assert_eq!(code, 1, "{name}: the gate fails");

    let db = cluster().create_database("entities_change");
    typeorm(app.path(), &db.url, &["migration:run"]);
    typeorm(
        app.path(),
        &db.url,
        &["migration:generate", "src/migrations/Change"],
    );
    let (code, json) = lint(app.path());
    let left: Vec<(String, String)> = entity_findings(&json)
        .into_iter()
        .map(|(rule, object, ..)| (rule, object))
        .collect();
    let leftover: Vec<(String, String)> = leftover
        .iter()
        .map(|(r, o)| (r.to_string(), o.to_string()))
        .collect();
    assert_eq!(left, leftover, "{name}: with TypeORM's migration");
    assert_eq!(code, 0, "{name}: with TypeORM's migration: {json:#}");
}

#[test]
fn entity_column_added_without_a_migration() {
    entity_change_case(
        "column added",
        |dir| {
            edit(
                dir,
                "src/entity/user.ts",
                "    @VersionColumn()",
                "    @Column({ nullable: true })\n    nickname: string;\n\n    @VersionColumn()",
            )
        },
        &[("missing-migration", "public.user.nickname")],
        ("src/entity/user.ts", "nickname: string;"),
        &[],
    );
}

#[test]
fn entity_renamed_without_a_migration() {
    entity_change_case(
        "entity renamed",
        |dir| {
            edit(
                dir,
                "src/entity/tree.ts",
                "export class Folder {",
                "export class Directory {",
            )
        },
        &[
            ("missing-migration", "public.directory"),
            ("undeclared-in-entities", "public.folder"),
        ],
        ("src/entity/tree.ts", "export class Directory {"),
        // TypeORM creates `directory` and never drops a table no entity declares:
        // `folder` stays, which the warning says.
        &[("undeclared-in-entities", "public.folder")],
    );
}

#[test]
fn index_added_without_a_migration() {
    entity_change_case(
        "index added",
        |dir| {
            edit(
                dir,
                "src/entity/content.ts",
                "    @Column({ default: false })\n    pinned: boolean;",
                "    @Index(\"IDX_post_pinned\")\n    @Column({ default: false })\n    pinned: boolean;",
            )
        },
        &[("missing-migration", "public.IDX_post_pinned")],
        ("src/entity/content.ts", "export class Post {"),
        &[],
    );
}

#[test]
fn enum_label_added_without_a_migration() {
    entity_change_case(
        "enum label added",
        |dir| {
            edit(
                dir,
                "src/entity/user.ts",
                "    Member = \"member\",",
                "    Member = \"member\",\n    Guest = \"guest\",",
            )
        },
        &[("missing-migration", "public.user_role")],
        ("src/entity/user.ts", "role: Role;"),
        &[],
    );
}

/// A migration creating a column no entity declares: a warning at the migration;
/// declared in the entity, nothing.
#[test]
fn migration_creating_an_undeclared_column() {
    let app = app_copy();
    std::fs::write(
        app.path().join("src/migrations/1795933091334-Legacy.ts"),
        r#"import { MigrationInterface, QueryRunner } from "typeorm";

export class Legacy1795933091334 implements MigrationInterface {
    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "user" ADD "legacy_code" text`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "user" DROP COLUMN "legacy_code"`);
    }
}
"#,
    )
    .unwrap();
    let (code, json) = lint(app.path());
    let found = entity_findings(&json);
    assert_eq!(
        found,
        vec![(
            "undeclared-in-entities".to_string(),
            "public.user.legacy_code".to_string(),
            "src/migrations/1795933091334-Legacy.ts".to_string(),
            5
        )]
    );
    assert_eq!(code, 0, "a warning does not fail the gate");

    edit(
        app.path(),
        "src/entity/user.ts",
        "    @VersionColumn()",
        "    @Column({ type: \"text\", nullable: true })\n    legacyCode: string;\n\n    @VersionColumn()",
    );
    let (code, json) = lint(app.path());
    assert_eq!(entity_findings(&json), vec![]);
    assert_eq!(code, 0);
}

/// Fail closed: no Node module to load is exit 2 with the reason, never a pass.
#[test]
fn a_datasource_that_fails_to_load_is_exit_2_with_the_reason() {
    let app = app_copy();
    std::fs::write(
        app.path().join("src/data-source.ts"),
        "throw new Error(\"no config for this environment\");\n",
    )
    .unwrap();
    let r = migguard(app.path(), &["lint", "--entities"]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("no config for this environment"),
        "{}",
        r.stderr
    );

    std::fs::write(
        app.path().join("src/data-source.ts"),
        "export const x = 1;\n",
    )
    .unwrap();
    let r = migguard(app.path(), &["lint", "--entities"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("exports no DataSource"), "{}", r.stderr);
}

/// A module that connects on load is stopped, not obeyed: reading entities never
/// opens a connection.
#[test]
fn a_datasource_module_that_initializes_itself_fails_without_connecting() {
    let app = app_copy();
    edit(
        app.path(),
        "src/data-source.ts",
        "    namingStrategy: new SnakeNamingStrategy(),\n});",
        "    namingStrategy: new SnakeNamingStrategy(),\n});\nAppDataSource.initialize().catch((e) => { console.error(String(e)); process.exit(7); });",
    );
    let r = migguard(app.path(), &["lint", "--entities"]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("without connecting"), "{}", r.stderr);
}

/// Every wait has a deadline: a module that never settles is stopped.
#[test]
fn a_datasource_that_never_settles_is_stopped_at_the_deadline() {
    let app = app_copy();
    std::fs::write(
        app.path().join("src/data-source.ts"),
        "export const AppDataSource = new Promise(() => { setInterval(() => {}, 1000); });\n",
    )
    .unwrap();
    std::fs::write(
        app.path().join("migguard.toml"),
        "migrations = [\"src/migrations\"]\n\n[typeorm]\ndatasource = \"src/data-source.ts\"\nentities_timeout_secs = 3\n",
    )
    .unwrap();
    let started = std::time::Instant::now();
    let r = migguard(app.path(), &["lint", "--entities"]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("longer than 3 s"), "{}", r.stderr);
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
}

/// Vendure-style custom fields: columns added to an entity from the app's
/// configuration at bootstrap. The DataSource module applies them (as the app's
/// bootstrap does) before exporting the DataSource, so the entity reader sees them.
#[test]
fn a_column_added_to_an_entity_at_run_time_from_config_is_checked() {
    let init = r#"import { MigrationInterface, QueryRunner } from "typeorm";

export class Init1700000000000 implements MigrationInterface {
    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "product" ("id" SERIAL NOT NULL, "name" character varying NOT NULL, CONSTRAINT "PK_bebc9158e480b949565b4dc7a82" PRIMARY KEY ("id"))`);
    }
}
"#;
    let app = project(&[
        ("package.json", "{}"),
        (
            "migguard.toml",
            "migrations = [\"src/migrations\"]\n[typeorm]\ndatasource = \"src/data-source.ts\"\n",
        ),
        (
            "src/config.ts",
            "export const config = { customFields: { Product: [{ name: \"color\", type: \"varchar\", nullable: true }] } };\n",
        ),
        (
            "src/product.ts",
            r#"import { Column, Entity, PrimaryGeneratedColumn } from "typeorm";

export class CustomProductFields {}

@Entity()
export class Product {
    @PrimaryGeneratedColumn()
    id: number;

    @Column()
    name: string;

    @Column(() => CustomProductFields)
    customFields: CustomProductFields;
}
"#,
        ),
        (
            "src/data-source.ts",
            r#"import { Column, DataSource } from "typeorm";
import { config } from "./config";
import { CustomProductFields, Product } from "./product";

// What the app's bootstrap does with its configuration: one column per custom field.
for (const field of config.customFields.Product) {
    Column({ type: field.type as any, nullable: field.nullable })(CustomProductFields.prototype, field.name);
}

export default new DataSource({ type: "postgres", entities: [Product] });
"#,
        ),
        ("src/migrations/1700000000000-Init.ts", init),
    ]);
    let (code, json) = lint(app.path());
    let found = entity_findings(&json);
    assert_eq!(
        found
            .iter()
            .map(|(r, o, ..)| (r.as_str(), o.as_str()))
            .collect::<Vec<_>>(),
        vec![("missing-migration", "public.product.customFieldsColor")],
    );
    assert_eq!(code, 1);

    std::fs::write(
        app.path().join("src/migrations/1700000000001-Color.ts"),
        r#"import { MigrationInterface, QueryRunner } from "typeorm";

export class Color1700000000001 implements MigrationInterface {
    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "product" ADD "customFieldsColor" character varying`);
    }
}
"#,
    )
    .unwrap();
    let (code, json) = lint(app.path());
    assert_eq!(entity_findings(&json), vec![]);
    assert_eq!(code, 0, "{json:#}");
}
