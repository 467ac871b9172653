//! What replay cannot read: an unparsed statement or opaque call makes the objects it
//! mentions or may create uncertain (drift reports them unverifiable), never silently
//! clean and never invented.

use super::Replayer;
use crate::ir::{OpKind, Operation};

impl Replayer<'_> {
    /// An op migguard could not read (unparsed SQL, an opaque helper call): the tables it
    /// mentions and the objects it may create become uncertain, or the whole schema when
    /// it names none.
    pub(super) fn unreadable(&mut self, op: &Operation) {
        let reason = match &op.kind {
            OpKind::Unparsed { reason } | OpKind::Opaque { reason } => reason.clone(),
            _ => String::new(),
        };
        let mut mentioned = self.mentioned_tables(&op.text);
        for created in created_objects(&op.text, &self.ds) {
            if !mentioned.contains(&created) {
                mentioned.push(created);
            }
        }
        let why = format!("{} in {}: {reason}", op.kind.name(), self.migration);
        if mentioned.is_empty() {
            self.uncertain("*".into(), why);
        } else {
            for t in mentioned {
                self.uncertain(t, why.clone());
            }
        }
    }

    pub(super) fn drop_database(&mut self) {
        self.uncertain("*".into(), format!("DROP DATABASE in {}", self.migration))
    }

    /// Tables (and composite types: `ALTER TYPE … ADD ATTRIBUTE` is not read) of the
    /// model whose names appear as words in the (blanked) text.
    pub(super) fn mentioned_tables(&self, text: &str) -> Vec<String> {
        // Raw text, strings included: dynamic SQL in EXECUTE '…' names tables too.
        let t = text.to_lowercase().replace('"', " ");
        let words: std::collections::BTreeSet<&str> = t
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .collect();
        self.model
            .tables
            .keys()
            .chain(self.model.composites.keys())
            .filter(|k| words.contains(k.name.to_lowercase().as_str()))
            .map(|k| k.to_string())
            .collect()
    }
}

/// Objects a text that replay cannot read may create (`CREATE [OR REPLACE]
/// [MATERIALIZED] VIEW v`, `CREATE TABLE IF NOT EXISTS s.t`, `CREATE UNIQUE INDEX i`…,
/// in a Java migration's SQL strings or a PL/pgSQL `EXECUTE`), schema-qualified: the
/// model does not have them, so drift would call them unexpected; they are
/// unverifiable instead. Words only, strings included, like `mentioned_tables`.
pub(super) fn created_objects(text: &str, default_schema: &str) -> Vec<String> {
    const MODIFIERS: [&str; 10] = [
        "or",
        "replace",
        "materialized",
        "unique",
        "temp",
        "temporary",
        "unlogged",
        "recursive",
        "global",
        "local",
    ];
    const KINDS: [&str; 8] = [
        "table",
        "view",
        "index",
        "sequence",
        "type",
        "function",
        "procedure",
        "trigger",
    ];
    const BEFORE_NAME: [&str; 4] = ["if", "not", "exists", "concurrently"];
    let lower = text.to_lowercase().replace('"', " ");
    let words: Vec<&str> = lower
        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
        .filter(|w| !w.is_empty())
        .collect();
    let skip = |mut j: usize, set: &[&str]| {
        while words.get(j).is_some_and(|w| set.contains(w)) {
            j += 1;
        }
        j
    };
    let mut out = Vec::new();
    for (i, _) in words.iter().enumerate().filter(|(_, w)| **w == "create") {
        let j = skip(i + 1, &MODIFIERS);
        if !words.get(j).is_some_and(|w| KINDS.contains(w)) {
            continue;
        }
        let Some(name) = words.get(skip(j + 1, &BEFORE_NAME)) else {
            continue;
        };
        let name = name.trim_matches('.');
        if name.is_empty() || *name == *"on" {
            continue;
        }
        let qualified = if name.contains('.') {
            name.to_string()
        } else {
            format!("{default_schema}.{name}")
        };
        if !out.contains(&qualified) {
            out.push(qualified);
        }
    }
    out
}
