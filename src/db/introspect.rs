//! Introspection: the live schema from pg_catalog into the same model the replayer
//! builds (read-only; `search_path = ''` so every type and function name is
//! qualified the same way every time), normalised by `schema::normalize`.
//!
//! The queries follow a set tested against PostgreSQL: extension-owned objects
//! are left out, indexes that back a PK/UNIQUE/EXCLUDE constraint are reported once
//! (as the constraint), identity columns' internal sequences are not listed.

use crate::db::connect::Session;
use crate::error::Result;
use crate::ir::{ConstraintKind, Identity, QualifiedName};
use crate::schema::model::{
    Attribute, Column, CompositeType, Constraint, EnumType, Extension, Index, PartitionOf,
    SchemaModel, Sequence, Table, View,
};
use crate::schema::normalize::{canonical_expr, index_key, normalize_type, DefaultCanon};
use crate::schema::objects::{
    quote_ident, routine_key, split_arguments, transition_table, unqualify_default, Function,
    Policy, RoutineKind, Trigger,
};
use std::collections::BTreeMap;

fn split_qualified(s: &str, ds: &str) -> QualifiedName {
    let parts: Vec<&str> = s.split('.').collect();
    let unq = |p: &str| p.trim_matches('"').to_string();
    match parts.as_slice() {
        [a, b] => QualifiedName::new(unq(a), unq(b)),
        _ => QualifiedName::new(ds, unq(s)),
    }
}

fn fk_action(c: i8) -> Option<String> {
    match c as u8 {
        b'r' => Some("RESTRICT".into()),
        b'c' => Some("CASCADE".into()),
        b'n' => Some("SET NULL".into()),
        b'd' => Some("SET DEFAULT".into()),
        _ => None,
    }
}

/// Introspect `schemas` (the first one is the default schema for normalisation).
/// The database's own schemas: not PostgreSQL's (`pg_*`, `information_schema`) and
/// not created by an extension. Sorted.
pub async fn user_schemas(client: &Session) -> Result<Vec<String>> {
    let rows = client
        .run(
            "introspecting schemas",
            client.query(
                "SELECT n.nspname FROM pg_catalog.pg_namespace n
             WHERE n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
               AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                               WHERE d.classid = 'pg_catalog.pg_namespace'::regclass
                                 AND d.objid = n.oid AND d.deptype = 'e')
             ORDER BY 1",
                &[],
            ),
        )
        .await?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

