//! Where a command's database settings come from: `--database-url`, else
//! `DATABASE_URL`; `[database]` in `migguard.toml`; libpq's `PG*` variables. The one
//! place that reads the process environment for connecting, so `db/` takes plain
//! settings ([`ConnectOptions`]) and never looks at the config or the environment.

use crate::config::DatabaseConfig;
use crate::db::connect::{ConnectOptions, LibpqEnv};
use std::time::Duration;

/// The connection settings of a command run in this process's environment.
pub fn connect_options_from_env(
    url_flag: Option<&str>,
    database: &DatabaseConfig,
) -> ConnectOptions {
    let env = |k: &str| std::env::var(k).ok();
    let url = url_flag
        .map(String::from)
        .or_else(|| env("DATABASE_URL").filter(|s| !s.is_empty()));
    connect_options(url, database, LibpqEnv::from_lookup(env))
}

/// The connection settings from their sources, given as values. A timeout of 0 is
/// refused when the config is read; the `max(1)` only keeps a hand-built config from
/// waiting zero seconds.
pub fn connect_options(
    url: Option<String>,
    database: &DatabaseConfig,
    libpq: LibpqEnv,
) -> ConnectOptions {
    ConnectOptions {
        url,
        connect_timeout: Duration::from_secs(database.connect_timeout_secs.max(1)),
        statement_timeout_ms: database.statement_timeout_ms,
        lock_timeout_ms: database.lock_timeout_ms,
        sslmode: database.sslmode.clone(),
        sslrootcert: database.sslrootcert.clone(),
        command_timeout: Duration::from_secs(database.command_timeout_secs.max(1)),
        libpq,
    }
}
