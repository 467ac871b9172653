//! migguard: keeps PostgreSQL schema migrations from breaking production.
//!
//! Data flow: `source` (discover, load) → `parse` (TypeORM / SQL → `ir`) →
//! `classify` (ops × `ruleset` → `finding`s) → `annotations` (expand/contract,
//! suppressions; under `--changed-since`, `git` reports what changed and `shipped`
//! grandfathers and flags edits) → `report` (human / json / sarif / github). The
//! live-database side:
//! `db` (connect, history, introspect) → `schema` (model, replay) → `drift`.
//! `project` loads a project's migrations; `lint` and `release` judge them for the
//! PR gate and the release pre-check. `commands` only wires each subcommand's
//! arguments → library → report; `main` maps outcomes to exit codes.

pub mod annotations;
pub mod classify;
pub mod cli;
pub mod commands;
pub mod config;
pub mod db;
pub mod drift;
pub mod entities;
pub mod error;
pub mod finding;
pub mod git;
pub mod ir;
pub mod lint;
pub mod locks;
pub mod parse;
pub mod project;
pub mod release;
pub mod report;
pub mod ruleset;
pub mod schema;
pub mod setup;
pub mod shipped;
pub mod sizes;
pub mod source;
