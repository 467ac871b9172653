//! Which parts of an op are only known at run time. A `${…}` the TypeORM reader could
//! not resolve (or a Flyway `${name}`) stands in the SQL as a [`DYNAMIC_PLACEHOLDER`],
//! and the readers copy it into whichever field it lands in: a table name, a type
//! modifier, a default. Replay asks whether an op holds one anywhere, so it must see
//! every field that can hold text. The walk destructures every variant and struct
//! in full (no `..`): a field added later does not compile until it is placed here,
//! so a new text field can never be skipped silently (which would read a run-time
//! part as static: fail open).

use super::{
    ColumnDef, CommentOn, ConstraintDef, ConstraintKind, Hierarchy, IndexDef, IndexKey,
    NamedChange, OpKind, QualifiedName, SequenceOptions, DYNAMIC_PLACEHOLDER,
};

/// Whether `text` holds a part built at run time.
pub fn is_run_time(text: &str) -> bool {
    text.contains(DYNAMIC_PLACEHOLDER)
}

impl OpKind {
    /// Whether any part of the op (a name, a type, an expression, a comment's text…)
    /// is built at run time.
    pub fn has_run_time_part(&self) -> bool {
        any_text(self)
    }
}

impl ConstraintDef {
    /// Whether any part of the constraint (its name, columns, expression, referenced
    /// table…) is built at run time.
    pub fn has_run_time_part(&self) -> bool {
        any_text(self)
    }
}

fn any_text(value: &dyn Texts) -> bool {
    let mut found = false;
    value.each_text(&mut |text| found |= is_run_time(text));
    found
}

/// A value whose text fields can be walked. Flags, numbers and closed enums hold no
/// text and are not visited.
trait Texts {
    fn each_text(&self, visit: &mut dyn FnMut(&str));
}

impl Texts for String {
    fn each_text(&self, visit: &mut dyn FnMut(&str)) {
        visit(self)
    }
}

impl<T: Texts> Texts for Option<T> {
    fn each_text(&self, visit: &mut dyn FnMut(&str)) {
        if let Some(value) = self {
            value.each_text(visit)
        }
    }
}

impl<T: Texts> Texts for Vec<T> {
    fn each_text(&self, visit: &mut dyn FnMut(&str)) {
        for value in self {
            value.each_text(visit)
        }
    }
}

impl<A: Texts, B: Texts> Texts for (A, B) {
    fn each_text(&self, visit: &mut dyn FnMut(&str)) {
        self.0.each_text(visit);
        self.1.each_text(visit)
    }
}

impl Texts for QualifiedName {
    fn each_text(&self, visit: &mut dyn FnMut(&str)) {
        let QualifiedName { schema, name } = self;
        visit(schema);
        visit(name)
    }
}

impl Texts for ColumnDef {
    fn each_text(&self, visit: &mut dyn FnMut(&str)) {
        let ColumnDef {
            name,
            data_type,
            not_null: _,
            default,
            identity: _,
            generated,
            collation,
            constraints,
            enum_values,
        } = self;
        name.each_text(visit);
        data_type.each_text(visit);
        default.each_text(visit);
        generated.each_text(visit);
        collation.each_text(visit);
        constraints.each_text(visit);
        enum_values.each_text(visit)
    }
}

impl Texts for ConstraintDef {
    fn each_text(&self, visit: &mut dyn FnMut(&str)) {
        let ConstraintDef {
            name,
            kind,
            not_valid: _,
            deferrable: _,
            initially_deferred: _,
            using_index,
        } = self;
        name.each_text(visit);
        kind.each_text(visit);
        using_index.each_text(visit)
    }
}

impl Texts for ConstraintKind {
    fn each_text(&self, visit: &mut dyn FnMut(&str)) {
        match self {
            ConstraintKind::PrimaryKey { columns }
            | ConstraintKind::Unique {
                columns,
                nulls_not_distinct: _,
            } => columns.each_text(visit),
            ConstraintKind::Check { expr } => expr.each_text(visit),
            ConstraintKind::ForeignKey {
                columns,
                ref_table,
                ref_columns,
                on_delete,
                on_update,
            } => {
                columns.each_text(visit);
                ref_table.each_text(visit);
                ref_columns.each_text(visit);
                on_delete.each_text(visit);
                on_update.each_text(visit)
            }
            ConstraintKind::Exclusion { definition } => definition.each_text(visit),
        }
    }
}

