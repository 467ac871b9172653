//! Connecting to PostgreSQL: where the settings come from, TLS, and the read-only
//! session every migguard command uses.
//!
//! Settings: `--database-url`, else `DATABASE_URL`, else libpq's `PG*` variables.
//! `sslmode` is handled here (tokio-postgres only knows disable/prefer/require):
//! `require`/`prefer` encrypt without verifying the certificate, like libpq;
//! `verify-ca` checks the chain against `sslrootcert` (or the web PKI roots),
//! `verify-full` also the host name. rustls with the ring provider: no cmake needed.
//! Every session runs `SET default_transaction_read_only = on` plus statement and lock
//! timeouts, so nothing migguard sends can write or wait on a lock for long.
//!
//! Those timeouts are the server's: a server, proxy or network that stops answering
//! (a SIGSTOPped backend, a half-open connection) never sends the cancellation. So
//! migguard keeps client-side deadlines too: the handshake is bounded by the connect
//! timeout, every query by `statement_timeout` + [`QUERY_DEADLINE_GRACE`] (the server
//! normally answers first, with its own message), and the whole database part of a
//! command by `[database] command_timeout_secs` ([`block_on_within`]).

use super::libpq_url::url_as_keywords;
use super::redact::{redact, redact_conninfo, scrub, secrets};
use crate::error::{Error, Result};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use std::sync::Arc;
use std::time::Duration;
use tokio_postgres::config::SslMode;
use tokio_postgres::{Client, Config};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    Disable,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

impl TlsMode {
    pub fn parse(s: &str) -> Result<TlsMode> {
        Ok(match s {
            "disable" | "allow" => TlsMode::Disable,
            "prefer" => TlsMode::Prefer,
            "require" => TlsMode::Require,
            "verify-ca" => TlsMode::VerifyCa,
            "verify-full" => TlsMode::VerifyFull,
            other => {
                return Err(Error::Database(format!(
                    "unknown sslmode `{other}` (disable, prefer, require, verify-ca, verify-full)"
                )))
            }
        })
    }
}

/// libpq's environment variables (`PGHOST`, `PGPORT`, `PGUSER`, `PGPASSWORD`,
/// `PGDATABASE`, `PGCONNECT_TIMEOUT`, `PGSSLMODE`, `PGSSLROOTCERT`, and `USER` as
/// libpq's fallback user), as values: the command layer reads the process
/// environment, so connecting is a function of its options alone. An empty variable
/// counts as unset, as in libpq.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LibpqEnv {
    pub host: Option<String>,
    pub port: Option<String>,
    pub user: Option<String>,
    pub password: Option<String>,
    pub database: Option<String>,
    pub connect_timeout: Option<String>,
    pub sslmode: Option<String>,
    pub sslrootcert: Option<String>,
    /// `USER`: the user when `PGUSER` is unset (PG* connections only).
    pub os_user: Option<String>,
}

impl LibpqEnv {
    /// The variables as `lookup` (e.g. the process environment) returns them.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> LibpqEnv {
        let get = |k: &str| lookup(k).filter(|v| !v.is_empty());
        LibpqEnv {
            host: get("PGHOST"),
            port: get("PGPORT"),
            user: get("PGUSER"),
            password: get("PGPASSWORD"),
            database: get("PGDATABASE"),
            connect_timeout: get("PGCONNECT_TIMEOUT"),
            sslmode: get("PGSSLMODE"),
            sslrootcert: get("PGSSLROOTCERT"),
            os_user: get("USER"),
        }
    }
}

/// How to reach the database and how long to wait: plain settings, filled by the
/// command layer from the flags, `DATABASE_URL`, `migguard.toml` and libpq's
/// environment.
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    /// URL or key=value string from the flag or DATABASE_URL; `None` = PG* variables.
    pub url: Option<String>,
    pub connect_timeout: Duration,
    pub statement_timeout_ms: u64,
    pub lock_timeout_ms: u64,
    pub sslmode: Option<String>,
    pub sslrootcert: Option<std::path::PathBuf>,
    /// Client-side deadline for everything a command does with the database.
    pub command_timeout: Duration,
    /// libpq's `PG*` defaults: the whole target without a URL, the gaps under one.
    pub libpq: LibpqEnv,
}

