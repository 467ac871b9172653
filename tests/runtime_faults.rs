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
