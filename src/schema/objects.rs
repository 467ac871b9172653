//! Schema objects beyond relations and types — functions and procedures (issue 11,
//! "objects drift does not see yet"). They live in their own module so the table
//! model stays readable and each object kind can grow its own comparison form.
//!
//! Both producers follow PostgreSQL's catalog spelling:
//! - a routine is keyed by `schema.name(argument types)`, the types as
//!   `oidvectortypes(proargtypes)` prints them (input arguments, plus OUT arguments
//!   of procedures, PostgreSQL 14+): what `DROP FUNCTION name(types)` resolves;
//! - its identity arguments as `pg_get_function_identity_arguments` prints them
//!   (`a integer, VARIADIC b text[]`), its result as `pg_get_function_result`;
//! - its body as stored in `prosrc`: the text between the dollar quotes, verbatim.

use crate::ir::QualifiedName;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RoutineKind {
    Function,
    Procedure,
}

/// A function or procedure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Function {
    pub name: QualifiedName,
    pub kind: RoutineKind,
    /// Argument types only, `, `-separated (the key's part in parentheses).
    pub arg_types: String,
    /// `pg_get_function_identity_arguments` spelling (names, `INOUT`/`VARIADIC`).
    pub identity_args: String,
    /// `pg_get_function_result` spelling; `None` for a procedure.
    pub result: Option<String>,
    pub language: String,
    /// `prosrc`: the body exactly as PostgreSQL stored it. `None` when the replay
    /// cannot know it (a SQL-standard `BEGIN ATOMIC`/`RETURN` body, kept parsed by
    /// PostgreSQL); such a routine is reported unverifiable, never compared.
    pub body: Option<String>,
    /// `immutable`, `stable` or `volatile`.
    pub volatility: String,
    /// `STRICT` (`RETURNS NULL ON NULL INPUT`): not called when an argument is null.
    pub strict: bool,
    /// `safe`, `restricted` or `unsafe` (PostgreSQL's default, and a procedure's).
    pub parallel: String,
    pub security_definer: bool,
    /// `procost` as PostgreSQL prints the `float4` (`100`, `2.5`).
    pub cost: String,
    /// `prorows` as PostgreSQL prints it: `0` unless the routine returns a set.
    pub rows: String,
    /// `LEAKPROOF` (`proleakproof`).
    pub leakproof: bool,
    /// `SET name = value` clauses as `proconfig` keeps them (`search_path=public,
    /// pg_temp`), the name lower-cased (PostgreSQL prints its own spelling of a
    /// setting's name, `DateStyle`; settings are case-insensitive).
    pub config: Vec<String>,
    /// The argument defaults in argument order (PostgreSQL allows them only on the
    /// last input arguments), as the migration wrote them or `pg_get_expr` prints
    /// them; compared by their expression key.
    pub arg_defaults: Vec<String>,
    /// `COMMENT ON …` (`pg_description`); `None` when there is none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl Function {
    /// The key both producers file the routine under: `schema.name(types)`.
    pub fn key(&self) -> String {
        routine_key(&self.name, &self.arg_types)
    }

    /// The arguments as `pg_get_function_arguments` prints them: the identity
    /// arguments, each defaulted one followed by ` DEFAULT expr`.
    pub fn arguments(&self) -> String {
        if self.arg_defaults.is_empty() {
            return self.identity_args.clone();
        }
        let args = split_arguments(&self.identity_args);
        let inputs: Vec<usize> = (0..args.len())
            .filter(|i| !args[*i].starts_with("OUT "))
            .collect();
        // The defaults belong to the last input arguments.
        let first = inputs.len().saturating_sub(self.arg_defaults.len());
        let mut defaults = self.arg_defaults.iter();
        let mut out = Vec::with_capacity(args.len());
        for (i, a) in args.iter().enumerate() {
            let position = inputs.iter().position(|x| *x == i);
            match position
                .filter(|p| *p >= first)
                .and_then(|_| defaults.next())
            {
                Some(d) => out.push(format!("{a} DEFAULT {d}")),
                None => out.push(a.to_string()),
            }
        }
        out.join(", ")
    }

    /// `COST`, `ROWS`, `LEAKPROOF` and `SET` clauses that differ from what PostgreSQL
    /// assumes when they are left out, in `CREATE FUNCTION` syntax.
    pub fn planner_and_settings_clauses(&self) -> String {
        let mut s = String::new();
        if self.leakproof {
            s.push_str(" LEAKPROOF");
        }
        if self.cost != default_cost(&self.language) {
            s.push_str(&format!(" COST {}", self.cost));
        }
        if self.rows != "0" && self.rows != "1000" {
            s.push_str(&format!(" ROWS {}", self.rows));
        }
        for c in &self.config {
            let (name, value) = c.split_once('=').unwrap_or((c, ""));
            let value = if LIST_QUOTED_SETTINGS.contains(&name) {
                // Already a list of quoted identifiers, except the empty one.
                if value == "\"\"" {
                    "''".to_string()
                } else {
                    value.to_string()
                }
            } else {
                format!("'{}'", value.replace('\'', "''"))
            };
            s.push_str(&format!(" SET {name} = {value}"));
        }
        s
    }

    /// The routine's header in `CREATE FUNCTION` order, without its body: what drift
    /// prints when two routines of one signature differ in anything but the body.
    pub fn header(&self) -> String {
        let mut s = format!(
            "{} {}({})",
            match self.kind {
                RoutineKind::Function => "FUNCTION",
                RoutineKind::Procedure => "PROCEDURE",
            },
            self.name,
            self.arguments()
        );
        if let Some(r) = &self.result {
            s.push_str(&format!(" RETURNS {r}"));
        }
        s.push_str(&format!(" LANGUAGE {}", self.language));
        if self.kind == RoutineKind::Function {
            s.push_str(&format!(" {}", self.volatility.to_ascii_uppercase()));
            if self.strict {
                s.push_str(" STRICT");
            }
            s.push_str(&parallel_clause(&self.parallel));
        }
        if self.security_definer {
            s.push_str(" SECURITY DEFINER");
        }
        s.push_str(&self.planner_and_settings_clauses());
        s
    }
}

