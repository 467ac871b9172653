//! Table sizes and the server version, read from the catalog for size-aware risk
//! (`sizes`): one query for the sizes of the tables asked for, plus `SHOW
//! server_version_num`. Plain settings in (the session, table and schema names),
//! plain data out; nothing here reads the config or the environment.

use crate::db::connect::Session;
use crate::error::{Error, Result};
use crate::sizes::TableStats;
use std::collections::BTreeMap;

/// Sizes of ordinary, partitioned and materialised tables, by `(schema, name)`.
/// A partitioned table is summed over its partitions (`pg_partition_tree`: rows
/// over the leaves, bytes over the whole tree); its rows are unknown when any leaf
/// was never analysed. `reltuples = -1` (PostgreSQL 14+: never vacuumed or
/// analysed) is unknown, never 0. A table that does not exist is left out.
const SIZES: &str = "
SELECT n.nspname, c.relname, c.relkind = 'p' AS partitioned,
  CASE WHEN c.relkind = 'p' THEN
    (SELECT CASE WHEN bool_or(l.reltuples < 0) THEN NULL
                 ELSE coalesce(sum(l.reltuples), 0)::float8 END
       FROM pg_catalog.pg_partition_tree(c.oid) t
       JOIN pg_catalog.pg_class l ON l.oid = t.relid
      WHERE t.isleaf)
  ELSE CASE WHEN c.reltuples < 0 THEN NULL ELSE c.reltuples::float8 END
  END AS rows,
  CASE WHEN c.relkind = 'p' THEN
    (SELECT coalesce(sum(pg_catalog.pg_total_relation_size(t.relid)), 0)::int8
       FROM pg_catalog.pg_partition_tree(c.oid) t)
  ELSE pg_catalog.pg_total_relation_size(c.oid)
  END AS bytes
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'm')
  AND (n.nspname = ANY($1::text[])
       OR (n.nspname, c.relname) IN (SELECT s, t FROM unnest($2::text[], $3::text[]) AS u(s, t)))
ORDER BY 1, 2";

/// The sizes of every table in `schemas` and of each `(schema, table)` in `tables`
/// (one catalog query).
pub async fn table_stats(
    client: &Session,
    schemas: &[String],
    tables: &[(String, String)],
) -> Result<BTreeMap<(String, String), TableStats>> {
    let (table_schemas, table_names): (Vec<String>, Vec<String>) = tables.iter().cloned().unzip();
    let rows = client
        .run(
            "reading table sizes",
            client.query(SIZES, &[&schemas, &table_schemas, &table_names]),
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| {
            let rows: Option<f64> = r.get(3);
            let bytes: Option<i64> = r.get(4);
            (
                (r.get(0), r.get(1)),
                TableStats {
                    // reltuples is an estimate stored as a float; whole rows.
                    rows: rows.map(|v| v.max(0.0).round() as u64),
                    bytes: bytes.map(|b| b.max(0) as u64),
                    partitioned: r.get(2),
                },
            )
        })
        .collect())
}

/// `SHOW server_version_num` (e.g. `150004`).
pub async fn server_version_num(client: &Session) -> Result<u32> {
    let rows = client
        .run(
            "reading the server version",
            client.query("SHOW server_version_num", &[]),
        )
        .await?;
    let text: String = rows
        .first()
        .map(|r| r.get(0))
        .ok_or_else(|| Error::Database("SHOW server_version_num returned no row".into()))?;
    text.trim().parse().map_err(|_| {
        Error::Database(format!(
            "the server reported server_version_num `{text}`, which is not a number"
        ))
    })
}

/// The major version of a `server_version_num`: `150004` → 15, `90624` → 9
/// (before 10 the major was two numbers; 9.6 counts as 9 here, below every
/// version a rule distinguishes).
pub fn major_of(server_version_num: u32) -> u32 {
    server_version_num / 10_000
}

#[cfg(test)]
mod tests {
    #[test]
    fn major_version_of_server_version_num() {
        assert_eq!(super::major_of(150004), 15);
        assert_eq!(super::major_of(120000), 12);
        assert_eq!(super::major_of(90624), 9);
    }
}
