//! Database access: connect (TLS, read-only, timeouts), migration history ledgers,
//! and introspection into the schema model. Everything here only reads.

pub mod connect;
pub mod evaluate;
pub mod history;
pub mod introspect;
pub mod libpq_url;
pub mod redact;
pub mod stats;

pub use connect::{connect, ConnectOptions};
