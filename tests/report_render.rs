//! Snapshots of every renderer over the bundled bad example (`fixtures/bad`), run
//! through the real binary: code frames, 1-based positions, JSON/SARIF shape and
//! GitHub annotation escaping are checked against real migration text. Review any
//! change to these snapshots as a change to the product's output.

mod util;
use util::*;

fn render(format: &str) -> String {
    let fixtures = repo_root().join("fixtures");
    // `run_in` clears GITHUB_ACTIONS and sets NO_COLOR: plain, stable text.
    let r = run_in(
        &fixtures,
        &["lint", "--config", "bad/migguard.toml", "--format", format],
    );
    assert_eq!(
        r.code, 1,
        "the bad example must fail: {}{}",
        r.stdout, r.stderr
    );
    r.stdout
}

#[test]
fn human_output() {
    insta::assert_snapshot!(render("human"));
}

#[test]
fn json_output() {
    insta::assert_snapshot!(render("json"));
}

#[test]
fn sarif_output() {
    let out = render("sarif");
    let v: serde_json::Value = serde_json::from_str(&out).expect("SARIF is JSON");
    assert_eq!(v["version"], "2.1.0");
    insta::assert_snapshot!(out);
}

#[test]
fn github_output() {
    insta::assert_snapshot!(render("github"));
}

#[test]
fn gitlab_output() {
    let out = render("gitlab");
    let v: serde_json::Value = serde_json::from_str(&out).expect("Code Quality is JSON");
    for issue in v.as_array().expect("an array of issues") {
        for key in ["description", "check_name", "fingerprint", "severity"] {
            assert!(issue[key].is_string(), "{key} missing in {issue}");
        }
        assert!(issue["location"]["path"].is_string(), "{issue}");
        assert!(
            issue["location"]["lines"]["begin"].as_u64().unwrap() >= 1,
            "{issue}"
        );
    }
    // Stable: the same input gives the same fingerprints.
    assert_eq!(out, render("gitlab"));
    insta::assert_snapshot!(out);
}
