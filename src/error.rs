//! Outcomes and errors at the command boundary.
//!
//! Every command returns `Result<Outcome, Error>`; `main` is the one place that turns
//! them into exit codes: `Outcome::Pass` → 0, `Outcome::Fail` → 1, any `Error` → 2.
//! Errors carry their context (path, line, host) in the message; they never carry a
//! password (see `db::redact`).

use std::path::PathBuf;

/// What a command concluded when it could do its job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Pass,
    Fail,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad command-line usage that clap could not catch.
    #[error("{0}")]
    Usage(String),
    #[error("{path}: {message}")]
    Input { path: PathBuf, message: String },
    #[error("config {path}: {message}")]
    Config { path: PathBuf, message: String },
    #[error("rules {origin}: {message}")]
    Rules { origin: String, message: String },
    #[error("git: {0}")]
    Git(String),
    #[error("database: {0}")]
    Database(String),
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
