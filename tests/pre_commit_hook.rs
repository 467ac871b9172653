//! The pre-commit hooks of `.pre-commit-hooks.yaml`: their entry command is run the way
//! pre-commit runs it (from the repository root, no file names appended) in a real git
//! repository with a staged migration, with the real binary standing in for the
//! `migguard` pre-commit installs.

mod util;
use util::*;

/// (id, entry, files) of every hook, read from the YAML file's plain `key: value` lines.
fn hooks() -> Vec<(String, String, String)> {
    let text = std::fs::read_to_string(repo_root().join(".pre-commit-hooks.yaml")).unwrap();
    let mut hooks = Vec::new();
    let (mut id, mut entry) = (String::new(), String::new());
    for line in text.lines().filter(|l| !l.trim_start().starts_with('#')) {
        let line = line.trim_start_matches("- ").trim();
        if let Some(v) = line.strip_prefix("id: ") {
            id = v.to_string();
        } else if let Some(v) = line.strip_prefix("entry: ") {
            entry = v.to_string();
        } else if let Some(v) = line.strip_prefix("files: ") {
            hooks.push((id.clone(), entry.clone(), v.trim_matches('\'').to_string()));
        }
    }
    hooks
}

fn run_entry(dir: &std::path::Path, entry: &str) -> Run {
    let mut words = entry.split_whitespace();
    assert_eq!(words.next(), Some("migguard"), "{entry}");
    let args: Vec<&str> = words.collect();
    run_in(dir, &args)
}

#[test]
fn hook_entry_gates_only_the_staged_migration() {
    let hooks = hooks();
    assert_eq!(hooks.len(), 2, "{hooks:?}");
    for (id, entry, files) in &hooks {
        let files = regex::Regex::new(files).unwrap();
        assert!(
            files.is_match("src/migrations/1700000000000-Init.ts"),
            "{id}"
        );
        assert!(files.is_match("db/migrations/0003_x.sql"), "{id}");

        let p = project(&[
            ("migguard.toml", "migrations = [\"db/migrations\"]\n"),
            (
                "db/migrations/0001_init.sql",
                "CREATE TABLE t (id int, old text);\n",
            ),
            // Shipped before the hook: grandfathered, never blocks a commit.
            (
                "db/migrations/0002_shipped_drop.sql",
                "ALTER TABLE t DROP COLUMN old;\n",
            ),
        ]);
        git(p.path(), &["init", "-q", "-b", "main"]);
        git(p.path(), &["add", "."]);
        git(p.path(), &["commit", "-q", "-m", "base"]);

        std::fs::write(
            p.path().join("db/migrations/0003_audit.sql"),
            "CREATE TABLE audit (id int);\n",
        )
        .unwrap();
        git(p.path(), &["add", "."]);
        let r = run_entry(p.path(), entry);
        assert_eq!(r.code, 0, "{id}: {}{}", r.stdout, r.stderr);

        std::fs::write(
            p.path().join("db/migrations/0004_drop.sql"),
            "DROP TABLE t;\n",
        )
        .unwrap();
        git(p.path(), &["add", "."]);
        let r = run_entry(p.path(), entry);
        assert_eq!(r.code, 1, "{id}: {}{}", r.stdout, r.stderr);
        assert!(r.stdout.contains("0004_drop.sql"), "{id}: {}", r.stdout);
        assert!(r.stdout.contains("drop-table"), "{id}: {}", r.stdout);
    }
}
