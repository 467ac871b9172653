//! Table storage: the storage parameters (`CREATE TABLE … WITH (fillfactor=70)`,
//! `ALTER TABLE … SET (…)` / `RESET (…)`, `toast.*` for the TOAST table) and the
//! persistence (`UNLOGGED`) of a table, kept apart from the columns and constraints
//! because PostgreSQL keeps them apart too (`pg_class.reloptions` of the table and of
//! its TOAST table, `relpersistence`).
//!
//! What PostgreSQL 15 does, observed on a scratch cluster:
//! - `reloptions` keeps each value as written (`autovacuum_enabled=off`, `0.20`,
//!   `1e-1`, `70.0`), a bare name as `=true`, the name folded; `SET` replaces a
//!   parameter already set (dropped from its place) and appends the new ones in the
//!   order written; `RESET` removes them;
//! - `toast.x` lands in the TOAST table's `reloptions` as `x`, and is silently
//!   discarded when the table has no TOAST table (only fixed-width columns), so a
//!   database cannot hold a `toast.*` parameter on such a table;
//! - `WITH (oids = false)` is accepted and stores nothing.
//!
//! Both producers keep the parameters as written (so `schema --format sql` rebuilds
//! the same `reloptions`); drift compares them by [`parameter_key`], where the
//! spellings of one value (`off`/`false`/`no`/`0`, `70`/`70.0`) are one.

use serde::Serialize;

/// Storage parameters and persistence of one table.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TableStorage {
    /// `name=value` as `reloptions` keeps them, the TOAST table's prefixed `toast.`;
    /// in PostgreSQL's order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub parameters: Vec<String>,
    /// `CREATE UNLOGGED TABLE`, `ALTER TABLE … SET UNLOGGED` (`relpersistence = 'u'`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub unlogged: bool,
    /// Whether the table has a TOAST table: known for a live table only (`None` from
    /// replay). Without one, `toast.*` parameters cannot exist and are not compared.
    #[serde(skip)]
    pub toast_table: Option<bool>,
}

/// Two storages are equal when their parameters and persistence are: `toast_table`
/// is a fact about the live catalog (replay never knows it), not part of what a
/// table is, so a replayed table equals its live self.
impl PartialEq for TableStorage {
    fn eq(&self, other: &Self) -> bool {
        self.parameters == other.parameters && self.unlogged == other.unlogged
    }
}

impl Eq for TableStorage {}

impl TableStorage {
    pub fn is_default(&self) -> bool {
        self.parameters.is_empty() && !self.unlogged
    }

    /// `ALTER TABLE … SET (…)`: a parameter set again leaves its place, the new ones
    /// are appended in order (as PostgreSQL's `transformRelOptions` does).
    pub fn set(&mut self, parameters: &[String]) {
        for p in parameters {
            let name = parameter_name(p);
            if name == "oids" {
                continue;
            }
            self.parameters.retain(|o| parameter_name(o) != name);
            self.parameters.push(p.clone());
        }
    }

    /// `ALTER TABLE … RESET (…)`.
    pub fn reset(&mut self, names: &[String]) {
        self.parameters
            .retain(|o| !names.iter().any(|n| n == parameter_name(o)));
    }

    /// The parameters as drift compares them: each by [`parameter_key`], sorted (the
    /// order is PostgreSQL's bookkeeping, not a property), `toast.*` left out where
    /// `toast_table` says there is no TOAST table to hold them.
    pub fn compared_parameters(&self, toast_table: Option<bool>) -> Vec<String> {
        let mut keys: Vec<String> = self
            .parameters
            .iter()
            .filter(|p| toast_table != Some(false) || !parameter_name(p).starts_with("toast."))
            .map(|p| parameter_key(p))
            .collect();
        keys.sort();
        keys
    }

    /// What `CREATE … TABLE` says of the persistence: `UNLOGGED ` or nothing.
    pub fn create_keyword(&self) -> &'static str {
        if self.unlogged {
            "UNLOGGED "
        } else {
            ""
        }
    }

    /// The ` WITH (…)` clause rebuilding the parameters as stored, or nothing.
    pub fn with_clause(&self) -> String {
        if self.parameters.is_empty() {
            String::new()
        } else {
            format!(" WITH ({})", super::model::storage_sql(&self.parameters))
        }
    }

    /// How drift prints the storage: `UNLOGGED, WITH (fillfactor=70)`, `default`.
    pub fn describe(&self, toast_table: Option<bool>) -> String {
        let parameters = self.compared_parameters(toast_table);
        let mut parts = Vec::new();
        if self.unlogged {
            parts.push("UNLOGGED".to_string());
        }
        if !parameters.is_empty() {
            parts.push(format!("WITH ({})", parameters.join(", ")));
        }
        if parts.is_empty() {
            "default".to_string()
        } else {
            parts.join(", ")
        }
    }
}

