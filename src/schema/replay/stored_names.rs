//! The names a TypeORM builder call gives, as PostgreSQL stores them.
//!
//! PostgresQueryRunner sends the names it is given verbatim, in double quotes; the
//! server truncates each one longer than 63 bytes (on a character boundary, with a
//! NOTICE). The SQL reader folds names the way the server does already; builder calls
//! carry them as written, so replay truncates them here before applying the op —
//! otherwise a long column or index name is drift that never goes away.

use crate::ir::names::truncate_ident;
use crate::ir::{ColumnDef, ConstraintDef, ConstraintKind, IndexDef, OpKind};

fn cut(name: &mut String) {
    *name = truncate_ident(std::mem::take(name));
}

fn cut_all(names: &mut [String]) {
    names.iter_mut().for_each(cut);
}

fn column(c: &mut ColumnDef) {
    cut(&mut c.name);
    c.constraints.iter_mut().for_each(constraint);
}

fn constraint(c: &mut ConstraintDef) {
    if let Some(n) = c.name.as_mut() {
        cut(n);
    }
    match &mut c.kind {
        ConstraintKind::PrimaryKey { columns } | ConstraintKind::Unique { columns, .. } => {
            cut_all(columns)
        }
        ConstraintKind::ForeignKey {
            columns,
            ref_columns,
            ..
        } => {
            cut_all(columns);
            cut_all(ref_columns);
        }
        ConstraintKind::Check { .. } | ConstraintKind::Exclusion { .. } => {}
    }
}

fn index(i: &mut IndexDef) {
    if let Some(n) = i.name.as_mut() {
        cut(n);
    }
    for key in i.keys.iter_mut().filter(|k| !k.is_expression) {
        cut(&mut key.expr);
    }
    cut_all(&mut i.include);
}

/// `kind` with every column, constraint and index name it gives or names cut to what
/// PostgreSQL stores (table, type and index paths are cut when they are read).
pub(super) fn stored(kind: &OpKind) -> OpKind {
    let mut k = kind.clone();
    match &mut k {
        OpKind::CreateTable {
            columns,
            constraints,
            indexes,
            ..
        } => {
            columns.iter_mut().for_each(column);
            constraints.iter_mut().for_each(constraint);
            indexes.iter_mut().for_each(index);
        }
        OpKind::AddColumn { column: c, .. } => column(c),
        OpKind::DropColumn { column, .. }
        | OpKind::SetNotNull { column, .. }
        | OpKind::DropNotNull { column, .. }
        | OpKind::SetDefault { column, .. }
        | OpKind::DropDefault { column, .. } => cut(column),
        OpKind::RenameColumn {
            column, new_name, ..
        } => {
            cut(column);
            cut(new_name);
        }
        OpKind::ChangeColumn {
            column: name,
            new_column,
            new_name,
            ..
        } => {
            cut(name);
            if let Some(c) = new_column {
                column(c);
            }
            if let Some(n) = new_name {
                cut(n);
            }
        }
        OpKind::AddConstraint { constraint: c, .. } => constraint(c),
        OpKind::DropConstraint { name: Some(n), .. } => cut(n),
        OpKind::CreateIndex(i) => index(i),
        _ => {}
    }
    k
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::QualifiedName;

    #[test]
    fn builder_names_are_cut_to_63_bytes_on_a_character_boundary() {
        let long = "é".repeat(35); // 70 bytes
        let op = OpKind::AddColumn {
            table: QualifiedName::new("public", "t"),
            column: ColumnDef {
                name: long.clone(),
                data_type: "int".into(),
                ..ColumnDef::default()
            },
            if_not_exists: false,
        };
        let OpKind::AddColumn { column, .. } = stored(&op) else {
            unreachable!()
        };
        assert_eq!(column.name, "é".repeat(31));
        assert_eq!(column.name.len(), 62);
    }
}