/// How much longer than `statement_timeout` migguard waits for an answer before it
/// gives up on its own: enough for the server's cancellation to arrive first.
pub const QUERY_DEADLINE_GRACE: Duration = Duration::from_secs(2);

impl ConnectOptions {
    /// The client-side deadline of one query.
    pub fn query_deadline(&self) -> Duration {
        Duration::from_millis(self.statement_timeout_ms) + QUERY_DEADLINE_GRACE
    }
}

/// `2.5s`, `32s`: durations in messages.
fn seconds(d: Duration) -> String {
    format!("{}s", d.as_secs_f64())
}

/// A connected, read-only session whose queries have a client-side deadline. It
/// dereferences to the driver's client; queries that must not hang go through
/// [`Session::run`] or [`Session::bounded`].
pub struct Session {
    client: Client,
    query_deadline: Duration,
}

impl std::ops::Deref for Session {
    type Target = Client;
    fn deref(&self) -> &Client {
        &self.client
    }
}

impl Session {
    /// Await `query` for at most the query deadline. The outer error is the deadline
    /// (named after `what`); the inner result is the driver's, for callers that
    /// handle particular SQLSTATEs.
    pub async fn bounded<T>(
        &self,
        what: &str,
        query: impl std::future::Future<Output = std::result::Result<T, tokio_postgres::Error>>,
    ) -> Result<std::result::Result<T, tokio_postgres::Error>> {
        tokio::time::timeout(self.query_deadline, query)
            .await
            .map_err(|_| {
                Error::Database(format!(
                    "{what}: no answer from the database within {} (client-side deadline: [database] statement_timeout_ms + {}); the server or the network stopped responding",
                    seconds(self.query_deadline),
                    seconds(QUERY_DEADLINE_GRACE)
                ))
            })
    }

    /// [`Session::bounded`], with a driver error described as `what: …`.
    pub async fn run<T>(
        &self,
        what: &str,
        query: impl std::future::Future<Output = std::result::Result<T, tokio_postgres::Error>>,
    ) -> Result<T> {
        self.bounded(what, query)
            .await?
            .map_err(|e| Error::Database(format!("{what}: {}", describe(&e, "the database"))))
    }
}

/// Run a command's database work on a fresh runtime, bounded as a whole by
/// `[database] command_timeout_secs`.
pub fn block_on_within<T>(
    opts: &ConnectOptions,
    work: impl std::future::Future<Output = Result<T>>,
) -> Result<T> {
    runtime()?.block_on(async {
        tokio::time::timeout(opts.command_timeout, work)
            .await
            .unwrap_or_else(|_| {
                Err(Error::Database(format!(
                    "no result from the database within {} (client-side deadline: [database] command_timeout_secs)",
                    seconds(opts.command_timeout)
                )))
            })
    })
}

/// Split `sslmode`/`sslrootcert` out of a URL's query (tokio-postgres rejects verify-*).
fn take_ssl_params(url: &str) -> (String, Option<String>, Option<String>) {
    let Some((base, query)) = url.split_once('?') else {
        return (url.to_string(), None, None);
    };
    let mut mode = None;
    let mut root = None;
    let mut keep = Vec::new();
    for kv in query.split('&') {
        match kv.split_once('=') {
            Some(("sslmode", v)) => mode = Some(v.to_string()),
            Some(("sslrootcert", v)) => root = Some(v.to_string()),
            _ => keep.push(kv),
        }
    }
    let url = if keep.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", keep.join("&"))
    };
    (url, mode, root)
}

/// Percent-encode what a hand-written URL's user info may hold unencoded (`@`, `/`,
/// `?`, `#`, and `:` inside the password). The user info ends at the *last* `@`, as
/// `redact` assumes: otherwise `postgres://bob:pa@ss@host/db` would connect to host
/// `ss@host` and print the password's tail in every error.
fn encode_userinfo(url: &str) -> String {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
        return url.to_string();
    };
    let Some(at) = url[scheme_end..].rfind('@').map(|i| scheme_end + i) else {
        return url.to_string();
    };
    let encode = |s: &str, colon: bool| {
        s.chars()
            .map(|c| match c {
                '@' => "%40".to_string(),
                '/' => "%2F".to_string(),
                '?' => "%3F".to_string(),
                '#' => "%23".to_string(),
                ':' if colon => "%3A".to_string(),
                c => c.to_string(),
            })
            .collect::<String>()
    };
    let userinfo = match url[scheme_end..at].split_once(':') {
        Some((user, password)) => format!("{}:{}", encode(user, true), encode(password, true)),
        None => encode(&url[scheme_end..at], true),
    };
    format!("{}{userinfo}{}", &url[..scheme_end], &url[at..])
}

