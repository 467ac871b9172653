//! Database faults give one clear line and exit 2, quickly, without a password.

mod support;
mod util;
use std::path::Path;
use std::time::{Duration, Instant};
use support::pg::{cluster, TestDb, PASSWORD};
use util::*;

fn release_check(url: &str, env: &[(&str, &str)]) -> Run {
    let m = repo_root().join("fixtures/src/migrations");
    let dir = tempfile::tempdir().unwrap();
    run_env(
        dir.path(),
        &["release-check", m.to_str().unwrap(), "--database-url", url],
        env,
    )
}

#[test]
fn unreachable_host_fails_fast() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let start = Instant::now();
    let r = release_check(
        &format!("postgres://app:pw@127.0.0.1:{port}/x?sslmode=disable"),
        &[],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("could not connect to app@127.0.0.1"),
        "{}",
        r.stderr
    );
    assert!(start.elapsed() < Duration::from_secs(15));
}

#[test]
fn a_server_that_never_answers_is_bounded_by_the_url_connect_timeout() {
    // Accepts the TCP connection and then says nothing: the handshake must time out.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let held = std::thread::spawn(move || {
        let conns: Vec<_> = listener.incoming().take(1).collect();
        std::thread::sleep(Duration::from_secs(4));
        drop(conns);
    });
    let start = Instant::now();
    let r = release_check(
        &format!("postgres://app:pa@ss@127.0.0.1:{port}/x?sslmode=disable&connect_timeout=1"),
        &[],
    );
    let took = start.elapsed();
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(took < Duration::from_secs(5), "took {took:?}: {}", r.stderr);
    assert!(
        r.stderr.contains("could not connect to app@127.0.0.1") && r.stderr.contains("timed out"),
        "{}",
        r.stderr
    );
    assert!(
        !r.stderr.contains("pa@ss") && !r.stderr.contains("ss@"),
        "{}",
        r.stderr
    );
    let _ = held.join();
}

#[test]
fn wrong_password_never_prints_a_password() {
    let db = cluster().create_database("f_pw");
    let r = release_check(&db.url_for("postgres", "WrongPassword123"), &[]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("authentication failed"), "{}", r.stderr);
    for secret in ["WrongPassword123", PASSWORD] {
        assert!(
            !r.stderr.contains(secret) && !r.stdout.contains(secret),
            "{}",
            r.stderr
        );
    }
}

#[test]
fn missing_database() {
    let c = cluster();
    let r = release_check(&c.url("postgres", PASSWORD, "no_such_db"), &[]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("does not exist"), "{}", r.stderr);
}

#[test]
fn pg_environment_variables_are_used() {
    let db = cluster().create_database("f_env");
    let m = repo_root().join("fixtures/src/migrations");
    let dir = tempfile::tempdir().unwrap();
    let port = db.port.to_string();
    let r = run_env(
        dir.path(),
        &["release-check", m.to_str().unwrap(), "--format", "json"],
        &[
            ("PGHOST", "127.0.0.1"),
            ("PGPORT", &port),
            ("PGUSER", "postgres"),
            ("PGPASSWORD", PASSWORD),
            ("PGDATABASE", &db.name),
            ("PGSSLMODE", "disable"),
            ("DATABASE_URL", ""),
        ],
    );
    // No history table: everything pending; the contract migration fails without permission.
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert_eq!(r.json()["history"]["table_missing"], true);
}

#[test]
fn role_without_select_on_history_is_a_clear_error() {
    let db = cluster().create_database("f_priv");
    db.execute("CREATE TABLE migrations (id serial PRIMARY KEY, timestamp bigint NOT NULL, name varchar NOT NULL)");
    db.execute("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'noselect') THEN CREATE ROLE noselect LOGIN PASSWORD 'np'; END IF; END $$");
    db.execute(&format!(
        "GRANT CONNECT ON DATABASE \"{}\" TO noselect",
        db.name
    ));
    let r = release_check(&db.url_for("noselect", "np"), &[]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("permission denied"), "{}", r.stderr);
}

