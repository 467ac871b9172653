//! Drift of partitioned tables and table inheritance (issue 11, "objects drift does
//! not see yet"): the partition key, each partition's bound and parent, `INHERITS`
//! parents, and what PostgreSQL propagates down a hierarchy (columns, defaults, NOT
//! NULL, the clones of indexes and constraints). The migrations are applied to a truth
//! database by psql; then
//! - replaying them and diffing against the introspected truth finds nothing;
//! - one hand edit on the truth is exactly one precise drift item;
//! - `migguard schema --format sql` applies with `ON_ERROR_STOP` and rebuilds the
//!   hierarchy as PostgreSQL's catalog prints it.

mod support;
mod util;
use support::fidelity::{assert_no_drift, assert_schema_sql_rebuilds, differences, sql_case, Case};
use support::pg::TestDb;

const PARTITIONS_1: &str = r#"
CREATE TABLE events (id bigint NOT NULL, at date NOT NULL, kind text, n int DEFAULT 1,
  CONSTRAINT n_pos CHECK (n > 0), PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
CREATE INDEX events_kind_idx ON events (kind);
CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE events_old PARTITION OF events FOR VALUES FROM (MINVALUE) TO ('2024-01-01');
CREATE TABLE events_rest PARTITION OF events DEFAULT;
CREATE TABLE stamps (at timestamp NOT NULL, tz timestamptz) PARTITION BY RANGE (at);
CREATE TABLE stamps_jan PARTITION OF stamps FOR VALUES FROM ('2024-01-01') TO ('2024-02-01 12:30');
CREATE TABLE tags (label text, "Code" int) PARTITION BY LIST (lower(label));
CREATE TABLE tags_ab PARTITION OF tags FOR VALUES IN ('a', 'b''c');
CREATE TABLE nums (k int, v numeric) PARTITION BY LIST (k);
CREATE TABLE nums_1 PARTITION OF nums FOR VALUES IN (1, -2, '3') PARTITION BY HASH (v);
CREATE TABLE nums_1_h0 PARTITION OF nums_1 FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE nums_1_h1 PARTITION OF nums_1 FOR VALUES WITH (MODULUS 2, REMAINDER 1);
CREATE TABLE base (id int NOT NULL DEFAULT 1, note text CHECK (note <> ''));
CREATE TABLE child (note text, extra int) INHERITS (base);
"#;

const PARTITIONS_2: &str = r#"
ALTER TABLE events ADD COLUMN source text DEFAULT 'web' NOT NULL;
ALTER TABLE events ALTER COLUMN n SET DEFAULT 2;
CREATE TABLE events_2025 (id bigint NOT NULL, at date NOT NULL, kind text, n int DEFAULT 2,
  source text NOT NULL DEFAULT 'web', CONSTRAINT n_pos CHECK (n > 0));
CREATE INDEX mine ON events_2025 (kind);
ALTER TABLE events ATTACH PARTITION events_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
ALTER TABLE events DETACH PARTITION events_old;
ALTER TABLE base ADD COLUMN flag boolean;
ALTER TABLE base ALTER COLUMN id SET DEFAULT 7;
CREATE TABLE loner (id int NOT NULL, note text, flag boolean, CONSTRAINT base_note_check CHECK (note <> ''));
ALTER TABLE loner INHERIT base;
CREATE TABLE orphan () INHERITS (base);
ALTER TABLE orphan NO INHERIT base;
"#;

fn partitions_case(prefix: &str) -> Case {
    sql_case(
        prefix,
        &[
            ("1_partitions.up.sql", PARTITIONS_1),
            ("2_partitions.up.sql", PARTITIONS_2),
        ],
    )
}

/// The tables of `public` as PostgreSQL's catalog describes them: partition key,
/// bound, parents, columns, constraints and indexes. Not listed: the name of an
/// index attached to a parent's index (PostgreSQL chooses it; drift leaves it out),
/// column order and `attislocal` (a child's inherited columns come first whatever
/// its CREATE TABLE says, so SQL cannot rebuild the order a later ADD COLUMN on
/// the parent gave; drift compares neither).
fn hierarchy(db: &TestDb) -> String {
    db.query(
        "SELECT c.relname, c.relkind, pg_get_partkeydef(c.oid), pg_get_expr(c.relpartbound, c.oid),
                (SELECT string_agg(h.inhparent::regclass::text, ',' ORDER BY h.inhseqno)
                   FROM pg_inherits h WHERE h.inhrelid = c.oid),
                (SELECT string_agg(format('%s %s %s %s', a.attname, format_type(a.atttypid, a.atttypmod),
                        a.attnotnull, pg_get_expr(d.adbin, d.adrelid)), '; ' ORDER BY a.attname)
                   FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
                  WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped),
                (SELECT string_agg(format('%s %s %s', k.conname, pg_get_constraintdef(k.oid), k.conislocal), '; '
                        ORDER BY k.conname)
                   FROM pg_constraint k WHERE k.conrelid = c.oid AND k.conparentid = 0),
                (SELECT string_agg(x, '; ' ORDER BY x)
                   FROM (SELECT CASE WHEN EXISTS (SELECT 1 FROM pg_inherits h WHERE h.inhrelid = i.indexrelid)
                                     THEN 'attached ' || (SELECT h.inhparent::regclass::text FROM pg_inherits h WHERE h.inhrelid = i.indexrelid)
                                     ELSE pg_get_indexdef(i.indexrelid) END AS x
                           FROM pg_index i WHERE i.indrelid = c.oid) s)
           FROM pg_class c
          WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
          ORDER BY 1",
    )
}

#[test]
fn partitions_and_inheritance_replay_to_the_catalog_and_schema_sql_rebuilds_them() {
    let c = partitions_case("part_clean");
    assert_no_drift(&c);
    assert_schema_sql_rebuilds(&c, "part_sql", hierarchy);
}

#[test]
fn an_index_added_by_hand_on_one_partition_is_one_item() {
    let c = partitions_case("part_hand_index");
    c.truth.execute("CREATE INDEX by_hand ON events_2024 (n);");
    let found = differences(&c, &[], false);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].starts_with("unexpected-index public.by_hand"),
        "{found:?}"
    );
}

