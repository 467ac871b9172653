//! `migguard.toml` settings that change how lint judges locks: `postgres_version`
//! (a validated `CHECK (col IS NOT NULL)` lets `SET NOT NULL` skip its scan from
//! PostgreSQL 12 on) and `[runner]` timeouts (the runner's connection sets a
//! `lock_timeout` no migration text shows).

mod util;
use util::*;

const CREATE: &str = "CREATE TABLE accounts (id int PRIMARY KEY, email text);\nALTER TABLE accounts ADD CONSTRAINT accounts_email_nn CHECK (email IS NOT NULL);\n";
const SET_NOT_NULL: &str = "ALTER TABLE accounts ALTER COLUMN email SET NOT NULL;\n";

fn lint_with(config: &str) -> Run {
    let dir = project(&[
        ("migrations/0001_create.sql", CREATE),
        ("migrations/0002_not_null.sql", SET_NOT_NULL),
        (
            "migguard.toml",
            &format!("migrations = [\"migrations\"]\n{config}"),
        ),
    ]);
    let r = run_in(dir.path(), &["lint", "--format", "json"]);
    assert!(r.code == 0 || r.code == 1, "{}{}", r.stdout, r.stderr);
    r
}

/// Rules raised on the SET NOT NULL migration.
fn rules_on_set_not_null(r: &Run) -> Vec<String> {
    let mut out: Vec<String> = r.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["migration"] == "0002_not_null")
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .collect();
    out.sort();
    out
}

#[test]
fn postgres_version_decides_whether_a_validated_check_proves_not_null() {
    let old = rules_on_set_not_null(&lint_with("postgres_version = 11\n"));
    assert!(old.contains(&"set-not-null".to_string()), "{old:?}");
    let current = rules_on_set_not_null(&lint_with("postgres_version = 15\n"));
    assert!(
        !current.contains(&"set-not-null".to_string()),
        "{current:?}"
    );
    // Unset: 15 is assumed.
    let unset = rules_on_set_not_null(&lint_with(""));
    assert!(!unset.contains(&"set-not-null".to_string()), "{unset:?}");
}

#[test]
fn runner_lock_timeout_protects_every_migration() {
    let bare = rules_on_set_not_null(&lint_with(""));
    assert!(
        bare.contains(&"lock-timeout-missing".to_string()),
        "{bare:?}"
    );
    let protected = rules_on_set_not_null(&lint_with("[runner]\nlock_timeout = \"5s\"\n"));
    assert!(
        !protected.contains(&"lock-timeout-missing".to_string()),
        "{protected:?}"
    );
    // "0" is PostgreSQL's "no timeout": not a protection.
    let zero = rules_on_set_not_null(&lint_with("[runner]\nlock_timeout = \"0\"\n"));
    assert!(
        zero.contains(&"lock-timeout-missing".to_string()),
        "{zero:?}"
    );
}

#[test]
fn bad_settings_are_exit_2_with_their_position() {
    for config in [
        "postgres_version = \"fifteen\"\n",
        "[runner]\nlock_timeot = \"5s\"\n",
    ] {
        let dir = project(&[
            ("migrations/0001_create.sql", CREATE),
            (
                "migguard.toml",
                &format!("migrations = [\"migrations\"]\n{config}"),
            ),
        ]);
        let r = run_in(dir.path(), &["lint"]);
        assert_eq!(r.code, 2, "{config}: {}{}", r.stdout, r.stderr);
        assert!(r.stderr.contains("line "), "{config}: {}", r.stderr);
    }
}

/// A `[drift] ignore` pattern that is no glob is a config error (exit 2) naming it,
/// for every command that reads the config: never a pattern silently matching
/// nothing, so that drift would report what the user meant to ignore.
#[test]
fn a_drift_ignore_pattern_that_is_no_glob_is_exit_2_naming_it() {
    let dir = project(&[
        ("migrations/0001_create.sql", CREATE),
        (
            "migguard.toml",
            "migrations = [\"migrations\"]\n[drift]\nignore = [\"public.tmp_[\"]\n",
        ),
    ]);
    let r = run_in(dir.path(), &["lint"]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("[drift] ignore") && r.stderr.contains("public.tmp_["),
        "{}",
        r.stderr
    );
}
