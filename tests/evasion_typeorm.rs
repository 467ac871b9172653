//! Issue 10, the TypeORM side of the attack surface at a glance: every way a
//! destructive migration was walked past migguard (unrecognised classes, symlinks,
//! other database handles, a gate more lenient than release-check) and what migguard
//! does now. Each case writes real files to a temp dir and runs the real binary;
//! release-check cases run against the PostgreSQL the test harness starts.

mod support;
mod util;
use support::pg::{cluster, TestDb};
use util::*;

fn lint(dir: &std::path::Path, path: &str) -> Run {
    run_in(dir, &["lint", path, "--format", "json"])
}

/// A migration file whose `up` runs `body` (TypeScript).
fn migration(class: &str, body: &str) -> String {
    format!(
        "import {{ MigrationInterface, QueryRunner }} from \"typeorm\";\n\
         export class {class} implements MigrationInterface {{\n\
         \x20   public async up(queryRunner: QueryRunner): Promise<void> {{\n\
         {body}\n\
         \x20   }}\n\
         \x20   public async down(queryRunner: QueryRunner): Promise<void> {{}}\n\
         }}\n"
    )
}

fn assert_code(r: &Run, code: i32) {
    assert_eq!(r.code, code, "stdout:\n{}\nstderr:\n{}", r.stdout, r.stderr);
}

// ───────────────────────── symlinks (item 3) ─────────────────────────

#[cfg(unix)]
#[test]
fn a_symlinked_migration_file_outside_the_root_is_read() {
    let dir = project(&[
        (
            "shared/1700000000001-DropUsers.ts",
            &migration(
                "DropUsers1700000000001",
                "        await queryRunner.query(`DROP TABLE users`);",
            ),
        ),
        ("migrations/.keep", ""),
    ]);
    std::os::unix::fs::symlink(
        "../shared/1700000000001-DropUsers.ts",
        dir.path().join("migrations/1700000000001-DropUsers.ts"),
    )
    .unwrap();
    let r = lint(dir.path(), "migrations");
    assert_code(&r, 1);
    assert!(r
        .findings()
        .contains(&("drop-table".into(), "failing".into())));
}

#[cfg(unix)]
#[test]
fn a_symlinked_folder_outside_the_root_is_walked() {
    let dir = project(&[
        ("elsewhere/batch/0002_drop.sql", "DROP TABLE users;\n"),
        ("migrations/0001_init.sql", "CREATE TABLE t (id int);\n"),
    ]);
    std::os::unix::fs::symlink("../elsewhere/batch", dir.path().join("migrations/batch")).unwrap();
    let r = lint(dir.path(), "migrations");
    assert_code(&r, 1);
    assert!(r
        .findings()
        .contains(&("drop-table".into(), "failing".into())));
}

#[cfg(unix)]
#[test]
fn a_link_to_a_migration_under_another_name_is_another_migration() {
    let dir = project(&[("migrations/0001_init.sql", "CREATE TABLE t (id int);\n")]);
    std::os::unix::fs::symlink(
        "0001_init.sql",
        dir.path().join("migrations/0001_again.sql"),
    )
    .unwrap();
    let r = lint(dir.path(), "migrations");
    // golang-migrate and numbered-SQL tools run it twice, as two versions.
    assert_code(&r, 0);
    assert_eq!(r.json()["migrations"].as_array().unwrap().len(), 2);
}

#[cfg(unix)]
#[test]
fn a_symlink_loop_is_exit_2_naming_the_link() {
    let dir = project(&[("migrations/0001_init.sql", "CREATE TABLE t (id int);\n")]);
    std::os::unix::fs::symlink("..", dir.path().join("migrations/up")).unwrap();
    let r = lint(dir.path(), "migrations");
    assert_code(&r, 2);
    assert!(r.stderr.contains("migrations/up"), "{}", r.stderr);
    assert!(r.stderr.contains("loop"), "{}", r.stderr);
}

#[cfg(unix)]
#[test]
fn a_dangling_symlink_is_exit_2_naming_it() {
    let dir = project(&[("migrations/0001_init.sql", "CREATE TABLE t (id int);\n")]);
    std::os::unix::fs::symlink(
        "../gone/0002_drop.sql",
        dir.path().join("migrations/0002_drop.sql"),
    )
    .unwrap();
    let r = lint(dir.path(), "migrations");
    assert_code(&r, 2);
    assert!(r.stderr.contains("0002_drop.sql"), "{}", r.stderr);
    assert!(r.stderr.contains("dangling"), "{}", r.stderr);
}

// ───────────────────────── unrecognised files (item 2) ─────────────────────────