#[test]
fn read_only_role_works_and_sessions_are_read_only() {
    let db = cluster().create_database("f_ro");
    db.execute("CREATE TABLE migrations (id serial PRIMARY KEY, timestamp bigint NOT NULL, name varchar NOT NULL)");
    db.execute("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'reader') THEN CREATE ROLE reader LOGIN PASSWORD 'rp'; END IF; END $$");
    db.execute("GRANT USAGE ON SCHEMA public TO reader; GRANT SELECT ON ALL TABLES IN SCHEMA public TO reader");
    let r = release_check(
        &db.url_for("reader", "rp"),
        &[("ALLOW_DESTRUCTIVE_MIGRATIONS", "false")],
    );
    // Works (all pending → destructive-pending), nothing written.
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert_eq!(db.execute("SELECT count(*) FROM migrations").trim(), "0");
    // The session migguard opens refuses writes even for a superuser.
    let err = migguard::db::connect::runtime().unwrap().block_on(async {
        let opts = migguard::db::ConnectOptions {
            url: Some(db.url.clone()),
            connect_timeout: Duration::from_secs(5),
            statement_timeout_ms: 5000,
            lock_timeout_ms: 1000,
            sslmode: None,
            sslrootcert: None,
            command_timeout: Duration::from_secs(30),
            libpq: Default::default(),
        };
        let client = migguard::db::connect(&opts).await.unwrap();
        client
            .batch_execute("INSERT INTO migrations (timestamp, name) VALUES (1, 'x')")
            .await
            .unwrap_err()
    });
    assert!(
        err.to_string().contains("read-only") || format!("{err:?}").contains("25006"),
        "{err:?}"
    );
}

#[test]
fn lock_timeout_is_an_error_not_a_hang() {
    let db = cluster().create_database("f_lock");
    db.execute("CREATE TABLE migrations (id serial PRIMARY KEY, timestamp bigint NOT NULL, name varchar NOT NULL)");
    // Hold an ACCESS EXCLUSIVE lock in another session for a few seconds.
    let c = cluster();
    let mut holder = std::process::Command::new(c.bin.join("psql"))
        .args([
            "-X",
            "-q",
            "-h",
            "127.0.0.1",
            "-p",
            &c.port.to_string(),
            "-U",
            "postgres",
            "-d",
            &db.name,
            "-c",
            "BEGIN; LOCK TABLE migrations IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(4); COMMIT;",
        ])
        .env("PGPASSWORD", PASSWORD)
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(700));
    let dir = project(&[(
        "migguard.toml",
        &format!(
            "migrations = [\"{}\"]\n[database]\nlock_timeout_ms = 300\n",
            repo_root().join("fixtures/src/migrations").display()
        ),
    )]);
    let start = Instant::now();
    let r = run_in(dir.path(), &["release-check", "--database-url", &db.url]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("lock timeout"), "{}", r.stderr);
    assert!(start.elapsed() < Duration::from_secs(3));
    let _ = holder.wait();
}

/// A history "table" that is a view sleeping longer than the statement timeout: the
/// one read release-check makes must be cut off by `statement_timeout`, not hang.
#[test]
fn statement_timeout_is_an_error_not_a_hang() {
    let db = cluster().create_database("f_stmt");
    db.execute(
        "CREATE TABLE real_migrations (id serial PRIMARY KEY, timestamp bigint NOT NULL, name varchar NOT NULL); \
         INSERT INTO real_migrations (timestamp, name) VALUES (1700000000000, 'Init1700000000000'); \
         CREATE VIEW migrations AS SELECT id, timestamp, name FROM real_migrations, pg_sleep(5)",
    );
    let dir = project(&[(
        "migguard.toml",
        &format!(
            "migrations = [\"{}\"]\n[database]\nstatement_timeout_ms = 300\n",
            repo_root().join("fixtures/src/migrations").display()
        ),
    )]);
    let start = Instant::now();
    let r = run_in(dir.path(), &["release-check", "--database-url", &db.url]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("statement timeout"), "{}", r.stderr);
    assert!(
        start.elapsed() < Duration::from_secs(4),
        "{:?}",
        start.elapsed()
    );
}