/// The name of a `name=value` parameter.
pub fn parameter_name(parameter: &str) -> &str {
    parameter.split_once('=').map_or(parameter, |(n, _)| n)
}

/// PostgreSQL's boolean storage parameters (tables, their TOAST tables, indexes):
/// any spelling `parse_bool` accepts is one value.
const BOOLEAN_PARAMETERS: &[&str] = &[
    "autovacuum_enabled",
    "vacuum_truncate",
    "user_catalog_table",
    "fastupdate",
    "deduplicate_items",
    "autosummarize",
];

/// A parameter as drift compares it: a boolean one's value as `true`/`false` (any
/// unique prefix of `true`/`false`/`yes`/`no`, `on`/`off`, `1`/`0`, as PostgreSQL's
/// `parse_bool` reads it), a number's as its value (`70.0` is `70`), any other lower
/// case (enum values such as `buffering=AUTO` are matched without case).
pub fn parameter_key(parameter: &str) -> String {
    let Some((name, value)) = parameter.split_once('=') else {
        return parameter.to_string();
    };
    let bare = name.rsplit('.').next().unwrap_or(name);
    let value = value.trim().to_ascii_lowercase();
    let key = if BOOLEAN_PARAMETERS.contains(&bare) {
        parse_bool(&value).map_or(value, |b| b.to_string())
    } else {
        match value.parse::<f64>() {
            Ok(n) if n.is_finite() => n.to_string(),
            _ => value,
        }
    };
    format!("{name}={key}")
}

/// PostgreSQL's `parse_bool` (src/backend/utils/adt/bool.c).
fn parse_bool(value: &str) -> Option<bool> {
    let prefix_of = |word: &str| !value.is_empty() && word.starts_with(value);
    match value {
        "1" => Some(true),
        "0" => Some(false),
        "on" => Some(true),
        "of" | "off" => Some(false),
        _ if prefix_of("true") || prefix_of("yes") => Some(true),
        _ if prefix_of("false") || prefix_of("no") => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn whether_a_toast_table_exists_is_no_part_of_equality() {
        let replayed = TableStorage {
            parameters: strings(&["fillfactor=70"]),
            ..Default::default()
        };
        let live = TableStorage {
            toast_table: Some(true),
            ..replayed.clone()
        };
        assert_eq!(replayed, live);
        let changed = TableStorage {
            parameters: strings(&["fillfactor=80"]),
            ..live.clone()
        };
        assert_ne!(replayed, changed);
        let unlogged = TableStorage {
            unlogged: true,
            ..live
        };
        assert_ne!(replayed, unlogged);
    }

    #[test]
    fn set_replaces_in_place_of_appending_and_reset_removes() {
        let mut s = TableStorage {
            parameters: strings(&["fillfactor=80", "toast.autovacuum_enabled=off"]),
            ..Default::default()
        };
        s.set(&strings(&[
            "autovacuum_enabled=false",
            "fillfactor=90",
            "oids=false",
        ]));
        assert_eq!(
            s.parameters,
            strings(&[
                "toast.autovacuum_enabled=off",
                "autovacuum_enabled=false",
                "fillfactor=90"
            ])
        );
        s.reset(&strings(&[
            "toast.autovacuum_enabled",
            "fillfactor",
            "absent",
        ]));
        assert_eq!(s.parameters, strings(&["autovacuum_enabled=false"]));
    }

    #[test]
    fn spellings_of_one_value_compare_equal_and_others_do_not() {
        for (a, b) in [
            ("autovacuum_enabled=off", "autovacuum_enabled=false"),
            ("autovacuum_enabled=NO", "autovacuum_enabled=0"),
            ("toast.autovacuum_enabled=t", "toast.autovacuum_enabled=on"),
            ("fillfactor=70.0", "fillfactor=70"),
            (
                "autovacuum_vacuum_scale_factor=1e-1",
                "autovacuum_vacuum_scale_factor=0.10",
            ),
        ] {
            assert_eq!(parameter_key(a), parameter_key(b), "{a} / {b}");
        }
        for (a, b) in [
            ("autovacuum_enabled=off", "autovacuum_enabled=on"),
            ("fillfactor=70", "fillfactor=71"),
            ("fillfactor=70", "toast.fillfactor=70"),
            ("autovacuum_enabled=o", "autovacuum_enabled=off"),
        ] {
            assert_ne!(parameter_key(a), parameter_key(b), "{a} / {b}");
        }
    }

    #[test]
    fn toast_parameters_are_not_compared_without_a_toast_table() {
        let s = TableStorage {
            parameters: strings(&["toast.autovacuum_enabled=off", "fillfactor=70"]),
            ..Default::default()
        };
        assert_eq!(
            s.compared_parameters(Some(false)),
            strings(&["fillfactor=70"])
        );
        assert_eq!(s.compared_parameters(None).len(), 2);
        assert_eq!(
            s.describe(Some(true)),
            "WITH (fillfactor=70, toast.autovacuum_enabled=false)"
        );
    }
}