const SQL_FILE_BASE: &str = r#"import { MigrationInterface, QueryRunner } from "typeorm";
export abstract class SqlFileMigration implements MigrationInterface {
    protected abstract sql: string;
    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP TABLE users`);
    }
    public async down(): Promise<void> {}
}
"#;

#[test]
fn a_class_inheriting_up_from_an_imported_base_is_read_through_the_import() {
    let dir = project(&[
        ("migrations/base/sql-file-migration.ts", SQL_FILE_BASE),
        (
            "migrations/1700000000001-DropUsers.ts",
            "import { SqlFileMigration } from \"./base/sql-file-migration\";\n\
             export class DropUsers1700000000001 extends SqlFileMigration {\n\
             \x20   protected sql = \"drop-users.sql\";\n\
             }\n",
        ),
    ]);
    let r = lint(dir.path(), "migrations/1700000000001-DropUsers.ts");
    assert_code(&r, 1);
    let v = r.json();
    assert_eq!(v["migrations"][0]["name"], "DropUsers1700000000001");
    assert!(
        r.findings()
            .contains(&("drop-table".into(), "failing".into())),
        "{}",
        r.stdout
    );
    // The finding points at the derived class, in its own file.
    let drop = finding_of(&v, "drop-table");
    assert!(drop["file"]
        .as_str()
        .unwrap()
        .ends_with("1700000000001-DropUsers.ts"));
    assert_eq!(drop["line"], 2);
    // Its origin is the statement in the base file, as for an imported helper.
    assert_eq!(
        drop["origin"]["file"], "migrations/base/sql-file-migration.ts",
        "{v}"
    );
    assert_eq!(drop["origin"]["line"], 5, "{v}");
    let r = run_in(
        dir.path(),
        &["lint", "migrations/1700000000001-DropUsers.ts"],
    );
    assert!(
        r.stdout.contains("in helper migrations/base/sql-file-migration.ts:5, called from migrations/1700000000001-DropUsers.ts:2"),
        "{}",
        r.stdout
    );
}

#[test]
fn a_class_inheriting_up_from_a_base_in_the_same_file_is_read() {
    let src = format!(
        "{SQL_FILE_BASE}\nexport class DropUsers1700000000001 extends SqlFileMigration {{\n    protected sql = \"x\";\n}}\n"
    );
    let dir = project(&[("migrations/1700000000001-DropUsers.ts", &src)]);
    let r = lint(dir.path(), "migrations");
    assert_code(&r, 1);
    let v = r.json();
    let derived_drops = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "drop-table" && f["migration"] == "DropUsers1700000000001")
        .count();
    assert_eq!(derived_drops, 1, "{}", r.stdout);
}

#[test]
fn a_class_inheriting_up_from_a_package_is_a_read_error() {
    let dir = project(&[(
        "migrations/1700000000001-DropUsers.ts",
        "import { SqlFileMigration } from \"@acme/migrations\";\n\
         export class DropUsers1700000000001 extends SqlFileMigration {\n\
         \x20   protected sql = \"drop-users.sql\";\n\
         }\n",
    )]);
    let r = lint(dir.path(), "migrations");
    assert_code(&r, 1);
    assert!(r
        .findings()
        .contains(&("read-error".into(), "failing".into())));
    assert_eq!(r.json()["migrations"][0]["name"], "DropUsers1700000000001");
}

#[test]
fn a_timestamped_class_or_name_without_readable_up_is_a_read_error() {
    for src in [
        // A timestamped class name, no `up` migguard can see.
        "export class DropUsers1700000000001 {\n    name = \"x\";\n}\n",
        // An unnamed class whose `name` carries the timestamp.
        "module.exports = class {\n    name = \"DropUsers1700000000001\";\n};\n",
        // implements MigrationInterface, `up` assigned in the constructor.
        "export class DropUsers implements MigrationInterface {\n    constructor() { Object.assign(this, helpers); }\n}\n",
    ] {
        let dir = project(&[("migrations/1700000000001-DropUsers.ts", src)]);
        let r = lint(dir.path(), "migrations");
        assert_code(&r, 1);
        assert!(
            r.findings().contains(&("read-error".into(), "failing".into())),
            "{src}\n{}",
            r.stdout
        );
    }
}

#[test]
fn a_folder_without_any_migration_is_exit_2_for_every_command() {
    let dir = project(&[
        ("migrations/index.ts", "export * from \"./server\";\n"),
        (
            "migrations/server.ts",
            "import express from \"express\";\nexport const app = express();\n",
        ),
    ]);
    for cmd in [
        vec!["lint", "migrations"],
        vec![
            "release-check",
            "migrations",
            "--database-url",
            "postgres://127.0.0.1:1/x",
        ],
        vec![
            "drift",
            "migrations",
            "--database-url",
            "postgres://127.0.0.1:1/x",
        ],
        vec!["schema", "migrations"],
    ] {
        let r = run_in(dir.path(), &cmd);
        assert_code(&r, 2);
        assert!(r.stderr.contains("no migration"), "{cmd:?}: {}", r.stderr);
    }
}

#[test]
fn a_barrel_index_beside_real_migrations_stays_skipped() {
    let dir = project(&[
        (
            "migrations/index.ts",
            "export * from \"./1700000000001-Init\";\n",
        ),
        (
            "migrations/1700000000001-Init.ts",
            &migration(
                "Init1700000000001",
                "        await queryRunner.query(`CREATE TABLE t (id int)`);",
            ),
        ),
    ]);
    let r = lint(dir.path(), "migrations");
    assert_code(&r, 0);
    assert_eq!(r.json()["migrations"].as_array().unwrap().len(), 1);
}

// ───────────────────── the gate is release-check's equal (item 7) ─────────────────────

const TYPEORM_HISTORY: &str = r#"CREATE TABLE "migrations" ("id" SERIAL NOT NULL, "timestamp" bigint NOT NULL, "name" character varying NOT NULL, CONSTRAINT "PK_migrations" PRIMARY KEY ("id"))"#;

/// A database whose TypeORM history has nothing applied: every migration is pending.
fn empty_history(prefix: &str) -> TestDb {
    let db = cluster().create_database(prefix);
    db.execute(TYPEORM_HISTORY);
    db
}

fn release_check(dir: &std::path::Path, db: &TestDb) -> Run {
    run_json_on_db(dir, &["release-check", "migrations"], &db.url)
}

/// `up()` bodies migguard cannot read statically (issue 10, item 7), each with the rule
/// lint raises for it.
const UNREADABLE: &[(&str, &str)] = &[
    (
        "        await queryRunner.query(`DO $$ DECLARE t text := 'product'; BEGIN EXECUTE 'ALTER TABLE ' || t || ' DROP COLUMN legacy_code'; END $$`);",
        "unparsed-sql",
    ),
    ("        await queryRunner.query(`DROP OWNED BY app_user`);", "unparsed-sql"),
    (
        "        await queryRunner.query(fs.readFileSync(\"x.sql\", \"utf8\"));",
        "opaque-operation",
    ),
    ("        await dropEverything(queryRunner);", "opaque-operation"),
    (
        "        await queryRunner.query.call(queryRunner, `DROP TABLE users`);",
        "opaque-operation",
    ),
    (
        "        await queryRunner.query.apply(queryRunner, [`DROP TABLE users`]);",
        "opaque-operation",
    ),
    (
        "        await queryRunner.manager.delete(\"users\", {});",
        "opaque-operation",
    ),
    (
        "        const stmts = [`DROP TABLE users`];\n        for (let i = 0; i < stmts.length; i++) await queryRunner.query(stmts[i]);",
        "opaque-operation",
    ),
];

#[test]
fn unreadable_code_fails_the_gate_as_it_fails_release_check() {
    let db = empty_history("ev_unreadable");
    for (body, rule) in UNREADABLE {
        let dir = project(&[(
            "migrations/1700000000001-Hidden.ts",
            &migration("Hidden1700000000001", body),
        )]);
        let r = lint(dir.path(), "migrations");
        assert_code(&r, 1);
        assert!(
            r.findings().contains(&(rule.to_string(), "failing".into())),
            "{body}\n{}",
            r.stdout
        );
        let r = release_check(dir.path(), &db);
        assert_code(&r, 1);
        assert!(
            r.findings()
                .contains(&("destructive-pending".into(), "failing".into())),
            "{body}\n{}",
            r.stdout
        );
    }
}

#[test]
fn a_reasoned_ignore_acknowledges_unreadable_code_in_the_gate_and_in_release_check() {
    let db = empty_history("ev_ack");
    for (body, rule) in UNREADABLE {
        // The comment goes on the line above the call (the loop's call for the loop).
        let lines: Vec<&str> = body.lines().collect();
        let (last, before) = lines.split_last().unwrap();
        let mut acknowledged: Vec<String> = before.iter().map(|l| l.to_string()).collect();
        acknowledged.push(format!(
            "        // migguard-ignore {rule}: checked by hand, drops nothing"
        ));
        acknowledged.push(last.to_string());
        let dir = project(&[(
            "migrations/1700000000001-Hidden.ts",
            &migration("Hidden1700000000001", &acknowledged.join("\n")),
        )]);
        let r = lint(dir.path(), "migrations");
        let f = r.findings();
        // Lexical matches (DROP … in unparsed SQL) are other rules' business; the
        // unreadable part itself is acknowledged.
        assert!(
            f.contains(&(rule.to_string(), "suppressed".into())),
            "{body}\n{}",
            r.stdout
        );
        assert!(!f.contains(&(rule.to_string(), "failing".into())), "{f:?}");
        let contract = f.iter().any(|(r, s)| s == "failing" && r != rule);
        let r = release_check(dir.path(), &db);
        if contract {
            // What it is known to do still needs permission.
            assert_code(&r, 1);
        } else {
            assert_code(&r, 0);
        }
    }
}

#[test]
fn a_reason_is_required_to_acknowledge_unreadable_code() {
    let db = empty_history("ev_noreason");
    let dir = project(&[(
        "migrations/1700000000001-Hidden.ts",
        &migration(
            "Hidden1700000000001",
            "        // migguard-ignore opaque-operation\n        await dropEverything(queryRunner);",
        ),
    )]);
    let r = lint(dir.path(), "migrations");
    assert_code(&r, 1);
    assert!(r
        .findings()
        .contains(&("opaque-operation".into(), "failing".into())));
    assert_code(&release_check(dir.path(), &db), 1);
}

#[test]
fn a_file_level_ignore_cannot_hide_a_read_error_from_either_command() {
    let db = empty_history("ev_readerr");
    let dir = project(&[(
        "migrations/1700000000001-Broken.ts",
        "// migguard-ignore-file read-error: it compiles on my machine\n\
         export class Broken1700000000001 {\n\
         \x20   async up(queryRunner) {\n\
         \x20       await queryRunner.query(`DROP TABLE users`) +* ;\n\
         \x20   }\n\
         }\n",
    )]);
    let r = lint(dir.path(), "migrations");
    assert_code(&r, 1);
    let f = r.findings();
    assert!(
        f.contains(&("read-error".into(), "failing".into())),
        "{f:?}"
    );
    // The file-level ignore of read-error is reported (as not applicable), never applied.
    assert!(
        f.contains(&("unused-suppression".into(), "warning".into()))
            || f.contains(&("unused-suppression".into(), "failing".into()))
            || f.contains(&("invalid-annotation".into(), "failing".into())),
        "{f:?}"
    );
    let r = release_check(dir.path(), &db);
    assert_code(&r, 1);
    assert!(r
        .findings()
        .contains(&("destructive-pending".into(), "failing".into())));
}

#[test]
fn the_unreadable_rules_cannot_be_made_lenient_in_a_rules_file() {
    for id in ["opaque-operation", "unparsed-sql", "read-error"] {
        let dir = project(&[
            (
                "rules.toml",
                &format!("[[rule]]\nid = \"{id}\"\nseverity = \"warn\"\n"),
            ),
            (
                "migrations/1700000000001-A.ts",
                &migration("A1700000000001", "        await helper(queryRunner);"),
            ),
        ]);
        let r = run_in(dir.path(), &["lint", "migrations", "--rules", "rules.toml"]);
        assert_code(&r, 2);
        assert!(r.stderr.contains("always `block`"), "{}", r.stderr);
    }
    // Nor narrowed to match less.
    let dir = project(&[
        (
            "rules.toml",
            "[[rule]]\nid = \"opaque-operation\"\nops = [{ kind = \"drop_table\" }]\n",
        ),
        (
            "migrations/1700000000001-A.ts",
            &migration("A1700000000001", "        await helper(queryRunner);"),
        ),
    ]);
    let r = run_in(dir.path(), &["lint", "migrations", "--rules", "rules.toml"]);
    assert_code(&r, 2);
    assert!(r.stderr.contains("cannot be changed"), "{}", r.stderr);
}

#[test]
fn a_file_that_looks_like_a_migration_but_holds_no_class_blocks_release_check() {
    let db = empty_history("ev_emptyfile");
    let dir = project(&[
        (
            "migrations/1700000000001-A.ts",
            &migration(
                "A1700000000001",
                "        await queryRunner.query(`CREATE TABLE a (id int)`);",
            ),
        ),
        (
            "migrations/drop.ts",
            "export const up = (queryRunner) => queryRunner.query(`DROP TABLE a`);\n",
        ),
    ]);
    assert_code(&lint(dir.path(), "migrations"), 1);
    let r = release_check(dir.path(), &db);
    assert_code(&r, 1);
    assert!(r
        .findings()
        .contains(&("read-error".into(), "failing".into())));
}

// ───────────────────── SQL through other handles (item 4) ─────────────────────

/// `up()` bodies that run `DROP TABLE users` without `queryRunner.query`: each must be
/// read as the drop it is.
const OTHER_HANDLES: &[&str] = &[
    "        await AppDataSource.query('DROP TABLE users');",
    "        await this.dataSource.query(`DROP TABLE users`);",
    "        const client = new Client();\n        await client.query('DROP TABLE users');",
    "        await q\\u0075eryRunner.query('DROP TABLE users');",
    "        await queryRunner.q\\u0075ery('DROP TABLE users');",
    "        await queryRunner?.query('DROP TABLE users');",
    "        await queryRunner.manager.connection.execute?.('DROP TABLE users');",
    "        for (const sql of ['DROP TABLE users']) await ds.query(sql);",
];

#[test]
fn literal_sql_on_any_handle_is_read_as_sql() {
    for body in OTHER_HANDLES {
        let dir = project(&[(
            "migrations/1700000000001-Hidden.ts",
            &format!(
                "import {{ AppDataSource, ds }} from \"../data-source\";\nimport {{ Client }} from \"pg\";\n{}",
                migration("Hidden1700000000001", body)
            ),
        )]);
        let r = lint(dir.path(), "migrations");
        assert_code(&r, 1);
        assert!(
            r.findings()
                .contains(&("drop-table".into(), "failing".into())),
            "{body}\n{}",
            r.stdout
        );
    }
}

/// Calls that reach the database or run code migguard cannot read: `opaque`, blocking.
const RUN_TIME_CODE: &[&str] = &[
    "        await AppDataSource.query(sqlFromSomewhere);",
    "        eval(\"queryRunner.query('DROP TABLE users')\");",
    "        await new Function(\"qr\", \"return qr.query('DROP TABLE users')\")(queryRunner);",
    "        await (0, queryRunner.query)('DROP TABLE users');",
    "        const method = 'query';\n        await queryRunner[method]('DROP TABLE users');",
    "        await Reflect.apply(queryRunner.query, queryRunner, ['DROP TABLE users']);",
    "        const { query } = queryRunner;\n        await query.call(queryRunner, 'DROP TABLE users');",
    "        require('child_process').execSync('psql -c \"DROP TABLE users\"');",
    "        const m = await import('./drop');\n        await m.run();",
    "        await someQueryBuilder.execute();",
];

#[test]
fn code_that_reaches_the_database_unread_is_opaque_and_blocks() {
    for body in RUN_TIME_CODE {
        let dir = project(&[(
            "migrations/1700000000001-Hidden.ts",
            &migration("Hidden1700000000001", body),
        )]);
        let r = lint(dir.path(), "migrations");
        assert_eq!(r.code, 1, "{body}\n{}{}", r.stdout, r.stderr);
        let f = r.findings();
        assert!(
            f.iter().any(|(rule, status)| status == "failing"
                && (rule == "opaque-operation" || rule == "drop-table")),
            "{body}\n{}",
            r.stdout
        );
    }
}

#[test]
fn a_query_builder_delete_without_where_is_a_delete_without_where() {
    let dir = project(&[(
        "migrations/1700000000001-Purge.ts",
        &migration(
            "Purge1700000000001",
            "        await queryRunner.manager.createQueryBuilder().delete().from(\"users\").execute();",
        ),
    )]);
    let r = lint(dir.path(), "migrations");
    assert_code(&r, 1);
    assert!(
        r.findings()
            .contains(&("delete-without-where".into(), "failing".into())),
        "{}",
        r.stdout
    );
}

#[test]
fn query_builder_writes_are_classified_like_the_sql_typeorm_sends() {
    for (body, finding) in [
        (
            "        await AppDataSource.createQueryBuilder().update(\"users\").set({ a: 1 }).execute();",
            Some("update-without-where"),
        ),
        (
            "        await AppDataSource.createQueryBuilder().delete().from(User).where('id > 0').execute();",
            None,
        ),
        (
            "        await queryRunner.manager.createQueryBuilder().insert().into(\"users\").values({ a: 1 }).execute();",
            None,
        ),
    ] {
        let dir = project(&[(
            "migrations/1700000000001-Qb.ts",
            &migration("Qb1700000000001", body),
        )]);
        let r = lint(dir.path(), "migrations");
        assert_eq!(rule_ids(&r.json()), finding.into_iter().map(String::from).collect::<Vec<_>>(), "{body}");
    }
}

#[test]
fn ordinary_calls_in_up_are_not_database_calls() {
    let dir = project(&[(
        "migrations/1700000000001-Calm.ts",
        &migration(
            "Calm1700000000001",
            "        const rows = await queryRunner.manager.getRepository(User).find();\n\
             \x20       console.log(JSON.parse('{}'), rows.map((r) => r.id).filter(Boolean));\n\
             \x20       const names = ['a', 'b'].join(',');\n\
             \x20       await queryRunner.query(`CREATE TABLE t (id int)`);",
        ),
    )]);
    let r = lint(dir.path(), "migrations");
    assert_code(&r, 0);
    assert!(r.findings().is_empty(), "{}", r.stdout);
}

// ───────────────────── further forms tried (closing note) ─────────────────────

#[test]
fn an_arrow_function_assigned_to_the_prototype_is_read_as_up() {
    let dir = project(&[(
        "migrations/1700000000001-Hidden.js",
        "class Hidden1700000000001 {}
         Hidden1700000000001.prototype.up = async (qr) => { await qr.query(\"DROP TABLE users\"); };
         exports.Hidden1700000000001 = Hidden1700000000001;
",
    )]);
    let r = lint(dir.path(), "migrations");
    assert_code(&r, 1);
    assert!(
        r.findings()
            .contains(&("drop-table".into(), "failing".into())),
        "{}",
        r.stdout
    );
    assert_eq!(r.json()["migrations"][0]["name"], "Hidden1700000000001");
}

#[test]
fn further_forms_fail_the_gate() {
    let cases: &[(&str, &str)] = &[
        (
            "Promise.all over a literal array",
            &migration(
                "Hidden1700000000001",
                "        await Promise.all(['DROP TABLE users'].map((q) => queryRunner.query(q)));",
            ),
        ),
        (
            "a getter returning up",
            "export class Hidden1700000000001 {\n    get up() {\n        return async (qr) => { await qr.query('DROP TABLE users'); };\n    }\n}\n",
        ),
        (
            "super.up()",
            "import { Base } from \"@acme/base\";\nexport class Hidden1700000000001 extends Base {\n    async up(queryRunner) {\n        await super.up(queryRunner);\n    }\n}\n",
        ),
        (
            "a template tag as the SQL",
            &migration(
                "Hidden1700000000001",
                "        await queryRunner.query(sql`DROP TABLE users`);",
            ),
        ),
        (
            "query itself as a template tag",
            &migration(
                "Hidden1700000000001",
                "        await queryRunner.query`DROP TABLE users`;",
            ),
        ),
        (
            "a second class in the file",
            &format!(
                "{}\nexport class Second1700000000002 {{\n    async up(queryRunner) {{ await queryRunner.query('DROP TABLE users'); }}\n}}\n",
                migration("First1700000000001", "        await queryRunner.query(`SELECT 1`);")
            ),
        ),
    ];
    for (what, src) in cases {
        let dir = project(&[("migrations/1700000000001-Hidden.ts", src)]);
        let r = lint(dir.path(), "migrations");
        assert_eq!(r.code, 1, "{what}\n{}{}", r.stdout, r.stderr);
        assert!(
            r.findings().iter().any(|(rule, status)| status == "failing"
                && ["drop-table", "opaque-operation", "read-error"].contains(&rule.as_str())),
            "{what}\n{}",
            r.stdout
        );
    }
}

// ───────────── imported helpers: arguments, aliases, re-exports (issue 12) ─────────────

/// A project whose migration drops a column through a helper reached by a tsconfig
/// alias, a folder index re-exporting a default export, with the table passed as a
/// literal argument and the column as the parameter's default value.
fn helper_project() -> tempfile::TempDir {
    let migration = "import { MigrationInterface, QueryRunner } from \"typeorm\";\n\
         import { dropLegacy } from \"@app/helpers\";\n\
         export class DropLegacy1700000000001 implements MigrationInterface {\n\
         \x20   public async up(queryRunner: QueryRunner): Promise<void> {\n\
         \x20       await dropLegacy(queryRunner, \"orders\");\n\
         \x20   }\n\
         \x20   public async down(queryRunner: QueryRunner): Promise<void> {}\n\
         }\n";
    project(&[
        ("migrations/1700000000001-DropLegacy.ts", migration),
        (
            "tsconfig.json",
            "{\n  // aliases, as tsc reads them\n  \"compilerOptions\": { \"baseUrl\": \".\", \"paths\": { \"@app/*\": [\"src/*\"], }, },\n}\n",
        ),
        ("package.json", "{}\n"),
        (
            "src/helpers/index.ts",
            "export { default as dropLegacy } from \"./legacy\";\n",
        ),
        (
            "src/helpers/legacy.ts",
            "import { QueryRunner } from \"typeorm\";\n\
             export default async function dropLegacy(queryRunner: QueryRunner, table: string, column = \"legacy_code\") {\n\
             \x20   await queryRunner.query(`ALTER TABLE \"${table}\" DROP COLUMN \"${column}\"`);\n\
             }\n",
        ),
    ])
}

