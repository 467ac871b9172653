//! Replay of namespace-level DDL: schemas (a dropped schema takes its objects along;
//! a renamed one is not followed) and extensions.

use super::Replayer;
use crate::schema::model::Extension;

impl Replayer<'_> {
    pub(super) fn create_extension(&mut self, name: &str, schema: &Option<String>) {
        self.model.extensions.insert(
            name.to_string(),
            Extension {
                name: name.to_string(),
                schema: schema.clone().or_else(|| Some(self.ds.clone())),
            },
        );
    }

    pub(super) fn drop_extension(&mut self, name: &str, if_exists: bool) {
        if self.model.extensions.remove(name).is_none() && !if_exists {
            self.conflict(
                name.to_string(),
                format!("DROP EXTENSION {name}: not installed"),
            );
        }
    }

    pub(super) fn create_schema(&mut self, name: &str, if_not_exists: bool) {
        if !self.model.schemas.insert(name.to_string()) && !if_not_exists {
            self.conflict(
                name.to_string(),
                format!("CREATE SCHEMA {name}: already exists"),
            );
        }
    }

    pub(super) fn drop_schema(&mut self, name: &str, if_exists: bool) {
        if !self.model.schemas.remove(name) && !if_exists {
            self.conflict(
                name.to_string(),
                format!("DROP SCHEMA {name}: no such schema"),
            );
        }
        let n = name.to_string();
        self.model.tables.retain(|k, _| k.schema != n);
        self.model.indexes.retain(|k, _| k.schema != n);
        self.model.enums.retain(|k, _| k.schema != n);
        self.model.sequences.retain(|k, _| k.schema != n);
        self.model.views.retain(|k, _| k.schema != n);
        self.model.functions.retain(|_, f| f.name.schema != n);
    }

    pub(super) fn rename_schema(&mut self, name: &str, new_name: &str) {
        self.uncertain(
            name.to_string(),
            format!("ALTER SCHEMA {name} RENAME TO {new_name}: objects moved, not replayed"),
        );
    }
}
