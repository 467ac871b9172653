//! The GitHub Action's logic (`scripts/action.sh`, which `action.yml` runs) exercised
//! locally with bash, the shell the Action runs: a fake GITHUB_* environment, a real git
//! repository with an `origin`, the real migguard binary, and a local "release" folder
//! served over `file://` for the install step.

mod util;
use std::path::{Path, PathBuf};
use std::process::Command;
use util::*;

fn script() -> PathBuf {
    repo_root().join("scripts/action.sh")
}

fn action(dir: &Path, cmd: &str, env: &[(&str, &str)]) -> Run {
    let mut c = Command::new("bash");
    c.arg(script()).arg(cmd).current_dir(dir);
    for var in [
        "GITHUB_BASE_REF",
        "GITHUB_OUTPUT",
        "GITHUB_PATH",
        "GITHUB_ACTIONS",
        "RUNNER_OS",
        "RUNNER_ARCH",
        "RUNNER_TEMP",
        "RUNNER_TOOL_CACHE",
    ] {
        c.env_remove(var);
    }
    c.env("NO_COLOR", "1")
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com");
    for (k, v) in env {
        c.env(k, v);
    }
    let out = c.output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn target_follows_the_runner() {
    let dir = tempfile::tempdir().unwrap();
    for (os, arch, want) in [
        ("Linux", "X64", "x86_64-unknown-linux-musl"),
        ("Linux", "ARM64", "aarch64-unknown-linux-musl"),
        ("macOS", "ARM64", "aarch64-apple-darwin"),
        ("macOS", "X64", "x86_64-apple-darwin"),
        ("Windows", "X64", "x86_64-pc-windows-msvc"),
        ("Linux", "ARM", "unsupported"),
    ] {
        let r = action(
            dir.path(),
            "target",
            &[("RUNNER_OS", os), ("RUNNER_ARCH", arch)],
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert_eq!(r.stdout.trim(), want, "{os}/{arch}");
    }
}

const DROP: &str = "ALTER TABLE product DROP COLUMN legacy;\n";

/// An `origin` with `main` (a shipped destructive migration, grandfathered) and a
/// shallow PR checkout of `feature`, a monorepo with the project in `services/api`.
fn pr_checkout(new_migration: &str) -> (tempfile::TempDir, PathBuf) {
    let root = tempfile::tempdir().unwrap();
    let seed = root.path().join("seed");
    let api = seed.join("services/api");
    std::fs::create_dir_all(api.join("migrations")).unwrap();
    std::fs::write(api.join("migguard.toml"), "migrations = [\"migrations\"]\n").unwrap();
    std::fs::write(
        api.join("migrations/0001_init.sql"),
        "CREATE TABLE product (id int, legacy text);\n",
    )
    .unwrap();
    std::fs::write(api.join("migrations/0002_old_drop.sql"), DROP).unwrap();
    git(&seed, &["init", "-q", "-b", "main"]);
    git(&seed, &["add", "."]);
    git(&seed, &["commit", "-q", "-m", "base"]);
    git(&seed, &["checkout", "-q", "-b", "feature"]);
    std::fs::write(api.join("migrations/0003_new.sql"), new_migration).unwrap();
    git(&seed, &["add", "."]);
    git(&seed, &["commit", "-q", "-m", "pr"]);
    let origin = root.path().join("origin.git");
    git(
        root.path(),
        &[
            "clone",
            "-q",
            "--bare",
            seed.to_str().unwrap(),
            origin.to_str().unwrap(),
        ],
    );
    // Like actions/checkout's default: one commit deep, only the PR branch.
    let checkout = root.path().join("checkout");
    git(
        root.path(),
        &[
            "clone",
            "-q",
            "--depth",
            "1",
            "--branch",
            "feature",
            &format!("file://{}", origin.display()),
            checkout.to_str().unwrap(),
        ],
    );
    (root, checkout)
}

fn gate_env<'a>(outputs: &'a str, temp: &'a str, sarif: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("MIGGUARD_BIN", env!("CARGO_BIN_EXE_migguard")),
        ("GITHUB_BASE_REF", "main"),
        ("GITHUB_OUTPUT", outputs),
        ("RUNNER_TEMP", temp),
        ("INPUT_WORKING_DIRECTORY", "services/api"),
        ("INPUT_FORMAT", "github"),
        ("INPUT_SARIF", sarif),
    ]
}

