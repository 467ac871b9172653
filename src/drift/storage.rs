//! Drift of table storage (`schema::storage`): storage parameters and persistence,
//! compared on every table both sides hold as one `storage-mismatch` item per table.
//! Parameters compare by value (`off` is `false`, `70.0` is `70`) and in any order;
//! a `toast.*` parameter is compared only where the live table has a TOAST table,
//! since PostgreSQL discards it on a table without one.

use super::diff::{d_on, Difference, Kind};
use super::ignore::IgnoreList;
use super::keyed::compared_tables;
use crate::schema::SchemaModel;

/// Storage differences on the tables present on both sides.
pub(super) fn diff_storage(
    expected: &SchemaModel,
    live: &SchemaModel,
    ignore: &IgnoreList,
    out: &mut Vec<Difference>,
) {
    for (name, e, l) in compared_tables(expected, live, ignore) {
        let toast = l.storage.toast_table;
        let (es, ls) = (&e.storage, &l.storage);
        if es.unlogged == ls.unlogged
            && es.compared_parameters(toast) == ls.compared_parameters(toast)
        {
            continue;
        }
        let table = name.to_string();
        let (de, dl) = (es.describe(toast), ls.describe(toast));
        let message = format!("table {table} has storage {dl} but the migrations give it {de}");
        out.push(d_on(
            &table,
            Kind::StorageMismatch,
            &table,
            Some(de),
            Some(dl),
            message,
        ));
    }
}