impl Texts for IndexKey {
    fn each_text(&self, visit: &mut dyn FnMut(&str)) {
        let IndexKey {
            expr,
            is_expression: _,
            descending: _,
            nulls_first: _,
            opclass,
        } = self;
        expr.each_text(visit);
        opclass.each_text(visit)
    }
}

impl Texts for IndexDef {
    fn each_text(&self, visit: &mut dyn FnMut(&str)) {
        let IndexDef {
            name,
            table,
            unique: _,
            concurrently: _,
            if_not_exists: _,
            method,
            keys,
            include,
            predicate,
            nulls_not_distinct: _,
            storage,
        } = self;
        name.each_text(visit);
        table.each_text(visit);
        method.each_text(visit);
        keys.each_text(visit);
        include.each_text(visit);
        predicate.each_text(visit);
        storage.each_text(visit)
    }
}

impl Texts for SequenceOptions {
    fn each_text(&self, visit: &mut dyn FnMut(&str)) {
        let SequenceOptions {
            data_type,
            increment: _,
            min_value: _,
            max_value: _,
            start: _,
            cache: _,
            cycle: _,
            owned_by,
        } = self;
        data_type.each_text(visit);
        owned_by.each_text(visit)
    }
}

impl Texts for NamedChange {
    fn each_text(&self, visit: &mut dyn FnMut(&str)) {
        let NamedChange {
            type_name,
            length,
            is_array: _,
            generated_stored: _,
            nullable: _,
        } = self;
        type_name.each_text(visit);
        length.each_text(visit)
    }
}

impl Texts for Hierarchy {
    fn each_text(&self, visit: &mut dyn FnMut(&str)) {
        let Hierarchy {
            partition_key,
            partition_of,
            bound,
            inherits,
        } = self;
        partition_key.each_text(visit);
        partition_of.each_text(visit);
        bound.each_text(visit);
        inherits.each_text(visit);
    }
}

impl Texts for CommentOn {
    fn each_text(&self, visit: &mut dyn FnMut(&str)) {
        match self {
            CommentOn::Table { name }
            | CommentOn::View {
                name,
                materialized: _,
            }
            | CommentOn::Index { name }
            | CommentOn::Sequence { name }
            | CommentOn::Type { name } => name.each_text(visit),
            CommentOn::Column {
                table,
                column: name,
            }
            | CommentOn::Constraint { table, name }
            | CommentOn::Trigger { table, name }
            | CommentOn::Policy { table, name } => {
                table.each_text(visit);
                name.each_text(visit)
            }
            CommentOn::Function { signature: name }
            | CommentOn::Schema { name }
            | CommentOn::Extension { name } => name.each_text(visit),
        }
    }
}

