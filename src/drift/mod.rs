//! Drift: diff expected vs live schema and reconcile with pending migrations (placeholder).