pub async fn introspect(client: &Session, schemas: &[String]) -> Result<SchemaModel> {
    let ds = schemas.first().cloned().unwrap_or_else(|| "public".into());
    client
        .run(
            "introspecting session",
            client.batch_execute("SET search_path = ''"),
        )
        .await?;
    let mut m = SchemaModel::default();
    let schema_rows = client
        .run(
            "introspecting schemas",
            client.query(
                "SELECT n.nspname FROM pg_catalog.pg_namespace n WHERE n.nspname = ANY($1)",
                &[&schemas],
            ),
        )
        .await?;
    for r in schema_rows {
        m.schemas.insert(r.get(0));
    }
    // Enums first: types are normalised against them.
    let enum_rows = client
        .run(
            "introspecting enums",
            client.query(
            "SELECT n.nspname, t.typname, array_agg(e.enumlabel::text ORDER BY e.enumsortorder)
             FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
             JOIN pg_catalog.pg_enum e ON e.enumtypid = t.oid
             WHERE t.typtype = 'e' AND n.nspname = ANY($1)
               AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e')
             GROUP BY n.nspname, t.typname",
            &[&schemas],
        ),
        )
        .await?;
    for r in enum_rows {
        let name = QualifiedName::new(r.get::<_, String>(0), r.get::<_, String>(1));
        m.enums.insert(
            name.clone(),
            EnumType {
                comment: None,
                name,
                labels: r.get(2),
            },
        );
    }
    let enums = m.enums.clone();
    let is_user = |s: &str, n: &str| enums.contains_key(&QualifiedName::new(s, n));
    let norm = |t: &str| normalize_type(t, &ds, &is_user);

    // Composite types: pg_type rows of typtype 'c' whose relation is a composite
    // (relkind 'c'), not the row type every table and view has.
    let composite_rows = client
        .run(
            "introspecting composite types",
            client.query(
            "SELECT n.nspname, t.typname, a.attname::text,
                    pg_catalog.format_type(a.atttypid, a.atttypmod)
             FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
             JOIN pg_catalog.pg_class c ON c.oid = t.typrelid AND c.relkind = 'c'
             JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
             WHERE t.typtype = 'c' AND n.nspname = ANY($1)
               AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e')
             ORDER BY n.nspname, t.typname, a.attnum",
            &[&schemas],
        ),
        )
        .await?;
    for r in composite_rows {
        let name = QualifiedName::new(r.get::<_, String>(0), r.get::<_, String>(1));
        m.composites
            .entry(name.clone())
            .or_insert_with(|| CompositeType {
                comment: None,
                name,
                attributes: Vec::new(),
            })
            .attributes
            .push(Attribute {
                name: r.get(2),
                data_type: norm(&r.get::<_, String>(3)),
            });
    }

    let rels = client
        .run(
            "introspecting relations",
            client.query(
            "SELECT c.oid, n.nspname, c.relname, c.relkind::text,
                    CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) END,
                    CASE WHEN c.relkind IN ('v','m') THEN pg_catalog.pg_get_viewdef(c.oid, true) END,
                    CASE WHEN c.relispartition THEN pg_catalog.pg_get_expr(c.relpartbound, c.oid) END,
                    ARRAY(SELECT pn.nspname::text FROM pg_catalog.pg_inherits h JOIN pg_catalog.pg_class p ON p.oid = h.inhparent
                            JOIN pg_catalog.pg_namespace pn ON pn.oid = p.relnamespace WHERE h.inhrelid = c.oid ORDER BY h.inhseqno),
                    ARRAY(SELECT p.relname::text FROM pg_catalog.pg_inherits h JOIN pg_catalog.pg_class p ON p.oid = h.inhparent
                            WHERE h.inhrelid = c.oid ORDER BY h.inhseqno)
             FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
             WHERE c.relkind IN ('r','p','v','m','f') AND n.nspname = ANY($1)
               AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
             ORDER BY 2, 3",
            &[&schemas],
        ),
        )
        .await?;
    let mut by_oid: BTreeMap<u32, QualifiedName> = BTreeMap::new();
    let mut views_by_oid: BTreeMap<u32, QualifiedName> = BTreeMap::new();
    // Indexes can sit on materialized views too.
    let mut index_owners: BTreeMap<u32, QualifiedName> = BTreeMap::new();
    for r in rels {
        let oid: u32 = r.get(0);
        let name = QualifiedName::new(r.get::<_, String>(1), r.get::<_, String>(2));
        let kind: String = r.get(3);
        match kind.as_str() {
            "v" | "m" => {
                if kind == "m" {
                    index_owners.insert(oid, name.clone());
                }
                views_by_oid.insert(oid, name.clone());
                m.views.insert(
                    name.clone(),
                    View {
                        comment: None,
                        name,
                        materialized: kind == "m",
                        definition: r.get(5),
                        columns: Some(Vec::new()),
                        column_comments: Default::default(),
                    },
                );
            }
            _ => {
                let bound: Option<String> = r.get(6);
                let parents: Vec<QualifiedName> = r
                    .get::<_, Vec<String>>(7)
                    .into_iter()
                    .zip(r.get::<_, Vec<String>>(8))
                    .map(|(schema, name)| QualifiedName::new(schema, name))
                    .collect();
                let (partition_of, inherits) = match (bound, parents.first()) {
                    (Some(bound), Some(parent)) => (
                        Some(PartitionOf {
                            parent: parent.clone(),
                            bound,
                        }),
                        Vec::new(),
                    ),
                    _ => (None, parents),
                };
                m.tables.insert(
                    name.clone(),
                    Table {
                        partition_key: r.get(4),
                        partition_of,
                        inherits,
                        ..Table::new(name.clone())
                    },
                );
                index_owners.insert(oid, name.clone());
                by_oid.insert(oid, name);
            }
        }
    }
    let oids: Vec<u32> = by_oid.keys().chain(views_by_oid.keys()).copied().collect();
    // A default cannot refer to a column, so it is printed without the table as
    // context (relid 0): the same text, but `pg_get_expr` with a relid opens the
    // table and names all its columns on every call, which made this the costliest
    // catalog query (1,000 tables / 21,000 columns: ~180 ms of server CPU against
    // ~65 ms). A generated column's expression does name columns: it keeps the table.
    let cols = client
        .run(
            "introspecting columns",
            client.query(
            "SELECT a.attrelid, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull, a.attidentity::text, a.attgenerated::text,
                    pg_catalog.pg_get_expr(ad.adbin, CASE WHEN a.attgenerated = '' THEN 0::pg_catalog.oid ELSE ad.adrelid END),
                    CASE WHEN a.attcollation <> t.typcollation THEN co.collname::text END,
                    ds.description
             FROM pg_catalog.pg_attribute a
             JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
             LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation
             LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
             LEFT JOIN pg_catalog.pg_description ds ON ds.objoid = a.attrelid
                  AND ds.classoid = 'pg_catalog.pg_class'::regclass AND ds.objsubid = a.attnum
             WHERE a.attrelid = ANY($1) AND a.attnum > 0 AND NOT a.attisdropped
             ORDER BY a.attrelid, a.attnum",
            &[&oids],
        ),
        )
        .await?;
    let mut defaults = DefaultCanon::new(&ds);
    for r in cols {
        let oid: u32 = r.get(0);
        if let Some(v) = views_by_oid.get(&oid).and_then(|n| m.views.get_mut(n)) {
            v.columns.get_or_insert_with(Vec::new).push(r.get(1));
            if let Some(comment) = r.get::<_, Option<String>>(8) {
                v.column_comments.insert(r.get(1), comment);
            }
            continue;
        }
        let Some(t) = by_oid.get(&oid).and_then(|n| m.tables.get_mut(n)) else {
            continue;
        };
        let identity: String = r.get(4);
        let generated: String = r.get(5);
        let expr: Option<String> = r.get(6);
        let default = if generated.is_empty() {
            defaults.get(expr.as_deref())
        } else {
            None
        };
        // A stored `NULL::type` default: no default to drift, written back by `schema`.
        let null_default = generated.is_empty() && expr.is_some() && default.is_none();
        t.columns.push(Column {
            comment: r.get(8),
            name: r.get(1),
            data_type: norm(&r.get::<_, String>(2)),
            not_null: r.get(3),
            default,
            null_default,
            identity: match identity.as_str() {
                "a" => Some(Identity::Always),
                "d" => Some(Identity::ByDefault),
                _ => None,
            },
            generated: if generated.is_empty() {
                None
            } else {
                expr.map(|e| canonical_expr(&e, &ds))
            },
            collation: r.get(7),
        });
    }
    // The whole definition is read only where the columns above do not say it all
    // (UNIQUE's NULLS NOT DISTINCT, an exclusion constraint): printing it for every
    // primary and foreign key was a third of this query's server time.
    let cons = client
        .run(
            "introspecting constraints",
            client.query(
            "SELECT con.conrelid, con.conname, con.contype::text, con.convalidated, con.condeferrable, con.condeferred,
                    (SELECT array_agg(a.attname::text ORDER BY k.ord) FROM unnest(con.conkey) WITH ORDINALITY k(attnum, ord)
                       JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum),
                    NULLIF(con.confrelid, 0)::regclass::text,
                    (SELECT array_agg(a.attname::text ORDER BY k.ord) FROM unnest(con.confkey) WITH ORDINALITY k(attnum, ord)
                       JOIN pg_catalog.pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum),
                    con.confupdtype::text, con.confdeltype::text,
                    CASE WHEN con.contype = 'c' THEN pg_catalog.pg_get_expr(con.conbin, con.conrelid, true) END,
                    CASE WHEN con.contype IN ('u', 'x') THEN pg_catalog.pg_get_constraintdef(con.oid, true) END
             FROM pg_catalog.pg_constraint con WHERE con.conrelid = ANY($1) AND con.contype IN ('p','u','f','c','x')
               -- Not the clones PostgreSQL puts on partitions nor the CHECKs a child only
               -- inherits: replay leaves them out too (`schema::replay::partitions`).
               AND con.conparentid = 0 AND con.conislocal",
            &[&oids],
        ),
        )
        .await?;
    for r in cons {
        let Some(t) = table_of_row(&by_oid, &mut m, &r) else {
            continue;
        };
        let columns: Vec<String> = r.get::<_, Option<Vec<String>>>(6).unwrap_or_default();
        let ty: String = r.get(2);
        let action = |s: String| fk_action(s.as_bytes().first().copied().unwrap_or(b'a') as i8);
        let kind = match ty.as_str() {
            "p" => ConstraintKind::PrimaryKey { columns },
            "u" => ConstraintKind::Unique {
                columns,
                nulls_not_distinct: r.get::<_, String>(12).contains("NULLS NOT DISTINCT"),
            },
            "f" => ConstraintKind::ForeignKey {
                columns,
                ref_table: split_qualified(&r.get::<_, Option<String>>(7).unwrap_or_default(), &ds),
                ref_columns: r.get::<_, Option<Vec<String>>>(8).unwrap_or_default(),
                on_update: action(r.get(9)),
                on_delete: action(r.get(10)),
            },
            "c" => ConstraintKind::Check {
                expr: canonical_expr(&r.get::<_, Option<String>>(11).unwrap_or_default(), &ds),
            },
            _ => ConstraintKind::Exclusion {
                definition: r.get(12),
            },
        };
        let name: String = r.get(1);
        t.constraints.insert(
            name.clone(),
            Constraint {
                comment: None,
                name,
                kind,
                validated: r.get(3),
                deferrable: r.get(4),
                initially_deferred: r.get(5),
                index_comment: None,
            },
        );
    }
    let idx = client
        .run(
            "introspecting indexes",
            client.query(
            "SELECT i.indrelid, n.nspname, ic.relname, am.amname, i.indisunique, i.indnkeyatts,
                    ARRAY(SELECT pg_catalog.pg_get_indexdef(i.indexrelid, k, true) FROM generate_series(1, i.indnatts) k),
                    pg_catalog.pg_get_expr(i.indpred, i.indrelid, true), i.indnullsnotdistinct,
                    ic.reloptions,
                    i.indoption::int2[],
                    i.indkey::int2[],
                    ARRAY(SELECT CASE WHEN oc.opcdefault THEN '' ELSE oc.opcname::text END
                          FROM unnest(i.indclass::oid[]) WITH ORDINALITY AS u(opc, k)
                          JOIN pg_catalog.pg_opclass oc ON oc.oid = u.opc
                          ORDER BY u.k)
             FROM pg_catalog.pg_index i
             JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
             JOIN pg_catalog.pg_namespace n ON n.oid = ic.relnamespace
             JOIN pg_catalog.pg_am am ON am.oid = ic.relam
             WHERE i.indrelid = ANY($1)
               AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint con WHERE con.conindid = i.indexrelid AND con.contype IN ('p','u','x'))
               -- Nor a partition's clone of its parent's index (attached to it).
               AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_inherits h WHERE h.inhrelid = i.indexrelid)",
            &[&index_owners.keys().copied().collect::<Vec<u32>>()],
        ),
        )
        .await?;
    for r in idx {
        let Some(table) = index_owners.get(&r.get::<_, u32>(0)).cloned() else {
            continue;
        };
        let nkey = r.get::<_, i16>(5) as usize;
        let all: Vec<String> = r.get(6);
        let options: Vec<i16> = r.get(10);
        let attnums: Vec<i16> = r.get(11);
        let opclasses: Vec<String> = r.get(12);
        let keys = all
            .iter()
            .take(nkey)
            .enumerate()
            .map(|(i, k)| {
                // indoption bit 0 = DESC, bit 1 = NULLS FIRST; attnum 0 = expression.
                let option = options.get(i).copied().unwrap_or(0);
                index_key(
                    k,
                    attnums.get(i).is_none_or(|a| *a == 0),
                    opclasses
                        .get(i)
                        .map(String::as_str)
                        .filter(|o| !o.is_empty()),
                    option & 1 == 1,
                    Some(option & 2 == 2),
                    &ds,
                )
            })
            .collect();
        let name = QualifiedName::new(r.get::<_, String>(1), r.get::<_, String>(2));
        m.indexes.insert(
            name.clone(),
            Index {
                comment: None,
                name,
                table,
                unique: r.get(4),
                method: r.get(3),
                keys,
                include: all
                    .iter()
                    .skip(nkey)
                    .map(|s| s.trim_matches('"').to_string())
                    .collect(),
                predicate: r
                    .get::<_, Option<String>>(7)
                    .map(|p| canonical_expr(&p, &ds)),
                nulls_not_distinct: r.get(8),
                storage: r.get::<_, Option<Vec<String>>>(9).unwrap_or_default(),
            },
        );
    }
    let seqs = client
        .run(
            "introspecting sequences",
            client.query(
            "SELECT n.nspname, c.relname, pg_catalog.format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache, s.seqcycle,
                    d.deptype::text, d.refobjid::regclass::text, a.attname::text
             FROM pg_catalog.pg_sequence s
             JOIN pg_catalog.pg_class c ON c.oid = s.seqrelid
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
             LEFT JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = s.seqrelid
                  AND d.refclassid = 'pg_catalog.pg_class'::regclass AND d.deptype IN ('a','i')
             LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
             WHERE n.nspname = ANY($1)
               AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend x WHERE x.classid = 'pg_catalog.pg_class'::regclass AND x.objid = s.seqrelid AND x.deptype = 'e')",
            &[&schemas],
        ),
        )
        .await?;
    for r in seqs {
        let dep: Option<String> = r.get(9);
        if dep.as_deref() == Some("i") {
            continue; // identity column's internal sequence: part of the column
        }
        let name = QualifiedName::new(r.get::<_, String>(0), r.get::<_, String>(1));
        let owner: Option<String> = r.get(10);
        let owned_by = match (owner, r.get::<_, Option<String>>(11)) {
            (Some(t), Some(c)) => Some((split_qualified(&t, &ds), c)),
            _ => None,
        };
        m.sequences.insert(
            name.clone(),
            Sequence {
                comment: None,
                name,
                data_type: r.get(2),
                start: r.get(3),
                increment: r.get(4),
                min_value: r.get(5),
                max_value: r.get(6),
                cache: r.get(7),
                cycle: r.get(8),
                owned_by,
            },
        );
    }
    let exts = client
        .run(
            "introspecting extensions",
            client.query("SELECT e.extname, n.nspname, e.extversion FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace WHERE e.extname <> 'plpgsql'", &[]),
        )
        .await?;
    for r in exts {
        let name: String = r.get(0);
        m.extensions.insert(
            name.clone(),
            Extension {
                comment: None,
                name,
                schema: Some(r.get(1)),
                version: Some(r.get(2)),
            },
        );
    }
    introspect_functions(client, schemas, &ds, &mut m).await?;
    introspect_triggers(client, &by_oid, &ds, &mut m).await?;
    introspect_row_security(client, &by_oid, &ds, &mut m).await?;
    introspect_table_storage(client, &by_oid, &mut m).await?;
    introspect_comments(client, schemas, &ds, &mut m).await?;
    Ok(m)
}

