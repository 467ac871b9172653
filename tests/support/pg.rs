//! A throwaway PostgreSQL cluster for the tests: `initdb` + `pg_ctl` in a temp dir on
//! a free port, started once per test binary, one database per test.
//!
//! As root the server must run as `postgres` (it refuses root), so the data dir is
//! chowned and the server binaries run under `runuser -u postgres --`. Password
//! authentication (scram) on TCP, so wrong-password tests are real. A watchdog shell
//! stops the cluster when the test process exits: no postgres is left behind.
//! If PostgreSQL is not installed the tests fail — never skip — with the install hint.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

pub const SUPERUSER: &str = "postgres";
pub const PASSWORD: &str = "s3cret-Test-Pw";

pub struct Cluster {
    pub port: u16,
    pub bin: PathBuf,
    pub dir: PathBuf,
    /// CA that signed the server certificate (CN/SAN `localhost` only, not
    /// 127.0.0.1), for sslmode tests: the server accepts TLS and plain connections.
    pub ca_cert: PathBuf,
    /// A CA that signed nothing the server uses: verification against it must fail.
    pub other_ca_cert: PathBuf,
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run openssl (install it: apt-get install openssl)");
    assert!(
        out.status.success(),
        "openssl {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A throwaway CA, a server certificate for `localhost` signed by it, and an
/// unrelated second CA.
fn make_certs(tls: &Path) {
    std::fs::create_dir_all(tls).unwrap();
    for ca in ["ca", "other-ca"] {
        openssl(
            tls,
            &[
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "2",
                "-subj",
                &format!("/CN=migguard test {ca}"),
                "-keyout",
                &format!("{ca}.key"),
                "-out",
                &format!("{ca}.crt"),
            ],
        );
    }
    openssl(
        tls,
        &[
            "req",
            "-new",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=localhost",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
        ],
    );
    std::fs::write(tls.join("ext.cnf"), "subjectAltName=DNS:localhost\n").unwrap();
    openssl(
        tls,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            "ext.cnf",
            "-out",
            "server.crt",
        ],
    );
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(
        tls.join("server.key"),
        std::fs::Permissions::from_mode(0o600),
    )
    .unwrap();
}

pub struct TestDb {
    pub name: String,
    pub url: String,
    pub port: u16,
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn pg_bin() -> PathBuf {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let v = e.file_name().to_string_lossy().parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((v, bin))
        })
        .collect();
    versions.sort();
    match versions.pop() {
        Some((_, bin)) => bin,
        None => panic!(
            "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin: install them (Debian/Ubuntu: `apt-get install postgresql`). Database tests never skip."
        ),
    }
}