/// Settings whose value PostgreSQL keeps as a list of quoted identifiers
/// (`GUC_LIST_QUOTE`): `search_path=\"$user\", public`.
pub const LIST_QUOTED_SETTINGS: [&str; 2] = ["search_path", "temp_tablespaces"];

/// `procost` when `COST` is left out: 1 for C and internal functions, else 100.
pub fn default_cost(language: &str) -> &'static str {
    if language == "c" || language == "internal" {
        "1"
    } else {
        "100"
    }
}

/// A list PostgreSQL printed (arguments, `proargdefaults` expressions) split at its
/// top-level commas, not inside quotes or parentheses (the lexical layer's).
pub fn split_arguments(list: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    for comma in crate::parse::sql::lexical::top_level_positions(list, b',') {
        out.push(list[start..comma].trim());
        start = comma + 1;
    }
    if !list[start..].trim().is_empty() {
        out.push(list[start..].trim());
    }
    out
}

/// ` PARALLEL SAFE|RESTRICTED` as `CREATE FUNCTION` spells a marking; empty for
/// `unsafe`, the default PostgreSQL assumes when the clause is left out.
pub fn parallel_clause(parallel: &str) -> String {
    if parallel == "unsafe" {
        String::new()
    } else {
        format!(" PARALLEL {}", parallel.to_ascii_uppercase())
    }
}

/// `schema.name(types)`.
pub fn routine_key(name: &QualifiedName, arg_types: &str) -> String {
    format!("{name}({arg_types})")
}

/// An identifier as PostgreSQL's `quote_ident` prints it: bare when it is lower-case
/// letters, digits and underscores not starting with a digit, else double-quoted.
/// (Keywords are not checked: a parameter named like a reserved word is rare, and
/// then only its printed spelling differs.)
pub fn quote_ident(ident: &str) -> String {
    let bare = ident.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && ident
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '$');
    if bare {
        ident.to_string()
    } else {
        format!("\"{}\"", ident.replace('"', "\"\""))
    }
}

