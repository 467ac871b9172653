//! Replay of functions and procedures: `CREATE [OR REPLACE] FUNCTION`, `DROP
//! FUNCTION|PROCEDURE|ROUTINE`, `ALTER FUNCTION … RENAME TO | SET SCHEMA`.
//!
//! The SQL reader keeps these statements as `Other` ops (a `CREATE FUNCTION` runs
//! nothing, so the rules never judge its body as operations); replay reads the
//! definition back from the op's statement text with the same parser, into the form
//! `schema::objects` documents. What cannot be read exactly — a statement the parser
//! refuses, a part built at run time, a body PostgreSQL keeps parsed (`BEGIN ATOMIC`,
//! `RETURN`) — makes the routine uncertain (drift: unverifiable), never a guess.

use super::opaque::created_objects;
use super::Replayer;
use crate::ir::{fold_ident, Guard, Operation, QualifiedName};
use crate::parse::sql::lexical::blank_comments_and_strings;
use crate::parse::sql::to_ops::parts;
use crate::schema::objects::{
    default_cost, quote_ident, routine_key, unqualify_default, Function, RoutineKind,
    LIST_QUOTED_SETTINGS,
};
use sqlparser::ast::{
    AlterFunctionOperation, ArgMode, CreateFunction, CreateFunctionBody, DataType, DropBehavior,
    Expr, FunctionBehavior, FunctionCalledOnNull, FunctionDesc, FunctionParallel,
    FunctionReturnType, FunctionSecurity, FunctionSetValue, ObjectName, OperateFunctionArg,
    Statement, Value,
};

/// The `Other` statements this module replays (leading words, as the reader names them).
/// (The fallback reader keeps `or replace` in the name.)
const ROUTINE_STATEMENTS: [&str; 10] = [
    "create function",
    "create procedure",
    "create or replace function",
    "create or replace procedure",
    "drop function",
    "drop procedure",
    "drop routine",
    "alter function",
    "alter procedure",
    "alter routine",
];

/// Whether an `Other { what }` op defines, drops or alters a routine.
pub(super) fn is_routine_statement(what: &str) -> bool {
    ROUTINE_STATEMENTS.contains(&what)
}

