//! The PR gate end to end: `migguard lint --changed-since REF` in real git
//! repositories built per test (base branch with legacy, unannotated destructive
//! migrations; a feature branch on top), for TypeORM and SQL layouts.

mod util;
use std::path::Path;
use util::*;

const CONFIG: &str = "migrations = [\"src/migrations\"]\n";

fn ts_migration(class: &str, header: &str, up: &str) -> String {
    format!(
        "import {{ MigrationInterface, QueryRunner }} from \"typeorm\";\n\n{header}\
         export class {class} implements MigrationInterface {{\n    name = '{class}'\n\n    \
         public async up(queryRunner: QueryRunner): Promise<void> {{\n        \
         await queryRunner.query(`{up}`);\n    }}\n\n    \
         public async down(queryRunner: QueryRunner): Promise<void> {{\n    }}\n}}\n"
    )
}

fn init_ts() -> String {
    ts_migration(
        "Init1700000000000",
        "",
        r#"CREATE TABLE "product" ("id" SERIAL PRIMARY KEY, "legacy_code" varchar(32), "old_flag" boolean)"#,
    )
}

/// Legacy on the base branch: drops a column with no annotation at all.
fn legacy_drop_ts() -> String {
    ts_migration(
        "DropOldFlag1700000100000",
        "",
        r#"ALTER TABLE "product" DROP COLUMN "old_flag""#,
    )
}

fn add_smile_ts() -> String {
    ts_migration(
        "AddSmileCode1700000200000",
        "",
        r#"ALTER TABLE "product" ADD "smile_code" varchar(32)"#,
    )
}

fn drop_legacy_ts(header: &str) -> String {
    ts_migration(
        "DropLegacyCode1700000300000",
        header,
        r#"ALTER TABLE "product" DROP COLUMN "legacy_code""#,
    )
}

const ANNOTATED: &str = "// @destructive: DROP COLUMN product.legacy_code (moved to smile_code)\n\
                         // @expand-migration: AddSmileCode1700000200000\n";

fn write(dir: &Path, path: &str, content: &str) {
    let p = dir.join(path);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, content).unwrap();
}

