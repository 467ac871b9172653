//! The documented deploy workflow (README "Deploy workflow"), played as one story with
//! real git, real PostgreSQL and real TypeORM 0.3 running the migrations (the release
//! phase): PR gate → release pre-check → drift audit before and after → rollback →
//! a hand edit. Every step asserts the exit code a pipeline would act on.

mod support;
mod util;
use std::path::Path;
use support::pg::cluster;
use util::*;

fn fixture(name: &str) -> String {
    std::fs::read_to_string(repo_root().join("fixtures/src/migrations").join(name)).unwrap()
}

const INIT: &str = "1700000000000-Init.ts";
const EXPAND: &str = "1700000100000-AddSmileCode.ts";
const CONTRACT: &str = "1700000200000-DropLegacyCode.ts";
const ADDITIVE: &str = "1700000300000-BuilderApi.ts";

fn write(dir: &Path, path: &str, content: &str) {
    let p = dir.join(path);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, content).unwrap();
}

fn commit(dir: &Path, msg: &str) {
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", msg]);
}

/// `typeorm migration:run` for a build holding `files` (the release phase).
fn typeorm_run(url: &str, build: &Path, files: &[&str]) -> String {
    let paths: Vec<String> = files
        .iter()
        .map(|f| build.join("src/migrations").join(f).display().to_string())
        .collect();
    support::node::run_typeorm(url, &paths, &[])
}

/// A release image: a checkout holding exactly `files`.
fn image(files: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "migguard.toml",
        "migrations = [\"src/migrations\"]\n",
    );
    for f in files {
        write(dir.path(), &format!("src/migrations/{f}"), &fixture(f));
    }
    dir
}

fn migguard(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    run_env(dir, &all, env)
}