/// `PGPORT` as a port number.
fn pgport(p: &str) -> Result<u16> {
    p.parse()
        .map_err(|_| Error::Database(format!("PGPORT `{p}` is not a port number")))
}

/// The tokio-postgres config plus TLS mode and a printable target (no password).
fn resolve(opts: &ConnectOptions) -> Result<(Config, TlsMode, Option<String>, String)> {
    let env = &opts.libpq;
    let (mut config, url_mode, url_root) = match &opts.url {
        Some(url) => {
            let (parsed, mode, root) = take_ssl_params(&encode_userinfo(url));
            // A URL is read as libpq reads it (a query `host` replaces the
            // URL's host, …), then handed over in keyword/value form.
            let parsed = match url_as_keywords(&parsed) {
                Some(Ok(keywords)) => keywords,
                Some(Err(why)) => {
                    return Err(Error::Database(format!(
                        "invalid database URL {}: {why}",
                        redact_conninfo(url)
                    )))
                }
                None => parsed,
            };
            let config: Config = parsed.parse().map_err(|e: tokio_postgres::Error| {
                // The driver's reasons name options, never values.
                let mut why = e.to_string();
                let mut cause = std::error::Error::source(&e);
                while let Some(c) = cause {
                    why.push_str(": ");
                    why.push_str(&c.to_string());
                    cause = c.source();
                }
                Error::Database(format!(
                    "invalid database URL {}: {why}",
                    redact_conninfo(url)
                ))
            })?;
            (config, mode, root)
        }
        None => {
            let mut c = Config::new();
            c.host(env.host.clone().unwrap_or_else(|| "localhost".into()));
            let user = env
                .user
                .clone()
                .or_else(|| env.os_user.clone())
                .unwrap_or_else(|| "postgres".into());
            c.user(&user);
            if let Some(pw) = &env.password {
                c.password(pw);
            }
            c.dbname(env.database.clone().unwrap_or(user));
            if let Some(t) = env
                .connect_timeout
                .as_ref()
                .and_then(|t| t.parse::<u64>().ok())
            {
                c.connect_timeout(Duration::from_secs(t.max(1)));
            }
            (c, env.sslmode.clone(), env.sslrootcert.clone())
        }
    };
    if config.get_hosts().is_empty() {
        config.host(env.host.clone().unwrap_or_else(|| "localhost".into()));
    }
    // libpq's `PGPORT`: the port without a URL, the default under one that names
    // no port.
    if config.get_ports().is_empty() {
        if let Some(p) = &env.port {
            config.port(pgport(p)?);
        }
    }
    if config.get_user().is_none() {
        config.user(env.user.clone().unwrap_or_else(|| "postgres".into()));
    }
    if config.get_password().is_none() {
        if let Some(pw) = &env.password {
            config.password(pw);
        }
    }
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(opts.connect_timeout);
    }
    config.application_name("migguard");
    // libpq reads PGSSLMODE/PGSSLROOTCERT as defaults under a URL too; the URL wins,
    // then the environment, then migguard.toml.
    let (url_mode, url_root) = if opts.url.is_some() {
        (
            url_mode.or_else(|| env.sslmode.clone()),
            url_root.or_else(|| env.sslrootcert.clone()),
        )
    } else {
        (url_mode, url_root)
    };
    let mode = TlsMode::parse(
        url_mode
            .as_deref()
            .or(opts.sslmode.as_deref())
            .unwrap_or("prefer"),
    )?;
    let root = url_root.or_else(|| opts.sslrootcert.as_ref().map(|p| p.display().to_string()));
    // libpq ignores sslmode on Unix sockets (a host that is a directory; no host at
    // all means the default socket): TLS is for TCP.
    #[cfg(unix)]
    let mode = if !config.get_hosts().is_empty()
        && config
            .get_hosts()
            .iter()
            .all(|h| matches!(h, tokio_postgres::config::Host::Unix(_)))
    {
        TlsMode::Disable
    } else {
        mode
    };
    config.ssl_mode(match mode {
        TlsMode::Disable => SslMode::Disable,
        TlsMode::Prefer => SslMode::Prefer,
        _ => SslMode::Require,
    });
    let host = config
        .get_hosts()
        .first()
        .map(|h| match h {
            tokio_postgres::config::Host::Tcp(h) => h.clone(),
            #[cfg(unix)]
            tokio_postgres::config::Host::Unix(p) => p.display().to_string(),
        })
        .unwrap_or_default();
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let target = format!(
        "{}@{host}:{port}/{}",
        config.get_user().unwrap_or(""),
        config.get_dbname().unwrap_or("")
    );
    Ok((config, mode, root, target))
}

