//! Real TypeORM for the end-to-end tests: the npm packages of `tests/e2e/package.json`,
//! installed once into `target/e2e-node` and reinstalled when that file changes.
//!
//! Several tests (in one test binary or in several running at once) need the packages;
//! two `npm install`s into one folder corrupt it (`ENOTEMPTY`), so the check-and-install
//! runs under an exclusive file lock that every caller takes.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The `node_modules` folder holding TypeORM, ts-node and pg; panics with an install
/// hint when Node.js or npm is missing (these tests never skip).
pub fn node_modules() -> PathBuf {
    for tool in ["node", "npm"] {
        let ok = Command::new(tool)
            .arg("--version")
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false);
        assert!(ok, "`{tool}` not found: install Node.js and npm (Debian/Ubuntu: `apt-get install nodejs npm`). This test never skips.");
    }
    let dir = repo_root().join("target/e2e-node");
    std::fs::create_dir_all(&dir).unwrap();
    let lock = std::fs::File::create(dir.join(".install.lock")).unwrap();
    lock.lock().expect("lock target/e2e-node");
    install_if_changed(&dir);
    drop(lock);
    dir.join("node_modules")
}

fn install_if_changed(dir: &Path) {
    let wanted = std::fs::read_to_string(repo_root().join("tests/e2e/package.json")).unwrap();
    let installed = std::fs::read_to_string(dir.join("package.json")).unwrap_or_default();
    if wanted == installed && dir.join("node_modules/typeorm").exists() {
        return;
    }
    std::fs::write(dir.join("package.json"), &wanted).unwrap();
    let out = Command::new("npm")
        .args(["install", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(dir)
        .output()
        .unwrap();
    if !out.status.success() {
        // A half-written install must not pass the check next time.
        let _ = std::fs::remove_file(dir.join("package.json"));
    }
    assert!(
        out.status.success(),
        "npm install failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// TypeORM's `migration:run` (`tests/e2e/run-migrations.js`) of `migrations` (files
/// or globs, relative to the repository root) against `url`, with `env` set as well
/// (`MIGRATIONS_TABLE`); returns its stdout, panics with its output if it fails.
pub fn run_typeorm<S: AsRef<std::ffi::OsStr>>(
    url: &str,
    migrations: &[S],
    env: &[(&str, &str)],
) -> String {
    let out = Command::new("node")
        .arg(repo_root().join("tests/e2e/run-migrations.js"))
        .args(migrations)
        .current_dir(repo_root())
        .env("NODE_PATH", node_modules())
        .env("DATABASE_URL", url)
        .envs(env.iter().copied())
        .output()
        .expect("run node");
    assert!(
        out.status.success(),
        "TypeORM failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}