/// A repo whose `main` holds `files`, checked out on a new branch `feature`.
fn repo_with_base(files: &[(&str, String)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    git(d, &["config", "commit.gpgsign", "false"]);
    for (p, c) in files {
        write(d, p, c);
    }
    git(d, &["add", "-A"]);
    git(d, &["commit", "-q", "-m", "base"]);
    git(d, &["checkout", "-q", "-b", "feature"]);
    dir
}

fn commit_all(d: &Path, msg: &str) {
    git(d, &["add", "-A"]);
    git(d, &["commit", "-q", "-m", msg]);
}

fn typeorm_base() -> tempfile::TempDir {
    repo_with_base(&[
        ("migguard.toml", CONFIG.to_string()),
        ("src/migrations/1700000000000-Init.ts", init_ts()),
        (
            "src/migrations/1700000100000-DropOldFlag.ts",
            legacy_drop_ts(),
        ),
    ])
}

fn gate(d: &Path) -> Run {
    run_in(d, &["lint", "--changed-since", "main", "--format", "json"])
}

/// (rule, status, migration) of every finding, sorted.
fn triples(v: &serde_json::Value) -> Vec<(String, String, String)> {
    let mut t: Vec<(String, String, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or("").to_string(),
                f["status"].as_str().unwrap_or("").to_string(),
                f["migration"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    t.sort();
    t
}

fn has(v: &serde_json::Value, rule: &str, status: &str, migration: &str) -> bool {
    triples(v)
        .iter()
        .any(|(r, s, m)| r == rule && s == status && m == migration)
}

#[test]
fn legacy_findings_fail_without_the_gate_and_are_grandfathered_with_it() {
    let repo = typeorm_base();
    let d = repo.path();
    // Sanity: the base branch alone fails a plain lint (the legacy drop is unannotated),
    // so a pass below is the gate's doing.
    let plain = run_in(d, &["lint", "--format", "json"]);
    assert_eq!(plain.code, 1, "{}{}", plain.stdout, plain.stderr);
    let r = gate(d);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let v = r.json();
    assert_eq!(v["status"], "pass");
    assert!(has(
        &v,
        "drop-column",
        "grandfathered",
        "DropOldFlag1700000100000"
    ));
    assert!(!triples(&v).iter().any(|(_, s, _)| s == "failing"));
}

#[test]
fn feature_adding_an_annotated_contract_migration_passes() {
    let repo = typeorm_base();
    let d = repo.path();
    write(
        d,
        "src/migrations/1700000200000-AddSmileCode.ts",
        &add_smile_ts(),
    );
    write(
        d,
        "src/migrations/1700000300000-DropLegacyCode.ts",
        &drop_legacy_ts(ANNOTATED),
    );
    commit_all(d, "feature");
    let r = gate(d);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let v = r.json();
    assert_eq!(v["status"], "pass");
    assert!(has(
        &v,
        "drop-column",
        "acknowledged",
        "DropLegacyCode1700000300000"
    ));
    assert!(has(
        &v,
        "drop-column",
        "grandfathered",
        "DropOldFlag1700000100000"
    ));
    assert_eq!(v["migrations"].as_array().unwrap().len(), 4);
}

#[test]
fn feature_adding_an_unannotated_drop_fails() {
    let repo = typeorm_base();
    let d = repo.path();
    write(
        d,
        "src/migrations/1700000300000-DropLegacyCode.ts",
        &drop_legacy_ts(""),
    );
    commit_all(d, "feature");
    let r = gate(d);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let v = r.json();
    assert_eq!(v["status"], "fail");
    let m = "DropLegacyCode1700000300000";
    assert!(has(&v, "drop-column", "failing", m));
    assert!(has(&v, "missing-destructive-annotation", "failing", m));
    assert!(has(&v, "missing-expand-annotation", "failing", m));
    // The help names the concrete object and the recipe.
    let help: Vec<String> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "missing-destructive-annotation" && f["migration"] == m)
        .map(|f| f["help"].as_str().unwrap_or("").to_string())
        .collect();
    assert!(help[0].contains("legacy_code"), "{}", help[0]);
    assert!(help[0].contains("@expand-migration"), "{}", help[0]);
    // Legacy findings stay grandfathered even when the gate fails.
    assert!(has(
        &v,
        "drop-column",
        "grandfathered",
        "DropOldFlag1700000100000"
    ));
}

#[test]
fn uncommitted_new_migration_counts_as_added() {
    // A developer's run: the new file is not committed (not even staged).
    let repo = typeorm_base();
    let d = repo.path();
    write(
        d,
        "src/migrations/1700000300000-DropLegacyCode.ts",
        &drop_legacy_ts(""),
    );
    let r = gate(d);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(has(
        &r.json(),
        "missing-destructive-annotation",
        "failing",
        "DropLegacyCode1700000300000"
    ));
}

#[test]
fn editing_a_legacy_migration_fails_edited_migration() {
    let repo = typeorm_base();
    let d = repo.path();
    let edited = legacy_drop_ts().replace("old_flag", "older_flag");
    write(d, "src/migrations/1700000100000-DropOldFlag.ts", &edited);
    commit_all(d, "edit legacy");
    let r = gate(d);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let v = r.json();
    assert!(has(
        &v,
        "edited-migration",
        "failing",
        "DropOldFlag1700000100000"
    ));
    // Its other findings are still grandfathered: the edit is the problem reported.
    assert!(has(
        &v,
        "drop-column",
        "grandfathered",
        "DropOldFlag1700000100000"
    ));
    let edited: Vec<&serde_json::Value> = findings_of(&v, "edited-migration");
    assert_eq!(edited.len(), 1);
    assert!(edited[0]["file"]
        .as_str()
        .unwrap()
        .ends_with("1700000100000-DropOldFlag.ts"));
}

#[test]
fn renaming_a_legacy_migration_fails_edited_migration() {
    let repo = typeorm_base();
    let d = repo.path();
    git(
        d,
        &[
            "mv",
            "src/migrations/1700000100000-DropOldFlag.ts",
            "src/migrations/1700000100000-DropTheOldFlag.ts",
        ],
    );
    commit_all(d, "rename legacy");
    let r = gate(d);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let v = r.json();
    assert!(has(
        &v,
        "edited-migration",
        "failing",
        "DropOldFlag1700000100000"
    ));
    // A rename is not an addition: the drop inside stays grandfathered, not failing.
    assert!(has(
        &v,
        "drop-column",
        "grandfathered",
        "DropOldFlag1700000100000"
    ));
}

#[test]
fn deleting_a_legacy_migration_fails_with_the_path_and_no_position() {
    let repo = typeorm_base();
    let d = repo.path();
    git(
        d,
        &["rm", "-q", "src/migrations/1700000100000-DropOldFlag.ts"],
    );
    commit_all(d, "delete legacy");
    let r = gate(d);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let v = r.json();
    let edited: Vec<&serde_json::Value> = findings_of(&v, "edited-migration");
    assert_eq!(edited.len(), 1, "{}", r.stdout);
    assert_eq!(edited[0]["status"], "failing");
    // Spelt like every other finding's file: relative, as the migration root was given.
    assert_eq!(
        edited[0]["file"],
        "src/migrations/1700000100000-DropOldFlag.ts"
    );
    assert!(edited[0]["line"].is_null(), "{}", edited[0]);
}

#[test]
fn deleting_a_file_outside_the_migration_folders_is_not_an_edit() {
    let repo = repo_with_base(&[
        ("migguard.toml", CONFIG.to_string()),
        ("src/migrations/1700000000000-Init.ts", init_ts()),
        ("src/app/helper.ts", "export const x = 1;\n".to_string()),
    ]);
    let d = repo.path();
    git(d, &["rm", "-q", "src/app/helper.ts"]);
    commit_all(d, "delete helper");
    let r = gate(d);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(!triples(&r.json())
        .iter()
        .any(|(rule, _, _)| rule == "edited-migration"));
}

#[test]
fn changes_on_main_after_the_fork_point_are_not_the_branch_s() {
    // main moves on after the feature branch forked: its new migration is not part
    // of this PR (merge-base, not main's tip, is the base), and the branch did not
    // delete it either.
    let repo = typeorm_base();
    let d = repo.path();
    write(
        d,
        "src/migrations/1700000300000-DropLegacyCode.ts",
        &drop_legacy_ts(ANNOTATED),
    );
    write(
        d,
        "src/migrations/1700000200000-AddSmileCode.ts",
        &add_smile_ts(),
    );
    commit_all(d, "feature");
    git(d, &["checkout", "-q", "main"]);
    write(
        d,
        "src/migrations/1700000150000-DropOther.ts",
        &ts_migration(
            "DropOther1700000150000",
            "",
            r#"ALTER TABLE "product" DROP COLUMN "id""#,
        ),
    );
    commit_all(d, "main moves on");
    git(d, &["checkout", "-q", "feature"]);
    let r = gate(d);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let v = r.json();
    assert!(!triples(&v)
        .iter()
        .any(|(rule, _, _)| rule == "edited-migration"));
}

#[test]
fn sql_layout_annotated_passes_and_unannotated_fails() {
    let base = [
        ("migguard.toml", "migrations = [\"db\"]\n".to_string()),
        (
            "db/0001_init.sql",
            "CREATE TABLE product (id int PRIMARY KEY, legacy_code text, old_flag boolean);\n"
                .to_string(),
        ),
        (
            "db/0002_drop_old_flag.sql",
            "ALTER TABLE product DROP COLUMN old_flag;\n".to_string(),
        ),
    ];
    let repo = repo_with_base(&base);
    let d = repo.path();
    write(
        d,
        "db/0003_add_smile_code.sql",
        "ALTER TABLE product ADD COLUMN smile_code text;\n",
    );
    write(
        d,
        "db/0004_drop_legacy_code.sql",
        "-- @destructive: DROP COLUMN product.legacy_code (moved to smile_code)\n\
         -- @expand-migration: 0003_add_smile_code\n\
         ALTER TABLE product DROP COLUMN legacy_code;\n",
    );
    commit_all(d, "feature");
    let r = gate(d);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let v = r.json();
    assert!(has(
        &v,
        "drop-column",
        "acknowledged",
        "0004_drop_legacy_code"
    ));
    assert!(has(
        &v,
        "drop-column",
        "grandfathered",
        "0002_drop_old_flag"
    ));

    let repo = repo_with_base(&base);
    let d = repo.path();
    write(
        d,
        "db/0003_drop_legacy_code.sql",
        "ALTER TABLE product DROP COLUMN legacy_code;\n",
    );
    commit_all(d, "feature");
    let r = gate(d);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let v = r.json();
    assert!(has(
        &v,
        "missing-destructive-annotation",
        "failing",
        "0003_drop_legacy_code"
    ));
    assert!(has(
        &v,
        "missing-expand-annotation",
        "failing",
        "0003_drop_legacy_code"
    ));
}

#[test]
fn unknown_ref_is_an_error_that_says_how_to_fetch() {
    let repo = typeorm_base();
    let r = run_in(
        repo.path(),
        &[
            "lint",
            "--changed-since",
            "origin/develop",
            "--format",
            "json",
        ],
    );
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("origin/develop"), "{}", r.stderr);
    assert!(
        r.stderr.contains("git fetch origin develop"),
        "{}",
        r.stderr
    );
}

#[test]
fn outside_a_git_repository_is_an_error() {
    let dir = project(&[
        ("migguard.toml", CONFIG),
        ("src/migrations/1700000000000-Init.ts", &init_ts()),
    ]);
    let r = run_in(dir.path(), &["lint", "--changed-since", "main"]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("not inside a git repository"),
        "{}",
        r.stderr
    );
}

/// A CI-like checkout: the feature branch cloned with depth 1 (actions/checkout's
/// default) and the base fetched shallowly too, so no merge base exists locally.
#[test]
fn shallow_clone_without_the_merge_base_says_fetch_depth_0() {
    let repo = typeorm_base();
    let d = repo.path();
    write(
        d,
        "src/migrations/1700000300000-DropLegacyCode.ts",
        &drop_legacy_ts(ANNOTATED),
    );
    commit_all(d, "feature 1");
    write(
        d,
        "src/migrations/1700000200000-AddSmileCode.ts",
        &add_smile_ts(),
    );
    commit_all(d, "feature 2");
    let clones = tempfile::tempdir().unwrap();
    let url = format!("file://{}", d.display());
    git(
        clones.path(),
        &[
            "clone", "-q", "--depth", "1", "--branch", "feature", &url, "c",
        ],
    );
    let c = clones.path().join("c");
    git(
        &c,
        &[
            "fetch",
            "-q",
            "--depth",
            "1",
            "origin",
            "main:refs/remotes/origin/main",
        ],
    );
    let r = run_in(
        &c,
        &["lint", "--changed-since", "origin/main", "--format", "json"],
    );
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("fetch-depth: 0"), "{}", r.stderr);
    assert!(r.stderr.contains("--unshallow"), "{}", r.stderr);
}

