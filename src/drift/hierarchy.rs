//! Drift of where tables sit in a partition or inheritance hierarchy: the partition
//! key of a partitioned table, each partition's parent and bound, each inheritance
//! child's parents. Each item is named after its table, so `[drift] ignore` of the
//! table covers it. Keys and bounds compare in one spelling (`schema::partitions`);
//! the items show each side's own text.

use super::diff::{Difference, Kind};
use super::ignore::IgnoreList;
use crate::schema::model::Table;
use crate::schema::partitions::{bound_key, partition_key_key};
use crate::schema::SchemaModel;

/// One attribute of a table, compared by `key`, reported as `missing`/`unexpected`
/// when only one side has it and as `mismatch` when both do and differ.
struct Attribute {
    what: &'static str,
    missing: Kind,
    unexpected: Kind,
    mismatch: Kind,
    text: fn(&Table) -> Option<String>,
    key: fn(&str) -> String,
}

const ATTRIBUTES: [Attribute; 3] = [
    Attribute {
        what: "partition key",
        missing: Kind::MissingPartitionKey,
        unexpected: Kind::UnexpectedPartitionKey,
        mismatch: Kind::PartitionKeyMismatch,
        text: |t| t.partition_key.clone(),
        key: partition_key_key,
    },
    Attribute {
        what: "partition bound",
        missing: Kind::MissingPartitionBound,
        unexpected: Kind::UnexpectedPartitionBound,
        mismatch: Kind::PartitionBoundMismatch,
        text: |t| t.partition_of.as_ref().map(|p| p.describe()),
        key: partition_of_key,
    },
    Attribute {
        what: "inheritance",
        missing: Kind::MissingInheritance,
        unexpected: Kind::UnexpectedInheritance,
        mismatch: Kind::InheritanceMismatch,
        text: |t| {
            (!t.inherits.is_empty()).then(|| {
                let parents: Vec<String> = t.inherits.iter().map(|p| p.to_string()).collect();
                format!("INHERITS ({})", parents.join(", "))
            })
        },
        key: |s| s.to_string(),
    },
];

/// `PARTITION OF parent FOR VALUES …` with the bound as its key.
fn partition_of_key(described: &str) -> String {
    match described.split_once(" FOR VALUES ") {
        Some((head, bound)) => format!("{head} {}", bound_key(&format!("FOR VALUES {bound}"))),
        None => described.to_string(),
    }
}

/// The hierarchy items of the tables both sides have.
pub(super) fn diff_hierarchy(
    expected: &SchemaModel,
    live: &SchemaModel,
    ignore: &IgnoreList,
    out: &mut Vec<Difference>,
) {
    for (name, e) in &expected.tables {
        let Some(l) = live.tables.get(name) else {
            continue;
        };
        if ignore.skips(name) {
            continue;
        }
        let table = name.to_string();
        for a in &ATTRIBUTES {
            let (et, lt) = ((a.text)(e), (a.text)(l));
            let (kind, message) = match (&et, &lt) {
                (Some(x), Some(y)) if (a.key)(x) == (a.key)(y) => continue,
                (None, None) => continue,
                (Some(x), Some(y)) => (
                    a.mismatch,
                    format!(
                        "table {table} has {} {y} but the migrations give it {x}",
                        a.what
                    ),
                ),
                (Some(x), None) => (
                    a.missing,
                    format!(
                        "table {table} has no {} but the migrations give it {x}",
                        a.what
                    ),
                ),
                (None, Some(y)) => (
                    a.unexpected,
                    format!(
                        "table {table} has {} {y}, which the migrations do not give it",
                        a.what
                    ),
                ),
            };
            out.push(Difference {
                kind,
                object: table.clone(),
                table: Some(table.clone()),
                expected: et,
                actual: lt,
                message,
            });
        }
    }
}
