//! The one walk every drift comparison of named objects makes: pair the expected
//! and the live objects by name, so each comparison (tables, constraints, indexes,
//! types, views, sequences, functions, triggers, policies) only says what a missing,
//! differing or unexpected object is, and never repeats the pairing.

use super::ignore::IgnoreList;
use crate::ir::QualifiedName;
use crate::schema::model::Table;
use crate::schema::SchemaModel;
use std::collections::BTreeMap;

/// Where a named object is: only in the schema the migrations produce, on both
/// sides, or only in the live database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Presence<'a, V> {
    Missing(&'a V),
    Both { expected: &'a V, live: &'a V },
    Unexpected(&'a V),
}

impl<'a, V> Presence<'a, V> {
    /// The object as the side that decides it sees it (the expected one when both
    /// have it): what an ignore pattern or a skipped owner is checked on.
    pub(super) fn object(&self) -> &'a V {
        match *self {
            Presence::Missing(e) | Presence::Both { expected: e, .. } => e,
            Presence::Unexpected(l) => l,
        }
    }
}

/// Every name of `expected` (missing or on both sides), in key order, then every
/// name only `live` has, in key order.
pub(super) fn paired<'a, K: Ord, V>(
    expected: &'a BTreeMap<K, V>,
    live: &'a BTreeMap<K, V>,
) -> impl Iterator<Item = (&'a K, Presence<'a, V>)> {
    let ours = expected.iter().map(move |(key, e)| {
        let presence = match live.get(key) {
            Some(l) => Presence::Both {
                expected: e,
                live: l,
            },
            None => Presence::Missing(e),
        };
        (key, presence)
    });
    let theirs = live
        .iter()
        .filter(move |(key, _)| !expected.contains_key(key))
        .map(|(key, l)| (key, Presence::Unexpected(l)));
    ours.chain(theirs)
}

/// The objects both sides hold, as `(key, expected, live)`: what is compared inside
/// an object (its comment) once the object itself is known to be on both sides.
pub(super) fn on_both_sides<'a, K: Ord, V>(
    expected: &'a BTreeMap<K, V>,
    live: &'a BTreeMap<K, V>,
) -> impl Iterator<Item = (&'a K, &'a V, &'a V)> {
    expected
        .iter()
        .filter_map(move |(key, e)| live.get(key).map(|l| (key, e, l)))
}

/// The tables both sides hold that `ignore` does not skip, as `(name, expected,
/// live)`: where every comparison inside a table (hierarchy, storage, triggers, row
/// security, comments) starts, so all of them leave out the same tables. A missing
/// or unexpected table is reported once, as the table, by the table diff.
pub(super) fn compared_tables<'a>(
    expected: &'a SchemaModel,
    live: &'a SchemaModel,
    ignore: &'a IgnoreList,
) -> impl Iterator<Item = (&'a QualifiedName, &'a Table, &'a Table)> {
    on_both_sides(&expected.tables, &live.tables).filter(move |(name, _, _)| !ignore.skips(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_each_name_once_expected_side_first() {
        let expected = BTreeMap::from([("a", 1), ("b", 2), ("d", 4)]);
        let live = BTreeMap::from([("b", 20), ("c", 3), ("d", 4)]);
        let got: Vec<_> = paired(&expected, &live).collect();
        assert_eq!(
            got,
            [
                (&"a", Presence::Missing(&1)),
                (
                    &"b",
                    Presence::Both {
                        expected: &2,
                        live: &20
                    }
                ),
                (
                    &"d",
                    Presence::Both {
                        expected: &4,
                        live: &4
                    }
                ),
                (&"c", Presence::Unexpected(&3)),
            ]
        );
        let sides: Vec<i32> = got.iter().map(|(_, p)| *p.object()).collect();
        assert_eq!(sides, [1, 2, 4, 3]);
    }

    #[test]
    fn compared_tables_are_those_both_sides_hold_less_the_skipped_ones() {
        let model = |names: &[&str]| SchemaModel {
            tables: names
                .iter()
                .map(|n| {
                    let name = QualifiedName::new("public", *n);
                    (name.clone(), Table::new(name))
                })
                .collect(),
            ..SchemaModel::default()
        };
        let expected = model(&["only_ours", "shared", "tmp_shared"]);
        let live = model(&["shared", "tmp_shared", "only_theirs"]);
        let ignore = IgnoreList::new("migrations", "public", &["public.tmp_*".into()]);
        let got: Vec<String> = compared_tables(&expected, &live, &ignore)
            .map(|(name, e, l)| {
                assert!(e.name == *name && l.name == *name);
                name.to_string()
            })
            .collect();
        assert_eq!(got, ["public.shared"]);
    }
}