/// Comments (`pg_description`) on the objects the model holds, one query (a column's
/// comes with the column, read by its index lookup): each row names its object the
/// way the model keys it (a view's column's with the column too, the index behind a
/// constraint's on the constraint). Comments on what the model does not hold (a row
/// type, a domain) are left out, as replay leaves them out.
async fn introspect_comments(
    client: &Session,
    schemas: &[String],
    ds: &str,
    m: &mut SchemaModel,
) -> Result<()> {
    let rows = client
        .run(
            "introspecting comments",
            client.query(
                "SELECT 'relation', n.nspname, c.relname, NULL::text, d.description
                 FROM pg_catalog.pg_description d
                 JOIN pg_catalog.pg_class c ON c.oid = d.objoid
                 JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                 WHERE d.classoid = 'pg_catalog.pg_class'::regclass AND d.objsubid = 0 AND n.nspname = ANY($1)

                 UNION ALL
                 SELECT 'constraint', n.nspname, c.relname, o.conname::text, d.description
                 FROM pg_catalog.pg_description d
                 JOIN pg_catalog.pg_constraint o ON o.oid = d.objoid
                 JOIN pg_catalog.pg_class c ON c.oid = o.conrelid
                 JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                 WHERE d.classoid = 'pg_catalog.pg_constraint'::regclass AND n.nspname = ANY($1)
                 UNION ALL
                 SELECT 'constraint index', n.nspname, c.relname, o.conname::text, d.description
                 FROM pg_catalog.pg_description d
                 JOIN pg_catalog.pg_constraint o ON o.conindid = d.objoid AND o.contype IN ('p', 'u', 'x')
                 JOIN pg_catalog.pg_class c ON c.oid = o.conrelid
                 JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                 WHERE d.classoid = 'pg_catalog.pg_class'::regclass AND d.objsubid = 0 AND n.nspname = ANY($1)
                 UNION ALL
                 SELECT 'trigger', n.nspname, c.relname, t.tgname::text, d.description
                 FROM pg_catalog.pg_description d
                 JOIN pg_catalog.pg_trigger t ON t.oid = d.objoid
                 JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid
                 JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                 WHERE d.classoid = 'pg_catalog.pg_trigger'::regclass AND n.nspname = ANY($1)
                 UNION ALL
                 SELECT 'policy', n.nspname, c.relname, p.polname::text, d.description
                 FROM pg_catalog.pg_description d
                 JOIN pg_catalog.pg_policy p ON p.oid = d.objoid
                 JOIN pg_catalog.pg_class c ON c.oid = p.polrelid
                 JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                 WHERE d.classoid = 'pg_catalog.pg_policy'::regclass AND n.nspname = ANY($1)
                 UNION ALL
                 SELECT 'type', n.nspname, t.typname, NULL, d.description
                 FROM pg_catalog.pg_description d
                 JOIN pg_catalog.pg_type t ON t.oid = d.objoid
                 JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
                 WHERE d.classoid = 'pg_catalog.pg_type'::regclass AND n.nspname = ANY($1)
                 UNION ALL
                 SELECT 'function', n.nspname, p.proname, pg_catalog.oidvectortypes(p.proargtypes), d.description
                 FROM pg_catalog.pg_description d
                 JOIN pg_catalog.pg_proc p ON p.oid = d.objoid
                 JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
                 WHERE d.classoid = 'pg_catalog.pg_proc'::regclass AND n.nspname = ANY($1)
                 UNION ALL
                 SELECT 'schema', n.nspname, NULL, NULL, d.description
                 FROM pg_catalog.pg_description d
                 JOIN pg_catalog.pg_namespace n ON n.oid = d.objoid
                 WHERE d.classoid = 'pg_catalog.pg_namespace'::regclass AND n.nspname = ANY($1)
                 UNION ALL
                 SELECT 'extension', NULL, e.extname, NULL, d.description
                 FROM pg_catalog.pg_description d
                 JOIN pg_catalog.pg_extension e ON e.oid = d.objoid
                 WHERE d.classoid = 'pg_catalog.pg_extension'::regclass",
                &[&schemas],
            ),
        )
        .await?;
    for r in rows {
        let kind: String = r.get(0);
        let schema: Option<String> = r.get(1);
        let name: Option<String> = r.get(2);
        let sub: Option<String> = r.get(3);
        let text: String = r.get(4);
        let schema = schema.unwrap_or_default();
        let name = name.unwrap_or_default();
        let q = QualifiedName::new(schema.clone(), name.clone());
        let slot: Option<&mut Option<String>> = match kind.as_str() {
            "relation" => {
                if let Some(t) = m.tables.get_mut(&q) {
                    Some(&mut t.comment)
                } else if let Some(i) = m.indexes.get_mut(&q) {
                    Some(&mut i.comment)
                } else if let Some(s) = m.sequences.get_mut(&q) {
                    Some(&mut s.comment)
                } else {
                    m.views.get_mut(&q).map(|v| &mut v.comment)
                }
            }
            "constraint" => m
                .tables
                .get_mut(&q)
                .and_then(|t| t.constraints.get_mut(sub.as_deref().unwrap_or_default()))
                .map(|c| &mut c.comment),
            "constraint index" => m
                .tables
                .get_mut(&q)
                .and_then(|t| t.constraints.get_mut(sub.as_deref().unwrap_or_default()))
                .map(|c| &mut c.index_comment),
            "trigger" => m
                .tables
                .get_mut(&q)
                .and_then(|t| t.triggers.get_mut(sub.as_deref().unwrap_or_default()))
                .map(|t| &mut t.comment),
            "policy" => m
                .tables
                .get_mut(&q)
                .and_then(|t| t.policies.get_mut(sub.as_deref().unwrap_or_default()))
                .map(|p| &mut p.comment),
            "type" => match m.enums.get_mut(&q) {
                Some(e) => Some(&mut e.comment),
                None => m.composites.get_mut(&q).map(|c| &mut c.comment),
            },
            "function" => {
                let key = routine_key(
                    &q,
                    &unqualify_default(sub.as_deref().unwrap_or_default(), ds),
                );
                m.functions.get_mut(&key).map(|f| &mut f.comment)
            }
            "schema" => {
                if m.schemas.contains(&schema) {
                    m.schema_comments.insert(schema, text);
                }
                continue;
            }
            "extension" => m.extensions.get_mut(&name).map(|e| &mut e.comment),
            _ => None,
        };
        if let Some(slot) = slot {
            *slot = Some(text);
        }
    }
    Ok(())
}

