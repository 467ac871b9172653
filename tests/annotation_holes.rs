//! Annotation holes (issue 10): a misspelled directive is reported, never silently
//! ignored.

mod util;
use util::*;

fn lint_json(files: &[(&str, &str)]) -> (Run, serde_json::Value) {
    let dir = project(files);
    let r = run_in(dir.path(), &["lint", "m", "--format", "json"]);
    let v = r.json();
    (r, v)
}

fn messages(v: &serde_json::Value, rule: &str) -> Vec<String> {
    findings_of(v, rule)
        .into_iter()
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn misspelled_directives_are_invalid_annotations() {
    for (comment, suggestion) in [
        (
            "-- migguard-ignore-fle drop-table: scratch table",
            "migguard-ignore-file",
        ),
        (
            "-- migguard-ignroe drop-table: scratch table",
            "migguard-ignore",
        ),
        (
            "-- migguard ignore drop-table: scratch table",
            "migguard-ignore",
        ),
        (
            "-- MIGGUARD-IGNORE drop-table: scratch table",
            "migguard-ignore",
        ),
        (
            "-- migguard-ignore: scratch table",
            "migguard-ignore <rule>",
        ),
        ("-- migguard:no-transation", "migguard:no-transaction"),
    ] {
        let sql = format!("{comment}\nDROP TABLE scratch;\n");
        let (r, v) = lint_json(&[("m/0001_a.sql", &sql)]);
        assert_eq!(r.code, 1, "{comment}: {}", r.stderr);
        let invalid = messages(&v, "invalid-annotation");
        assert_eq!(invalid.len(), 1, "{comment}: {invalid:?}");
        assert!(invalid[0].contains(suggestion), "{comment}: {invalid:?}");
        // Nothing was silenced.
        assert_eq!(rules_with_status(&v, "suppressed"), Vec::<String>::new());
    }
    // The real directives and prose that starts with the word are not reported.
    for comment in [
        "-- migguard-ignore drop-table: scratch table",
        "-- migguard flags this drop, and that is intended",
        "-- migguard:no-transaction",
    ] {
        let sql = format!("{comment}\nDROP TABLE scratch;\n");
        let (_, v) = lint_json(&[("m/0001_a.sql", &sql)]);
        assert_eq!(
            messages(&v, "invalid-annotation"),
            Vec::<String>::new(),
            "{comment}"
        );
    }
    // TypeORM comments too.
    let ts = "// migguard-ignore-fle drop-table: scratch\nexport class Drop1700000000001 {\n  async up(q) { await q.query('DROP TABLE scratch'); }\n}\n";
    let (_, v) = lint_json(&[("m/1700000000001-Drop.ts", ts)]);
    assert_eq!(messages(&v, "invalid-annotation").len(), 1, "{v}");
}

/// `@destructive` names each object it acknowledges; one named drop does not cover
/// another, and the message names the one left out.
#[test]
fn each_dropped_object_must_be_named() {
    let sql = "-- @destructive: drop table audit_old (unused since 2023)\n-- @expand-migration: NONE (nothing replaces them)\nDROP TABLE audit_old;\nDROP TABLE users;\n";
    let (r, v) = lint_json(&[("m/0001_a.sql", sql)]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let drops: Vec<(String, String)> = findings_of(&v, "drop-table")
        .into_iter()
        .map(|f| (f["object"].to_string(), f["status"].to_string()))
        .collect();
    assert!(
        drops
            .iter()
            .any(|(o, s)| o.contains("users") && s.contains("failing")),
        "{drops:?}"
    );
    assert!(
        drops
            .iter()
            .any(|(o, s)| o.contains("audit_old") && s.contains("acknowledged")),
        "{drops:?}"
    );
    let mismatch = messages(&v, "annotation-mismatch");
    assert!(mismatch.iter().any(|m| m.contains("users")), "{mismatch:?}");
}

/// `@destructive` on a migration that destroys nothing is reported (a warning: the
/// annotation is wrong or the destructive statement went elsewhere).
#[test]
fn destructive_without_anything_destructive_is_reported() {
    let sql = "-- @destructive: drop table users (unused)\n-- @expand-migration: NONE (none)\nCREATE TABLE b (id int);\n";
    let (r, v) = lint_json(&[("m/0001_a.sql", sql)]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let mismatch = messages(&v, "annotation-mismatch");
    assert_eq!(mismatch.len(), 1, "{v}");
    assert!(mismatch[0].contains("nothing"), "{mismatch:?}");
}

/// A file-wide ignore of `read-error` is not applied: it is reported, and the read
/// error stays failing.
#[test]
fn a_file_level_ignore_cannot_hide_read_errors() {
    let ts = "// migguard-ignore-file read-error: generated code\nexport class Broken1700000000001 {\n  async up(q) { await q.query('SELECT 1' }\n}\n";
    let (r, v) = lint_json(&[("m/1700000000001-Broken.ts", ts)]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        rules_with_status(&v, "suppressed"),
        Vec::<String>::new(),
        "{v}"
    );
    assert!(
        rules_with_status(&v, "failing").contains(&"read-error".to_string()),
        "{v}"
    );
    let invalid = messages(&v, "invalid-annotation");
    assert!(
        invalid.iter().any(|m| m.contains("read-error")),
        "{invalid:?}"
    );
}
