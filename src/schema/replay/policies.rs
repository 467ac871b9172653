//! Replay of row-level security: `CREATE POLICY`, `ALTER POLICY` (rename, roles,
//! `USING`, `WITH CHECK`), `DROP POLICY`, and `ALTER TABLE … ENABLE|DISABLE|FORCE|NO
//! FORCE ROW LEVEL SECURITY`. Read back from the statement text like triggers
//! (`triggers`); a policy for a role migguard cannot name (`CURRENT_USER`) makes the
//! policy uncertain.

use super::Replayer;
use crate::ir::{fold_ident, Operation, QualifiedName};
use crate::schema::normalize::canonical_expr;
use crate::schema::objects::Policy;
use sqlparser::ast::{
    AlterPolicy, AlterPolicyOperation, AlterTableOperation, CreatePolicy, CreatePolicyCommand,
    CreatePolicyType, DropPolicy, Expr, Owner, Statement,
};

/// Whether an `Other { what }` op is a policy statement or switches row security.
pub(super) fn is_policy_statement(what: &str) -> bool {
    matches!(what, "create policy" | "drop policy" | "alter policy")
        || what.starts_with("alter table force")
        || what.starts_with("alter table no force")
}

impl Replayer<'_> {
    pub(super) fn replay_policy(&mut self, op: &Operation) {
        let parsed = super::parse_static_statement(op);
        // Under a run-time condition, the table's row security is a best guess.
        if let Some(
            Statement::CreatePolicy(CreatePolicy { table_name, .. })
            | Statement::DropPolicy(DropPolicy { table_name, .. })
            | Statement::AlterPolicy(AlterPolicy { table_name, .. }),
        ) = &parsed
        {
            let table = self.object_name(table_name).to_string();
            self.doubt_if_conditional(op, vec![table]);
        }
        match parsed {
            Some(Statement::CreatePolicy(cp)) => self.create_policy(&cp),
            Some(Statement::DropPolicy(dp)) => {
                let table = self.object_name(&dp.table_name);
                let name = fold_ident(&dp.name.value, dp.name.quote_style.is_some());
                let if_exists = dp.if_exists;
                self.change_table(&table, |t| {
                    if t.policies.remove(&name).is_none() && !if_exists {
                        return Err(format!("policy {name} does not exist"));
                    }
                    Ok(())
                });
            }
            Some(Statement::AlterPolicy(ap)) => {
                let table = self.object_name(&ap.table_name);
                let name = fold_ident(&ap.name.value, ap.name.quote_style.is_some());
                match &ap.operation {
                    AlterPolicyOperation::Rename { new_name } => {
                        let new_name = fold_ident(&new_name.value, new_name.quote_style.is_some());
                        self.change_table(&table, |t| {
                            let mut p = t
                                .policies
                                .remove(&name)
                                .ok_or_else(|| format!("policy {name} does not exist"))?;
                            p.name = new_name.clone();
                            t.policies.insert(new_name, p);
                            Ok(())
                        });
                    }
                    AlterPolicyOperation::Apply {
                        to,
                        using,
                        with_check,
                    } => {
                        let roles = to.as_ref().map(|to| self.policy_roles(to));
                        if roles.as_ref().is_some_and(Option::is_none) {
                            self.uncertain_policy(&table, &name);
                        }
                        let using = using.as_ref().map(|e| self.policy_expr(e));
                        let with_check = with_check.as_ref().map(|e| self.policy_expr(e));
                        self.change_table(&table, |t| {
                            let p = t
                                .policies
                                .get_mut(&name)
                                .ok_or_else(|| format!("policy {name} does not exist"))?;
                            if let Some(Some(roles)) = roles {
                                p.roles = roles;
                            }
                            if using.is_some() {
                                p.using = using;
                            }
                            if with_check.is_some() {
                                p.with_check = with_check;
                            }
                            Ok(())
                        });
                    }
                }
            }
            Some(Statement::AlterTable(at)) => {
                let table = self.object_name(&at.name);
                self.doubt_if_conditional(op, vec![table.to_string()]);
                for action in &at.operations {
                    self.set_row_security(&table, action);
                }
            }
            _ => {
                let why = format!(
                    "row security statement in {}: migguard cannot replay it exactly",
                    self.migration
                );
                self.uncertain("*".into(), why);
            }
        }
    }

    /// `ENABLE|DISABLE|FORCE|NO FORCE ROW LEVEL SECURITY`; other actions are not
    /// about row security.
    pub(super) fn set_row_security(&mut self, table: &QualifiedName, action: &AlterTableOperation) {
        let change: fn(&mut crate::schema::model::Table) = match action {
            AlterTableOperation::EnableRowLevelSecurity => |t| t.row_security = true,
            AlterTableOperation::DisableRowLevelSecurity => |t| t.row_security = false,
            AlterTableOperation::ForceRowLevelSecurity => |t| t.force_row_security = true,
            AlterTableOperation::NoForceRowLevelSecurity => |t| t.force_row_security = false,
            _ => return,
        };
        self.change_table(table, |t| {
            change(t);
            Ok(())
        });
    }

    fn create_policy(&mut self, cp: &CreatePolicy) {
        let table = self.object_name(&cp.table_name);
        let name = fold_ident(&cp.name.value, cp.name.quote_style.is_some());
        let roles = match &cp.to {
            Some(to) => self.policy_roles(to),
            None => Some(vec!["public".to_string()]),
        };
        if roles.is_none() {
            self.uncertain_policy(&table, &name);
        }
        let policy = Policy {
            comment: None,
            name: name.clone(),
            permissive: !matches!(cp.policy_type, Some(CreatePolicyType::Restrictive)),
            command: match cp.command {
                Some(CreatePolicyCommand::Select) => "SELECT",
                Some(CreatePolicyCommand::Insert) => "INSERT",
                Some(CreatePolicyCommand::Update) => "UPDATE",
                Some(CreatePolicyCommand::Delete) => "DELETE",
                _ => "ALL",
            }
            .into(),
            roles: roles.unwrap_or_default(),
            using: cp.using.as_ref().map(|e| self.policy_expr(e)),
            with_check: cp.with_check.as_ref().map(|e| self.policy_expr(e)),
        };
        self.change_table(&table, |t| {
            if t.policies.contains_key(&name) {
                return Err(format!("policy {name} already exists"));
            }
            t.policies.insert(name, policy);
            Ok(())
        });
    }

    /// Role names, sorted as introspection lists them (`public` is PUBLIC, quoted or
    /// not, as in PostgreSQL's grammar); `None` when one is a session
    /// role (`CURRENT_USER`…) whose name depends on who ran the migration.
    fn policy_roles(&self, to: &[Owner]) -> Option<Vec<String>> {
        let mut roles = Vec::new();
        for o in to {
            match o {
                Owner::Ident(i) => roles.push(fold_ident(&i.value, i.quote_style.is_some())),
                _ => return None,
            }
        }
        // PostgreSQL keeps only PUBLIC when it is listed with other roles (with a
        // warning: the others add nothing).
        if roles.iter().any(|r| r == "public") {
            return Some(vec!["public".to_string()]);
        }
        roles.sort();
        Some(roles)
    }

    fn policy_expr(&self, e: &Expr) -> String {
        canonical_expr(&e.to_string(), &self.ds)
    }

    fn uncertain_policy(&mut self, table: &QualifiedName, name: &str) {
        let why = format!(
            "policy {name} in {}: granted to a session role migguard cannot name",
            self.migration
        );
        self.uncertain(format!("{table}.{name}"), why);
    }
}