#[derive(Debug)]
struct NoVerify(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for NoVerify {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }
    fn verify_tls12_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(m, c, d, &self.0.signature_verification_algorithms)
    }
    fn verify_tls13_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(m, c, d, &self.0.signature_verification_algorithms)
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// verify-ca: the chain must verify, the host name need not match.
#[derive(Debug)]
struct ChainOnly(Arc<rustls::client::WebPkiServerVerifier>);

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        e: &CertificateDer<'_>,
        i: &[CertificateDer<'_>],
        n: &ServerName<'_>,
        o: &[u8],
        t: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        match self.0.verify_server_cert(e, i, n, o, t) {
            Err(rustls::Error::InvalidCertificate(rustls::CertificateError::NotValidForName))
            | Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }
    fn verify_tls12_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(m, c, d)
    }
    fn verify_tls13_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(m, c, d)
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

fn tls_config(mode: TlsMode, root: Option<&str>) -> Result<rustls::ClientConfig> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Database(format!("TLS setup: {e}")))?;
    if matches!(mode, TlsMode::Prefer | TlsMode::Require | TlsMode::Disable) {
        return Ok(builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(NoVerify(provider)))
            .with_no_client_auth());
    }
    let mut roots = rustls::RootCertStore::empty();
    match root {
        Some(path) => {
            let pem = std::fs::read(path)
                .map_err(|e| Error::Database(format!("sslrootcert {path}: {e}")))?;
            for cert in rustls_pemfile::certs(&mut pem.as_slice()) {
                let cert = cert.map_err(|e| Error::Database(format!("sslrootcert {path}: {e}")))?;
                roots
                    .add(cert)
                    .map_err(|e| Error::Database(format!("sslrootcert {path}: {e}")))?;
            }
        }
        None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
    }
    if mode == TlsMode::VerifyFull {
        return Ok(builder.with_root_certificates(roots).with_no_client_auth());
    }
    let verifier =
        rustls::client::WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider)
            .build()
            .map_err(|e| Error::Database(format!("TLS setup: {e}")))?;
    Ok(builder
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(ChainOnly(verifier)))
        .with_no_client_auth())
}

/// Turn a driver error into one clear line (never with a password).
pub fn describe(e: &tokio_postgres::Error, target: &str) -> String {
    if let Some(db) = e.as_db_error() {
        let code = db.code().code();
        let what = match code {
            "28P01" | "28000" => format!("authentication failed for {target} ({})", db.message()),
            "3D000" => format!("database does not exist: {}", db.message()),
            // At connect time 42501 is the database's CONNECT privilege ("permission
            // denied for database …"); later it is a table or schema migguard reads.
            "42501" if db.message().contains("for database") => format!(
                "permission denied: {} — the migguard role needs CONNECT on the database (GRANT CONNECT ON DATABASE … TO …)",
                db.message()
            ),
            "42501" => format!(
                "permission denied: {} — grant SELECT to the migguard role",
                db.message()
            ),
            "57014" => format!(
                "statement timeout: {} (raise [database] statement_timeout_ms)",
                db.message()
            ),
            "55P03" => format!("lock timeout: {}", db.message()),
            "57P01" | "57P02" | "57P03" => format!(
                "the server is shutting down or unavailable: {}",
                db.message()
            ),
            _ => format!("{} (SQLSTATE {code})", db.message()),
        };
        return redact(&what);
    }
    let mut msg = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        src = s.source();
    }
    if msg.contains("connection closed") || msg.contains("unexpected EOF") {
        return redact(&format!(
            "the connection to {target} was closed by the server ({msg})"
        ));
    }
    if msg.contains("timed out") || msg.contains("timeout") {
        return redact(&format!("could not connect to {target}: timed out ({msg})"));
    }
    redact(&format!("could not connect to {target}: {msg}"))
}