/// libpq applies PGSSLMODE even when the URL has no sslmode. The test server's
/// certificate is signed by a private CA, so `verify-full` against the web PKI roots
/// must fail (exit 2), while `disable` connects — and the URL's own sslmode wins.
#[test]
fn pgsslmode_applies_under_a_url_without_sslmode() {
    let db = cluster().create_database("f_sslenv");
    let url = db.url.replace("?sslmode=disable", "");
    let r = release_check(&url, &[("PGSSLMODE", "verify-full")]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("could not connect"), "{}", r.stderr);
    assert!(!r.stderr.contains(PASSWORD), "{}", r.stderr);
    let r = release_check(&url, &[("PGSSLMODE", "disable")]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let r = release_check(&db.url, &[("PGSSLMODE", "verify-full")]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
}

/// Connects in-process with an sslmode and reports whether the session is encrypted
/// (`pg_stat_ssl`), or the error line.
fn tls_session(db: &TestDb, host: &str, mode: &str, root: Option<&Path>) -> Result<bool, String> {
    let mut url = format!(
        "postgres://postgres:{PASSWORD}@{host}:{}/{}?sslmode={mode}",
        db.port, db.name
    );
    if let Some(root) = root {
        url.push_str(&format!("&sslrootcert={}", root.display()));
    }
    let opts = migguard::db::ConnectOptions {
        url: Some(url),
        connect_timeout: Duration::from_secs(5),
        statement_timeout_ms: 5000,
        lock_timeout_ms: 1000,
        sslmode: None,
        sslrootcert: None,
        command_timeout: Duration::from_secs(30),
        libpq: Default::default(),
    };
    migguard::db::connect::runtime().unwrap().block_on(async {
        let client = migguard::db::connect(&opts)
            .await
            .map_err(|e| e.to_string())?;
        let row = client
            .query_one(
                "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
                &[],
            )
            .await
            .map_err(|e| e.to_string())?;
        Ok(row.get::<_, bool>(0))
    })
}

/// sslmode semantics against a server with a private-CA certificate for `localhost`:
/// disable is plain; prefer/require encrypt without verifying (like libpq);
/// verify-ca checks the chain only; verify-full also the host name.
#[test]
fn sslmodes_encrypt_and_verify_like_libpq() {
    let db = cluster().create_database("f_tls");
    let c = cluster();
    let ca = Some(c.ca_cert.as_path());
    let other = Some(c.other_ca_cert.as_path());
    assert_eq!(tls_session(&db, "127.0.0.1", "disable", None), Ok(false));
    assert_eq!(tls_session(&db, "127.0.0.1", "prefer", None), Ok(true));
    assert_eq!(tls_session(&db, "127.0.0.1", "require", None), Ok(true));
    assert_eq!(tls_session(&db, "127.0.0.1", "verify-ca", ca), Ok(true));
    assert_eq!(tls_session(&db, "localhost", "verify-full", ca), Ok(true));
    // The certificate names localhost, not 127.0.0.1: only verify-full cares.
    let e = tls_session(&db, "127.0.0.1", "verify-full", ca).unwrap_err();
    assert!(e.contains("could not connect"), "{e}");
    // A chain to a CA we were not told to trust fails both verifying modes.
    for (host, mode) in [("127.0.0.1", "verify-ca"), ("localhost", "verify-full")] {
        let e = tls_session(&db, host, mode, other).unwrap_err();
        assert!(e.contains("could not connect"), "{mode}: {e}");
        assert!(!e.contains(PASSWORD), "{e}");
    }
    // Through the CLI: exit 2, one line, no password.
    let url = format!(
        "postgres://postgres:{PASSWORD}@localhost:{}/{}?sslmode=verify-full&sslrootcert={}",
        db.port,
        db.name,
        c.other_ca_cert.display()
    );
    let r = release_check(&url, &[]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(!r.stderr.contains(PASSWORD), "{}", r.stderr);
    let url = url.replace(
        &c.other_ca_cert.display().to_string(),
        &c.ca_cert.display().to_string(),
    );
    assert_eq!(release_check(&url, &[]).code, 1);
}

/// Passwords with URL-special characters (percent-encoded, as libpq requires) work,
/// and a wrong one of the same shape is never echoed, encoded or not.
#[test]
fn special_character_passwords_are_never_printed() {
    let db = cluster().create_database("f_special");
    cluster().create_role("f_special_user", "Sp/ec?i@l");
    db.execute("GRANT USAGE ON SCHEMA public TO f_special_user");
    let good = db.url_for("f_special_user", "Sp%2Fec%3Fi%40l");
    let r = release_check(&good, &[]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let bad_raw = "Wr/ong?p@ss";
    for url in [
        db.url_for("f_special_user", "Wr%2Fong%3Fp%40ss"),
        db.url_for("f_special_user", bad_raw),
    ] {
        let r = release_check(&url, &[]);
        assert_eq!(r.code, 2, "{url}: {}{}", r.stdout, r.stderr);
        let all = format!("{}{}", r.stdout, r.stderr);
        for secret in ["Wr%2Fong", "Wr/ong", "ong?p", "Sp/ec", "Sp%2Fec"] {
            assert!(!all.contains(secret), "{secret} leaked: {all}");
        }
    }
}

/// The server ends migguard's session mid-query (what a shutdown or an operator's
/// `pg_terminate_backend` does): exit 2 with one clear line, not a hang or a pass.
/// Finding the session by `application_name` also shows migguard names itself.
#[test]
fn session_terminated_mid_run_is_an_error() {
    let db = cluster().create_database("f_term");
    db.execute(
        "CREATE TABLE real_migrations (id serial PRIMARY KEY, timestamp bigint NOT NULL, name varchar NOT NULL); \
         INSERT INTO real_migrations (timestamp, name) VALUES (1700000000000, 'Init1700000000000'); \
         CREATE VIEW migrations AS SELECT id, timestamp, name FROM real_migrations, pg_sleep(10)",
    );
    let name = db.name.clone();
    let killer = std::thread::spawn(move || {
        // Poll until migguard's session is inside the slow read, then end it.
        for _ in 0..100 {
            std::thread::sleep(Duration::from_millis(100));
            let killed = cluster().psql(
                "postgres",
                &format!(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity \
                     WHERE application_name = 'migguard' AND datname = '{name}' AND state = 'active'"
                ),
            );
            if killed.trim() != "0" {
                return true;
            }
        }
        false
    });
    let start = Instant::now();
    let r = release_check(&db.url, &[]);
    assert!(killer.join().unwrap(), "migguard's session never showed up");
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("terminat") || r.stderr.contains("closed"),
        "{}",
        r.stderr
    );
    assert_eq!(r.stderr.trim().lines().count(), 1, "{}", r.stderr);
    assert!(
        start.elapsed() < Duration::from_secs(8),
        "{:?}",
        start.elapsed()
    );
}

/// The whole server stops while migguard is inside introspection (not just its
/// session): a clear one-line error and exit 2 within seconds, never a hang; then a
/// run against the stopped server fails fast. Deterministic: another session holds an
/// ACCESS EXCLUSIVE lock on a table the catalog reads need, migguard waits on it
/// (long lock timeout), and the server is stopped once `pg_stat_activity` shows it
/// waiting. A dedicated cluster, so the shared one stays up.
#[test]
fn server_stopping_mid_introspection_is_an_error_not_a_hang() {
    use std::process::{Command, Stdio};
    use support::pg::{Cluster, SUPERUSER};
    for mode in ["fast", "immediate"] {
        let pg = Cluster::start_dedicated();
        let db = pg.create_database("f_stop");
        pg.psql(
            &db.name,
            "CREATE TABLE t (id int PRIMARY KEY, a int CHECK (a > 0)); CREATE VIEW v AS SELECT * FROM t",
        );
        let psql_args = |sql: &str| -> Vec<String> {
            [
                "-X",
                "-q",
                "-h",
                "127.0.0.1",
                "-p",
                &pg.port.to_string(),
                "-U",
                SUPERUSER,
                "-d",
                &db.name,
                "-c",
                sql,
            ]
            .iter()
            .map(|s| s.to_string())
            .collect()
        };
        let mut holder = Command::new(pg.bin.join("psql"))
            .args(psql_args(
                "BEGIN; LOCK TABLE t IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(120)",
            ))
            .env("PGPASSWORD", PASSWORD)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("psql holding the lock");
        let poll = |what: &str, sql: &str| {
            for _ in 0..200 {
                if pg.psql(&db.name, sql).trim() == "1" {
                    return;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            panic!("{what} never happened");
        };
        poll(
            "the lock",
            "SELECT count(*) FROM pg_locks WHERE mode = 'AccessExclusiveLock' AND granted AND relation = 't'::regclass",
        );
        let dir = project(&[(
            "migguard.toml",
            "[database]\nlock_timeout_ms = 60000\nstatement_timeout_ms = 120000\n",
        )]);
        let mut child = Command::new(bin())
            .args(["inspect", "--database-url", &db.url, "--format", "json"])
            .current_dir(dir.path())
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run migguard");
        poll(
            "migguard waiting inside introspection",
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'migguard' AND wait_event_type = 'Lock'",
        );
        let stopped = Instant::now();
        pg.stop(mode);
        while child.try_wait().expect("poll migguard").is_none() {
            if stopped.elapsed() > Duration::from_secs(20) {
                let _ = child.kill();
                panic!("migguard hung after the server stopped (-m {mode})");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let out = child.wait_with_output().expect("migguard output");
        let _ = holder.kill();
        let _ = holder.wait();
        let stderr = String::from_utf8_lossy(&out.stderr);
        eprintln!("-m {mode}: {}", stderr.trim());
        assert_eq!(out.status.code(), Some(2), "-m {mode}: {stderr}");
        assert!(
            stopped.elapsed() < Duration::from_secs(10),
            "-m {mode}: {:?}",
            stopped.elapsed()
        );
        assert_eq!(stderr.trim().lines().count(), 1, "-m {mode}: {stderr}");
        assert!(stderr.contains("introspecting"), "-m {mode}: {stderr}");
        assert!(
            ["terminat", "closed", "shut"]
                .iter()
                .any(|w| stderr.contains(w)),
            "-m {mode}: the cause is named: {stderr}"
        );
        assert!(!stderr.contains(PASSWORD), "{stderr}");

        // The server is gone: the next run fails fast with the same one-line shape.
        let t = Instant::now();
        let r = run_in(dir.path(), &["inspect", "--database-url", &db.url]);
        eprintln!("after the stop: {}", r.stderr.trim());
        assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
        assert_eq!(r.stderr.trim().lines().count(), 1, "{}", r.stderr);
        assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
    }
}

/// A TCP proxy on 127.0.0.1 in front of the test server that relays the start-up
/// and authentication, then stops relaying the client's first query (simple `Q` or
/// extended `P`) and holds the connection open: a server or middlebox that stalls
/// after the handshake. `statement_timeout` cannot fire, the server never sees the
/// query. Returns the proxy's port.
fn stalling_proxy(upstream_port: u16) -> u16 {
    use std::io::{Read, Write};
    use std::net::{TcpListener, TcpStream};
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for client in listener.incoming() {
            let Ok(mut client) = client else { return };
            let Ok(mut server) = TcpStream::connect(("127.0.0.1", upstream_port)) else {
                return;
            };
            let (mut from_server, mut to_client) =
                (server.try_clone().unwrap(), client.try_clone().unwrap());
            std::thread::spawn(move || {
                let _ = std::io::copy(&mut from_server, &mut to_client);
            });
            std::thread::spawn(move || {
                let read_exact = |c: &mut TcpStream, n: usize| {
                    let mut b = vec![0; n];
                    c.read_exact(&mut b).ok().map(|_| b)
                };
                // Start-up message: length (including itself), then the body.
                let Some(len) = read_exact(&mut client, 4) else {
                    return;
                };
                let n = u32::from_be_bytes(len[..4].try_into().unwrap()) as usize;
                let Some(body) = read_exact(&mut client, n - 4) else {
                    return;
                };
                let _ = server.write_all(&len);
                let _ = server.write_all(&body);
                loop {
                    let Some(head) = read_exact(&mut client, 5) else {
                        return;
                    };
                    if matches!(head[0], b'Q' | b'P') {
                        // Stall: keep both sockets open, relay nothing more.
                        std::thread::sleep(Duration::from_secs(60));
                        return;
                    }
                    let n = u32::from_be_bytes(head[1..5].try_into().unwrap()) as usize;
                    let Some(body) = read_exact(&mut client, n - 4) else {
                        return;
                    };
                    let _ = server.write_all(&head);
                    let _ = server.write_all(&body);
                }
            });
        }
    });
    port
}

fn proxied_url(db: &TestDb, proxy_port: u16) -> String {
    db.url
        .replace(&format!(":{}/", db.port), &format!(":{proxy_port}/"))
}

/// Past the handshake the proxy stops relaying: every query has a client-side
/// deadline (statement_timeout + 2 s), so the command ends with exit 2 and one line
/// instead of waiting forever — for each command that talks to the database.
#[test]
fn a_connection_that_stalls_after_the_handshake_hits_the_query_deadline() {
    let db = cluster().create_database("f_stall");
    let url = proxied_url(&db, stalling_proxy(db.port));
    let dir = project(&[(
        "migguard.toml",
        &format!(
            "migrations = [\"{}\"]\n[database]\nstatement_timeout_ms = 500\n",
            repo_root().join("fixtures/src/migrations").display()
        ),
    )]);
    for cmd in ["release-check", "drift", "inspect"] {
        let start = Instant::now();
        let r = run_with_deadline(
            dir.path(),
            &[cmd, "--database-url", &url],
            &[],
            Duration::from_secs(20),
        );
        let took = start.elapsed();
        assert_eq!(r.code, 2, "{cmd}: {}{}", r.stdout, r.stderr);
        assert_eq!(r.stderr.trim().lines().count(), 1, "{cmd}: {}", r.stderr);
        assert!(r.stderr.contains("no answer"), "{cmd}: {}", r.stderr);
        assert!(r.stderr.contains("2.5s"), "{cmd}: {}", r.stderr);
        assert!(!r.stderr.contains(PASSWORD), "{}", r.stderr);
        assert!(took < Duration::from_secs(5), "{cmd}: took {took:?}");
    }
}

/// The whole command has a deadline of its own (`command_timeout_secs`), whatever
/// the per-query deadlines add up to.
#[test]
fn the_whole_command_has_a_deadline() {
    let db = cluster().create_database("f_cmd");
    let url = proxied_url(&db, stalling_proxy(db.port));
    let dir = project(&[(
        "migguard.toml",
        &format!(
            "migrations = [\"{}\"]\n[database]\nstatement_timeout_ms = 60000\ncommand_timeout_secs = 2\n",
            repo_root().join("fixtures/src/migrations").display()
        ),
    )]);
    let start = Instant::now();
    let r = run_with_deadline(
        dir.path(),
        &["release-check", "--database-url", &url],
        &[],
        Duration::from_secs(20),
    );
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("command_timeout_secs"), "{}", r.stderr);
    assert!(
        start.elapsed() < Duration::from_secs(4),
        "{:?}",
        start.elapsed()
    );
}

/// migguard's backend is SIGSTOPped while it waits on a lock: the server's own
/// timers cannot fire in a stopped process, so only the client-side deadline ends
/// the run.
#[test]
fn a_stopped_backend_hits_the_query_deadline() {
    let db = cluster().create_database("f_sigstop");
    db.execute("CREATE TABLE migrations (id serial PRIMARY KEY, timestamp bigint NOT NULL, name varchar NOT NULL)");
    let c = cluster();
    let mut holder = std::process::Command::new(c.bin.join("psql"))
        .args(["-X", "-q", "-h", "127.0.0.1", "-p", &c.port.to_string()])
        .args(["-U", "postgres", "-d", &db.name, "-c"])
        .arg("BEGIN; LOCK TABLE migrations IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(30); COMMIT;")
        .env("PGPASSWORD", PASSWORD)
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // migguard must find the lock held, or it reads the history before the holder
    // gets there and never waits (seen on a loaded machine).
    for _ in 0..200 {
        let held = db.query("SELECT count(*) FROM pg_locks WHERE mode = 'AccessExclusiveLock' AND granted AND relation = 'migrations'::regclass");
        if held.trim() == "1" {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let dir = project(&[(
        "migguard.toml",
        &format!(
            "migrations = [\"{}\"]\n[database]\nstatement_timeout_ms = 3000\nlock_timeout_ms = 60000\n",
            repo_root().join("fixtures/src/migrations").display()
        ),
    )]);
    let name = db.name.clone();
    let stopper = std::thread::spawn(move || {
        for _ in 0..100 {
            let pid = cluster().psql(
                "postgres",
                &format!(
                    "SELECT pid FROM pg_stat_activity WHERE application_name = 'migguard' \
                     AND datname = '{name}' AND wait_event_type = 'Lock'"
                ),
            );
            let pid = pid.trim().to_string();
            if !pid.is_empty() {
                let ok = std::process::Command::new("kill")
                    .args(["-STOP", &pid])
                    .status()
                    .unwrap()
                    .success();
                return ok.then_some(pid);
            }
            std::thread::sleep(Duration::from_millis(30));
        }
        None
    });
    let start = Instant::now();
    let r = run_with_deadline(
        dir.path(),
        &["release-check", "--database-url", &db.url],
        &[],
        Duration::from_secs(20),
    );
    let took = start.elapsed();
    let stopped = stopper.join().unwrap();
    if let Some(pid) = &stopped {
        let _ = std::process::Command::new("kill")
            .args(["-CONT", pid])
            .status();
        cluster().psql("postgres", &format!("SELECT pg_terminate_backend({pid})"));
    }
    let _ = holder.kill();
    let _ = holder.wait();
    assert!(
        stopped.is_some(),
        "migguard's backend was never seen waiting"
    );
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("no answer"), "{}", r.stderr);
    assert!(took < Duration::from_secs(8), "took {took:?}");
}

/// A timeout of 0 would mean "wait forever" (PostgreSQL's statement_timeout = 0) or
/// "give up at once": refused with the key's name.
#[test]
fn zero_timeouts_are_refused() {
    for key in [
        "connect_timeout_secs",
        "statement_timeout_ms",
        "lock_timeout_ms",
        "command_timeout_secs",
    ] {
        let dir = project(&[("migguard.toml", &format!("[database]\n{key} = 0\n"))]);
        let r = run_in(
            dir.path(),
            &["inspect", "--database-url", "postgres://u@127.0.0.1:1/x"],
        );
        assert_eq!(r.code, 2, "{key}: {}{}", r.stdout, r.stderr);
        assert!(r.stderr.contains(key), "{key}: {}", r.stderr);
        assert!(r.stderr.contains("0"), "{key}: {}", r.stderr);
    }
}

/// Introspection reads the catalog inside one transaction (`REPEATABLE READ READ
/// ONLY`, opened at connect): while migguard waits inside a catalog read, its
/// transaction started before that query, i.e. the earlier reads share its snapshot.
#[test]
fn introspection_reads_one_snapshot() {
    let db = cluster().create_database("f_snap");
    db.execute("CREATE TABLE t (id int PRIMARY KEY, a int CHECK (a > 0)); CREATE VIEW v AS SELECT * FROM t");
    let c = cluster();
    let mut holder = std::process::Command::new(c.bin.join("psql"))
        .args(["-X", "-q", "-h", "127.0.0.1", "-p", &c.port.to_string()])
        .args(["-U", "postgres", "-d", &db.name, "-c"])
        .arg("BEGIN; LOCK TABLE t IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(30); COMMIT;")
        .env("PGPASSWORD", PASSWORD)
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    for _ in 0..100 {
        let held = db.query("SELECT count(*) FROM pg_locks WHERE mode = 'AccessExclusiveLock' AND granted AND relation = 't'::regclass");
        if held.trim() == "1" {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let dir = project(&[(
        "migguard.toml",
        "[database]\nlock_timeout_ms = 20000\nstatement_timeout_ms = 20000\n",
    )]);
    let child = std::process::Command::new(bin())
        .args(["inspect", "--database-url", &db.url, "--format", "json"])
        .current_dir(dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut seen = String::new();
    for _ in 0..200 {
        seen = db.query(
            "SELECT xact_start < query_start, backend_xmin IS NOT NULL FROM pg_stat_activity \
             WHERE application_name = 'migguard' AND wait_event_type = 'Lock' \
             AND datname = current_database()",
        );
        if !seen.trim().is_empty() {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = holder.kill();
    let _ = holder.wait();
    cluster().psql(
        "postgres",
        &format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{}' AND application_name <> 'migguard' AND pid <> pg_backend_pid()",
            db.name
        ),
    );
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        seen.trim(),
        "t|t",
        "migguard's session while it waited: {seen:?}"
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// golang-migrate's `version` is a bigint; a ledger whose version does not read as
/// one (hand-made table, text column) is an error naming the value, never "nothing
/// applied". golang-migrate's own "no version, dirty" row (-1) still reads.
#[test]
fn a_golang_migrate_version_that_is_not_a_number_is_an_error() {
    let db = cluster().create_database("f_gm_version");
    db.execute("CREATE TABLE schema_migrations (version text NOT NULL, dirty boolean NOT NULL); INSERT INTO schema_migrations VALUES ('v12', false)");
    let dir = project(&[
        ("m/1_a.up.sql", "CREATE TABLE a (id int);\n"),
        ("m/2_b.up.sql", "CREATE TABLE b (id int);\n"),
    ]);
    for cmd in ["release-check", "drift"] {
        let r = run_in(dir.path(), &[cmd, "m", "--database-url", &db.url]);
        assert_eq!(r.code, 2, "{cmd}: {}{}", r.stdout, r.stderr);
        assert!(r.stderr.contains("`v12`"), "{cmd}: {}", r.stderr);
        assert!(
            r.stderr.contains("schema_migrations"),
            "{cmd}: {}",
            r.stderr
        );
    }
    db.execute("DELETE FROM schema_migrations; INSERT INTO schema_migrations VALUES ('-1', true)");
    let r = run_json_on_db(dir.path(), &["release-check", "m"], &db.url);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let v = r.json();
    assert_eq!(v["history"]["applied"].as_array().unwrap().len(), 0);
    assert!(r.stdout.contains("dirty"), "{}", r.stdout);
}

/// 30,000 history rows with no local migration: a handful of findings and a count,
/// not one finding per row (a 1M-row ledger made 600 MB of output).
#[test]
fn unknown_history_rows_are_summarised() {
    let db = cluster().create_database("f_ledger");
    db.execute(
        "CREATE TABLE migrations (id serial PRIMARY KEY, timestamp bigint NOT NULL, name varchar NOT NULL); \
         INSERT INTO migrations (timestamp, name) SELECT 1600000000000 + g, 'Ghost' || (1600000000000 + g) FROM generate_series(1, 30000) g",
    );
    let m = repo_root().join("fixtures/src/migrations");
    let m = m.to_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let r = run_in(dir.path(), &["release-check", m, "--database-url", &db.url]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stdout.len() < 100_000,
        "{} bytes of output",
        r.stdout.len()
    );
    assert!(r.stdout.contains("and 29980 more"), "{}", r.stdout);
    let r = run_json_on_db(dir.path(), &["release-check", m], &db.url);
    assert!(r.stdout.len() < 100_000, "{} bytes of JSON", r.stdout.len());
    let v = r.json();
    assert_eq!(v["history"]["unknown_applied_count"], 30_000);
    assert_eq!(
        v["history"]["unknown_applied"].as_array().unwrap().len(),
        20
    );
    let r = run_json_on_db(dir.path(), &["drift", m], &db.url);
    assert!(
        r.stdout.len() < 100_000,
        "{} bytes of drift JSON",
        r.stdout.len()
    );
    let v = r.json();
    assert_eq!(v["history"]["unknown_applied_count"], 30_000);
    let unknown_items = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["kind"] == "unknown-applied-migration")
        .count();
    assert_eq!(unknown_items, 21, "20 named and one for the rest");
}

/// A role without CONNECT on the database is told to get CONNECT, not SELECT.
#[test]
fn missing_connect_privilege_says_connect() {
    let db = cluster().create_database("f_noconnect");
    cluster().create_role("f_noconnect_user", "nc");
    db.execute(&format!(
        "REVOKE CONNECT ON DATABASE \"{}\" FROM PUBLIC",
        db.name
    ));
    let r = release_check(&db.url_for("f_noconnect_user", "nc"), &[]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("CONNECT"), "{}", r.stderr);
    assert!(!r.stderr.contains("grant SELECT"), "{}", r.stderr);
}

/// libpq ignores sslmode on a Unix socket (a host that is a directory, or none):
/// `sslmode=require` there connects instead of failing.
#[test]
fn sslmode_is_ignored_on_a_unix_socket() {
    let db = cluster().create_database("f_socket");
    let c = cluster();
    let kv = format!(
        "host={} port={} user=postgres password={PASSWORD} dbname={} sslmode=require",
        c.dir.display(),
        c.port,
        db.name
    );
    let r = release_check(&kv, &[]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let r = release_check(
        &format!(
            "postgres://postgres:{PASSWORD}@/{}?host={}&port={}&sslmode=require",
            db.name,
            c.dir.display(),
            c.port
        ),
        &[],
    );
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
}

/// A history row whose name carries an escape sequence (anyone with INSERT on the
/// ledger) is printed spelled out by release-check and drift.
#[test]
fn escape_sequences_in_history_rows_never_reach_the_terminal() {
    let db = cluster().create_database("f_esc");
    db.execute(
        "CREATE TABLE migrations (id serial PRIMARY KEY, timestamp bigint NOT NULL, name varchar NOT NULL); \
         INSERT INTO migrations (timestamp, name) VALUES (1, E'Evil\\x1b[2K\\rmigguard: passed1700000000009')",
    );
    for cmd in ["release-check", "drift"] {
        let r = release_check_like(cmd, &db.url);
        assert!(r.code == 1, "{cmd}: {}{}", r.stdout, r.stderr);
        assert!(
            !r.stdout.contains('\u{1b}') && !r.stdout.contains('\r'),
            "{cmd}: {:?}",
            r.stdout
        );
        assert!(
            r.stdout.contains("Evil\\x1b[2K\\rmigguard"),
            "{cmd}: {}",
            r.stdout
        );
    }
}

fn release_check_like(cmd: &str, url: &str) -> Run {
    let m = repo_root().join("fixtures/src/migrations");
    let dir = tempfile::tempdir().unwrap();
    run_in(
        dir.path(),
        &[cmd, m.to_str().unwrap(), "--database-url", url],
    )
}

/// A host in a URL's query replaces the URL's own host list, as libpq reads it
/// (psql 15 checked): `postgresql://ignored/db?host=/run/pg` connects to the socket
/// in `/run/pg` only, a query `port` replaces the URL's port, and of two `host`
/// parameters the last wins. Through the test cluster's Unix socket, where an
/// `sslmode` that would fail on TCP is ignored as libpq ignores it there.
#[test]
fn a_host_in_the_url_query_replaces_the_url_host_as_libpq_does() {
    let db = cluster().create_database("f_query_host");
    let c = cluster();
    let dir = c.dir.display().to_string();
    let other_ca = c.other_ca_cert.display();
    let port = c.port;
    let name = &db.name;
    let pw = PASSWORD;
    for url in [
        // libpq never tries `localhost`: a verify-full against the wrong CA would fail
        // there, and is ignored on the socket.
        format!("postgres://postgres:{pw}@localhost:{port}/{name}?host={dir}&sslmode=verify-full&sslrootcert={other_ca}"),
        format!("postgresql://postgres:{pw}@ignored.invalid/{name}?host={dir}&port={port}&sslmode=verify-full&sslrootcert={other_ca}"),
        format!("postgresql://postgres:{pw}@ignored.invalid:1/{name}?host={dir}&port={port}"),
        format!("postgresql://postgres:{pw}@/{name}?host=/nonexistent&port=1&host={dir}&port={port}"),
        // A query `port` replaces the URL's port (one host, one port).
        format!("postgres://postgres:{pw}@127.0.0.1:1/{name}?port={port}&sslmode=disable"),
        // The socket directory percent-encoded in the authority.
        format!(
            "postgresql://postgres:{pw}@{}:{port}/{name}",
            dir.replace('/', "%2F")
        ),
    ] {
        let r = release_check(&url, &[]);
        // Connected: the bundled migrations are all pending in the empty database.
        assert_eq!(r.code, 1, "{url}\n{}{}", r.stdout, r.stderr);
        assert!(r.stdout.contains("pending"), "{url}\n{}", r.stdout);
    }
    // With no port in the URL, libpq takes `PGPORT` (psql 15 checked).
    let r = release_check(
        &format!("postgresql://postgres:{pw}@/{name}?host={dir}"),
        &[("PGPORT", &port.to_string())],
    );
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    // The last `host` wins: a socket directory that does not exist is where libpq
    // goes, so the command fails instead of quietly using the first one.
    let r = release_check(
        &format!("postgresql://postgres:{pw}@/{name}?host={dir}&port={port}&host=/nonexistent"),
        &[],
    );
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("/nonexistent"), "{}", r.stderr);
}