impl Texts for OpKind {
    fn each_text(&self, visit: &mut dyn FnMut(&str)) {
        match self {
            OpKind::CreateTable {
                table,
                columns,
                constraints,
                if_not_exists: _,
                indexes,
                unmodelled,
                hierarchy,
                as_query,
            } => {
                table.each_text(visit);
                columns.each_text(visit);
                constraints.each_text(visit);
                indexes.each_text(visit);
                unmodelled.each_text(visit);
                hierarchy.each_text(visit);
                as_query.each_text(visit)
            }
            OpKind::DropTable {
                table,
                if_exists: _,
                cascade: _,
            }
            | OpKind::SetNotNull { table, column: _ }
            | OpKind::DropNotNull { table, column: _ }
            | OpKind::DropDefault { table, column: _ }
            | OpKind::Truncate { table }
            | OpKind::Delete {
                table,
                has_where: _,
            }
            | OpKind::Update {
                table,
                has_where: _,
            }
            | OpKind::Insert { table }
            | OpKind::SetPersistence { table, logged: _ } => table.each_text(visit),
            OpKind::SetStorage { table, set, reset } => {
                table.each_text(visit);
                set.each_text(visit);
                reset.each_text(visit)
            }
            OpKind::RenameTable { table, new_name }
            | OpKind::RenameType {
                name: table,
                new_name,
            } => {
                table.each_text(visit);
                new_name.each_text(visit)
            }
            OpKind::AddColumn {
                table,
                column,
                if_not_exists: _,
            } => {
                table.each_text(visit);
                column.each_text(visit)
            }
            OpKind::DropColumn {
                table,
                column,
                if_exists: _,
                cascade: _,
            }
            | OpKind::SetIdentity {
                table,
                column,
                change: _,
            }
            | OpKind::ValidateConstraint {
                table,
                name: column,
            }
            | OpKind::AlterConstraint {
                table,
                name: column,
                deferrable: _,
                initially_deferred: _,
            } => {
                table.each_text(visit);
                column.each_text(visit)
            }
            OpKind::RenameColumn {
                table,
                column,
                new_name,
            }
            | OpKind::SetDefault {
                table,
                column,
                default: new_name,
            }
            | OpKind::RenameConstraint {
                table,
                name: column,
                new_name,
            } => {
                table.each_text(visit);
                column.each_text(visit);
                new_name.each_text(visit)
            }
            OpKind::AlterColumnType {
                table,
                column,
                data_type,
                using,
            } => {
                table.each_text(visit);
                column.each_text(visit);
                data_type.each_text(visit);
                using.each_text(visit)
            }
            OpKind::AddConstraint { table, constraint } => {
                table.each_text(visit);
                constraint.each_text(visit)
            }
            OpKind::DropConstraint {
                table,
                name,
                if_exists: _,
                cascade: _,
            } => {
                table.each_text(visit);
                name.each_text(visit)
            }
            OpKind::CreateIndex(def) => def.each_text(visit),
            OpKind::DropIndex {
                index,
                concurrently: _,
                if_exists: _,
                cascade: _,
            }
            | OpKind::DropType {
                name: index,
                if_exists: _,
                cascade: _,
            }
            | OpKind::DropDomain {
                name: index,
                if_exists: _,
                cascade: _,
            }
            | OpKind::DropSequence {
                name: index,
                if_exists: _,
                cascade: _,
            }
            | OpKind::DropView {
                name: index,
                materialized: _,
                if_exists: _,
                cascade: _,
            } => index.each_text(visit),
            OpKind::RenameIndex { index, new_name } => {
                index.each_text(visit);
                new_name.each_text(visit)
            }
            OpKind::CreateTypeEnum { name, labels } => {
                name.each_text(visit);
                labels.each_text(visit)
            }
            OpKind::CreateTypeComposite { name, attributes } => {
                name.each_text(visit);
                attributes.each_text(visit)
            }
            OpKind::AddEnumValue {
                name,
                value,
                before,
                after,
                if_not_exists: _,
            } => {
                name.each_text(visit);
                value.each_text(visit);
                before.each_text(visit);
                after.each_text(visit)
            }
            OpKind::RenameEnumValue {
                name,
                value,
                new_value,
            } => {
                name.each_text(visit);
                value.each_text(visit);
                new_value.each_text(visit)
            }
            OpKind::CreateExtension {
                name,
                schema,
                if_not_exists: _,
            } => {
                name.each_text(visit);
                schema.each_text(visit)
            }
            OpKind::DropExtension {
                name,
                if_exists: _,
                cascade: _,
            }
            | OpKind::CreateSchema {
                name,
                if_not_exists: _,
            }
            | OpKind::DropSchema {
                name,
                if_exists: _,
                cascade: _,
            }
            | OpKind::TransactionControl { statement: name }
            | OpKind::Other { what: name }
            | OpKind::Unparsed { reason: name }
            | OpKind::Opaque { reason: name } => name.each_text(visit),
            OpKind::RenameSchema { name, new_name }
            | OpKind::SetOption {
                name,
                value: new_name,
            } => {
                name.each_text(visit);
                new_name.each_text(visit)
            }
            OpKind::CreateSequence {
                name,
                options,
                if_not_exists: _,
            } => {
                name.each_text(visit);
                options.each_text(visit)
            }
            OpKind::AlterSequence {
                name,
                options,
                new_name,
            } => {
                name.each_text(visit);
                options.each_text(visit);
                new_name.each_text(visit)
            }
            OpKind::CreateView {
                name,
                materialized: _,
                or_replace: _,
                columns,
                query,
            } => {
                name.each_text(visit);
                columns.each_text(visit);
                query.each_text(visit)
            }
            OpKind::DropDatabase { name } => name.each_text(visit),
            OpKind::ChangeColumn {
                table,
                column,
                new_column,
                new_name,
                mode: _,
                sets_not_null: _,
                by_name,
            } => {
                table.each_text(visit);
                column.each_text(visit);
                new_column.each_text(visit);
                new_name.each_text(visit);
                by_name.each_text(visit)
            }
            OpKind::Comment { target, on, text } => {
                target.each_text(visit);
                on.each_text(visit);
                text.each_text(visit)
            }
            OpKind::Vacuum { tables, full: _ } => tables.each_text(visit),
            OpKind::Cluster { table } => table.each_text(visit),
            OpKind::Reindex {
                target,
                name,
                concurrently: _,
            } => {
                target.each_text(visit);
                name.each_text(visit)
            }
            OpKind::AttachPartition { table, partition }
            | OpKind::DetachPartition {
                table,
                partition,
                concurrently: _,
                finalize: _,
            } => {
                table.each_text(visit);
                partition.each_text(visit)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn placeholder() -> String {
        format!("{DYNAMIC_PLACEHOLDER}0__")
    }

    fn table() -> QualifiedName {
        QualifiedName::new("public", "users")
    }

    fn column(name: &str, data_type: &str) -> ColumnDef {
        ColumnDef {
            name: name.into(),
            data_type: data_type.into(),
            ..ColumnDef::default()
        }
    }

    #[test]
    fn a_run_time_part_is_found_in_any_field_that_holds_text() {
        let dynamic = placeholder();
        let cases = [
            OpKind::CreateExtension {
                name: dynamic.clone(),
                schema: None,
                if_not_exists: true,
            },
            OpKind::AddColumn {
                table: table(),
                column: column("embedding", &format!("vector({dynamic})")),
                if_not_exists: false,
            },
            OpKind::AddColumn {
                table: table(),
                column: ColumnDef {
                    default: Some(dynamic.clone()),
                    ..column("tenant", "text")
                },
                if_not_exists: false,
            },
            OpKind::AddConstraint {
                table: table(),
                constraint: ConstraintDef {
                    name: None,
                    kind: ConstraintKind::ForeignKey {
                        columns: vec!["org_id".into()],
                        ref_table: QualifiedName::new(dynamic.clone(), "orgs"),
                        ref_columns: vec!["id".into()],
                        on_delete: None,
                        on_update: None,
                    },
                    not_valid: false,
                    deferrable: false,
                    initially_deferred: false,
                    using_index: None,
                },
            },
            OpKind::AlterSequence {
                name: QualifiedName::new("public", "users_id_seq"),
                options: SequenceOptions {
                    owned_by: Some(Some((table(), dynamic.clone()))),
                    ..SequenceOptions::default()
                },
                new_name: None,
            },
            OpKind::Comment {
                target: "table public.users".into(),
                on: Some(CommentOn::Table { name: table() }),
                text: Some(format!("owned by {dynamic}")),
            },
        ];
        for kind in cases {
            assert!(kind.has_run_time_part(), "{kind:?}");
        }
    }

    #[test]
    fn an_op_written_in_full_has_no_run_time_part() {
        let cases = [
            OpKind::AddColumn {
                table: table(),
                column: ColumnDef {
                    default: Some("'dynamic'".into()),
                    ..column("email", "varchar(255)")
                },
                if_not_exists: false,
            },
            OpKind::SetOption {
                name: "lock_timeout".into(),
                value: "'5s'".into(),
            },
            OpKind::DropTable {
                table: table(),
                if_exists: true,
                cascade: true,
            },
        ];
        for kind in cases {
            assert!(!kind.has_run_time_part(), "{kind:?}");
        }
    }

    #[test]
    fn a_constraint_answers_for_its_own_fields() {
        let check = |expr: String| ConstraintDef {
            name: Some("positive".into()),
            kind: ConstraintKind::Check { expr },
            not_valid: false,
            deferrable: false,
            initially_deferred: false,
            using_index: None,
        };
        assert!(check(format!("amount > {}", placeholder())).has_run_time_part());
        assert!(!check("amount > 0".into()).has_run_time_part());
    }
}