/// `text` (argument types, a result) with the default schema's qualification
/// dropped from type names: `format_type` under `search_path = ''` prints an
/// extension's `public.citext`, a migration writes `citext`; both are the one type.
pub fn unqualify_default(text: &str, default_schema: &str) -> String {
    let prefix = format!("{default_schema}.");
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    while let Some(found) = text[at..].find(&prefix) {
        let start = at + found;
        // Only a whole word: `xpublic.t` or `"my public.t"` keep theirs.
        let word_start = text[..start]
            .chars()
            .last()
            .is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == '"'));
        out.push_str(&text[at..start]);
        if !word_start {
            out.push_str(&prefix);
        }
        at = start + prefix.len();
    }
    out.push_str(&text[at..]);
    out
}

/// A trigger on a table (kept in its `Table`, so a table rename carries it and a
/// table drop takes it). Internal triggers (foreign keys') and the clones PostgreSQL
/// puts on partitions are not listed: migrations never write them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Trigger {
    pub name: String,
    /// `BEFORE`, `AFTER` or `INSTEAD OF`.
    pub timing: String,
    /// In PostgreSQL's order: `INSERT`, `DELETE`, `UPDATE [OF a, b]`, `TRUNCATE`.
    pub events: Vec<String>,
    pub for_each_row: bool,
    /// The `WHEN` condition, normalised like every other expression.
    pub when: Option<String>,
    pub function: QualifiedName,
    /// The literal arguments, as the strings PostgreSQL passes (`tgargs`).
    pub args: Vec<String>,
    /// Transition tables as `pg_get_triggerdef` prints them, `OLD TABLE AS old`
    /// before `NEW TABLE AS new`.
    pub transition_tables: Vec<String>,
    /// `tgenabled`: `O` (enabled), `D` (disabled), `R` (replica), `A` (always).
    pub enabled: String,
    /// `COMMENT ON …` (`pg_description`); `None` when there is none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// A transition table as `pg_get_triggerdef` prints it: `OLD TABLE AS old`.
pub fn transition_table(old: bool, name: &str) -> String {
    format!(
        "{} TABLE AS {}",
        if old { "OLD" } else { "NEW" },
        quote_ident(name)
    )
}

/// The order `pg_get_triggerdef` prints events in.
pub const TRIGGER_EVENT_ORDER: [&str; 4] = ["INSERT", "DELETE", "UPDATE", "TRUNCATE"];

impl Trigger {
    /// The definition as `pg_get_triggerdef` prints it (PostgreSQL 15 spelling:
    /// `EXECUTE FUNCTION`), for drift's messages and `schema --format sql`.
    pub fn definition(&self, table: &QualifiedName) -> String {
        let mut s = format!(
            "CREATE TRIGGER {} {} {} ON {}.{}{} FOR EACH {}",
            quote_ident(&self.name),
            self.timing,
            self.events.join(" OR "),
            quote_ident(&table.schema),
            quote_ident(&table.name),
            if self.transition_tables.is_empty() {
                String::new()
            } else {
                format!(" REFERENCING {}", self.transition_tables.join(" "))
            },
            if self.for_each_row {
                "ROW"
            } else {
                "STATEMENT"
            }
        );
        if let Some(w) = &self.when {
            s.push_str(&format!(" WHEN ({w})"));
        }
        let args: Vec<String> = self
            .args
            .iter()
            .map(|a| format!("'{}'", a.replace('\'', "''")))
            .collect();
        s.push_str(&format!(
            " EXECUTE FUNCTION {}.{}({})",
            quote_ident(&self.function.schema),
            quote_ident(&self.function.name),
            args.join(", ")
        ));
        s
    }

    /// What drift compares: the definition, then the enabled state when it is not
    /// the default.
    pub fn describe(&self, table: &QualifiedName) -> String {
        let state = match self.enabled.as_str() {
            "D" => " (DISABLED)",
            "R" => " (ENABLE REPLICA)",
            "A" => " (ENABLE ALWAYS)",
            _ => "",
        };
        format!("{}{state}", self.definition(table))
    }
}

