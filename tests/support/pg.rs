//! A throwaway PostgreSQL cluster per test binary.
//!
//! Tests against a real server catch what mocks cannot (auth, catalogs, read-only
//! sessions), but a shared long-lived server would leak state between runs. So each
//! test binary starts its own cluster in a temp dir on a free port and stops it when
//! the process exits (an `atexit` hook), leaving no postgres behind.
#![allow(dead_code)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, OnceLock};

/// Superuser name and password of every test cluster; the password is what the
/// wrong-password tests must never see echoed.
pub const SUPERUSER: &str = "postgres";
pub const SUPERUSER_PASSWORD: &str = "s3cret-superuser-pw";

pub struct Cluster {
    bin: PathBuf,
    /// Kept alive so the directory outlives the server; removed at exit.
    dir: PathBuf,
    data: PathBuf,
    socket_dir: PathBuf,
    pub port: u16,
    as_postgres: bool,
    counter: AtomicU32,
}

/// A database created for one test.
#[derive(Debug, Clone)]
pub struct TestDb {
    pub url: String,
    pub name: String,
    port: u16,
    socket_dir: PathBuf,
    bin: PathBuf,
}

static CLUSTER: OnceLock<Cluster> = OnceLock::new();
/// Directory and data dir of the running cluster, for the exit hook.
static STOP: Mutex<Option<(PathBuf, PathBuf, PathBuf, bool)>> = Mutex::new(None);

/// The cluster of this test binary, started on first use.
pub fn cluster() -> &'static Cluster {
    CLUSTER.get_or_init(Cluster::start)
}

fn pg_bin_dir() -> PathBuf {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let v: u32 = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((v, bin))
        })
        .collect();
    versions.sort();
    match versions.pop() {
        Some((_, bin)) => bin,
        None => panic!(
            "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin: \
             install it: apt-get install postgresql"
        ),
    }
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    l.local_addr().expect("local addr").port()
}

/// Runs a server tool, as `postgres` when we are root (initdb refuses root).
fn tool(bin: &Path, name: &str, as_postgres: bool) -> Command {
    let exe = bin.join(name);
    if as_postgres {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(exe);
        c
    } else {
        Command::new(exe)
    }
}