#[test]
fn a_helper_reached_through_an_alias_and_a_re_export_is_read_with_its_arguments() {
    let dir = helper_project();
    let r = lint(dir.path(), "migrations");
    assert_code(&r, 1);
    let v = r.json();
    let drop = finding_of(&v, "drop-column");
    assert_eq!(drop["object"], "public.orders.legacy_code", "{v}");
    // Read exactly: neither opaque nor dynamic.
    assert!(
        !rule_ids(&r.json())
            .iter()
            .any(|rule| rule == "opaque-operation" || rule == "dynamic-sql"),
        "{v}"
    );

    // release-check names what the helper drops (an opaque call would name nothing).
    let db = empty_history("ev_helper_args");
    let r = release_check(dir.path(), &db);
    assert_code(&r, 1);
    let v = r.json();
    let pending = finding_of(&v, "destructive-pending");
    assert_eq!(pending["object"], "public.orders.legacy_code", "{v}");
}

#[test]
fn drift_verifies_what_an_imported_helper_did_with_its_arguments() {
    let db = cluster().create_database("ev_helper_drift");
    db.execute(TYPEORM_HISTORY);
    db.execute("CREATE TABLE orders (id int, created_by text)");
    db.execute(
        "INSERT INTO migrations (timestamp, name) VALUES (1700000000001, 'AddAudit1700000000001')",
    );
    let migration = migration(
        "AddAudit1700000000001",
        "        await queryRunner.query(`CREATE TABLE \"orders\" (id int)`);\n        await addAuditColumns(queryRunner, \"orders\");",
    )
    .replace(
        "from \"typeorm\";\n",
        "from \"typeorm\";\nimport addAuditColumns from \"../helpers/audit\";\n",
    );
    let dir = project(&[
        ("migrations/1700000000001-AddAudit.ts", &migration),
        (
            "helpers/audit.ts",
            "export default async function addAuditColumns(queryRunner, table) {\n    await queryRunner.query(`ALTER TABLE \"${table}\" ADD \"created_by\" text`);\n}\n",
        ),
    ]);
    let r = run_json_on_db(dir.path(), &["drift", "migrations"], &db.url);
    assert_code(&r, 0);
    assert_eq!(r.json()["status"], "clean", "{}", r.stdout);
}