/// The table of a catalog row whose first column is the table's oid; `None` for one
/// not introspected.
fn table_of_row<'m>(
    by_oid: &BTreeMap<u32, QualifiedName>,
    m: &'m mut SchemaModel,
    r: &tokio_postgres::Row,
) -> Option<&'m mut Table> {
    by_oid
        .get(&r.get::<_, u32>(0))
        .and_then(|n| m.tables.get_mut(n))
}

/// Storage parameters and persistence of the tables in `by_oid` (`schema::storage`):
/// the table's `reloptions`, its TOAST table's prefixed `toast.`, in one query.
async fn introspect_table_storage(
    client: &Session,
    by_oid: &BTreeMap<u32, QualifiedName>,
    m: &mut SchemaModel,
) -> Result<()> {
    let oids: Vec<u32> = by_oid.keys().copied().collect();
    let rows = client
        .run(
            "introspecting table storage",
            client.query(
                "SELECT c.oid, c.relpersistence = 'u', c.reltoastrelid <> 0,
                        ARRAY(SELECT o FROM unnest(c.reloptions) o
                              UNION ALL
                              SELECT 'toast.' || o FROM unnest(tc.reloptions) o)
                 FROM pg_catalog.pg_class c
                 LEFT JOIN pg_catalog.pg_class tc ON tc.oid = c.reltoastrelid
                 WHERE c.oid = ANY($1)",
                &[&oids],
            ),
        )
        .await?;
    for r in rows {
        if let Some(t) = table_of_row(by_oid, m, &r) {
            t.storage = crate::schema::storage::TableStorage {
                parameters: r.get(3),
                unlogged: r.get(1),
                toast_table: Some(r.get(2)),
            };
        }
    }
    Ok(())
}

