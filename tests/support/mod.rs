//! Shared helpers for integration tests that need a live PostgreSQL server.
#![allow(dead_code)]

pub mod pg;