/// Open the connection with either connector, bounded by `overall`, and drive it on
/// the caller's runtime.
async fn open<T>(config: &Config, tls: T, overall: Duration, target: &str) -> Result<Client>
where
    T: tokio_postgres::tls::MakeTlsConnect<tokio_postgres::Socket> + 'static,
    T::Stream: Send + 'static,
{
    let (client, conn) = tokio::time::timeout(overall, config.connect(tls))
        .await
        .map_err(|_| {
            Error::Database(format!(
                "could not connect to {target}: timed out after {}s",
                overall.as_secs()
            ))
        })?
        .map_err(|e| Error::Database(describe(&e, target)))?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    Ok(client)
}

/// Connect, set the session read-only with timeouts, open the `REPEATABLE READ READ
/// ONLY` transaction every read of the command shares, and hand back the session.
/// The connection task runs on the caller's runtime.
pub async fn connect(opts: &ConnectOptions) -> Result<Session> {
    // Whatever went wrong, the message must not carry the password, however the
    // string was malformed and whoever cut it where.
    let known = known_secrets(opts);
    connect_unscrubbed(opts)
        .await
        .map_err(|e| scrub_error(e, &known))
}

/// Every text the password of these options may be printed as: the connection
/// string's and `PGPASSWORD`'s.
fn known_secrets(opts: &ConnectOptions) -> Vec<String> {
    let mut known = opts.url.as_deref().map(secrets).unwrap_or_default();
    if let Some(pw) = &opts.libpq.password {
        let quoted = pw.replace('\\', "\\\\").replace('\'', "\\'");
        known.extend(secrets(&format!("password='{quoted}'")));
    }
    known
}

fn scrub_error(e: Error, known: &[String]) -> Error {
    match e {
        Error::Database(m) => Error::Database(scrub(&m, known)),
        other => other,
    }
}

/// What [`connect`] prints about the target before any network I/O: the target it
/// names in its messages, or the error for a connection string that does not parse,
/// scrubbed the same way. Pure apart from the `PG*` variables; the fuzz target
/// `conninfo_redaction` checks that no password survives into either.
pub fn printable_target(opts: &ConnectOptions) -> Result<String> {
    let known = known_secrets(opts);
    match resolve(opts) {
        Ok((_, _, _, target)) => Ok(scrub(&target, &known)),
        Err(e) => Err(scrub_error(e, &known)),
    }
}

async fn connect_unscrubbed(opts: &ConnectOptions) -> Result<Session> {
    let (config, mode, root, target) = resolve(opts)?;
    // The connect timeout (URL `connect_timeout`, PGCONNECT_TIMEOUT or the config)
    // bounds the whole handshake, not only the TCP connect: a server that accepts
    // and never answers must not hang the deploy.
    let overall = config
        .get_connect_timeout()
        .copied()
        .unwrap_or(opts.connect_timeout)
        + Duration::from_secs(1);
    let client = if mode == TlsMode::Disable {
        open(&config, tokio_postgres::NoTls, overall, &target).await?
    } else {
        let tls = tokio_postgres_rustls::MakeRustlsConnect::new(tls_config(mode, root.as_deref())?);
        open(&config, tls, overall, &target).await?
    };
    let setup = format!(
        "SET default_transaction_read_only = on; SET statement_timeout = {}; SET lock_timeout = {}; SET idle_in_transaction_session_timeout = {}",
        opts.statement_timeout_ms, opts.lock_timeout_ms, opts.statement_timeout_ms.max(1000)
    );
    let session = Session {
        client,
        query_deadline: opts.query_deadline(),
    };
    session
        .bounded(
            &format!("setting up the session on {target}"),
            session.batch_execute(&setup),
        )
        .await?
        .map_err(|e| Error::Database(describe(&e, &target)))?;
    // Everything a command reads (history, then the catalog) comes from one
    // snapshot: a migration committing halfway through introspection must not
    // yield a model that is half before and half after it.
    session
        .run(
            "starting the read-only snapshot",
            session.batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"),
        )
        .await?;
    Ok(session)
}