/// Row security switches and policies of the tables in `by_oid`: one query each.
async fn introspect_row_security(
    client: &Session,
    by_oid: &BTreeMap<u32, QualifiedName>,
    ds: &str,
    m: &mut SchemaModel,
) -> Result<()> {
    let oids: Vec<u32> = by_oid.keys().copied().collect();
    let switches = client
        .run(
            "introspecting row security",
            client.query(
                "SELECT c.oid, c.relrowsecurity, c.relforcerowsecurity FROM pg_catalog.pg_class c
                 WHERE c.oid = ANY($1) AND (c.relrowsecurity OR c.relforcerowsecurity)",
                &[&oids],
            ),
        )
        .await?;
    for r in switches {
        if let Some(t) = table_of_row(by_oid, m, &r) {
            t.row_security = r.get(1);
            t.force_row_security = r.get(2);
        }
    }
    let policies = client
        .run(
            "introspecting policies",
            client.query(
                "SELECT p.polrelid, p.polname::text, p.polpermissive, p.polcmd::text,
                        ARRAY(SELECT CASE WHEN r.oid = 0 THEN 'public' ELSE a.rolname::text END
                              FROM unnest(p.polroles) r(oid)
                              LEFT JOIN pg_catalog.pg_roles a ON a.oid = r.oid ORDER BY 1),
                        pg_catalog.pg_get_expr(p.polqual, p.polrelid),
                        pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid)
                 FROM pg_catalog.pg_policy p WHERE p.polrelid = ANY($1)",
                &[&oids],
            ),
        )
        .await?;
    for r in policies {
        let Some(t) = table_of_row(by_oid, m, &r) else {
            continue;
        };
        let name: String = r.get(1);
        let expr = |e: Option<String>| e.map(|e| canonical_expr(&e, ds));
        t.policies.insert(
            name.clone(),
            Policy {
                comment: None,
                name,
                permissive: r.get(2),
                command: match r.get::<_, String>(3).as_str() {
                    "r" => "SELECT",
                    "a" => "INSERT",
                    "w" => "UPDATE",
                    "d" => "DELETE",
                    _ => "ALL",
                }
                .into(),
                roles: r.get(4),
                using: expr(r.get(5)),
                with_check: expr(r.get(6)),
            },
        );
    }
    Ok(())
}