/// A row-level security policy (kept in its `Table`, like triggers).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Policy {
    pub name: String,
    /// `false` for `AS RESTRICTIVE`.
    pub permissive: bool,
    /// `ALL`, `SELECT`, `INSERT`, `UPDATE` or `DELETE`.
    pub command: String,
    /// Role names, sorted; `public` for PUBLIC (PostgreSQL's default).
    pub roles: Vec<String>,
    /// `USING` and `WITH CHECK` expressions, normalised like every other expression.
    pub using: Option<String>,
    pub with_check: Option<String>,
    /// `COMMENT ON …` (`pg_description`); `None` when there is none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl Policy {
    /// The policy as a `CREATE POLICY` statement: drift's messages and `schema
    /// --format sql`.
    pub fn definition(&self, table: &QualifiedName) -> String {
        let roles: Vec<String> = self
            .roles
            .iter()
            .map(|r| {
                if r == "public" {
                    "PUBLIC".to_string()
                } else {
                    quote_ident(r)
                }
            })
            .collect();
        let mut s = format!(
            "CREATE POLICY {} ON {}.{} AS {} FOR {} TO {}",
            quote_ident(&self.name),
            quote_ident(&table.schema),
            quote_ident(&table.name),
            if self.permissive {
                "PERMISSIVE"
            } else {
                "RESTRICTIVE"
            },
            self.command,
            roles.join(", ")
        );
        if let Some(u) = &self.using {
            s.push_str(&format!(" USING ({u})"));
        }
        if let Some(w) = &self.with_check {
            s.push_str(&format!(" WITH CHECK ({w})"));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_whole_default_schema_qualifications_are_dropped() {
        assert_eq!(
            unqualify_default("public.citext, xpublic.t, SETOF public.account[]", "public"),
            "citext, xpublic.t, SETOF account[]"
        );
        assert_eq!(
            unqualify_default("audit.t, \"public.x\"", "public"),
            "audit.t, \"public.x\""
        );
    }

    fn routine(identity_args: &str, arg_defaults: &[&str]) -> Function {
        Function {
            comment: None,
            name: QualifiedName::new("public", "f"),
            kind: RoutineKind::Function,
            arg_types: String::new(),
            identity_args: identity_args.into(),
            result: Some("integer".into()),
            language: "sql".into(),
            body: None,
            volatility: "volatile".into(),
            strict: false,
            parallel: "unsafe".into(),
            security_definer: false,
            cost: "100".into(),
            rows: "0".into(),
            leakproof: false,
            config: Vec::new(),
            arg_defaults: arg_defaults.iter().map(|d| d.to_string()).collect(),
        }
    }

    #[test]
    fn defaults_go_to_the_last_input_arguments() {
        let f = routine("a integer, b text, OUT r text, c numeric", &["'x'", "0"]);
        assert_eq!(
            f.arguments(),
            "a integer, b text DEFAULT 'x', OUT r text, c numeric DEFAULT 0"
        );
        assert_eq!(
            routine("\"a,b\" integer", &[]).arguments(),
            "\"a,b\" integer"
        );
        assert_eq!(
            split_arguments("21, 'a,''b'::text, f(1, 2)"),
            vec!["21", "'a,''b'::text", "f(1, 2)"]
        );
    }

    #[test]
    fn settings_render_as_create_function_clauses() {
        let mut f = routine("", &[]);
        f.config = vec![
            "search_path=public, pg_temp".into(),
            "search_path=\"\"".into(),
            "work_mem=64MB".into(),
        ];
        f.cost = "5".into();
        assert_eq!(
            f.planner_and_settings_clauses(),
            " COST 5 SET search_path = public, pg_temp SET search_path = '' SET work_mem = '64MB'"
        );
    }

    #[test]
    fn identifiers_are_quoted_like_quote_ident() {
        assert_eq!(quote_ident("amount"), "amount");
        assert_eq!(quote_ident("Note"), "\"Note\"");
        assert_eq!(quote_ident("1st"), "\"1st\"");
        assert_eq!(quote_ident("a\"b"), "\"a\"\"b\"");
    }
}