impl Replayer<'_> {
    /// Replay one routine statement (`is_routine_statement`).
    pub(super) fn replay_routine(&mut self, op: &Operation) {
        // sqlparser does not read `COST`, `ROWS`, `LEAKPROOF` or `SUPPORT`: they are
        // read lexically and taken out of the text it parses.
        let attributes = op
            .text
            .trim_start()
            .get(..6)
            .is_some_and(|w| w.eq_ignore_ascii_case("create"))
            .then(|| planner_attributes(&op.text));
        let parsed = match &attributes {
            Some(a) => super::parse_static_sql(&a.rest),
            None => super::parse_static_statement(op),
        };
        match parsed {
            Some(Statement::CreateFunction(cf)) => {
                let attributes = attributes.unwrap_or_default();
                self.create_function(&cf, &attributes);
                let touched = vec![self.routine_name(&cf.name).to_string()];
                self.doubt_if_conditional(op, touched);
            }
            Some(Statement::DropFunction(df)) => {
                let cascade = matches!(df.drop_behavior, Some(DropBehavior::Cascade));
                for desc in &df.func_desc {
                    self.drop_routine(desc, df.if_exists, cascade);
                }
                let touched = df
                    .func_desc
                    .iter()
                    .map(|d| self.routine_name(&d.name).to_string())
                    .collect();
                self.doubt_if_conditional(op, touched);
            }
            Some(Statement::AlterFunction(af)) => {
                self.alter_routine(&af.function, &af.operation);
                let touched = vec![self.routine_name(&af.function.name).to_string()];
                self.doubt_if_conditional(op, touched);
            }
            _ => {
                // Not readable exactly: what it names is unverifiable.
                let blanked = blank_comments_and_strings(&op.text).to_ascii_uppercase();
                let words: Vec<&str> = blanked.split_whitespace().collect();
                let detail = if words.windows(2).any(|w| w == ["BEGIN", "ATOMIC"]) {
                    SQL_STANDARD_BODY
                } else {
                    "migguard cannot read this routine statement exactly"
                };
                let why = format!(
                    "{} in {}: {detail}",
                    statement_start(&op.text),
                    self.migration
                );
                let named = created_objects(&op.text, &self.ds);
                if named.is_empty() {
                    self.uncertain("*".into(), why.clone());
                }
                for n in named {
                    self.uncertain(n, why.clone());
                }
            }
        }
    }

    /// A statement under a run-time condition (`Guard::Condition`) was replayed as a
    /// best guess, like `apply_conditional` does for the other ops: what it touched
    /// (routines by name, which covers every signature; `table.trigger`…) is uncertain.
    pub(super) fn doubt_if_conditional(&mut self, op: &Operation, touched: Vec<String>) {
        let Some(Guard::Condition(condition)) = &op.guard else {
            return;
        };
        let why = format!(
            "changed in {}: only if `{condition}`, which migguard cannot evaluate",
            self.migration
        );
        for t in touched {
            self.uncertain(t, why.clone());
        }
    }

    fn routine_name(&self, n: &ObjectName) -> QualifiedName {
        let p = parts(n);
        match p.as_slice() {
            [.., schema, name] => QualifiedName::new(schema.clone(), name.clone()),
            [name] => QualifiedName::new(self.ds.clone(), name.clone()),
            [] => QualifiedName::new(self.ds.clone(), String::new()),
        }
    }

    /// An argument or result type as `format_type` prints it without modifiers
    /// (PostgreSQL keeps no typmod on a routine's arguments or result).
    fn routine_type(&self, t: &DataType) -> String {
        let spelled = self.norm_type(&t.to_string());
        let bare = strip_typmods(&spelled);
        unqualify_default(&bare, &self.ds)
    }

    /// Argument types (the key) and identity arguments of a routine's argument list.
    fn signature(&self, args: &[OperateFunctionArg], kind: RoutineKind) -> (String, String) {
        let mut types = Vec::new();
        let mut identity = Vec::new();
        for a in args {
            let mode = match a.mode {
                None | Some(ArgMode::In) => "",
                Some(ArgMode::InOut) => "INOUT ",
                Some(ArgMode::Variadic) => "VARIADIC ",
                Some(ArgMode::Out) => "OUT ",
            };
            // A function's OUT arguments are printed with its identity arguments but
            // are part of its result, not of its signature; a procedure's are part of
            // its signature (PostgreSQL 14+).
            let in_signature =
                !(kind == RoutineKind::Function && matches!(a.mode, Some(ArgMode::Out)));
            let ty = self.routine_type(&a.data_type);
            let name = a
                .name
                .as_ref()
                .map(|i| {
                    format!(
                        "{} ",
                        quote_ident(&fold_ident(&i.value, i.quote_style.is_some()))
                    )
                })
                .unwrap_or_default();
            identity.push(format!("{mode}{name}{ty}"));
            if in_signature {
                types.push(ty);
            }
        }
        (types.join(", "), identity.join(", "))
    }

    fn create_function(&mut self, cf: &CreateFunction, attributes: &PlannerAttributes) {
        let name = self.routine_name(&cf.name);
        let args = cf.args.clone().unwrap_or_default();
        let (arg_types, identity_args) = self.signature(&args, RoutineKind::Function);
        let key = routine_key(&name, &arg_types);
        let mut unreadable = Vec::new();
        let result = match &cf.return_type {
            Some(FunctionReturnType::SetOf(t)) => Some(format!("SETOF {}", self.routine_type(t))),
            Some(FunctionReturnType::DataType(DataType::Table(Some(columns)))) => Some(format!(
                "TABLE({})",
                columns
                    .iter()
                    .map(|c| format!(
                        "{} {}",
                        quote_ident(&fold_ident(&c.name.value, c.name.quote_style.is_some())),
                        self.routine_type(&c.data_type)
                    ))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            Some(FunctionReturnType::DataType(t)) => Some(self.routine_type(t)),
            None => {
                let outs: Vec<&OperateFunctionArg> = args
                    .iter()
                    .filter(|a| matches!(a.mode, Some(ArgMode::Out | ArgMode::InOut)))
                    .collect();
                match outs.as_slice() {
                    [one] => Some(self.routine_type(&one.data_type)),
                    [] => {
                        unreadable.push("no result type");
                        None
                    }
                    _ => Some("record".to_string()),
                }
            }
        };
        let body = match &cf.function_body {
            Some(
                CreateFunctionBody::AsBeforeOptions {
                    body,
                    link_symbol: None,
                }
                | CreateFunctionBody::AsAfterOptions(body),
            ) => string_literal(body),
            _ => None,
        };
        match (&body, &cf.function_body) {
            (Some(_), _) => {}
            (None, Some(CreateFunctionBody::Return(_) | CreateFunctionBody::AsBeginEnd(_))) => {
                unreadable.push(SQL_STANDARD_BODY)
            }
            (None, _) => unreadable.push("its body is not a string PostgreSQL stores as written"),
        }
        if attributes.support {
            unreadable.push("its SUPPORT function is not modelled");
        }
        let config = self.routine_settings(cf, &mut unreadable);
        let language = cf
            .language
            .as_ref()
            .map(|l| fold_ident(&l.value, l.quote_style.is_some()))
            .unwrap_or_else(|| "sql".into());
        let returns_set = result
            .as_deref()
            .is_some_and(|r| r.starts_with("SETOF ") || r.starts_with("TABLE("));
        let f = Function {
            // `CREATE OR REPLACE FUNCTION` keeps the routine, and so its comment.
            comment: self
                .model
                .functions
                .get(&key)
                .and_then(|f| f.comment.clone()),
            name: name.clone(),
            kind: RoutineKind::Function,
            arg_types,
            identity_args,
            result,
            cost: attributes
                .cost
                .clone()
                .unwrap_or_else(|| default_cost(&language).to_string()),
            rows: attributes
                .rows
                .clone()
                .unwrap_or_else(|| if returns_set { "1000" } else { "0" }.to_string()),
            leakproof: attributes.leakproof,
            config,
            arg_defaults: args
                .iter()
                .filter_map(|a| a.default_expr.as_ref().map(|e| e.to_string()))
                .collect(),
            language,
            body,
            volatility: match cf.behavior {
                Some(FunctionBehavior::Immutable) => "immutable",
                Some(FunctionBehavior::Stable) => "stable",
                _ => "volatile",
            }
            .into(),
            strict: matches!(
                cf.called_on_null,
                Some(FunctionCalledOnNull::Strict | FunctionCalledOnNull::ReturnsNullOnNullInput)
            ),
            parallel: match cf.parallel {
                Some(FunctionParallel::Safe) => "safe",
                Some(FunctionParallel::Restricted) => "restricted",
                _ => "unsafe",
            }
            .into(),
            security_definer: matches!(cf.security, Some(FunctionSecurity::Definer)),
        };
        if self.model.functions.contains_key(&key) && !cf.or_replace {
            self.conflict(key.clone(), format!("function {key} already exists"));
        }
        if !unreadable.is_empty() {
            let why = format!(
                "CREATE FUNCTION in {}: {}",
                self.migration,
                unreadable.join(", ")
            );
            self.uncertain(key.clone(), why);
        }
        self.model.functions.insert(key, f);
    }

    /// `SET name = value` clauses as `proconfig` keeps them; `FROM CURRENT` (the
    /// setting of the session that ran the migration) is unreadable.
    fn routine_settings(&self, cf: &CreateFunction, unreadable: &mut Vec<&str>) -> Vec<String> {
        let mut config: Vec<String> = Vec::new();
        for p in &cf.set_params {
            let name = parts(&p.name).join(".").to_ascii_lowercase();
            let value = match &p.value {
                FunctionSetValue::Default => None,
                FunctionSetValue::FromCurrent => {
                    unreadable.push("a setting taken FROM CURRENT");
                    None
                }
                FunctionSetValue::Values(values) => Some(
                    values
                        .iter()
                        .map(|v| setting_value(v, LIST_QUOTED_SETTINGS.contains(&name.as_str())))
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
            };
            // A later clause for the same setting replaces the earlier one in place.
            let at = config
                .iter()
                .position(|c| c.split_once('=').is_some_and(|(n, _)| n == name));
            match (at, value) {
                (Some(i), Some(v)) => config[i] = format!("{name}={v}"),
                (Some(i), None) => {
                    config.remove(i);
                }
                (None, Some(v)) => config.push(format!("{name}={v}")),
                (None, None) => {}
            }
        }
        config
    }

    /// The key of the routine `desc` names: by its argument types, or by its name
    /// alone when that is unique (PostgreSQL's rule for a list-less `DROP FUNCTION f`).
    pub(super) fn resolve_routine(
        &mut self,
        desc: &FunctionDesc,
        if_exists: bool,
    ) -> Option<String> {
        let name = self.routine_name(&desc.name);
        let key = match &desc.args {
            Some(args) => {
                let kind = self
                    .model
                    .functions
                    .values()
                    .find(|f| f.name == name)
                    .map_or(RoutineKind::Function, |f| f.kind);
                let key = routine_key(&name, &self.signature(args, kind).0);
                self.model.functions.contains_key(&key).then_some(key)
            }
            None => {
                let same: Vec<&String> = self
                    .model
                    .functions
                    .iter()
                    .filter(|(_, f)| f.name == name)
                    .map(|(k, _)| k)
                    .collect();
                if same.len() > 1 {
                    let n = name.to_string();
                    self.conflict(n.clone(), format!("routine name {n} is not unique"));
                    return None;
                }
                same.first().map(|k| (*k).clone())
            }
        };
        if key.is_none() && !if_exists {
            let n = name.to_string();
            self.conflict(n.clone(), format!("routine {n} does not exist"));
        }
        key
    }

    fn drop_routine(&mut self, desc: &FunctionDesc, if_exists: bool, cascade: bool) {
        if let Some(key) = self.resolve_routine(desc, if_exists) {
            if let Some(f) = self.model.functions.remove(&key) {
                if cascade {
                    self.drop_triggers_executing(&f.name);
                }
            }
        }
    }

    fn alter_routine(&mut self, desc: &FunctionDesc, operation: &AlterFunctionOperation) {
        let Some(key) = self.resolve_routine(desc, false) else {
            return;
        };
        let new_name = match operation {
            AlterFunctionOperation::RenameTo { new_name } => {
                let old = &self.model.functions[&key].name;
                Some(QualifiedName::new(
                    old.schema.clone(),
                    fold_ident(&new_name.value, new_name.quote_style.is_some()),
                ))
            }
            AlterFunctionOperation::SetSchema { schema_name } => {
                let old = &self.model.functions[&key].name;
                Some(QualifiedName::new(
                    parts(schema_name).pop().unwrap_or_default(),
                    old.name.clone(),
                ))
            }
            AlterFunctionOperation::OwnerTo(_) => None,
            _ => {
                let why = format!(
                    "ALTER FUNCTION in {}: migguard does not replay this change",
                    self.migration
                );
                self.uncertain(key.clone(), why);
                None
            }
        };
        if let Some(new_name) = new_name {
            if let Some(mut f) = self.model.functions.remove(&key) {
                f.name = new_name;
                let new_key = f.key();
                if self.model.functions.contains_key(&new_key) {
                    self.conflict(
                        new_key.clone(),
                        format!("function {new_key} already exists"),
                    );
                }
                self.model.functions.insert(new_key, f);
            }
        }
    }
}

/// Why a routine with a SQL-standard body is unverifiable. No exact comparison
/// exists: PostgreSQL parses the body at creation (`prosqlbody`: names resolved,
/// implicit casts added) and prints it back through its deparser
/// (`pg_get_functiondef`); reproducing that offline would be a guess.
const SQL_STANDARD_BODY: &str = "its SQL-standard body (RETURN / BEGIN ATOMIC) is stored \
     parsed (prosqlbody), and PostgreSQL's deparsed text cannot be reproduced offline exactly";

/// A statement's start for messages: its words up to the argument list (`CREATE OR
/// REPLACE FUNCTION public.f`), comments left out, at most 80 characters.
fn statement_start(text: &str) -> String {
    let blanked = blank_comments_and_strings(text);
    let head = blanked.split('(').next().unwrap_or_default();
    let words = head.split_whitespace().collect::<Vec<_>>().join(" ");
    match words.char_indices().nth(80) {
        Some((cut, _)) => format!("{}…", &words[..cut]),
        None => words,
    }
}

/// A `SET` clause's value as `proconfig` keeps it: string contents and numbers as
/// written; in a list of identifiers (`search_path`) each quoted like
/// `quote_identifier` (`"$user"`, `""` for the empty string).
fn setting_value(v: &Expr, list_quoted: bool) -> String {
    let text = match v {
        Expr::Value(v) => match &v.value {
            Value::SingleQuotedString(s) | Value::EscapedStringLiteral(s) => s.clone(),
            Value::DollarQuotedString(d) => d.value.clone(),
            other => other.to_string(),
        },
        Expr::Identifier(i) => fold_ident(&i.value, i.quote_style.is_some()),
        other => other.to_string(),
    };
    if list_quoted {
        if text.is_empty() {
            "\"\"".to_string()
        } else {
            quote_ident(&text)
        }
    } else {
        text
    }
}

/// What `CREATE FUNCTION` says that sqlparser 0.63 does not read, and the statement
/// without it.
#[derive(Debug, Default, PartialEq)]
struct PlannerAttributes {
    /// The statement with the clauses below blanked out (same byte length).
    rest: String,
    /// `COST n`, as PostgreSQL prints the `float4`.
    cost: Option<String>,
    /// `ROWS n`.
    rows: Option<String>,
    /// `LEAKPROOF` (`NOT LEAKPROOF` is the default).
    leakproof: bool,
    /// `SUPPORT f` was given.
    support: bool,
}

/// Reads `COST n`, `ROWS n`, `[NOT] LEAKPROOF` and `SUPPORT name` after a routine's
/// argument list, outside parentheses, strings, comments and the body (the lexical
/// layer blanks those), and blanks them out of the text. A number that is not one
/// is left in place, so the statement stays unreadable. Its own word walk, not
/// `lexical::tokens`: a word here runs to white space or `( ) , ; =`, so `COST 1.5`,
/// `ROWS 1e3` and `SUPPORT s.f` are one number or name each, which that walk splits
/// at `.`.
fn planner_attributes(text: &str) -> PlannerAttributes {
    let blanked = blank_comments_and_strings(text);
    let mut tokens: Vec<(usize, usize)> = Vec::new();
    let bytes = blanked.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii_whitespace() {
            i += 1;
        } else if matches!(b, b'(' | b')' | b',' | b';' | b'=') {
            tokens.push((i, i + 1));
            i += 1;
        } else {
            let start = i;
            let mut quoted = false;
            while i < bytes.len() {
                let c = bytes[i];
                if c == b'"' {
                    quoted = !quoted;
                } else if !quoted
                    && (c.is_ascii_whitespace() || matches!(c, b'(' | b')' | b',' | b';' | b'='))
                {
                    break;
                }
                i += 1;
            }
            tokens.push((start, i));
        }
    }
    let word = |t: (usize, usize)| &blanked[t.0..t.1];
    let mut out = PlannerAttributes::default();
    let mut blank: Vec<(usize, usize)> = Vec::new();
    let mut depth = 0i32;
    let mut after_arguments = false;
    let mut k = 0;
    while k < tokens.len() {
        let w = word(tokens[k]);
        match w {
            "(" => depth += 1,
            ")" => {
                depth -= 1;
                after_arguments |= depth == 0;
            }
            _ if depth != 0 || !after_arguments => {}
            _ => {
                let next = tokens.get(k + 1).copied();
                let number = next
                    .and_then(|n| word(n).parse::<f32>().ok())
                    .filter(|n| n.is_finite());
                if (w.eq_ignore_ascii_case("cost") || w.eq_ignore_ascii_case("rows"))
                    && number.is_some()
                {
                    let printed = number.map(|n| n.to_string());
                    if w.eq_ignore_ascii_case("cost") {
                        out.cost = printed;
                    } else {
                        out.rows = printed;
                    }
                    blank.push((tokens[k].0, tokens[k + 1].1));
                    k += 1;
                } else if w.eq_ignore_ascii_case("leakproof") {
                    let negated = k > 0 && word(tokens[k - 1]).eq_ignore_ascii_case("not");
                    out.leakproof = !negated;
                    let start = if negated {
                        tokens[k - 1].0
                    } else {
                        tokens[k].0
                    };
                    blank.push((start, tokens[k].1));
                } else if w.eq_ignore_ascii_case("support") && next.is_some() {
                    out.support = true;
                    blank.push((tokens[k].0, tokens[k + 1].1));
                    k += 1;
                }
            }
        }
        k += 1;
    }
    let mut rest = text.to_string();
    for (start, end) in blank {
        rest.replace_range(start..end, &" ".repeat(end - start));
    }
    out.rest = rest;
    out
}

/// The text of a string literal body (`$$…$$`, `'…'`, `E'…'`), as PostgreSQL stores it.
fn string_literal(e: &Expr) -> Option<String> {
    match e {
        Expr::Value(v) => match &v.value {
            Value::DollarQuotedString(d) => Some(d.value.clone()),
            Value::SingleQuotedString(s) | Value::EscapedStringLiteral(s) => Some(s.clone()),
            _ => None,
        },
        _ => None,
    }
}

/// `numeric(10,2)` → `numeric`, `timestamp(3) with time zone` → `timestamp with
/// time zone`: a type without its modifiers.
pub(super) fn strip_typmods(t: &str) -> String {
    let mut out = String::new();
    let mut depth = 0;
    for c in t.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            c if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn planner_attributes_are_read_after_the_arguments_only() {
        let sql = "CREATE FUNCTION f(cost int, \"rows\" int) RETURNS TABLE(rows int) \
                   LANGUAGE sql COST 2.5 NOT LEAKPROOF ROWS 1e3 /* COST 9 */ \
                   AS $$ SELECT 1 COST 3 $$";
        let a = planner_attributes(sql);
        assert_eq!(a.cost.as_deref(), Some("2.5"));
        assert_eq!(a.rows.as_deref(), Some("1000"));
        assert!(!a.leakproof && !a.support);
        assert_eq!(a.rest.len(), sql.len());
        assert!(a.rest.contains("(cost int, \"rows\" int)") && a.rest.contains("COST 9"));
        assert!(!a.rest.contains("COST 2.5") && !a.rest.contains("LEAKPROOF"));
        let b = planner_attributes("CREATE FUNCTION g() RETURNS int LEAKPROOF SUPPORT s AS 'x'");
        assert!(b.leakproof && b.support);
        assert_eq!(
            planner_attributes("CREATE FUNCTION h() RETURNS int COST x").cost,
            None
        );
    }

    #[test]
    fn a_statement_is_named_by_its_start() {
        assert_eq!(
            statement_start("CREATE OR REPLACE -- x (\n FUNCTION public.odd(a int)"),
            "CREATE OR REPLACE FUNCTION public.odd"
        );
    }
}