/// User triggers of the tables in `by_oid`, one query: not internal ones (foreign
/// keys') nor the clones PostgreSQL puts on partitions (`tgparentid`). The `WHEN`
/// condition is the one part taken from `pg_get_triggerdef`'s text.
async fn introspect_triggers(
    client: &Session,
    by_oid: &BTreeMap<u32, QualifiedName>,
    ds: &str,
    m: &mut SchemaModel,
) -> Result<()> {
    let oids: Vec<u32> = by_oid.keys().copied().collect();
    let rows = client
        .run(
            "introspecting triggers",
            client.query(
                "SELECT t.tgrelid, t.tgname::text, t.tgtype::int4, t.tgenabled::text,
                        ARRAY(SELECT a.attname::text FROM unnest(t.tgattr::int2[]) WITH ORDINALITY u(n, o)
                              JOIN pg_catalog.pg_attribute a ON a.attrelid = t.tgrelid AND a.attnum = u.n
                              ORDER BY u.o),
                        pn.nspname::text, p.proname::text, t.tgargs,
                        pg_catalog.pg_get_triggerdef(t.oid),
                        t.tgoldtable::text, t.tgnewtable::text
                 FROM pg_catalog.pg_trigger t
                 JOIN pg_catalog.pg_proc p ON p.oid = t.tgfoid
                 JOIN pg_catalog.pg_namespace pn ON pn.oid = p.pronamespace
                 WHERE t.tgrelid = ANY($1) AND NOT t.tgisinternal AND t.tgparentid = 0",
                &[&oids],
            ),
        )
        .await?;
    for r in rows {
        let Some(table) = table_of_row(by_oid, m, &r) else {
            continue;
        };
        // tgtype bits (pg_trigger.h): ROW 1, BEFORE 2, INSERT 4, DELETE 8, UPDATE 16,
        // TRUNCATE 32, INSTEAD 64.
        let tgtype: i32 = r.get(2);
        let columns: Vec<String> = r.get(4);
        let mut events = Vec::new();
        for (bit, event) in [
            (4, "INSERT"),
            (8, "DELETE"),
            (16, "UPDATE"),
            (32, "TRUNCATE"),
        ] {
            if tgtype & bit == 0 {
                continue;
            }
            if bit == 16 && !columns.is_empty() {
                let cols: Vec<String> = columns.iter().map(|c| quote_ident(c)).collect();
                events.push(format!("UPDATE OF {}", cols.join(", ")));
            } else {
                events.push(event.to_string());
            }
        }
        let args: Vec<u8> = r.get(7);
        let mut args: Vec<String> = args
            .split(|b| *b == 0)
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect();
        args.pop(); // each argument ends with a NUL: the last piece is empty
        let definition: String = r.get(8);
        let name: String = r.get(1);
        let transition_tables = [(true, 9), (false, 10)]
            .into_iter()
            .filter_map(|(old, i)| {
                r.get::<_, Option<String>>(i)
                    .map(|n| transition_table(old, &n))
            })
            .collect();
        table.triggers.insert(
            name.clone(),
            Trigger {
                comment: None,
                name,
                timing: if tgtype & 64 != 0 {
                    "INSTEAD OF"
                } else if tgtype & 2 != 0 {
                    "BEFORE"
                } else {
                    "AFTER"
                }
                .into(),
                events,
                for_each_row: tgtype & 1 != 0,
                when: trigger_when(&definition).map(|w| canonical_expr(w, ds)),
                function: QualifiedName::new(r.get::<_, String>(5), r.get::<_, String>(6)),
                args,
                transition_tables,
                enabled: r.get(3),
            },
        );
    }
    Ok(())
}