fn check(what: &str, out: Output) -> Output {
    if !out.status.success() {
        panic!(
            "{what} failed ({}):\nstdout: {}\nstderr: {}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    out
}

extern "C" fn stop_at_exit() {
    let Ok(mut guard) = STOP.lock() else { return };
    if let Some((bin, data, dir, as_postgres)) = guard.take() {
        let _ = tool(&bin, "pg_ctl", as_postgres)
            .arg("stop")
            .arg("-D")
            .arg(&data)
            .args(["-m", "immediate", "-w"])
            .output();
        let _ = std::fs::remove_dir_all(&dir);
    }
}

impl Cluster {
    fn start() -> Cluster {
        let bin = pg_bin_dir();
        let as_postgres = is_root();
        let dir = tempfile::Builder::new()
            .prefix("migguard-pg-")
            .tempdir()
            .expect("create temp dir")
            .keep();
        let data = dir.join("data");
        let socket_dir = dir.join("sock");
        std::fs::create_dir_all(&socket_dir).expect("socket dir");
        let pwfile = dir.join("pw");
        std::fs::write(&pwfile, SUPERUSER_PASSWORD).expect("write pwfile");
        if as_postgres {
            check(
                "chown",
                Command::new("chown")
                    .args(["-R", "postgres:postgres"])
                    .arg(&dir)
                    .output()
                    .expect("run chown"),
            );
        }
        check(
            "initdb",
            tool(&bin, "initdb", as_postgres)
                .arg("-D")
                .arg(&data)
                .args(["-U", SUPERUSER, "-E", "UTF8", "--locale=C"])
                .args(["--auth-local=trust", "--auth-host=scram-sha-256"])
                .arg(format!("--pwfile={}", pwfile.display()))
                .output()
                .expect("run initdb"),
        );
        // Retry on a port race with another test binary.
        let mut last = None;
        for _ in 0..5 {
            let port = free_port();
            let opts = format!(
                "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off \
                 -c full_page_writes=off -c synchronous_commit=off",
                socket_dir.display()
            );
            *STOP.lock().expect("stop lock") =
                Some((bin.clone(), data.clone(), dir.clone(), as_postgres));
            // SAFETY: registering a plain extern "C" fn with no captured state.
            static REGISTERED: OnceLock<()> = OnceLock::new();
            REGISTERED.get_or_init(|| unsafe {
                libc::atexit(stop_at_exit);
            });
            let out = tool(&bin, "pg_ctl", as_postgres)
                .arg("start")
                .arg("-D")
                .arg(&data)
                .arg("-l")
                .arg(dir.join("log"))
                .args(["-w", "-t", "60", "-o", &opts])
                .output()
                .expect("run pg_ctl");
            if out.status.success() {
                return Cluster {
                    bin,
                    dir,
                    data,
                    socket_dir,
                    port,
                    as_postgres,
                    counter: AtomicU32::new(0),
                };
            }
            last = Some(out);
        }
        let log = std::fs::read_to_string(dir.join("log")).unwrap_or_default();
        check("pg_ctl start", last.expect("attempted"));
        panic!("pg_ctl start failed: {log}");
    }

    /// Superuser URL for a database.
    pub fn url(&self, db: &str) -> String {
        self.url_as(SUPERUSER, SUPERUSER_PASSWORD, db)
    }

    pub fn url_as(&self, user: &str, password: &str, db: &str) -> String {
        format!(
            "postgres://{user}:{password}@127.0.0.1:{}/{db}?sslmode=disable",
            self.port
        )
    }

    /// Runs SQL in the `postgres` database as the superuser.
    pub fn execute(&self, sql: &str) {
        self.psql("postgres", sql);
    }

    fn psql(&self, db: &str, sql: &str) -> String {
        psql(&self.bin, &self.socket_dir, self.port, db, sql)
    }

    /// Creates a fresh database with a unique name derived from `hint`.
    pub fn create_database(&self, hint: &str) -> TestDb {
        let n = self.counter.fetch_add(1, Ordering::SeqCst);
        let clean: String = hint
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '_'
                }
            })
            .take(40)
            .collect();
        let name = format!("t{n}_{clean}");
        self.execute(&format!("CREATE DATABASE \"{name}\""));
        TestDb {
            url: self.url(&name),
            name,
            port: self.port,
            socket_dir: self.socket_dir.clone(),
            bin: self.bin.clone(),
        }
    }

    /// Creates a login role (cluster-wide; name it uniquely per test).
    pub fn create_role(&self, name: &str, password: &str) {
        self.execute(&format!(
            "DROP ROLE IF EXISTS \"{name}\"; CREATE ROLE \"{name}\" LOGIN PASSWORD '{password}'"
        ));
    }

    /// Stops the server now (for "server went away" tests); later use panics.
    pub fn stop(&self) {
        stop_at_exit();
    }
}

fn psql(bin: &Path, socket_dir: &Path, port: u16, db: &str, sql: &str) -> String {
    let out = Command::new(bin.join("psql"))
        .arg("-h")
        .arg(socket_dir)
        .args(["-p", &port.to_string(), "-U", SUPERUSER, "-d", db])
        .args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql])
        .output()
        .expect("run psql");
    let out = check(&format!("psql {sql}"), out);
    String::from_utf8_lossy(&out.stdout).into_owned()
}

impl TestDb {
    /// Runs a batch of SQL as the superuser; panics on the first error.
    pub fn execute(&self, sql: &str) {
        psql(&self.bin, &self.socket_dir, self.port, &self.name, sql);
    }

    /// Runs a query and returns psql's unaligned, tuples-only output.
    pub fn query(&self, sql: &str) -> String {
        psql(&self.bin, &self.socket_dir, self.port, &self.name, sql)
    }

    pub fn url_for(&self, user: &str, password: &str) -> String {
        format!(
            "postgres://{user}:{password}@127.0.0.1:{}/{}?sslmode=disable",
            self.port, self.name
        )
    }
}
