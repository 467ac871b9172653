//! Fail closed at run time (issue 10, "hangs, leaks, crashes"): inputs that used to
//! crash, hang, eat memory or forge output are refused or rendered safely, and every
//! such failure is exit 2 with one line, never a panic (101) or a pass.

mod util;
use util::*;

/// A minified bundle: one 70,000-character line with a destructive statement near
/// its end. miette used to panic (exit 101) laying out the label that far right.
#[test]
fn a_finding_on_a_very_long_line_renders_without_a_panic() {
    let padding = " ".repeat(70_000);
    let dir = project(&[(
        "dist/1700000000001-Drop.js",
        &format!(
            "export class Drop1700000000001 {{ async up(q) {{{padding}await q.query(\"DROP TABLE users\"); }} }}\n"
        ),
    )]);
    let r = run_in(dir.path(), &["lint", "dist"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.is_empty(), "{}", r.stderr);
    // The frame shows the statement and the real position (line 1, character column).
    assert!(r.stdout.contains("DROP TABLE users"), "{}", r.stdout);
    assert!(
        r.stdout.contains("dist/1700000000001-Drop.js:1:"),
        "{}",
        &r.stdout[..r.stdout.len().min(2000)]
    );
    // …without printing the whole line.
    assert!(
        r.stdout.lines().all(|l| l.chars().count() < 1000),
        "a line of {} characters",
        r.stdout
            .lines()
            .map(|l| l.chars().count())
            .max()
            .unwrap_or(0)
    );
}

/// Any panic is one `error:` line and exit 2 (a debug-build hook triggers one).
#[test]
fn a_panic_is_exit_2_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let r = run_env(dir.path(), &["rules"], &[("MIGGUARD_DEBUG_PANIC", "1")]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert_eq!(r.stderr.trim().lines().count(), 1, "{}", r.stderr);
    assert!(
        r.stderr.starts_with("error: internal error"),
        "{}",
        r.stderr
    );
}

/// Devices, FIFOs, directories and oversized files as config or rules (or a FIFO
/// named as a migration): refused at once, one line, exit 2.
#[test]
fn config_rules_and_sources_must_be_bounded_regular_files() {
    let dir = project(&[("m/0001_a.sql", "CREATE TABLE a (id int);\n")]);
    let fifo = dir.path().join("fifo.toml");
    let sql_fifo = dir.path().join("p/0002_pipe.sql");
    std::fs::create_dir(dir.path().join("p")).unwrap();
    for f in [&fifo, &sql_fifo] {
        assert!(std::process::Command::new("mkfifo")
            .arg(f)
            .status()
            .unwrap()
            .success());
    }
    let big = dir.path().join("big.toml");
    std::fs::write(&big, format!("# {}\n", "x".repeat(2 * 1024 * 1024))).unwrap();
    let fifo = fifo.to_str().unwrap();
    let big = big.to_str().unwrap();
    let second = std::time::Duration::from_secs(10);
    for (args, what) in [
        (
            vec!["lint", "m", "--rules", "/dev/zero"],
            "not a regular file",
        ),
        (
            vec!["lint", "m", "--config", "/dev/urandom"],
            "not a regular file",
        ),
        (vec!["lint", "m", "--config", fifo], "not a regular file"),
        (vec!["lint", "m", "--rules", fifo], "not a regular file"),
        (vec!["lint", "m", "--config", "m"], "not a regular file"),
        (vec!["lint", "m", "--config", big], "limit"),
        (vec!["lint", "m", "--rules", big], "limit"),
        // Discovery only lists regular files: a FIFO is not a migration (exit 2, no hang).
        (vec!["lint", "p/0002_pipe.sql"], "no migration files found"),
    ] {
        let r = run_with_deadline(dir.path(), &args, &[], second);
        assert_eq!(r.code, 2, "{args:?}: {}{}", r.stdout, r.stderr);
        assert_eq!(r.stderr.trim().lines().count(), 1, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains(what), "{args:?}: {}", r.stderr);
    }
    // A normal config and rules file still work.
    std::fs::write(dir.path().join("c.toml"), "migrations = [\"m\"]\n").unwrap();
    std::fs::write(dir.path().join("r.toml"), "").unwrap();
    let r = run_with_deadline(
        dir.path(),
        &["lint", "--config", "c.toml", "--rules", "r.toml"],
        &[],
        second,
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
}

/// A repository owned by another user: git refuses it ("dubious ownership"), and
/// the hint says so and how to allow it, not "not inside a git repository".
#[test]
fn a_repository_owned_by_another_user_gets_the_safe_directory_hint() {
    let dir = project(&[("m/0001_a.sql", "CREATE TABLE a (id int);\n")]);
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-qm", "init"]);
    let chown = std::process::Command::new("chown")
        .args(["-R", "nobody"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        chown.status.success(),
        "this test needs root to give the repository to `nobody`: {}",
        String::from_utf8_lossy(&chown.stderr)
    );
    let r = run_in(dir.path(), &["lint", "m", "--changed-since", "HEAD"]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        !r.stderr.contains("not inside a git repository"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("safe.directory"), "{}", r.stderr);
    assert!(r.stderr.contains("owned by another user"), "{}", r.stderr);
}

/// A file name and SQL text carrying terminal escape sequences (cursor up, erase
/// line, a fake "passed" summary) and a bidi override: human output shows them
/// spelled out and never emits a control character of its own making.
#[test]
fn escape_sequences_from_files_never_reach_the_terminal() {
    let forged = "\u{1b}[1A\u{1b}[2Kmigguard lint: passed \u{2014} 0 failing";
    let name = "m/0001_\u{1b}[2Kx.sql";
    let sql = format!("DROP TABLE users; -- {forged}\r\u{202e}\u{9b}2K\n");
    let dir = project(&[(name, sql.as_str())]);
    for extra in [&[][..], &["-v"][..]] {
        let mut args = vec!["lint", "m"];
        args.extend_from_slice(extra);
        let r = run_in(dir.path(), &args);
        assert_eq!(r.code, 1, "{}", r.stderr);
        for c in ['\u{1b}', '\r', '\u{202e}', '\u{9b}'] {
            assert!(!r.stdout.contains(c), "{c:?} in {:?}", r.stdout);
        }
        assert!(r.stdout.contains("0001_\\x1b[2Kx.sql"), "{}", r.stdout);
        assert!(r.stdout.contains("DROP TABLE users"), "{}", r.stdout);
    }
}