// ───────────── where a helper's ops are written (issue 12, open item 1) ─────────────

/// A migration reaching a DROP COLUMN through a same-class helper (line 9 of the
/// migration) and a DROP TABLE through an imported helper (line 2 of
/// `helpers/legacy.ts`), called on lines 5 and 6.
fn origin_project() -> tempfile::TempDir {
    let migration = "import { MigrationInterface, QueryRunner } from \"typeorm\";\n\
         import { dropLegacyTable } from \"../helpers/legacy\";\n\
         export class DropLegacy1700000000001 implements MigrationInterface {\n\
         \x20   public async up(queryRunner: QueryRunner): Promise<void> {\n\
         \x20       await this.dropCode(queryRunner);\n\
         \x20       await dropLegacyTable(queryRunner);\n\
         \x20   }\n\
         \x20   private async dropCode(queryRunner: QueryRunner): Promise<void> {\n\
         \x20       await queryRunner.query(`ALTER TABLE \"orders\" DROP COLUMN \"code\"`);\n\
         \x20   }\n\
         \x20   public async down(queryRunner: QueryRunner): Promise<void> {}\n\
         }\n";
    project(&[
        ("migrations/1700000000001-DropLegacy.ts", migration),
        (
            "helpers/legacy.ts",
            "export async function dropLegacyTable(queryRunner) {\n\
             \x20   await queryRunner.query(`DROP TABLE \"legacy_orders\"`);\n\
             }\n",
        ),
    ])
}