/// The exact command lines docs/pr-gate.md gives for GitHub Actions, in a clone that
/// looks like a PR checkout with `fetch-depth: 0` (`origin/<base_ref>` present).
#[test]
fn the_documented_github_actions_commands_work() {
    let repo = typeorm_base();
    let d = repo.path();
    write(
        d,
        "src/migrations/1700000200000-AddSmileCode.ts",
        &add_smile_ts(),
    );
    write(
        d,
        "src/migrations/1700000300000-DropLegacyCode.ts",
        &drop_legacy_ts(""),
    );
    commit_all(d, "feature");
    let clones = tempfile::tempdir().unwrap();
    let url = format!("file://{}", d.display());
    git(
        clones.path(),
        &["clone", "-q", "--branch", "feature", &url, "c"],
    );
    let c = clones.path().join("c");
    // `origin/${{ github.base_ref }}` with base_ref = main.
    let sarif = run_env(
        &c,
        &[
            "lint",
            "--changed-since",
            "origin/main",
            "--format",
            "sarif",
        ],
        &[("GITHUB_ACTIONS", "true")],
    );
    assert_eq!(sarif.code, 1, "{}{}", sarif.stdout, sarif.stderr);
    let v = sarif.json();
    assert_eq!(v["version"], "2.1.0");
    let results = v["runs"][0]["results"].as_array().unwrap();
    let ids: Vec<&str> = results
        .iter()
        .filter_map(|r| r["ruleId"].as_str())
        .collect();
    assert!(ids.contains(&"missing-destructive-annotation"), "{ids:?}");
    // The human step: exit code 1 and the rule named in the output.
    let human = run_in(&c, &["lint", "--changed-since", "origin/main"]);
    assert_eq!(human.code, 1, "{}{}", human.stdout, human.stderr);
    let all = format!("{}{}", human.stdout, human.stderr);
    assert!(all.contains("missing-destructive-annotation"), "{all}");
}

