//! Replay of triggers: `CREATE [OR REPLACE] TRIGGER`, `DROP TRIGGER`, `ALTER TABLE …
//! ENABLE|DISABLE [REPLICA|ALWAYS] TRIGGER` (that statement form also switches row
//! security, handed to `policies`). Like routines (`functions`), these stay
//! `Other` ops for the rules and are read back from the statement text here. A
//! trigger migguard does not model exactly (a constraint trigger, arguments, `ALTER
//! TRIGGER … RENAME`) makes its table uncertain, never a guess.

use super::Replayer;
use crate::ir::{fold_ident, Operation, QualifiedName};
use crate::parse::sql::to_ops::parts;
use crate::schema::normalize::canonical_expr;
use crate::schema::objects::{quote_ident, transition_table, Trigger, TRIGGER_EVENT_ORDER};
use sqlparser::ast::{
    AlterTableOperation, CreateTrigger, DropTrigger, Ident, ObjectName, Statement, TriggerEvent,
    TriggerObject, TriggerObjectKind, TriggerPeriod, TriggerReferencingType,
};

/// Whether an `Other { what }` op creates, drops, alters or switches a trigger.
pub(super) fn is_trigger_statement(what: &str) -> bool {
    matches!(what, "create trigger" | "drop trigger" | "alter trigger")
        || what.starts_with("alter table enable")
        || what.starts_with("alter table disable")
}