#[test]
fn a_dropped_partition_is_one_missing_table() {
    let c = partitions_case("part_dropped");
    c.truth.execute("DROP TABLE events_rest;");
    let found = differences(&c, &[], false);
    assert_eq!(
        found,
        vec![
            "missing-table public.events_rest: expected Some(\"public.events_rest\"), actual None"
        ]
    );
}

#[test]
fn a_partition_reattached_with_another_bound_is_one_bound_mismatch() {
    let c = partitions_case("part_bound");
    c.truth.execute(
        "ALTER TABLE events DETACH PARTITION events_2025;
         ALTER TABLE events ATTACH PARTITION events_2025 FOR VALUES FROM ('2025-01-01') TO ('2025-07-01');",
    );
    let found = differences(&c, &[], false);
    assert_eq!(
        found,
        vec![
            "partition-bound-mismatch public.events_2025: \
             expected Some(\"PARTITION OF public.events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')\"), \
             actual Some(\"PARTITION OF public.events FOR VALUES FROM ('2025-01-01') TO ('2025-07-01')\")"
        ]
    );
    // `[drift] ignore` of the table covers its bound too.
    assert!(differences(&c, &["public.events_2025"], false).is_empty());
}

#[test]
fn a_changed_partition_key_is_one_item() {
    let c = partitions_case("part_key");
    c.truth.execute(
        "DROP TABLE tags;
         CREATE TABLE tags (label text, \"Code\" int) PARTITION BY LIST (label);
         CREATE TABLE tags_ab PARTITION OF tags FOR VALUES IN ('a', 'b''c');",
    );
    let found = differences(&c, &[], false);
    assert_eq!(
        found,
        vec!["partition-key-mismatch public.tags: expected Some(\"LIST (lower(label))\"), actual Some(\"LIST (label)\")"]
    );
}

#[test]
fn a_table_made_to_inherit_by_hand_is_one_item() {
    let c = partitions_case("part_inherit");
    c.truth.execute("ALTER TABLE orphan INHERIT base;");
    let found = differences(&c, &[], false);
    assert_eq!(
        found,
        vec!["unexpected-inheritance public.orphan: expected None, actual Some(\"INHERITS (public.base)\")"]
    );
}