/// actions/checkout's default: depth 1 and only the PR's ref, so `origin/<base>` does
/// not even exist. The error says both what to fetch and that history is missing.
#[test]
fn default_shallow_checkout_without_the_base_ref_says_fetch_depth_0() {
    let repo = typeorm_base();
    let d = repo.path();
    write(
        d,
        "src/migrations/1700000200000-AddSmileCode.ts",
        &add_smile_ts(),
    );
    commit_all(d, "feature");
    let clones = tempfile::tempdir().unwrap();
    let url = format!("file://{}", d.display());
    git(
        clones.path(),
        &[
            "clone",
            "-q",
            "--depth",
            "1",
            "--single-branch",
            "--branch",
            "feature",
            &url,
            "c",
        ],
    );
    let c = clones.path().join("c");
    let r = run_in(&c, &["lint", "--changed-since", "origin/main"]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("git fetch origin main"), "{}", r.stderr);
    assert!(r.stderr.contains("fetch-depth: 0"), "{}", r.stderr);
}

/// Migration files whose names git would C-quote (space, non-ASCII) are still matched
/// to their migrations: an edit to one is caught.
#[test]
fn edited_migration_with_an_unusual_file_name_is_caught() {
    let base = [
        ("migguard.toml", "migrations = [\"db\"]\n".to_string()),
        (
            "db/0001_init café.sql",
            "CREATE TABLE product (id int PRIMARY KEY);\n".to_string(),
        ),
    ];
    let repo = repo_with_base(&base);
    let d = repo.path();
    write(
        d,
        "db/0001_init café.sql",
        "CREATE TABLE product (id bigint PRIMARY KEY);\n",
    );
    commit_all(d, "edit");
    let r = gate(d);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let v = r.json();
    assert!(
        triples(&v)
            .iter()
            .any(|(rule, s, _)| rule == "edited-migration" && s == "failing"),
        "{}",
        r.stdout
    );
}

