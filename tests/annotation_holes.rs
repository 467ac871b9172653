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
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule)
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