#[test]
fn the_documented_deploy_workflow() {
    let db = cluster().create_database("e2e_workflow");
    let url = db.url.as_str();

    // --- PR gate -------------------------------------------------------------
    let repo = tempfile::tempdir().unwrap();
    let r = repo.path();
    git(r, &["init", "-q", "-b", "main"]);
    git(r, &["config", "commit.gpgsign", "false"]);
    write(r, "migguard.toml", "migrations = [\"src/migrations\"]\n");
    write(r, &format!("src/migrations/{INIT}"), &fixture(INIT));
    commit(r, "init");
    let gate = || migguard(r, &["lint", "--changed-since", "main"], &[]);
    // 1. Expand migration (+ the code that writes both columns): passes.
    git(r, &["checkout", "-q", "-b", "expand"]);
    write(r, &format!("src/migrations/{EXPAND}"), &fixture(EXPAND));
    commit(r, "expand");
    let g = gate();
    assert_eq!(g.code, 0, "expand PR: {}{}", g.stdout, g.stderr);
    git(r, &["checkout", "-q", "main"]);
    git(r, &["merge", "-q", "--ff-only", "expand"]);
    // 2. Contract migration without annotations: fails.
    git(r, &["checkout", "-q", "-b", "contract"]);
    let annotated = fixture(CONTRACT);
    let bare: String = annotated
        .lines()
        .filter(|l| !l.starts_with("// @"))
        .map(|l| format!("{l}\n"))
        .collect();
    write(r, &format!("src/migrations/{CONTRACT}"), &bare);
    let g = gate();
    assert_eq!(g.code, 1, "unannotated contract PR: {}", g.stdout);
    let failing = rules_with_status(&g.json(), "failing");
    assert!(
        failing.contains(&"missing-destructive-annotation".to_string())
            && failing.contains(&"missing-expand-annotation".to_string()),
        "{failing:?}"
    );
    // … annotated directly above the class: passes.
    write(r, &format!("src/migrations/{CONTRACT}"), &annotated);
    let g = gate();
    assert_eq!(g.code, 0, "annotated contract PR: {}{}", g.stdout, g.stderr);
    // … the header above the imports (tsc would drop it): fails on placement.
    let (import, rest) = annotated.split_once('\n').unwrap();
    let header: String = rest
        .lines()
        .filter(|l| l.starts_with("// @"))
        .map(|l| format!("{l}\n"))
        .collect();
    let header_first = format!(
        "{header}{import}\n{}",
        rest.lines()
            .filter(|l| !l.starts_with("// @"))
            .map(|l| format!("{l}\n"))
            .collect::<String>()
    );
    write(r, &format!("src/migrations/{CONTRACT}"), &header_first);
    let g = gate();
    assert_eq!(g.code, 1, "{}", g.stdout);
    assert_eq!(
        rules_with_status(&g.json(), "failing"),
        vec!["annotation-placement"]
    );
    write(r, &format!("src/migrations/{CONTRACT}"), &annotated);
    commit(r, "contract");

    // --- Release 1 ran only Init ---------------------------------------------
    let init_image = image(&[INIT]);
    typeorm_run(url, init_image.path(), &[INIT]);
    let with_contract = image(&[INIT, EXPAND, CONTRACT]);
    let w = with_contract.path();
    // 3. Contract pending, no permission: blocked.
    let c = migguard(w, &["release-check", "--database-url", url], &[]);
    assert_eq!(c.code, 1, "{}", c.stdout);
    assert_eq!(
        rules_with_status(&c.json(), "failing"),
        vec!["destructive-pending"]
    );
    // 4. Permission, but the expand migration would run in the same batch: blocked.
    let c = migguard(
        w,
        &["release-check", "--database-url", url],
        &[("ALLOW_DESTRUCTIVE_MIGRATIONS", "true")],
    );
    assert_eq!(c.code, 1, "{}", c.stdout);
    assert_eq!(
        rules_with_status(&c.json(), "failing"),
        vec!["expand-not-applied"]
    );

    // --- Release 2: the expand migration -------------------------------------
    let expand_image = image(&[INIT, EXPAND]);
    let c = migguard(
        expand_image.path(),
        &["release-check", "--database-url", url],
        &[],
    );
    assert_eq!(c.code, 0, "{}", c.stdout);
    let ran = typeorm_run(url, expand_image.path(), &[INIT, EXPAND]);
    assert!(ran.contains("ran 1 migrations"), "{ran}");

    // --- Release 3: the contract migration, with permission -------------------
    // 5. Pre-deploy drift audit with pending migrations allowed: reconcilable only.
    let d = migguard(
        w,
        &["drift", "--database-url", url, "--allow-pending-migrations"],
        &[],
    );
    assert_eq!(d.code, 0, "{}{}", d.stdout, d.stderr);
    assert_eq!(d.json()["status"], "reconcilable");
    // 6. Permission and the expand migration applied: passes, and says what it allowed.
    let c = migguard(
        w,
        &["release-check", "--database-url", url],
        &[("ALLOW_DESTRUCTIVE_MIGRATIONS", "true")],
    );
    assert_eq!(c.code, 0, "{}", c.stdout);
    let allowed = &c.json()["history"]["allowed_destructive"];
    assert_eq!(allowed[0]["migration"], "DropLegacyCode1700000200000");
    assert_eq!(
        allowed[0]["drops"],
        serde_json::json!(["public.product.legacy_code"])
    );
    assert_eq!(allowed[0]["expand_migration"], "AddSmileCode1700000100000");
    let ran = typeorm_run(url, w, &[INIT, EXPAND, CONTRACT]);
    assert!(ran.contains("ran 1 migrations"), "{ran}");
    // 7. Post-deploy audit: clean.
    let d = migguard(w, &["drift", "--database-url", url], &[]);
    assert_eq!(d.code, 0, "{}{}", d.stdout, d.stderr);
    assert_eq!(d.json()["status"], "clean");

    // --- Release 4 (additive), then the previous image is redeployed ----------
    let latest = image(&[INIT, EXPAND, CONTRACT, ADDITIVE]);
    typeorm_run(url, latest.path(), &[INIT, EXPAND, CONTRACT, ADDITIVE]);
    // 8. Rollback to release 3: a warning listing what it does not know, not a block.
    let c = migguard(w, &["release-check", "--database-url", url], &[]);
    assert_eq!(c.code, 0, "{}", c.stdout);
    let v = c.json();
    assert_eq!(v["history"]["ahead_of_build"], true);
    assert_eq!(
        rules_with_status(&v, "warning"),
        vec!["unknown-applied-migration"]
    );
    // … but rolling back to release 2, whose code still has legacy_code, blocks.
    let c = migguard(
        expand_image.path(),
        &["release-check", "--database-url", url],
        &[],
    );
    assert_eq!(c.code, 1, "{}", c.stdout);
    assert!(
        c.stdout.contains("public.product.legacy_code"),
        "{}",
        c.stdout
    );

    // --- 9. A hand edit on the database: real drift ----------------------------
    db.execute("ALTER TABLE product ADD COLUMN hotfix_note text");
    let d = migguard(latest.path(), &["drift", "--database-url", url], &[]);
    assert_eq!(d.code, 1, "{}", d.stdout);
    let v = d.json();
    assert_eq!(v["status"], "drift");
    assert!(v["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["kind"] == "unexpected-column"
            && i["object"] == "public.product.hotfix_note"
            && i["reconcilable"] == false));
}