/// A current-thread runtime for one command (no global runtime).
pub fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::io("starting the async runtime", e))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Options with no PG* variables set (the tests give the URL).
    fn test_options() -> ConnectOptions {
        ConnectOptions {
            url: None,
            connect_timeout: Duration::from_secs(10),
            statement_timeout_ms: 30_000,
            lock_timeout_ms: 5_000,
            sslmode: None,
            sslrootcert: None,
            command_timeout: Duration::from_secs(120),
            libpq: LibpqEnv::default(),
        }
    }

    #[test]
    fn unencoded_characters_in_the_password_stay_in_the_password() {
        for (url, password, host) in [
            (
                "postgres://bob:hunter2@xyzzyTail@db.example:5433/app",
                "hunter2@xyzzyTail",
                "db.example",
            ),
            (
                "postgres://bob:pa/ss?w#rd@db.example/app",
                "pa/ss?w#rd",
                "db.example",
            ),
            (
                "postgres://bob:a:b%40c@db.example/app",
                "a:b@c",
                "db.example",
            ),
            (
                "postgres://bob:plain@db.example/app?sslmode=disable",
                "plain",
                "db.example",
            ),
        ] {
            let opts = ConnectOptions {
                url: Some(url.to_string()),
                ..test_options()
            };
            let (config, _, _, target) = resolve(&opts).unwrap();
            assert_eq!(config.get_password(), Some(password.as_bytes()), "{url}");
            assert_eq!(
                target,
                format!(
                    "bob@{host}:{}/app",
                    config.get_ports().first().copied().unwrap_or(5432)
                ),
                "{url}"
            );
            assert!(
                !target.contains("xyzzy") && !target.contains("rd"),
                "{target}"
            );
        }
    }

    #[test]
    fn without_a_url_the_libpq_variables_are_the_target() {
        let vars = [
            ("PGHOST", "db.internal"),
            ("PGPORT", "6543"),
            ("PGUSER", ""),
            ("USER", "deploy"),
            ("PGDATABASE", "app"),
            ("PGSSLMODE", "require"),
        ];
        let libpq = LibpqEnv::from_lookup(|k| {
            vars.iter()
                .find(|(name, _)| *name == k)
                .map(|(_, v)| v.to_string())
        });
        // An empty variable is unset, as in libpq: `USER` stands in for `PGUSER`.
        assert_eq!(libpq.user, None);
        let (config, mode, _, target) = resolve(&ConnectOptions {
            libpq,
            ..test_options()
        })
        .unwrap();
        assert_eq!(target, "deploy@db.internal:6543/app");
        assert_eq!(config.get_dbname(), Some("app"));
        assert_eq!(mode, TlsMode::Require);
    }

    #[test]
    fn ssl_params_are_taken_out_of_the_url() {
        let (u, m, r) = take_ssl_params(
            "postgres://a@h/db?sslmode=verify-full&sslrootcert=/ca.pem&connect_timeout=3",
        );
        assert_eq!(u, "postgres://a@h/db?connect_timeout=3");
        assert_eq!(m.as_deref(), Some("verify-full"));
        assert_eq!(r.as_deref(), Some("/ca.pem"));
    }

    #[test]
    fn invalid_urls_do_not_leak_the_password() {
        let opts = ConnectOptions {
            url: Some("postgres://u:topsecret@host:notaport/db".into()),
            connect_timeout: Duration::from_secs(1),
            statement_timeout_ms: 1000,
            lock_timeout_ms: 1000,
            sslmode: None,
            sslrootcert: None,
            command_timeout: Duration::from_secs(10),
            libpq: LibpqEnv::default(),
        };
        let err = resolve(&opts).err().unwrap().to_string();
        assert!(!err.contains("topsecret"), "{err}");
    }

    #[test]
    fn the_printable_target_never_holds_the_password() {
        let opts = |url: &str| ConnectOptions {
            url: Some(url.into()),
            ..test_options()
        };
        let err = printable_target(&opts("host=db password = SekretZ9 sslcert=/x"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("invalid database URL"), "{err}");
        assert!(!err.contains("SekretZ9"), "{err}");
        let target =
            printable_target(&opts("postgres://bob:SekretZ9@db.example:5433/app")).unwrap();
        assert_eq!(target, "bob@db.example:5433/app");
    }

    #[test]
    fn tls_configs_build_for_every_mode() {
        for m in [
            TlsMode::Prefer,
            TlsMode::Require,
            TlsMode::VerifyCa,
            TlsMode::VerifyFull,
        ] {
            assert!(tls_config(m, None).is_ok());
        }
    }
}
