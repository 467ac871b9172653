//! Replay of migration operations onto the schema model.
//! (Interface stub; the expected-schema work fills it in.)

use super::model::SchemaModel;
use crate::ir::Migration;

/// One migration that could not be applied cleanly to the model (e.g. drops a
/// column that is not there): drift reports these as `conflicts-with-pending`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    pub migration: String,
    pub object: String,
    pub message: String,
}

/// Apply migrations' `up()` ops, in the order given, onto `model`.
pub fn replay_onto(
    model: &mut SchemaModel,
    migrations: &[&Migration],
    default_schema: &str,
) -> Vec<Conflict> {
    let _ = (model, migrations, default_schema);
    Vec::new()
}

/// Replay migrations into an empty database's schema.
pub fn replay(migrations: &[&Migration], default_schema: &str) -> (SchemaModel, Vec<Conflict>) {
    let mut model = SchemaModel::default();
    let conflicts = replay_onto(&mut model, migrations, default_schema);
    (model, conflicts)
}
