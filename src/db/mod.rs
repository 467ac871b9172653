//! Database access: connect (TLS, read-only), history ledgers, introspection (placeholder).