/// The `WHEN (…)` condition of a `pg_get_triggerdef` text, without its parentheses.
fn trigger_when(definition: &str) -> Option<&str> {
    let start = definition.find(" FOR EACH ")?;
    let rest = &definition[start..];
    let open = rest.find(" WHEN (")? + " WHEN (".len();
    let close = rest.rfind(") EXECUTE ")?;
    rest.get(open..close)
}

/// Functions and procedures of `schemas` (not aggregates or window functions, not an
/// extension's), one query, in the spelling `schema::objects` documents.
async fn introspect_functions(
    client: &Session,
    schemas: &[String],
    ds: &str,
    m: &mut SchemaModel,
) -> Result<()> {
    let rows = client
        .run(
            "introspecting functions",
            client.query(
                "SELECT n.nspname, p.proname, p.prokind::text, pg_catalog.oidvectortypes(p.proargtypes),
                        pg_catalog.pg_get_function_identity_arguments(p.oid),
                        CASE WHEN p.prokind = 'f' THEN pg_catalog.pg_get_function_result(p.oid) END,
                        l.lanname::text, CASE WHEN p.prosqlbody IS NULL THEN p.prosrc END,
                        p.provolatile::text, p.prosecdef, p.proparallel::text, p.proisstrict,
                        p.procost::text, p.prorows::text, p.proleakproof, p.proconfig,
                        pg_catalog.pg_get_expr(p.proargdefaults, 0)
                 FROM pg_catalog.pg_proc p
                 JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
                 JOIN pg_catalog.pg_language l ON l.oid = p.prolang
                 WHERE p.prokind IN ('f', 'p') AND n.nspname = ANY($1)
                   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')",
                &[&schemas],
            ),
        )
        .await?;
    for r in rows {
        let unq = |t: String| unqualify_default(&t, ds);
        let f = Function {
            comment: None,
            name: QualifiedName::new(r.get::<_, String>(0), r.get::<_, String>(1)),
            kind: if r.get::<_, String>(2) == "p" {
                RoutineKind::Procedure
            } else {
                RoutineKind::Function
            },
            arg_types: unq(r.get(3)),
            identity_args: unq(r.get(4)),
            result: r.get::<_, Option<String>>(5).map(unq),
            language: r.get(6),
            body: r.get(7),
            volatility: match r.get::<_, String>(8).as_str() {
                "i" => "immutable",
                "s" => "stable",
                _ => "volatile",
            }
            .to_string(),
            strict: r.get(11),
            parallel: match r.get::<_, String>(10).as_str() {
                "s" => "safe",
                "r" => "restricted",
                _ => "unsafe",
            }
            .to_string(),
            security_definer: r.get(9),
            cost: r.get(12),
            rows: r.get(13),
            leakproof: r.get(14),
            config: r
                .get::<_, Option<Vec<String>>>(15)
                .unwrap_or_default()
                .into_iter()
                .map(|c| match c.split_once('=') {
                    Some((name, value)) => format!("{}={value}", name.to_ascii_lowercase()),
                    None => c,
                })
                .collect(),
            arg_defaults: r
                .get::<_, Option<String>>(16)
                .map(|list| {
                    split_arguments(&list)
                        .iter()
                        .map(|e| canonical_expr(e, ds))
                        .collect()
                })
                .unwrap_or_default(),
        };
        m.functions.insert(f.key(), f);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::trigger_when;

    #[test]
    fn the_when_condition_is_cut_from_the_trigger_definition() {
        let def = "CREATE TRIGGER t BEFORE INSERT ON public.a FOR EACH ROW \
                   WHEN ((new.amount > (1)::numeric)) EXECUTE FUNCTION public.f()";
        assert_eq!(trigger_when(def), Some("(new.amount > (1)::numeric)"));
        let plain = "CREATE TRIGGER t AFTER DELETE ON public.a FOR EACH STATEMENT \
                     EXECUTE FUNCTION public.f()";
        assert_eq!(trigger_when(plain), None);
    }
}
