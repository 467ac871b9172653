//! The operations IR: what a migration's `up()` does, independent of how it was written.
//!
//! Both readers — TypeORM (tree-sitter) and SQL (sqlparser, with a lexical fallback) —
//! produce the same [`Operation`]s. The classifier matches them against the rules
//! file, the replayer applies them to the schema model, the expand/contract checks
//! look at their phase. Nothing downstream ever looks at TypeScript or SQL syntax.
//!
//! The kind names (`OpName`, `OpKind::name`) are the snake_case names used in `rules/rules.toml`.

pub mod names;
pub mod text_map;

pub use names::{fold_ident, fold_sql_ident, QualifiedName};
pub use text_map::{Segment, TextMap};

mod conditions;
mod migration;
mod op_name;
mod ops;
mod run_time;
#[cfg(test)]
pub mod test_support;

pub use conditions::*;
pub use migration::*;
pub use op_name::OpName;
pub use ops::*;
pub use run_time::is_run_time;
