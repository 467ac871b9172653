//! Replay of view DDL: CREATE [OR REPLACE] [MATERIALIZED] VIEW with the output columns
//! replay can name, and DROP VIEW with the views that depend on it.

use super::Replayer;
use crate::ir::QualifiedName;
use crate::schema::model::View;
use crate::schema::view_columns::view_shape;

impl Replayer<'_> {
    pub(super) fn create_view(
        &mut self,
        name: &QualifiedName,
        materialized: bool,
        columns: &[String],
        query: &str,
        or_replace: bool,
    ) {
        if self.model.views.contains_key(name) && !or_replace {
            self.conflict(
                name.to_string(),
                format!("CREATE VIEW {name}: already exists"),
            );
        }
        let shape = view_shape(query, columns, self.model, &self.ds);
        // `CREATE OR REPLACE VIEW` keeps the view, and so its comments (its columns
        // keep their names: PostgreSQL only lets it add columns at the end).
        let old = self.model.views.get(name);
        let comment = old.and_then(|v| v.comment.clone());
        let column_comments = old.map(|v| v.column_comments.clone()).unwrap_or_default();
        self.model.views.insert(
            name.clone(),
            View {
                comment,
                name: name.clone(),
                materialized,
                definition: Some(
                    shape
                        .as_ref()
                        .map_or(query, |s| s.query.as_str())
                        .to_string(),
                ),
                columns: shape.map(|s| s.columns),
                column_comments,
            },
        );
    }

    pub(super) fn drop_view(&mut self, name: &QualifiedName, if_exists: bool) {
        if self.model.views.contains_key(name) {
            self.drop_relation_dependents(name);
            self.model.views.remove(name);
        } else if !if_exists {
            self.conflict(name.to_string(), format!("DROP VIEW {name}: no such view"));
        }
    }
}
