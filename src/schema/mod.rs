//! The expected and live schema model, replay of migrations onto it, and the
//! normalisation both producers share.

pub(crate) mod expr;
mod interval;
pub mod model;

pub use model::SchemaModel;
pub mod naming;
pub mod normalize;
pub mod objects;
pub mod partitions;
pub mod render_sql;
pub mod replay;
pub mod storage;
pub mod view_columns;