/// Build output git ignores (compiled `dist/` migrations) cannot be shown to exist on
/// the base, so its findings are gated, not grandfathered: fail closed.
#[test]
fn migrations_git_ignores_are_gated_not_grandfathered() {
    let repo = repo_with_base(&[
        ("migguard.toml", "migrations = [\"build/db\"]\n".to_string()),
        (".gitignore", "build/\n".to_string()),
    ]);
    let d = repo.path();
    write(
        d,
        "build/db/0001_drop_old_flag.sql",
        "ALTER TABLE product DROP COLUMN old_flag;\n",
    );
    let r = gate(d);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(has(
        &r.json(),
        "drop-column",
        "failing",
        "0001_drop_old_flag"
    ));
}

/// A PR branch that merged the base branch back in: the merge base moves up, so
/// migrations that came in through the merge are not this branch's additions.
#[test]
fn a_branch_that_merged_main_gates_only_its_own_migrations() {
    let repo = typeorm_base();
    let d = repo.path();
    write(
        d,
        "src/migrations/1700000200000-AddSmileCode.ts",
        &add_smile_ts(),
    );
    commit_all(d, "feature");
    git(d, &["checkout", "-q", "main"]);
    write(
        d,
        "src/migrations/1700000150000-DropOther.ts",
        &ts_migration(
            "DropOther1700000150000",
            "",
            r#"ALTER TABLE "product" DROP COLUMN "id""#,
        ),
    );
    commit_all(d, "main moves on with an unannotated drop");
    git(d, &["checkout", "-q", "feature"]);
    git(d, &["merge", "-q", "--no-edit", "main"]);
    let r = gate(d);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let v = r.json();
    assert!(has(
        &v,
        "drop-column",
        "grandfathered",
        "DropOther1700000150000"
    ));
    assert!(!triples(&v).iter().any(|(_, s, _)| s == "failing"));
}

