//! The npm package end to end: the launcher package (`npm/migguard`) and the platform
//! package for this machine (assembled around the binary cargo built for the tests)
//! are packed with `npm pack`, installed from the tarballs into a scratch TypeORM
//! project (`npm init` + typeorm, offline from the npm cache the shared TypeORM install
//! filled), and driven only through `npx migguard`: `init` writes the config, `lint`
//! gates, `release-check` checks a real PostgreSQL. Exit codes must pass through the
//! launcher unchanged.

mod support;
mod util;
use std::path::{Path, PathBuf};
use std::process::Command;
use support::node::node_modules;
use support::pg::cluster;
use util::*;

const DATA_SOURCE: &str = r#"import "reflect-metadata";
import { DataSource } from "typeorm";

export const AppDataSource = new DataSource({
    type: "postgres",
    url: process.env.DATABASE_URL,
    migrations: ["src/migrations/*.ts"],
});
"#;

const CREATE_USER: &str = r#"import { MigrationInterface, QueryRunner } from "typeorm";

export class CreateUser1700000000000 implements MigrationInterface {
    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "user" ("id" SERIAL PRIMARY KEY, "legacy" text)`);
    }
    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP TABLE "user"`);
    }
}
"#;

const DROP_LEGACY: &str = r#"import { MigrationInterface, QueryRunner } from "typeorm";

export class DropLegacy1700000100000 implements MigrationInterface {
    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "user" DROP COLUMN "legacy"`);
    }
    public async down(queryRunner: QueryRunner): Promise<void> {}
}
"#;

fn run_ok(cmd: &mut Command, what: &str) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `npm pack` a package folder into `dest`; the tarball's path.
fn pack(package: &Path, dest: &Path) -> PathBuf {
    let out = run_ok(
        Command::new("npm")
            .args(["pack", "--json", "--pack-destination"])
            .arg(dest)
            .current_dir(package),
        "npm pack",
    );
    let v: serde_json::Value = serde_json::from_str(&out).expect("npm pack --json");
    dest.join(v[0]["filename"].as_str().expect("tarball name"))
}

fn npx(app: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new("npx");
    cmd.args(["--no-install", "migguard"])
        .args(args)
        .current_dir(app)
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_ACTIONS")
        .env_remove("DATABASE_URL")
        .env_remove("MIGGUARD_BINARY");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn scratch_typeorm_project_gets_a_gate_through_npx() {
    // Fills the npm cache with the pinned TypeORM packages (the one registry install).
    node_modules();
    let e2e: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo_root().join("tests/e2e/package.json")).unwrap(),
    )
    .unwrap();
    let pinned = |name: &str| format!("{name}@{}", e2e["dependencies"][name].as_str().unwrap());

    let work = tempfile::tempdir().unwrap();
    let tarballs = work.path().join("tarballs");
    std::fs::create_dir_all(&tarballs).unwrap();
    let binary = stripped_binary(work.path());
    let platform_dir = run_ok(
        Command::new("node")
            .arg(repo_root().join("npm/assemble-platform.js"))
            .arg("--binary")
            .arg(&binary)
            .arg("--out")
            .arg(work.path().join("platform")),
        "assemble-platform.js",
    );
    let platform_tgz = pack(Path::new(platform_dir.trim()), &tarballs);
    let main_tgz = pack(&repo_root().join("npm/migguard"), &tarballs);

    let app = work.path().join("app");
    std::fs::create_dir_all(app.join("src/migrations")).unwrap();
    run_ok(
        Command::new("npm").args(["init", "-y"]).current_dir(&app),
        "npm init",
    );
    run_ok(
        Command::new("npm")
            .args([
                "install",
                "--offline",
                "--no-audit",
                "--no-fund",
                "--save-dev",
            ])
            .arg(pinned("typeorm"))
            .arg(pinned("pg"))
            .arg(pinned("reflect-metadata"))
            .arg(&platform_tgz)
            .arg(&main_tgz)
            .current_dir(&app),
        "npm install (offline)",
    );
    std::fs::write(app.join("src/data-source.ts"), DATA_SOURCE).unwrap();
    std::fs::write(
        app.join("src/migrations/1700000000000-CreateUser.ts"),
        CREATE_USER,
    )
    .unwrap();

    let init = npx(&app, &["init"], &[]);
    assert_eq!(init.code, 0, "{}{}", init.stdout, init.stderr);
    assert!(
        init.stdout.contains("migguard lint --changed-since"),
        "{}",
        init.stdout
    );
    let config = migguard::config::Config::load(&app.join("migguard.toml")).unwrap();
    assert_eq!(config.migrations, vec![app.join("src/migrations")]);

    let lint = npx(&app, &["lint", "--format", "json"], &[]);
    assert_eq!(lint.code, 0, "{}{}", lint.stdout, lint.stderr);
    assert_eq!(lint.json()["migrations"].as_array().unwrap().len(), 1);

    // Nothing applied yet: the create is pending and safe.
    let db = cluster().create_database("npm_pkg");
    let url = db.url.clone();
    let rc = npx(&app, &["release-check"], &[("DATABASE_URL", &url)]);
    assert_eq!(rc.code, 0, "{}{}", rc.stdout, rc.stderr);

    // A destructive migration: exit 1 from the binary reaches the caller through
    // npx and the launcher, in lint and in release-check.
    std::fs::write(
        app.join("src/migrations/1700000100000-DropLegacy.ts"),
        DROP_LEGACY,
    )
    .unwrap();
    let lint = npx(&app, &["lint"], &[]);
    assert_eq!(lint.code, 1, "{}{}", lint.stdout, lint.stderr);
    assert!(lint.stdout.contains("drop-column"), "{}", lint.stdout);
    let rc = npx(
        &app,
        &["release-check", "--format", "gitlab"],
        &[("DATABASE_URL", &url)],
    );
    assert_eq!(rc.code, 1, "{}{}", rc.stdout, rc.stderr);
    let issues: serde_json::Value = serde_json::from_str(&rc.stdout).expect("gitlab JSON");
    assert!(
        issues
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["check_name"] == "destructive-pending"),
        "{}",
        rc.stdout
    );
    // A usage error is 2, not 0, through the launcher too.
    let bad = npx(&app, &["lint", "--no-such-flag"], &[]);
    assert_eq!(bad.code, 2, "{}{}", bad.stdout, bad.stderr);
}

#[test]
fn launcher_without_a_platform_binary_exits_2() {
    let work = tempfile::tempdir().unwrap();
    // The launcher alone, outside any node_modules holding a platform package.
    let launcher = work.path().join("migguard.js");
    std::fs::copy(repo_root().join("npm/migguard/bin/migguard.js"), &launcher).unwrap();
    let out = Command::new("node")
        .arg(&launcher)
        .arg("lint")
        .env_remove("MIGGUARD_BINARY")
        .current_dir(work.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not installed"));
}
