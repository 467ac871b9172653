//! TypeORM migrations end to end: the real binary over `.ts` sources and tsc output.

mod util;
use util::*;

/// (rule, status, line) of every finding.
fn findings(v: &serde_json::Value) -> Vec<(String, String, u64)> {
    v["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| {
                    (
                        f["rule"].as_str().unwrap_or("").to_string(),
                        f["status"].as_str().unwrap_or("").to_string(),
                        f["line"].as_u64().unwrap_or(0),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

const DIST_DROP: &str = r#""use strict";
var __awaiter = (this && this.__awaiter) || function () {};
Object.defineProperty(exports, "__esModule", { value: true });
exports.DropLegacy1700000000001 = void 0;
class DropLegacy1700000000001 {
    constructor() {
        this.name = 'DropLegacy1700000000001';
    }
    up(queryRunner) {
        return __awaiter(this, void 0, void 0, function* () {
            yield queryRunner.query(`
                ALTER TABLE "product"
                    DROP COLUMN "legacy_code"`);
        });
    }
    down(queryRunner) {
        return __awaiter(this, void 0, void 0, function* () { });
    }
}
exports.DropLegacy1700000000001 = DropLegacy1700000000001;
"#;

#[test]
fn compiled_dist_drop_column_fails_at_its_line_in_the_js_file() {
    let dir = project(&[("dist/migrations/1700000000001-DropLegacy.js", DIST_DROP)]);
    let r = run_in(dir.path(), &["lint", "dist/migrations", "--format", "json"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let v = r.json();
    assert_eq!(v["migrations"][0]["name"], "DropLegacy1700000000001");
    let drop = findings(&v)
        .into_iter()
        .find(|f| f.0 == "drop-column")
        .expect("drop-column finding");
    assert_eq!(drop.1, "failing");
    // The statement starts on line 12 of the .js file, inside the template literal.
    assert_eq!(drop.2, 12);
}

#[test]
fn ignore_comment_above_the_query_call_suppresses_with_reason() {
    let src = DIST_DROP.replace(
        "            yield queryRunner.query(`",
        "            // migguard-ignore drop-column: column unused since v2\n            yield queryRunner.query(`",
    );
    let dir = project(&[("dist/migrations/1700000000001-DropLegacy.js", &src)]);
    let r = run_in(dir.path(), &["lint", "dist/migrations", "--format", "json"]);
    // The finding is suppressed; the migration is still a contract one without its
    // annotations, which is another rule's business.
    let f = findings(&r.json());
    assert!(
        f.iter()
            .any(|f| f.0 == "drop-column" && f.1 == "suppressed"),
        "{f:?}"
    );
    assert!(!f.iter().any(|f| f.0 == "drop-column" && f.1 == "failing"));
    assert!(!f.iter().any(|f| f.0 == "unused-suppression"));
}

#[test]
fn helper_receiving_the_query_runner_is_opaque_and_fails_the_gate() {
    let src = r#"import { MigrationInterface, QueryRunner } from "typeorm";
import { createAuditTable } from "../helpers";

export class Audit1700000000002 implements MigrationInterface {
    public async up(queryRunner: QueryRunner): Promise<void> {
        await createAuditTable(queryRunner);
    }
    public async down(queryRunner: QueryRunner): Promise<void> {}
}
"#;
    let dir = project(&[("migrations/1700000000002-Audit.ts", src)]);
    let r = run_in(dir.path(), &["lint", "migrations", "--format", "json"]);
    // Issue 10: release-check blocks what it cannot read, so the gate does too.
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(findings(&r.json()).contains(&("opaque-operation".into(), "failing".into(), 6)));
    // And a `--fail-on warn` gate all the more.
    let r = run_in(
        dir.path(),
        &[
            "lint",
            "migrations",
            "--format",
            "json",
            "--fail-on",
            "warn",
        ],
    );
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
}

#[test]
fn malformed_typescript_fails_closed_with_its_line() {
    let src = r#"export class Broken1700000000003 {
    async up(queryRunner) {
        await queryRunner.dropTable("a";
    }
}
"#;
    let dir = project(&[("migrations/1700000000003-Broken.ts", src)]);
    let r = run_in(dir.path(), &["lint", "migrations", "--format", "json"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(findings(&r.json())
        .iter()
        .any(|f| f.0 == "read-error" && f.1 == "failing" && f.2 == 3));
}

#[test]
fn builder_drop_table_blocks_and_down_is_not_gated() {
    let src = r#"export class Swap1700000000004 {
    async up(queryRunner) {
        await queryRunner.createTable({ name: "note", columns: [{ name: "id", type: "int", isPrimary: true }] });
    }
    async down(queryRunner) {
        await queryRunner.dropTable("note");
    }
}
"#;
    let dir = project(&[("migrations/1700000000004-Swap.js", src)]);
    let r = run_in(dir.path(), &["lint", "migrations", "--format", "json"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(!findings(&r.json()).iter().any(|f| f.0 == "drop-table"));
}

/// The bundled `dist/` (tsc CommonJS output) is the same migrations as `src/`: the
/// reader must see the same operations in both, as the release image and the PR see
/// one project.
#[test]
fn compiled_fixtures_read_like_their_typescript() {
    let config = migguard::config::Config::default();
    let ops = |dir: &str| -> Vec<(String, Vec<String>)> {
        migguard::project::load_project(&[repo_root().join(dir)], &config)
            .unwrap()
            .migrations
            .iter()
            .map(|m| {
                let kinds = m.up.iter().map(|o| format!("{:?}", o.kind)).collect();
                (m.name.clone(), kinds)
            })
            .collect()
    };
    let (ts, js) = (
        ops("fixtures/src/migrations"),
        ops("fixtures/dist/migrations"),
    );
    assert_eq!(ts.len(), 4);
    assert_eq!(ts, js);
}

/// `[typeorm] read_only_helpers`: a helper the team vouches only reads through the
/// query runner is no operation; any other helper given the runner stays opaque.
#[test]
fn read_only_helpers_from_the_config_are_not_operations() {
    let ts = r#"import { MigrationInterface, QueryRunner } from "typeorm";
export class Vectors1700000000001 implements MigrationInterface {
    public async up(queryRunner: QueryRunner): Promise<void> {
        const ext = await getVectorExtension(queryRunner);
        await reindexEverything(queryRunner);
    }
    public async down(): Promise<void> {}
}
"#;
    let opaque_calls = |config: &str| -> Vec<u64> {
        let dir = project(&[
            ("m/1700000000001-Vectors.ts", ts),
            ("migguard.toml", config),
        ]);
        let r = run_in(dir.path(), &["lint", "--format", "json"]);
        findings(&r.json())
            .into_iter()
            .filter(|(rule, _, _)| rule == "opaque-operation")
            .map(|(_, _, line)| line)
            .collect()
    };
    assert_eq!(opaque_calls("migrations = [\"m\"]\n"), vec![4, 5]);
    assert_eq!(
        opaque_calls(
            "migrations = [\"m\"]\n[typeorm]\nread_only_helpers = [\"getVectorExtension\"]\n"
        ),
        vec![5]
    );
}

#[test]
fn every_way_of_reaching_query_is_read() {
    let src = r#"export class Reach1700000000001 {
    async up(queryRunner) {
        await exec(`DROP TABLE hoisted`);
        async function exec(sql) { await queryRunner.query(sql); }
        const q = async (s) => { return await queryRunner.manager.query(s); };
        await q(`DROP TABLE via_arrow`);
        const { connection: { manager: m } } = queryRunner;
        await m.query(`DROP TABLE via_nested_pattern`);
        await queryRunner["query"](`DROP TABLE via_subscript`);
    }
}
"#;
    let dir = project(&[("m/1700000000001-Reach.ts", src)]);
    let r = run_in(dir.path(), &["lint", "m", "--format", "json"]);
    let v = r.json();
    let dropped: Vec<(String, u64)> = findings_of(&v, "drop-table")
        .into_iter()
        .map(|f| {
            (
                f["object"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        dropped,
        [
            ("public.hoisted".to_string(), 3),
            ("public.via_arrow".to_string(), 6),
            ("public.via_nested_pattern".to_string(), 8),
            ("public.via_subscript".to_string(), 9),
        ],
        "{v}"
    );
    assert!(
        !findings(&v).iter().any(|f| f.0 == "opaque-operation"),
        "{v}"
    );
}

#[test]
fn loops_over_literal_sql_are_read_once_per_element() {
    let src = r#"export class Loop1700000000001 {
    async up(queryRunner) {
        const statements = [`DROP TABLE a`, `DROP TABLE b`];
        for (const sql of statements) {
            await queryRunner.query(sql);
        }
        [`DELETE FROM c`].forEach((s) => queryRunner.query(s));
        const tables = ["d", "e"];
        for (const t of tables) await queryRunner.query(`DROP TABLE ${t}`);
        for (const s of loadStatements()) await queryRunner.query(s);
    }
}
"#;
    let dir = project(&[("m/1700000000001-Loop.ts", src)]);
    let v = run_in(dir.path(), &["lint", "m", "--format", "json"]).json();
    let seen: Vec<(String, String, u64)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            f["migration"] == "Loop1700000000001"
                && !f["rule"].as_str().unwrap().starts_with("missing-")
                && f["category"] != "locking"
        })
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["object"].as_str().unwrap_or("").to_string(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("drop-table".to_string(), "public.a".to_string(), 3),
            ("drop-table".to_string(), "public.b".to_string(), 3),
            (
                "delete-without-where".to_string(),
                "public.c".to_string(),
                7
            ),
            // Names spliced into SQL: read once, as SQL built at run time.
            (
                "drop-table".to_string(),
                "public.__migguard_dynamic_1__".to_string(),
                9
            ),
            (
                "dynamic-sql".to_string(),
                "public.__migguard_dynamic_1__".to_string(),
                9
            ),
            // An array from a function: not readable, fails closed.
            ("opaque-operation".to_string(), String::new(), 10),
        ],
        "{v}"
    );
}