/// Run from a subdirectory with a relative path: git reports root-relative paths,
/// migguard's are cwd-relative; both must meet.
#[test]
fn run_from_a_subdirectory_matches_paths() {
    let repo = typeorm_base();
    let d = repo.path();
    write(
        d,
        "src/migrations/1700000300000-DropLegacyCode.ts",
        &drop_legacy_ts(""),
    );
    let edited = legacy_drop_ts().replace("old_flag", "older_flag");
    write(d, "src/migrations/1700000100000-DropOldFlag.ts", &edited);
    commit_all(d, "feature");
    let r = run_in(
        &d.join("src"),
        &[
            "lint",
            "migrations",
            "--changed-since",
            "main",
            "--format",
            "json",
        ],
    );
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let v = r.json();
    assert!(has(
        &v,
        "missing-destructive-annotation",
        "failing",
        "DropLegacyCode1700000300000"
    ));
    assert!(has(
        &v,
        "edited-migration",
        "failing",
        "DropOldFlag1700000100000"
    ));
    assert!(has(
        &v,
        "drop-column",
        "grandfathered",
        "DropOldFlag1700000100000"
    ));
}

#[test]
fn the_gate_finds_the_repository_of_the_migrations_not_of_the_working_directory() {
    let repo = typeorm_base();
    let d = repo.path();
    write(
        d,
        "src/migrations/1700000300000-DropLegacyCode.ts",
        &drop_legacy_ts(""),
    );
    let elsewhere = tempfile::tempdir().unwrap();
    let config = d.join("migguard.toml");
    let migrations = d.join("src/migrations");
    for args in [
        vec!["--config", config.to_str().unwrap(), "lint"],
        vec!["lint", migrations.to_str().unwrap()],
    ] {
        let mut args = args;
        args.extend(["--changed-since", "main", "--format", "json"]);
        let r = run_in(elsewhere.path(), &args);
        assert_eq!(r.code, 1, "{args:?}: {}{}", r.stdout, r.stderr);
        let v = r.json();
        assert!(
            has(
                &v,
                "drop-column",
                "grandfathered",
                "DropOldFlag1700000100000"
            ),
            "{args:?}: {v}"
        );
        assert!(
            has(&v, "drop-column", "failing", "DropLegacyCode1700000300000"),
            "{args:?}: {v}"
        );
    }
}

