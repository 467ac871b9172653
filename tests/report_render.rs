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
