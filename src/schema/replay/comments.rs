//! Replay of `COMMENT ON` (and TypeORM's `comment:` options, which send the same
//! statement). A comment lives on its object in the model, as PostgreSQL keeps it
//! on the object's OID in `pg_description`: renames carry it, a drop takes it, and
//! `ALTER COLUMN … TYPE` (which rebuilds indexes and constraints, their comments
//! kept — checked on PostgreSQL 15) leaves it alone.

use super::Replayer;
use crate::ir::CommentOn;

impl Replayer<'_> {
    /// Set (`Some`) or remove (`None`) the comment on `on`. A comment on an object the
    /// model does not hold — a row type, a domain — is outside what drift compares
    /// and changes nothing. A view's column's and the index behind a constraint's
    /// (named as its constraint) are kept on the view and the constraint.
    pub(super) fn comment(&mut self, on: &CommentOn, text: &Option<String>) {
        let text = text.clone();
        let m = &mut *self.model;
        let slot: Option<&mut Option<String>> = match on {
            CommentOn::Table { name } => m.tables.get_mut(name).map(|t| &mut t.comment),
            CommentOn::View { name, materialized } => m
                .views
                .get_mut(name)
                .filter(|v| v.materialized == *materialized)
                .map(|v| &mut v.comment),
            CommentOn::Column { table, column } if !m.tables.contains_key(table) => {
                if let Some(v) = m.views.get_mut(table) {
                    match text {
                        Some(t) => v.column_comments.insert(column.clone(), t),
                        None => v.column_comments.remove(column),
                    };
                }
                return;
            }
            CommentOn::Column { table, column } => m
                .tables
                .get_mut(table)
                .and_then(|t| t.column_mut(column))
                .map(|c| &mut c.comment),
            CommentOn::Index { name } if !m.indexes.contains_key(name) => m
                .tables
                .values_mut()
                .filter(|t| t.name.schema == name.schema)
                .find_map(|t| t.constraints.get_mut(&name.name))
                .filter(|c| c.kind.has_index())
                .map(|c| &mut c.index_comment),
            CommentOn::Index { name } => m.indexes.get_mut(name).map(|i| &mut i.comment),
            CommentOn::Sequence { name } => m.sequences.get_mut(name).map(|s| &mut s.comment),
            CommentOn::Type { name } => match m.enums.get_mut(name) {
                Some(e) => Some(&mut e.comment),
                None => m.composites.get_mut(name).map(|c| &mut c.comment),
            },
            CommentOn::Constraint { table, name } => m
                .tables
                .get_mut(table)
                .and_then(|t| t.constraints.get_mut(name))
                .map(|c| &mut c.comment),
            CommentOn::Trigger { table, name } => m
                .tables
                .get_mut(table)
                .and_then(|t| t.triggers.get_mut(name))
                .map(|t| &mut t.comment),
            CommentOn::Policy { table, name } => m
                .tables
                .get_mut(table)
                .and_then(|t| t.policies.get_mut(name))
                .map(|p| &mut p.comment),
            CommentOn::Extension { name } => m.extensions.get_mut(name).map(|e| &mut e.comment),
            CommentOn::Schema { name } => {
                if m.schemas.contains(name) {
                    match text {
                        Some(t) => m.schema_comments.insert(name.clone(), t),
                        None => m.schema_comments.remove(name),
                    };
                }
                return;
            }
            CommentOn::Function { signature } => {
                return self.comment_routine(on, signature, text);
            }
        };
        if let Some(slot) = slot {
            *slot = text;
        }
    }

    /// `COMMENT ON FUNCTION|PROCEDURE|ROUTINE name[(types)]`: the routine resolved as
    /// `DROP FUNCTION` resolves it; a signature sqlparser cannot read leaves the
    /// routine's comment unknown.
    fn comment_routine(&mut self, on: &CommentOn, signature: &str, text: Option<String>) {
        let statement = super::parse_static_sql(&format!("DROP FUNCTION {signature}"));
        let desc = match statement {
            Some(sqlparser::ast::Statement::DropFunction(df)) if df.func_desc.len() == 1 => {
                df.func_desc.into_iter().next()
            }
            _ => None,
        };
        let Some(desc) = desc else {
            self.uncertain(
                on.object(&self.ds),
                format!(
                    "COMMENT ON FUNCTION in {}: the signature cannot be read",
                    self.migration
                ),
            );
            return;
        };
        if let Some(key) = self.resolve_routine(&desc, true) {
            if let Some(f) = self.model.functions.get_mut(&key) {
                f.comment = text;
            }
        }
    }
}