#[test]
fn comment_only_edits_to_a_shipped_migration_are_not_edits() {
    let repo = typeorm_base();
    let d = repo.path();
    // An annotation added above the class, a comment inside up(), a comment and
    // new line breaks inside the SQL string: nothing it executes changes.
    let edited = legacy_drop_ts()
        .replace(
            "export class",
            "// @destructive: DROP COLUMN product.old_flag (unused since 2023)\n// @expand-migration: NONE (never read by the app)\nexport class",
        )
        .replace(
            "        await queryRunner.query(",
            "        // the flag was never read\n        await queryRunner.query(",
        )
        .replace(
            r#"ALTER TABLE "product" DROP COLUMN"#,
            "-- legacy\n            ALTER TABLE \"product\"\n                DROP COLUMN",
        );
    assert_ne!(edited, legacy_drop_ts());
    write(d, "src/migrations/1700000100000-DropOldFlag.ts", &edited);
    commit_all(d, "annotate legacy");
    let r = gate(d);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        !triples(&r.json())
            .iter()
            .any(|(rule, _, _)| rule == "edited-migration"),
        "{}",
        r.stdout
    );
    // Changing what it executes is still an edit, however small.
    let edited = edited.replace(
        "DROP COLUMN \"old_flag\"",
        "DROP COLUMN IF EXISTS \"old_flag\"",
    );
    write(d, "src/migrations/1700000100000-DropOldFlag.ts", &edited);
    let r = gate(d);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(has(
        &r.json(),
        "edited-migration",
        "failing",
        "DropOldFlag1700000100000"
    ));
}

#[test]
fn comment_only_edit_to_a_shipped_sql_migration_is_not_an_edit() {
    let repo = repo_with_base(&[
        ("migguard.toml", "migrations = [\"db\"]\n".to_string()),
        (
            "db/0001_init.sql",
            "CREATE TABLE product (id int PRIMARY KEY, note text DEFAULT 'a -- b');\n".to_string(),
        ),
    ]);
    let d = repo.path();
    write(
        d,
        "db/0001_init.sql",
        "-- creates the product table\n/* reviewed */\nCREATE TABLE product (\n  id int PRIMARY KEY, -- key\n  note text DEFAULT 'a -- b'\n);\n",
    );
    let r = gate(d);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    // A change inside a string literal is a change (it looks like a comment, it is not).
    write(
        d,
        "db/0001_init.sql",
        "CREATE TABLE product (id int PRIMARY KEY, note text DEFAULT 'a -- c');\n",
    );
    let r = gate(d);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(has(&r.json(), "edited-migration", "failing", "0001_init"));
}

#[test]
fn a_reasoned_file_level_ignore_suppresses_edited_migration() {
    let repo = typeorm_base();
    let d = repo.path();
    let edited = format!(
        "// migguard-ignore-file edited-migration: every database ran the IF EXISTS form by hand (INC-42)\n{}",
        legacy_drop_ts().replace("DROP COLUMN \"old_flag\"", "DROP COLUMN IF EXISTS \"old_flag\"")
    );
    write(d, "src/migrations/1700000100000-DropOldFlag.ts", &edited);
    let r = gate(d);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let v = r.json();
    let f: Vec<&serde_json::Value> = findings_of(&v, "edited-migration");
    assert_eq!(f.len(), 1, "{}", r.stdout);
    assert_eq!(f[0]["status"], "suppressed");
    assert_eq!(
        f[0]["suppression_reason"],
        "every database ran the IF EXISTS form by hand (INC-42)"
    );
    assert!(!triples(&v)
        .iter()
        .any(|(rule, _, _)| rule == "unused-suppression"));
    // Without a reason it is not applied: the edit still fails.
    let unreasoned = edited.replace(
        ": every database ran the IF EXISTS form by hand (INC-42)",
        "",
    );
    write(
        d,
        "src/migrations/1700000100000-DropOldFlag.ts",
        &unreasoned,
    );
    let r = gate(d);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(has(
        &r.json(),
        "edited-migration",
        "failing",
        "DropOldFlag1700000100000"
    ));
}