/// (line, origin file, origin line) of the finding of `rule` in a JSON report.
fn placed(v: &serde_json::Value, rule: &str) -> (u64, String, u64) {
    let f = finding_of(v, rule);
    (
        f["line"].as_u64().unwrap_or(0),
        f["origin"]["file"].as_str().unwrap_or("").to_string(),
        f["origin"]["line"].as_u64().unwrap_or(0),
    )
}

#[test]
fn an_op_inside_a_helper_is_shown_at_the_call_with_the_helper_as_its_origin() {
    let dir = origin_project();
    let r = lint(dir.path(), "migrations");
    assert_code(&r, 1);
    let v = r.json();
    let migration_file = "migrations/1700000000001-DropLegacy.ts".to_string();
    assert_eq!(
        placed(&v, "drop-column"),
        (5, migration_file.clone(), 9),
        "{v}"
    );
    assert_eq!(
        placed(&v, "drop-table"),
        (6, "helpers/legacy.ts".to_string(), 2),
        "{v}"
    );

    // release-check, fail closed on what the helper reaches: the same place.
    let db = empty_history("ev_helper_origin");
    let r = release_check(dir.path(), &db);
    assert_code(&r, 1);
    let v = r.json();
    assert_eq!(
        rules_with_status(&v, "failing"),
        vec!["destructive-pending"],
        "{v}"
    );
    // The block points at the first op that contracts, inside its helper.
    assert_eq!(
        placed(&v, "destructive-pending"),
        (5, migration_file.clone(), 9),
        "{v}"
    );

    // Every format says both places.
    let note =
        "in helper helpers/legacy.ts:2, called from migrations/1700000000001-DropLegacy.ts:6";
    for format in ["human", "github", "gitlab", "sarif"] {
        let r = run_in(dir.path(), &["lint", "migrations", "--format", format]);
        assert_code(&r, 1);
        assert!(r.stdout.contains(note), "{format}:\n{}", r.stdout);
    }
    let r = run_in(dir.path(), &["lint", "migrations", "--format", "sarif"]);
    let v = r.json();
    let related = v["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "drop-table")
        .map(|r| r["relatedLocations"][0]["physicalLocation"].clone())
        .unwrap_or_default();
    assert_eq!(
        related["artifactLocation"]["uri"], "helpers/legacy.ts",
        "{v}"
    );
    assert_eq!(related["region"]["startLine"], 2, "{v}");
}

/// release-check blocks a contract migration whose DROP is in an imported helper at
/// the helper's line, in every format (and so with the permission but without the
/// expand migration applied).
/// The contract migration of `origin_project` with only its helper's drop left (its
/// same-class `dropCode` call taken out).
fn without_the_code_drop(dir: &std::path::Path) {
    let path = dir.join("migrations/1700000000001-DropLegacy.ts");
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("        await this.dropCode(queryRunner);\n", "");
    std::fs::write(&path, text).unwrap();
}

#[test]
fn release_check_points_a_contract_block_into_the_imported_helper() {
    let dir = origin_project();
    without_the_code_drop(dir.path());
    let db = empty_history("ev_release_origin");
    let r = release_check(dir.path(), &db);
    assert_code(&r, 1);
    let v = r.json();
    assert_eq!(
        placed(&v, "destructive-pending"),
        (5, "helpers/legacy.ts".to_string(), 2),
        "{v}"
    );
    let note =
        "in helper helpers/legacy.ts:2, called from migrations/1700000000001-DropLegacy.ts:5";
    for format in ["human", "github", "gitlab", "sarif"] {
        let r = run_in(
            dir.path(),
            &[
                "release-check",
                "migrations",
                "--database-url",
                &db.url,
                "--format",
                format,
            ],
        );
        assert_code(&r, 1);
        assert!(r.stdout.contains(note), "{format}:\n{}", r.stdout);
    }
    // Allowed, but the expand migration it names is not applied: the same place.
    let path = dir.path().join("migrations/1700000000001-DropLegacy.ts");
    let text = std::fs::read_to_string(&path).unwrap().replace(
        "export class",
        "// @destructive: DROP TABLE legacy_orders\n// @expand-migration: AddOrders1600000000000\nexport class",
    );
    std::fs::write(&path, text).unwrap();
    let r = run_in(
        dir.path(),
        &[
            "release-check",
            "migrations",
            "--database-url",
            &db.url,
            "--allow-destructive",
            "--format",
            "json",
        ],
    );
    assert_code(&r, 1);
    assert_eq!(
        placed(&r.json(), "expand-not-applied"),
        (7, "helpers/legacy.ts".to_string(), 2),
        "{}",
        r.stdout
    );
}

/// Fail closed on SQL an imported helper builds at run time: release-check's block
/// points at the call, with the helper's line as origin.
#[test]
fn release_check_points_an_unreadable_helper_part_into_the_helper() {
    let dir = origin_project();
    std::fs::write(
        dir.path().join("helpers/legacy.ts"),
        "export async function dropLegacyTable(queryRunner) {\n\
         \x20   const sql = await loadSql();\n\
         \x20   await queryRunner.query(sql);\n\
         }\n",
    )
    .unwrap();
    without_the_code_drop(dir.path());
    let db = empty_history("ev_release_unread_origin");
    let r = release_check(dir.path(), &db);
    assert_code(&r, 1);
    let v = r.json();
    assert_eq!(
        placed(&v, "destructive-pending"),
        (5, "helpers/legacy.ts".to_string(), 3),
        "{v}"
    );
}

#[test]
fn a_helper_op_is_suppressed_above_the_call_or_above_its_statement_in_the_same_file() {
    let dir = origin_project();
    let path = dir.path().join("migrations/1700000000001-DropLegacy.ts");
    let text = std::fs::read_to_string(&path).unwrap();
    // Above the imported helper's call, and above the statement inside the
    // same-class helper.
    let text = text
        .replace(
            "        await dropLegacyTable(",
            "        // migguard-ignore drop-table: emptied and unused since 2025\n        await dropLegacyTable(",
        )
        .replace(
            "        await queryRunner.query(`ALTER TABLE",
            "        // migguard-ignore drop-column: the column is unused since 2025\n        await queryRunner.query(`ALTER TABLE",
        );
    std::fs::write(&path, text).unwrap();
    let r = lint(dir.path(), "migrations");
    let v = r.json();
    let status = |rule: &str| {
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule"] == rule)
            .map(|f| f["status"].as_str().unwrap_or("").to_string())
    };
    assert_eq!(status("drop-table").as_deref(), Some("suppressed"), "{v}");
    assert_eq!(status("drop-column").as_deref(), Some("suppressed"), "{v}");
    assert!(status("unused-suppression").is_none(), "{v}");
}
