//! Drift of where tables sit in a partition or inheritance hierarchy: the partition
//! key of a partitioned table, each partition's parent and bound, each inheritance
//! child's parents. Each item is named after its table, so `[drift] ignore` of the
//! table covers it. Keys and bounds compare in one spelling (`schema::partitions`);
//! the items show each side's own text.

use super::diff::{d_on, Difference, Kind};
use super::ignore::IgnoreList;
use super::keyed::compared_tables;
use crate::schema::model::Table;
use crate::schema::partitions::{bounds_equal, partition_key_key};
use crate::schema::SchemaModel;

/// One attribute of a table, compared by `key`, reported as `missing`/`unexpected`
/// when only one side has it and as `mismatch` when both do and differ.
struct Attribute {
    what: &'static str,
    missing: Kind,
    unexpected: Kind,
    mismatch: Kind,
    text: fn(&Table) -> Option<String>,
    same: fn(&str, &str) -> bool,
}

const ATTRIBUTES: [Attribute; 3] = [
    Attribute {
        what: "partition key",
        missing: Kind::MissingPartitionKey,
        unexpected: Kind::UnexpectedPartitionKey,
        mismatch: Kind::PartitionKeyMismatch,
        text: |t| t.partition_key.clone(),
        same: |a, b| partition_key_key(a) == partition_key_key(b),
    },
    Attribute {
        what: "partition bound",
        missing: Kind::MissingPartitionBound,
        unexpected: Kind::UnexpectedPartitionBound,
        mismatch: Kind::PartitionBoundMismatch,
        text: |t| t.partition_of.as_ref().map(|p| p.describe()),
        same: same_partition_of,
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
        same: |a, b| a == b,
    },
];

/// Two `PARTITION OF parent <bound>` texts: the same parent, bounds equal.
fn same_partition_of(a: &str, b: &str) -> bool {
    let split = |d: &str| -> (String, String) {
        let rest = d.strip_prefix("PARTITION OF ").unwrap_or(d);
        match rest.find(" FOR VALUES ").or_else(|| rest.rfind(" DEFAULT")) {
            Some(i) => (rest[..i].to_string(), rest[i + 1..].to_string()),
            None => (rest.to_string(), String::new()),
        }
    };
    let ((pa, ba), (pb, bb)) = (split(a), split(b));
    pa == pb && bounds_equal(&ba, &bb)
}

/// The hierarchy items of the tables both sides have.
pub(super) fn diff_hierarchy(
    expected: &SchemaModel,
    live: &SchemaModel,
    ignore: &IgnoreList,
    out: &mut Vec<Difference>,
) {
    for (name, e, l) in compared_tables(expected, live, ignore) {
        let table = name.to_string();
        for a in &ATTRIBUTES {
            let (et, lt) = ((a.text)(e), (a.text)(l));
            let (kind, message) = match (&et, &lt) {
                (Some(x), Some(y)) if (a.same)(x, y) => continue,
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
            out.push(d_on(&table, kind, &table, et, lt, message));
        }
    }
}
