//! Comment directives in migrations: expand/contract annotations (`@destructive`,
//! `@expand-migration`) and suppressions (`migguard-ignore`). One model serves the
//! lint gate and release-check.

pub mod expand_contract;
pub mod suppress;
