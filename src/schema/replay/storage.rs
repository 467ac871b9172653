//! Replay of table storage (`schema::storage`): `ALTER TABLE … SET (…)` / `RESET
//! (…)`, the `WITH (…)` of `CREATE TABLE` (read as a `SET` right after it), and
//! `SET LOGGED` / `SET UNLOGGED` (`CREATE UNLOGGED TABLE` likewise). On a view or
//! materialized view (whose storage is not modelled) they change nothing drift sees.

use super::Replayer;
use crate::ir::QualifiedName;

impl Replayer<'_> {
    pub(super) fn set_storage(&mut self, table: &QualifiedName, set: &[String], reset: &[String]) {
        if self.is_view(table) {
            return;
        }
        self.change_table(table, |t| {
            t.storage.set(set);
            t.storage.reset(reset);
            Ok(())
        });
    }

    pub(super) fn set_persistence(&mut self, table: &QualifiedName, logged: bool) {
        if self.is_view(table) {
            return;
        }
        self.change_table(table, |t| {
            t.storage.unlogged = !logged;
            Ok(())
        });
    }

    fn is_view(&self, name: &QualifiedName) -> bool {
        !self.model.tables.contains_key(name) && self.model.views.contains_key(name)
    }
}
