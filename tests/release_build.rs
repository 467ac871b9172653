//! `scripts/release-build.sh package`: the archive layout the Action and the release
//! page rely on, checksums that verify, and byte-identical archives from the same
//! binary (reproducible packaging). The cross-target `build` step needs the targets'
//! toolchains and is not run here.

mod util;
use std::path::Path;
use std::process::Command;
use util::*;

fn package(out: &Path, target: &str, binary: &Path) -> String {
    let r = Command::new("bash")
        .arg(repo_root().join("scripts/release-build.sh"))
        .args(["package", target])
        .arg(binary)
        .env("RELEASE_DIR", out)
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .output()
        .unwrap();
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    String::from_utf8_lossy(&r.stdout).trim().to_string()
}

#[test]
fn package_is_verifiable_and_reproducible() {
    let version = env!("CARGO_PKG_VERSION");
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let binary = stripped_binary(work.path());
    let asset = format!("migguard-{version}-x86_64-unknown-linux-musl.tar.gz");
    assert_eq!(
        package(a.path(), "x86_64-unknown-linux-musl", &binary),
        a.path().join(&asset).display().to_string()
    );
    package(b.path(), "x86_64-unknown-linux-musl", &binary);
    assert_eq!(
        std::fs::read(a.path().join(&asset)).unwrap(),
        std::fs::read(b.path().join(&asset)).unwrap(),
        "same binary, same archive"
    );
    let check = Command::new("sha256sum")
        .args(["-c", &format!("{asset}.sha256")])
        .current_dir(a.path())
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
    let list = Command::new("tar")
        .arg("-tzf")
        .arg(a.path().join(&asset))
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&list.stdout), "migguard\n");
    // A Windows asset carries the .exe name; SHA256SUMS lists every asset.
    package(a.path(), "x86_64-pc-windows-msvc", &binary);
    let sums = std::fs::read_to_string(a.path().join("SHA256SUMS")).unwrap();
    assert_eq!(sums.lines().count(), 2, "{sums}");
    let win = format!("migguard-{version}-x86_64-pc-windows-msvc.tar.gz");
    let list = Command::new("tar")
        .arg("-tzf")
        .arg(a.path().join(&win))
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&list.stdout), "migguard.exe\n");
}
