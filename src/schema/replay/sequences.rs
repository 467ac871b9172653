//! Replay of sequence DDL with PostgreSQL's defaults and bounds, and the spelling of a
//! sequence in the `nextval` defaults that follow its renames.

use super::Replayer;
use crate::ir::{QualifiedName, SequenceOptions};
use crate::schema::model::Sequence;

impl Replayer<'_> {
    pub(super) fn create_sequence(
        &mut self,
        name: &QualifiedName,
        options: &SequenceOptions,
        if_not_exists: bool,
    ) {
        if self.model.sequences.contains_key(name) {
            if !if_not_exists {
                self.conflict(
                    name.to_string(),
                    format!("CREATE SEQUENCE {name}: already exists"),
                );
            }
            return;
        }
        let data_type = options
            .data_type
            .as_deref()
            .map(|t| self.norm_type(t))
            .unwrap_or_else(|| "bigint".into());
        // PostgreSQL's defaults: an ascending sequence runs from 1 to the
        // type's maximum, a descending one from -1 down to its minimum, and
        // starts at the end it counts from.
        let (type_min, type_max) = sequence_type_bounds(&data_type);
        let increment = options.increment.unwrap_or(1);
        let ascending = increment > 0;
        let min = options
            .min_value
            .unwrap_or(if ascending { 1 } else { type_min });
        let max = options
            .max_value
            .unwrap_or(if ascending { type_max } else { -1 });
        self.model.sequences.insert(
            name.clone(),
            Sequence {
                comment: None,
                name: name.clone(),
                data_type,
                start: options.start.unwrap_or(if ascending { min } else { max }),
                increment,
                min_value: min,
                max_value: max,
                cache: options.cache.unwrap_or(1),
                cycle: options.cycle.unwrap_or(false),
                owned_by: options.owned_by.clone().flatten(),
            },
        );
    }

    pub(super) fn alter_sequence(
        &mut self,
        name: &QualifiedName,
        options: &SequenceOptions,
        new_name: &Option<QualifiedName>,
    ) {
        let Some(mut s) = self.model.sequences.remove(name) else {
            self.uncertain(
                name.to_string(),
                "ALTER SEQUENCE on a sequence migguard does not know".into(),
            );
            return;
        };
        let data_type = options.data_type.as_deref().map(|t| self.norm_type(t));
        apply_sequence_options(&mut s, options, data_type);
        self.model.sequences.insert(s.name.clone(), s);
        if let Some(n) = new_name {
            self.rename_sequence(name, n);
        }
    }

    pub(super) fn drop_sequence(&mut self, name: &QualifiedName, if_exists: bool) {
        if self.model.sequences.remove(name).is_none() && !if_exists {
            self.conflict(
                name.to_string(),
                format!("DROP SEQUENCE {name}: no such sequence"),
            );
        }
    }

    /// A sequence renamed (`ALTER SEQUENCE … RENAME TO`, or TypeORM's renameTable
    /// renaming a serial's sequence): `nextval` defaults name it by OID, so PostgreSQL
    /// prints them with the new name.
    pub(super) fn rename_sequence(&mut self, old: &QualifiedName, new: &QualifiedName) {
        let Some(mut s) = self.model.sequences.remove(old) else {
            return;
        };
        s.name = new.clone();
        self.model.sequences.insert(new.clone(), s);
        // As a default spells it (`normalize::canonical_expr`): unqualified in the
        // default schema or `public`, quoted where PostgreSQL quotes it.
        let spelled = |q: &QualifiedName| regclass_text(q, &self.ds);
        let (from, to) = (
            format!("nextval('{}'", spelled(old)),
            format!("nextval('{}'", spelled(new)),
        );
        for t in self.model.tables.values_mut() {
            for c in &mut t.columns {
                if let Some(d) = &mut c.default {
                    if d.contains(&from) {
                        *d = d.replace(&from, &to);
                    }
                }
            }
        }
    }
}

/// A sequence as PostgreSQL prints it in a `nextval('…'::regclass)` default
/// (`regclassout`): unqualified in the default schema or `public`, each part
/// double-quoted unless it is a plain lower-case identifier (`"User_id_seq"`, as
/// Prisma's `SERIAL` on table `"User"` gives). Keywords are not checked: a serial's
/// `<table>_<column>_seq` never is one.
pub(super) fn regclass_text(seq: &QualifiedName, default_schema: &str) -> String {
    let part = |p: &str| {
        let plain = p.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
            && p.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '$');
        if plain {
            p.to_string()
        } else {
            format!("\"{}\"", p.replace('"', "\"\""))
        }
    };
    if seq.schema == default_schema || seq.schema == "public" {
        part(&seq.name)
    } else {
        format!("{}.{}", part(&seq.schema), part(&seq.name))
    }
}

/// PostgreSQL's bounds of a sequence type.
fn sequence_type_bounds(data_type: &str) -> (i64, i64) {
    match data_type {
        "integer" => (i32::MIN as i64, i32::MAX as i64),
        "smallint" => (i16::MIN as i64, i16::MAX as i64),
        _ => (i64::MIN, i64::MAX),
    }
}

/// `ALTER SEQUENCE`'s options applied as PostgreSQL applies them: `AS` moves a bound
/// that was the old type's own limit to the new type's (and only such a bound);
/// `RESTART` changes the current value, not the recorded start.
fn apply_sequence_options(s: &mut Sequence, o: &SequenceOptions, data_type: Option<String>) {
    if let Some(t) = data_type {
        let (old_min, old_max) = sequence_type_bounds(&s.data_type);
        let (new_min, new_max) = sequence_type_bounds(&t);
        if s.max_value == old_max {
            s.max_value = new_max;
        }
        if s.min_value == old_min {
            s.min_value = new_min;
        }
        s.data_type = t;
    }
    if let Some(i) = o.increment {
        s.increment = i;
    }
    if let Some(v) = o.min_value {
        s.min_value = v;
    }
    if let Some(v) = o.max_value {
        s.max_value = v;
    }
    if let Some(v) = o.start {
        s.start = v;
    }
    if let Some(v) = o.cache {
        s.cache = v;
    }
    if let Some(v) = o.cycle {
        s.cycle = v;
    }
    if let Some(owner) = &o.owned_by {
        s.owned_by = owner.clone();
    }
}
