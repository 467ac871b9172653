//! Shared test support: a real PostgreSQL started by the harness.
#![allow(dead_code)]
pub mod fidelity;
pub mod node;
pub mod pg;
