//! Helpers for integration tests: run the real binary in a temp directory per case.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }
}

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_migguard")
}

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn run_in(dir: &Path, args: &[&str]) -> Run {
    run_env(dir, args, &[])
}

/// `migguard <args…> --database-url <url> --format json` in `dir`: a command run
/// against a test database, read as JSON.
pub fn run_json_on_db(dir: &Path, args: &[&str], url: &str) -> Run {
    let mut all = args.to_vec();
    all.extend(["--database-url", url, "--format", "json"]);
    run_in(dir, &all)
}

pub fn run_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(bin());
    cmd.args(args)
        .current_dir(dir)
        .env_remove("GITHUB_ACTIONS")
        .env("NO_COLOR", "1");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let Output {
        status,
        stdout,
        stderr,
    } = cmd.output().expect("run migguard");
    Run {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

/// Write files (path, content) under a new temp dir.
pub fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (p, content) in files {
        let path = dir.path().join(p);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }
    dir
}

pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .output()
        .expect("git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A temp project directory, the builder form of [`project`]: files are written
/// relative to it and the binary runs in it.
pub struct Project {
    pub dir: tempfile::TempDir,
}

impl Default for Project {
    fn default() -> Self {
        Project {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }
}

impl Project {
    pub fn new() -> Project {
        Project::default()
    }

    pub fn file(&self, rel: &str, contents: impl AsRef<[u8]>) -> &Project {
        let p = self.dir.path().join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, contents).expect("write");
        self
    }

    pub fn run(&self, args: &[&str]) -> Run {
        run_in(self.dir.path(), args)
    }
}

impl Run {
    /// `(rule, status)` of every finding in JSON output.
    pub fn findings(&self) -> Vec<(String, String)> {
        findings(&self.json())
    }

    /// Fails the test, showing both streams, unless migguard exited with `expected`.
    pub fn assert_code(&self, expected: i32) -> &Run {
        assert_eq!(
            self.code, expected,
            "stdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

/// `(rule, status)` of every finding of a JSON report, in report order.
pub fn findings(v: &serde_json::Value) -> Vec<(String, String)> {
    v["findings"]
        .as_array()
        .unwrap_or_else(|| panic!("no findings array: {v}"))
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or_default().to_string(),
                f["status"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// The rule id of every finding of a JSON report, in report order.
pub fn rule_ids(v: &serde_json::Value) -> Vec<String> {
    findings(v).into_iter().map(|(rule, _)| rule).collect()
}

/// Every finding of rule `rule` in a JSON report, in report order; fails the test,
/// showing the report, when it has no findings array.
pub fn findings_of<'a>(v: &'a serde_json::Value, rule: &str) -> Vec<&'a serde_json::Value> {
    v["findings"]
        .as_array()
        .unwrap_or_else(|| panic!("no findings array: {v}"))
        .iter()
        .filter(|f| f["rule"] == rule)
        .collect()
}

/// The first finding of rule `rule` in a JSON report; fails the test, showing the
/// report, when there is none.
pub fn finding_of<'a>(v: &'a serde_json::Value, rule: &str) -> &'a serde_json::Value {
    findings_of(v, rule)
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no {rule} finding: {v}"))
}

/// Copy the tree `from` into `to` (created if missing), for tests that start from a
/// fixture folder and change it.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Rule ids with a given status in a lint JSON report.
pub fn rules_with_status(v: &serde_json::Value, status: &str) -> Vec<String> {
    let mut ids: Vec<String> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == status)
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids
}

/// Like [`run_env`], but kills migguard and fails the test when it is still running
/// after `limit`: for tests of hangs, which must not hang the test suite themselves.
pub fn run_with_deadline(
    dir: &Path,
    args: &[&str],
    env: &[(&str, &str)],
    limit: std::time::Duration,
) -> Run {
    use std::process::Stdio;
    let mut cmd = Command::new(bin());
    cmd.args(args)
        .current_dir(dir)
        .env_remove("GITHUB_ACTIONS")
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("run migguard");
    let start = std::time::Instant::now();
    while child.try_wait().expect("poll migguard").is_none() {
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("migguard {args:?} still running after {limit:?}");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let out = child.wait_with_output().expect("migguard output");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A copy of the test binary in `dir`, stripped of its debug info when `strip` exists:
/// what a release ships (stripped), and small enough to pack and checksum quickly
/// (the debug build is ~250 MB). Without `strip` the copy is the full binary.
pub fn stripped_binary(dir: &Path) -> PathBuf {
    let copy = dir.join("migguard");
    std::fs::copy(bin(), &copy).unwrap();
    let _ = Command::new("strip").arg(&copy).status();
    copy
}
