//! The rules issue 16 takes from the peers (squawk, strong_migrations), on the
//! TypeORM side and on the edge cases the one-folder fixtures
//! (`tests/fixtures/rules/<id>/`) do not show: the real binary on real files.

mod util;
use util::*;

const INIT_TS: &str = r#"import { MigrationInterface, QueryRunner } from "typeorm";

export class Init1700000000000 implements MigrationInterface {
    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TYPE "public"."users_mood_enum" AS ENUM('ok', 'sad')`);
        await queryRunner.query(`CREATE TABLE "users" ("id" bigint NOT NULL, "email" text NOT NULL, "mood" "public"."users_mood_enum")`);
    }
    public async down(queryRunner: QueryRunner): Promise<void> {}
}
"#;

/// A TypeORM migration whose `up` body is `body`.
fn ts(class: &str, body: &str) -> String {
    format!(
        r#"import {{ MigrationInterface, QueryRunner, Table, TableColumn, TableIndex }} from "typeorm";

export class {class}1700000000001 implements MigrationInterface {{
    public async up(queryRunner: QueryRunner): Promise<void> {{
{body}
    }}
    public async down(queryRunner: QueryRunner): Promise<void> {{}}
}}
"#
    )
}

/// `(rule, message)` of every finding that counts (failing or warning).
fn reported(files: &[(&str, &str)], extra: &[&str]) -> Vec<(String, String)> {
    let dir = project(files);
    let mut args = vec!["lint", "migrations", "--format", "json"];
    args.extend(extra);
    let run = run_in(dir.path(), &args);
    assert_ne!(run.code, 2, "{}", run.stderr);
    run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "failing" || f["status"] == "warning")
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn typeorm(class: &str, body: &str) -> Vec<(String, String)> {
    let second = ts(class, body);
    reported(
        &[
            ("migrations/1700000000000-Init.ts", INIT_TS),
            (&format!("migrations/1700000000001-{class}.ts"), &second),
        ],
        &[],
    )
}

fn count(found: &[(String, String)], rule: &str) -> usize {
    found.iter().filter(|(r, _)| r == rule).count()
}

#[test]
fn typeorm_add_column_with_a_volatile_or_uuid_generated_default_rewrites() {
    for column in [
        r#"{ name: "token", type: "uuid", default: "uuid_generate_v4()" }"#,
        r#"{ name: "token", type: "uuid", isGenerated: true, generationStrategy: "uuid" }"#,
        r#"{ name: "seq", type: "int", isGenerated: true, generationStrategy: "increment" }"#,
        r#"{ name: "seq", type: "bigint", isGenerated: true, generationStrategy: "identity" }"#,
    ] {
        let found = typeorm(
            "Token",
            &format!(r#"        await queryRunner.addColumn("users", new TableColumn({column}));"#),
        );
        assert_eq!(
            count(&found, "add-column-volatile-default"),
            1,
            "{column}: {found:?}"
        );
    }
    for column in [
        r#"{ name: "seen", type: "timestamptz", default: "now()" }"#,
        r#"{ name: "seen", type: "timestamptz", default: "CURRENT_TIMESTAMP" }"#,
        r#"{ name: "note", type: "text", default: "'random()'" }"#,
    ] {
        let found = typeorm(
            "Seen",
            &format!(r#"        await queryRunner.addColumn("users", new TableColumn({column}));"#),
        );
        assert_eq!(
            count(&found, "add-column-volatile-default"),
            0,
            "{column}: {found:?}"
        );
    }
}

#[test]
fn volatile_default_on_a_table_of_the_same_migration_is_not_flagged() {
    let found = reported(
        &[(
            "migrations/0001_init.sql",
            "CREATE TABLE t (id bigint); ALTER TABLE t ADD COLUMN token uuid DEFAULT gen_random_uuid();",
        )],
        &[],
    );
    assert_eq!(count(&found, "add-column-volatile-default"), 0, "{found:?}");
}

#[test]
fn typeorm_create_primary_key_on_an_existing_table_is_flagged_once() {
    let found = typeorm(
        "Pk",
        r#"        await queryRunner.createPrimaryKey("users", ["id"]);"#,
    );
    assert_eq!(
        count(&found, "add-primary-key-existing-table"),
        1,
        "{found:?}"
    );
    // The UNIQUE rule no longer reports the primary key a second time.
    assert_eq!(count(&found, "add-unique-constraint"), 0, "{found:?}");
    let created = reported(
        &[(
            "migrations/0001_init.sql",
            "CREATE TABLE t (id bigint NOT NULL); ALTER TABLE t ADD PRIMARY KEY (id);",
        )],
        &[],
    );
    assert_eq!(
        count(&created, "add-primary-key-existing-table"),
        0,
        "{created:?}"
    );
}

#[test]
fn typeorm_enum_rebuild_that_drops_a_label_is_flagged_with_the_label() {
    // What TypeORM generates when a label leaves the entity's enum.
    let found = typeorm(
        "Mood",
        r#"        await queryRunner.query(`ALTER TYPE "public"."users_mood_enum" RENAME TO "users_mood_enum_old"`);
        await queryRunner.query(`CREATE TYPE "public"."users_mood_enum" AS ENUM('ok', 'happy')`);
        await queryRunner.query(`ALTER TABLE "users" ALTER COLUMN "mood" TYPE "public"."users_mood_enum" USING "mood"::"text"::"public"."users_mood_enum"`);
        await queryRunner.query(`DROP TYPE "public"."users_mood_enum_old"`);"#,
    );
    let messages: Vec<&String> = found
        .iter()
        .filter(|(r, _)| r == "enum-value-change")
        .map(|(_, m)| m)
        .collect();
    assert_eq!(messages.len(), 1, "{found:?}");
    assert!(messages[0].contains("without 'sad'"), "{messages:?}");
    // Only adding a label through the same rebuild removes nothing.
    let added = typeorm(
        "Mood",
        r#"        await queryRunner.query(`ALTER TYPE "public"."users_mood_enum" RENAME TO "users_mood_enum_old"`);
        await queryRunner.query(`CREATE TYPE "public"."users_mood_enum" AS ENUM('ok', 'sad', 'happy')`);"#,
    );
    assert_eq!(count(&added, "enum-value-change"), 0, "{added:?}");
}

#[test]
fn enum_add_value_in_a_transaction_depends_on_the_server_version() {
    let files = [
        ("migrations/1700000000000-Init.ts", INIT_TS.to_string()),
        (
            "migrations/1700000000001-Happy.ts",
            ts(
                "Happy",
                r#"        await queryRunner.query(`ALTER TYPE "public"."users_mood_enum" ADD VALUE 'happy'`);"#,
            ),
        ),
    ];
    let refs: Vec<(&str, &str)> = files.iter().map(|(p, c)| (*p, c.as_str())).collect();
    let on_15 = reported(&refs, &[]);
    assert_eq!(count(&on_15, "enum-value-change"), 0, "{on_15:?}");
    let mut with_config = refs.clone();
    with_config.push(("migguard.toml", "postgres_version = 11\n"));
    let on_11 = reported(&with_config, &["--config", "migguard.toml"]);
    assert_eq!(count(&on_11, "enum-value-change"), 1, "{on_11:?}");
}

#[test]
fn new_enum_label_used_after_a_commit_is_not_flagged() {
    let found = reported(
        &[
            ("migrations/0001_init.sql", "CREATE TYPE mood AS ENUM ('ok'); CREATE TABLE u (id int, m mood);"),
            (
                "migrations/0002_add.sql",
                "-- migguard:no-transaction\nALTER TYPE mood ADD VALUE 'meh';\nUPDATE u SET m = 'meh' WHERE id = 1;",
            ),
        ],
        &[],
    );
    assert_eq!(count(&found, "enum-value-change"), 0, "{found:?}");
}

#[test]
fn typeorm_long_builder_names_are_flagged() {
    let long = "first_touch_campaign_name_as_reported_by_the_attribution_provider_api";
    let found = typeorm(
        "Long",
        &format!(
            r#"        await queryRunner.addColumn("users", new TableColumn({{ name: "{long}", type: "text", isNullable: true }}));"#
        ),
    );
    let messages: Vec<&String> = found
        .iter()
        .filter(|(r, _)| r == "identifier-too-long")
        .map(|(_, m)| m)
        .collect();
    assert_eq!(messages.len(), 1, "{found:?}");
    assert!(messages[0].contains(&long[..63]), "{messages:?}");
}

#[test]
fn typeorm_primary_generated_column_is_an_int_serial_for_the_style_rules() {
    let rules = "[[rule]]\nid = \"prefer-identity\"\nseverity = \"warn\"\n\n[[rule]]\nid = \"prefer-bigint-primary-key\"\nseverity = \"warn\"\n\n[[rule]]\nid = \"prefer-timestamptz\"\nseverity = \"warn\"\n";
    // `@PrimaryGeneratedColumn()` as a generated migration writes it.
    let body = r#"        await queryRunner.createTable(new Table({
            name: "tags",
            columns: [
                { name: "id", type: "int", isPrimary: true, isGenerated: true, generationStrategy: "increment" },
                { name: "created", type: "timestamp", default: "now()" },
            ],
        }));"#;
    let second = ts("Tags", body);
    let files = [
        ("migrations/1700000000000-Init.ts", INIT_TS),
        ("migrations/1700000000001-Tags.ts", second.as_str()),
        ("rules.toml", rules),
    ];
    let on = reported(&files, &["--rules", "rules.toml"]);
    for rule in [
        "prefer-identity",
        "prefer-bigint-primary-key",
        "prefer-timestamptz",
    ] {
        assert_eq!(count(&on, rule), 1, "{rule}: {on:?}");
    }
    // Off by default.
    let off = reported(&files[..2], &[]);
    for rule in [
        "prefer-identity",
        "prefer-bigint-primary-key",
        "prefer-timestamptz",
        "prefer-text-over-char",
    ] {
        assert_eq!(count(&off, rule), 0, "{rule}: {off:?}");
    }
}