impl Replayer<'_> {
    pub(super) fn replay_trigger(&mut self, op: &Operation) {
        let parsed = super::parse_static_statement(op);
        match parsed {
            Some(Statement::CreateTrigger(ct)) => {
                self.create_trigger(&ct);
                let touched = format!(
                    "{}.{}",
                    self.object_name(&ct.table_name),
                    parts(&ct.name).pop().unwrap_or_default()
                );
                self.doubt_if_conditional(op, vec![touched]);
            }
            Some(Statement::DropTrigger(dt)) => {
                self.drop_trigger(&dt);
                if let Some(t) = &dt.table_name {
                    let touched = format!(
                        "{}.{}",
                        self.object_name(t),
                        parts(&dt.trigger_name).pop().unwrap_or_default()
                    );
                    self.doubt_if_conditional(op, vec![touched]);
                }
            }
            Some(Statement::AlterTable(at)) => {
                let table = self.object_name(&at.name);
                self.doubt_if_conditional(op, vec![table.to_string()]);
                for action in &at.operations {
                    let (name, state) = match action {
                        AlterTableOperation::EnableTrigger { name } => (name, "O"),
                        AlterTableOperation::DisableTrigger { name } => (name, "D"),
                        AlterTableOperation::EnableReplicaTrigger { name } => (name, "R"),
                        AlterTableOperation::EnableAlwaysTrigger { name } => (name, "A"),
                        // `ENABLE|DISABLE ROW LEVEL SECURITY` share the statement form.
                        _ => {
                            self.set_row_security(&table, action);
                            continue;
                        }
                    };
                    self.set_trigger_state(&table, name, state);
                }
            }
            _ => {
                // `ALTER TRIGGER t ON tbl RENAME TO u` and what the parser refuses:
                // the table it names (after `ON`) is unverifiable.
                let why = format!(
                    "trigger statement in {}: migguard cannot replay it exactly",
                    self.migration
                );
                match table_after_on(&op.text, &self.ds) {
                    Some(t) => self.uncertain(t.to_string(), why),
                    None => self.uncertain("*".into(), why),
                }
            }
        }
    }

    /// A folded `[schema.]name` in the default schema.
    pub(super) fn object_name(&self, n: &ObjectName) -> QualifiedName {
        let mut p = parts(n);
        let name = p.pop().unwrap_or_default();
        QualifiedName::new(p.pop().unwrap_or_else(|| self.ds.clone()), name)
    }

    fn create_trigger(&mut self, ct: &CreateTrigger) {
        let table = self.object_name(&ct.table_name);
        let name = parts(&ct.name).pop().unwrap_or_default();
        let object = format!("{table}.{name}");
        let timing = match ct.period {
            Some(TriggerPeriod::Before) => Some("BEFORE"),
            Some(TriggerPeriod::After) => Some("AFTER"),
            Some(TriggerPeriod::InsteadOf) => Some("INSTEAD OF"),
            _ => None,
        };
        let function = ct.exec_body.as_ref().map(|b| &b.func_desc);
        let unmodelled = ct.is_constraint
            || ct.characteristics.is_some()
            || ct.statements.is_some()
            || timing.is_none()
            || function.is_none_or(|f| f.args.as_ref().is_some_and(|a| !a.is_empty()));
        if unmodelled {
            let why = format!(
                "CREATE TRIGGER {name} in {}: a constraint trigger or trigger arguments \
                 are not replayed",
                self.migration
            );
            self.uncertain(object, why);
            return;
        }
        let mut events: Vec<String> = ct
            .events
            .iter()
            .map(|e| match e {
                TriggerEvent::Insert => "INSERT".to_string(),
                TriggerEvent::Delete => "DELETE".to_string(),
                TriggerEvent::Truncate => "TRUNCATE".to_string(),
                TriggerEvent::Update(cols) if cols.is_empty() => "UPDATE".to_string(),
                TriggerEvent::Update(cols) => format!(
                    "UPDATE OF {}",
                    cols.iter()
                        .map(|c| quote_ident(&fold_ident(&c.value, c.quote_style.is_some())))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            })
            .collect();
        let rank = |e: &String| {
            TRIGGER_EVENT_ORDER
                .iter()
                .position(|k| e.starts_with(k))
                .unwrap_or(TRIGGER_EVENT_ORDER.len())
        };
        events.sort_by_key(rank);
        let trigger = Trigger {
            comment: None,
            name: name.clone(),
            timing: timing.unwrap_or_default().to_string(),
            events,
            for_each_row: matches!(
                ct.trigger_object,
                Some(TriggerObjectKind::ForEach(TriggerObject::Row))
                    | Some(TriggerObjectKind::For(TriggerObject::Row))
            ),
            when: ct
                .condition
                .as_ref()
                .map(|c| canonical_expr(&c.to_string(), &self.ds)),
            function: function
                .map(|f| self.object_name(&f.name))
                .unwrap_or_else(|| QualifiedName::new(self.ds.clone(), String::new())),
            args: Vec::new(),
            transition_tables: {
                let mut tables: Vec<(bool, String)> = ct
                    .referencing
                    .iter()
                    .map(|r| {
                        let name = parts(&r.transition_relation_name).pop().unwrap_or_default();
                        (
                            matches!(r.refer_type, TriggerReferencingType::OldTable),
                            name,
                        )
                    })
                    .collect();
                // PostgreSQL prints OLD before NEW, whatever order they were written in.
                tables.sort_by_key(|(old, _)| !old);
                tables
                    .into_iter()
                    .map(|(old, name)| transition_table(old, &name))
                    .collect()
            },
            enabled: "O".into(),
        };
        self.change_table(&table, |t| {
            if t.triggers.contains_key(&name) && !ct.or_replace {
                return Err(format!("trigger {name} already exists"));
            }
            // `CREATE OR REPLACE TRIGGER` keeps the trigger, and so its comment.
            let comment = t.triggers.get(&name).and_then(|old| old.comment.clone());
            t.triggers
                .insert(name.clone(), Trigger { comment, ..trigger });
            Ok(())
        });
    }

    fn drop_trigger(&mut self, dt: &DropTrigger) {
        let name = parts(&dt.trigger_name).pop().unwrap_or_default();
        let Some(table) = dt.table_name.as_ref().map(|t| self.object_name(t)) else {
            self.uncertain(
                "*".into(),
                format!("DROP TRIGGER {name} in {}: no table named", self.migration),
            );
            return;
        };
        let if_exists = dt.if_exists;
        self.change_table(&table, |t| {
            if t.triggers.remove(&name).is_none() && !if_exists {
                return Err(format!("trigger {name} does not exist"));
            }
            Ok(())
        });
    }

    /// `ENABLE|DISABLE … TRIGGER name|ALL|USER`: `ALL` and `USER` switch every user
    /// trigger of the table (internal ones are not modelled).
    fn set_trigger_state(&mut self, table: &QualifiedName, name: &Ident, state: &str) {
        let every = name.quote_style.is_none()
            && (name.value.eq_ignore_ascii_case("all") || name.value.eq_ignore_ascii_case("user"));
        let name = fold_ident(&name.value, name.quote_style.is_some());
        self.change_table(table, |t| {
            if every {
                for tr in t.triggers.values_mut() {
                    tr.enabled = state.to_string();
                }
                return Ok(());
            }
            let tr = t
                .triggers
                .get_mut(&name)
                .ok_or_else(|| format!("trigger {name} does not exist"))?;
            tr.enabled = state.to_string();
            Ok(())
        });
    }

    /// Run `change` on `table` of the model; a missing table or a refused change
    /// (`Err` with why) is a conflict of the migration.
    pub(super) fn change_table(
        &mut self,
        table: &QualifiedName,
        change: impl FnOnce(&mut crate::schema::model::Table) -> Result<(), String>,
    ) {
        let object = table.to_string();
        match self.model.tables.get_mut(table).map(change) {
            Some(Ok(())) => {}
            Some(Err(message)) => self.conflict(object, message),
            None => self.conflict(object.clone(), format!("table {object} does not exist")),
        }
    }

    /// `DROP FUNCTION … CASCADE` takes the triggers that execute it.
    pub(super) fn drop_triggers_executing(&mut self, function: &QualifiedName) {
        for t in self.model.tables.values_mut() {
            t.triggers.retain(|_, tr| &tr.function != function);
        }
    }
}

/// The table an `… ON <table> …` statement names, folded, in the default schema when
/// unqualified.
fn table_after_on(text: &str, default_schema: &str) -> Option<QualifiedName> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let at = words.iter().position(|w| w.eq_ignore_ascii_case("on"))?;
    let raw = words.get(at + 1)?.trim_end_matches(';');
    let parts: Vec<String> = raw
        .split('.')
        .map(
            |p| match p.strip_prefix('"').and_then(|p| p.strip_suffix('"')) {
                Some(q) => fold_ident(q, true),
                None => fold_ident(p, false),
            },
        )
        .collect();
    match parts.as_slice() {
        [schema, name] => Some(QualifiedName::new(schema.clone(), name.clone())),
        [name] => Some(QualifiedName::new(default_schema, name.clone())),
        _ => None,
    }
}