/// Run a server binary, as `postgres` when we are root.
fn pg_cmd(bin: &Path, tool: &str, root: bool) -> Command {
    if root {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(bin.join(tool));
        c
    } else {
        Command::new(bin.join(tool))
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start() -> Cluster {
    let bin = pg_bin();
    let root = is_root();
    let dir = std::env::temp_dir().join(format!(
        "migguard-pg-{}-{}",
        std::process::id(),
        free_port()
    ));
    let data = dir.join("data");
    std::fs::create_dir_all(&dir).unwrap();
    let tls = dir.join("tls");
    make_certs(&tls);
    let pwfile = dir.join("pw");
    std::fs::write(&pwfile, PASSWORD).unwrap();
    if root {
        let ok = Command::new("chown")
            .args(["-R", "postgres:postgres"])
            .arg(&dir)
            .status()
            .unwrap()
            .success();
        assert!(ok, "chown of the test cluster dir to postgres failed");
    }
    let out = pg_cmd(&bin, "initdb", root)
        .arg("-D")
        .arg(&data)
        .args([
            "-U",
            SUPERUSER,
            "--auth=scram-sha-256",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        ])
        .arg(format!("--pwfile={}", pwfile.display()))
        .output()
        .expect("run initdb");
    assert!(
        out.status.success(),
        "initdb failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let port = free_port();
    let opts = format!(
        "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100 -c ssl=on -c ssl_cert_file={} -c ssl_key_file={}",
        dir.display(),
        tls.join("server.crt").display(),
        tls.join("server.key").display()
    );
    let out = pg_cmd(&bin, "pg_ctl", root)
        .arg("-D")
        .arg(&data)
        .args(["-o", &opts, "-w", "-t", "60", "-l"])
        .arg(dir.join("server.log"))
        .arg("start")
        .output()
        .expect("run pg_ctl");
    assert!(
        out.status.success(),
        "pg_ctl start failed: {}{}",
        String::from_utf8_lossy(&out.stderr),
        std::fs::read_to_string(dir.join("server.log")).unwrap_or_default()
    );
    // Watchdog: stop the cluster and remove it when this test process exits.
    let stop = format!(
        "{} '{}' -D '{}' stop -m immediate",
        if root { "runuser -u postgres --" } else { "" },
        bin.join("pg_ctl").display(),
        data.display()
    );
    let script = format!(
        "while kill -0 {pid} 2>/dev/null; do sleep 0.3; done; {stop} >/dev/null 2>&1; rm -rf '{dir}'",
        pid = std::process::id(),
        dir = dir.display()
    );
    // Deliberately not waited on: the watchdog must outlive this process.
    #[allow(clippy::zombie_processes)]
    let _watchdog = Command::new("sh")
        .args(["-c", &script])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn watchdog");
    Cluster {
        port,
        bin,
        ca_cert: tls.join("ca.crt"),
        other_ca_cert: tls.join("other-ca.crt"),
        dir,
    }
}

impl Cluster {
    /// A cluster of its own, for a test that stops the server: the shared one must
    /// stay up for the other tests of the binary. The same watchdog removes it when the
    /// test process exits.
    pub fn start_dedicated() -> Cluster {
        start()
    }

    /// Stop the server: `fast` terminates the sessions, `immediate` drops them without
    /// a shutdown checkpoint (like a crash).
    pub fn stop(&self, mode: &str) {
        let out = pg_cmd(&self.bin, "pg_ctl", is_root())
            .arg("-D")
            .arg(self.dir.join("data"))
            .args(["stop", "-w", "-t", "30", "-m", mode])
            .output()
            .expect("run pg_ctl stop");
        assert!(
            out.status.success(),
            "pg_ctl stop -m {mode} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

pub fn cluster() -> &'static Cluster {
    static CLUSTER: OnceLock<Cluster> = OnceLock::new();
    CLUSTER.get_or_init(start)
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

impl Cluster {
    pub fn url(&self, user: &str, password: &str, db: &str) -> String {
        format!(
            "postgres://{user}:{password}@127.0.0.1:{}/{db}?sslmode=disable",
            self.port
        )
    }

    /// Run SQL with psql as the superuser against `db`; panics with the error.
    pub fn psql(&self, db: &str, sql: &str) -> String {
        // Large scripts (benchmark schemas) go through stdin: an argument that long
        // exceeds the OS limit. Small ones keep `-c` (one implicit transaction).
        let via_stdin = sql.len() > 64 * 1024;
        let mut cmd = Command::new(self.bin.join("psql"));
        cmd.args([
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-t",
            "-A",
            "-h",
            "127.0.0.1",
            "-p",
            &self.port.to_string(),
            "-U",
            SUPERUSER,
            "-d",
            db,
        ])
        .env("PGPASSWORD", PASSWORD);
        if via_stdin {
            cmd.args(["-f", "-"]).stdin(std::process::Stdio::piped());
        } else {
            cmd.args(["-c", sql]);
        }
        cmd.stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let mut child = cmd.spawn().expect("run psql");
        if via_stdin {
            use std::io::Write;
            let mut stdin = child.stdin.take().expect("psql stdin");
            stdin.write_all(sql.as_bytes()).expect("write SQL to psql");
        }
        let out = child.wait_with_output().expect("run psql");
        assert!(
            out.status.success(),
            "psql failed on {sql:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// A fresh database named after the test.
    pub fn create_database(&self, prefix: &str) -> TestDb {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let name: String = format!("{}_{}_{}", prefix, std::process::id(), n)
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '_'
                }
            })
            .collect();
        self.psql("postgres", &format!("CREATE DATABASE \"{name}\""));
        TestDb {
            url: self.url(SUPERUSER, PASSWORD, &name),
            name,
            port: self.port,
        }
    }
}

impl TestDb {
    /// Execute a SQL script (several statements) as the superuser.
    pub fn execute(&self, sql: &str) -> String {
        cluster().psql(&self.name, sql)
    }

    pub fn url_for(&self, user: &str, password: &str) -> String {
        cluster().url(user, password, &self.name)
    }
}

impl Cluster {
    /// A login role with a password (cluster-wide: give it a name unique to the test).
    pub fn create_role(&self, name: &str, password: &str) {
        self.psql(
            "postgres",
            &format!(
                "DROP ROLE IF EXISTS \"{name}\"; CREATE ROLE \"{name}\" LOGIN PASSWORD '{password}'"
            ),
        );
    }
}

impl TestDb {
    /// A query's rows in psql's unaligned, tuples-only form.
    pub fn query(&self, sql: &str) -> String {
        cluster().psql(&self.name, sql)
    }
}

/// The live `public` schema of the database at `url`, read through migguard's own
/// session (read-only, one snapshot) and introspection.
pub fn introspect_public(url: &str) -> migguard::schema::SchemaModel {
    migguard::db::connect::runtime().unwrap().block_on(async {
        let opts = migguard::commands::database::connect_options_from_env(
            Some(url),
            &migguard::config::DatabaseConfig::default(),
        );
        let client = migguard::db::connect(&opts).await.unwrap();
        migguard::db::introspect::introspect(&client, &["public".to_string()])
            .await
            .unwrap()
    })
}