#[test]
fn pr_adding_a_destructive_migration_fails_with_annotations_and_sarif() {
    let (root, checkout) = pr_checkout(DROP);
    let outputs = root.path().join("github_output");
    let temp = root.path().join("runner_temp");
    std::fs::create_dir_all(&temp).unwrap();
    let r = action(
        &checkout,
        "run",
        &gate_env(outputs.to_str().unwrap(), temp.to_str().unwrap(), "true"),
    );
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    // Only the new migration is annotated: the shipped one is grandfathered.
    assert!(
        r.stdout.contains("::error file=migrations/0003_new.sql"),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("0002_old_drop.sql"), "{}", r.stdout);
    let out = std::fs::read_to_string(&outputs).unwrap();
    let sarif_file = temp.join("migguard.sarif");
    assert_eq!(out.trim(), format!("sarif-file={}", sarif_file.display()));
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif_file).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
}

#[test]
fn pr_adding_a_safe_migration_passes_from_a_shallow_checkout() {
    let (root, checkout) = pr_checkout("CREATE TABLE audit (id int);\n");
    let outputs = root.path().join("github_output");
    let r = action(
        &checkout,
        "run",
        &gate_env(
            outputs.to_str().unwrap(),
            root.path().to_str().unwrap(),
            "false",
        ),
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(
        git(&checkout, &["rev-parse", "--is-shallow-repository"]).trim(),
        "false"
    );
    assert!(!outputs.exists(), "no SARIF asked for, no output written");
}

#[test]
fn unknown_base_ref_is_exit_2() {
    let (root, checkout) = pr_checkout("CREATE TABLE audit (id int);\n");
    let outputs = root.path().join("github_output");
    let mut env = gate_env(
        outputs.to_str().unwrap(),
        root.path().to_str().unwrap(),
        "false",
    );
    env.push(("INPUT_BASE_REF", "no-such-branch"));
    let r = action(&checkout, "run", &env);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("cannot fetch base ref"), "{}", r.stderr);
}

/// A release folder made by the release script's `package` step, for one target.
fn fake_release(dir: &Path, version: &str, target: &str, corrupt: bool) {
    let binary = stripped_binary(&dir.join(".."));
    let out = Command::new("bash")
        .arg(repo_root().join("scripts/release-build.sh"))
        .args(["package", target])
        .arg(&binary)
        .env("RELEASE_DIR", dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    if corrupt {
        let sums = dir.join(format!("migguard-{version}-{target}.tar.gz.sha256"));
        let line = std::fs::read_to_string(&sums).unwrap();
        std::fs::write(&sums, format!("{}{}", "0".repeat(64), &line[64..])).unwrap();
    }
}

#[test]
fn install_uses_the_verified_release_asset_then_the_cache() {
    let version = env!("CARGO_PKG_VERSION");
    let root = tempfile::tempdir().unwrap();
    let release = root.path().join("release");
    std::fs::create_dir_all(&release).unwrap();
    fake_release(&release, version, "x86_64-unknown-linux-musl", false);
    let install_dir = root.path().join("tools");
    let github_path = root.path().join("github_path");
    let url = format!("file://{}", release.display());
    let env = [
        ("RUNNER_OS", "Linux"),
        ("RUNNER_ARCH", "X64"),
        ("MIGGUARD_RELEASE_URL", url.as_str()),
        ("MIGGUARD_INSTALL_DIR", install_dir.to_str().unwrap()),
        ("GITHUB_PATH", github_path.to_str().unwrap()),
    ];
    let r = action(root.path(), "install", &env);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("prebuilt x86_64-unknown-linux-musl"),
        "{}",
        r.stdout
    );
    let v = Command::new(install_dir.join("bin/migguard"))
        .arg("--version")
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&v.stdout).trim(),
        format!("migguard {version}")
    );
    assert_eq!(
        std::fs::read_to_string(&github_path).unwrap().trim(),
        install_dir.join("bin").display().to_string()
    );
    // The release is gone now: a second run must come from the cache.
    std::fs::remove_dir_all(&release).unwrap();
    let r = action(root.path(), "install", &env);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("cached"), "{}", r.stdout);
}

#[test]
fn install_refuses_a_checksum_mismatch() {
    let root = tempfile::tempdir().unwrap();
    let release = root.path().join("release");
    std::fs::create_dir_all(&release).unwrap();
    fake_release(
        &release,
        env!("CARGO_PKG_VERSION"),
        "x86_64-unknown-linux-musl",
        true,
    );
    let install_dir = root.path().join("tools");
    let url = format!("file://{}", release.display());
    let r = action(
        root.path(),
        "install",
        &[
            ("RUNNER_OS", "Linux"),
            ("RUNNER_ARCH", "X64"),
            ("MIGGUARD_RELEASE_URL", url.as_str()),
            ("MIGGUARD_INSTALL_DIR", install_dir.to_str().unwrap()),
        ],
    );
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("checksum mismatch"), "{}", r.stderr);
    assert!(!install_dir.join("bin/migguard").exists());
}
