//! The schema model: what a PostgreSQL database's schema is, as far as drift cares.
//!
//! Two producers fill the same structures — the replayer (`schema::replay`, from
//! migrations, offline) and the introspector (`db::introspect`, from pg_catalog) — so
//! that comparing "expected" and "live" is a structural diff (`drift`). Everything is
//! in `BTreeMap`s keyed by folded names: output is deterministic.
//!
//! Spelling conventions (both producers must follow them so equal schemas compare equal):
//! - column types in `format_type` spelling: `character varying(255)`, `integer`,
//!   `timestamp with time zone`, `integer[]`, user types schema-qualified only outside
//!   `public`… exactly as `pg_catalog.format_type` prints with `search_path = ''`
//!   *minus* the `public.` prefix for types in the default schema (see `schema::normalize::normalize_type`);
//! - defaults, check expressions and index predicates as `pg_get_expr` prints them,
//!   normalised by `schema::expr` (the one normaliser both sides call);
//! - indexes that back a PK/UNIQUE/EXCLUDE constraint are *not* listed in `indexes`
//!   (the constraint names them), so they are reported once.

use super::objects::{Function, Policy, Trigger};
use super::storage::TableStorage;
use crate::ir::{ConstraintKind, Identity, QualifiedName};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SchemaModel {
    /// User schemas (not `pg_catalog`, `information_schema`, extension-owned).
    pub schemas: BTreeSet<String>,
    pub tables: BTreeMap<QualifiedName, Table>,
    /// Standalone indexes (not backing a constraint), keyed by `schema.index_name`.
    pub indexes: BTreeMap<QualifiedName, Index>,
    pub enums: BTreeMap<QualifiedName, EnumType>,
    /// Composite types (`CREATE TYPE t AS (…)`), not the row types of tables.
    pub composites: BTreeMap<QualifiedName, CompositeType>,
    pub sequences: BTreeMap<QualifiedName, Sequence>,
    pub views: BTreeMap<QualifiedName, View>,
    pub extensions: BTreeMap<String, Extension>,
    /// Functions and procedures, keyed by `schema.name(argument types)`
    /// (`schema::objects`).
    pub functions: BTreeMap<String, Function>,
    /// `COMMENT ON SCHEMA`, by schema name (the schemas themselves are a set).
    pub schema_comments: BTreeMap<String, String>,
    /// Objects whose state the replayer cannot vouch for (touched by unparsed/opaque
    /// ops), keyed by object name (`schema.table`, …) with the reasons. Drift reports
    /// these as `unverifiable`, never as clean.
    pub uncertain: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table {
    pub name: QualifiedName,
    /// In column order (attnum), as PostgreSQL keeps them.
    pub columns: Vec<Column>,
    /// Keyed by constraint name.
    pub constraints: BTreeMap<String, Constraint>,
    /// `LIKE`, `AS query`, `TEMPORARY`, … kept as text, not compared structurally.
    pub unmodelled: Option<String>,
    /// `PARTITION BY` key of a partitioned table, as `pg_get_partkeydef` prints it
    /// (`RANGE (at)`) or as the migration wrote it (`schema::partitions`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partition_key: Option<String>,
    /// The parent and bound of a partition (`relispartition`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partition_of: Option<PartitionOf>,
    /// `INHERITS` parents of a table that is no partition, in `inhseqno` order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub inherits: Vec<QualifiedName>,
    /// User triggers, keyed by name (`schema::objects`).
    pub triggers: BTreeMap<String, Trigger>,
    /// `ALTER TABLE … ENABLE ROW LEVEL SECURITY` (`relrowsecurity`).
    pub row_security: bool,
    /// `ALTER TABLE … FORCE ROW LEVEL SECURITY` (`relforcerowsecurity`).
    pub force_row_security: bool,
    /// Row-level security policies, keyed by name.
    pub policies: BTreeMap<String, Policy>,
    /// `COMMENT ON …` (`pg_description`); `None` when there is none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Storage parameters and persistence (`schema::storage`).
    #[serde(skip_serializing_if = "TableStorage::is_default")]
    pub storage: TableStorage,
}

/// A partition's place: its parent and its bound (`FOR VALUES …` or `DEFAULT`, as
/// `pg_get_expr(relpartbound)` prints it or as the migration wrote it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PartitionOf {
    pub parent: QualifiedName,
    pub bound: String,
}

impl PartitionOf {
    /// `PARTITION OF parent FOR VALUES …`, how drift describes it.
    pub fn describe(&self) -> String {
        format!("PARTITION OF {} {}", self.parent, self.bound)
    }
}

impl Table {
    /// Created `PARTITION BY …` (a partitioned table).
    pub fn is_partitioned(&self) -> bool {
        self.partition_key.is_some()
    }

    /// Part of a partition or inheritance hierarchy as a child.
    pub fn has_parent(&self) -> bool {
        self.partition_of.is_some() || !self.inherits.is_empty()
    }

    /// The parents whose columns this table inherits: its partitioned table, or its
    /// `INHERITS` parents.
    pub fn parents(&self) -> Vec<&QualifiedName> {
        match &self.partition_of {
            Some(p) => vec![&p.parent],
            None => self.inherits.iter().collect(),
        }
    }

    pub fn new(name: QualifiedName) -> Self {
        Table {
            name,
            columns: Vec::new(),
            constraints: BTreeMap::new(),
            unmodelled: None,
            partition_key: None,
            partition_of: None,
            inherits: Vec::new(),
            triggers: BTreeMap::new(),
            row_security: false,
            force_row_security: false,
            policies: BTreeMap::new(),
            comment: None,
            storage: TableStorage::default(),
        }
    }

    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    pub fn column_mut(&mut self, name: &str) -> Option<&mut Column> {
        self.columns.iter_mut().find(|c| c.name == name)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Column {
    pub name: String,
    /// `format_type` spelling (see module docs).
    pub data_type: String,
    pub not_null: bool,
    /// Normalised default expression (`schema::expr`), `None` when there is none.
    pub default: Option<String>,
    pub identity: Option<Identity>,
    /// Stored generated expression, normalised.
    pub generated: Option<String>,
    /// Collation when it differs from the type's default.
    pub collation: Option<String>,
    /// `DEFAULT NULL` was written (PostgreSQL stores it, as `NULL::character
    /// varying`): no default for drift, which never compares this, but `schema
    /// --format sql` writes it back so the rebuilt catalog is the same.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub null_default: bool,
    /// `COMMENT ON …` (`pg_description`); `None` when there is none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Constraint {
    pub name: String,
    pub kind: ConstraintKind,
    /// `false` for a constraint added `NOT VALID` and not validated since.
    pub validated: bool,
    pub deferrable: bool,
    pub initially_deferred: bool,
    /// `COMMENT ON …` (`pg_description`); `None` when there is none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// `COMMENT ON INDEX` of the index behind a PRIMARY KEY, UNIQUE or EXCLUDE
    /// constraint (named as the constraint); `None` when there is none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index_comment: Option<String>,
}

impl Constraint {
    /// The attributes written after a constraint's definition, in PostgreSQL's own
    /// order: ` DEFERRABLE`, ` INITIALLY DEFERRED`, ` NOT VALID`.
    pub fn attributes_sql(&self) -> String {
        let mut s = String::new();
        if self.deferrable {
            s.push_str(" DEFERRABLE");
            if self.initially_deferred {
                s.push_str(" INITIALLY DEFERRED");
            }
        }
        if !self.validated {
            s.push_str(" NOT VALID");
        }
        s
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Index {
    pub name: QualifiedName,
    pub table: QualifiedName,
    pub unique: bool,
    /// Access method: `btree`, `gin`, `gist`, `hash`, `brin`, …
    pub method: String,
    /// Key columns or normalised expressions, each with ` DESC`/` NULLS FIRST`/opclass
    /// suffixes as `pg_get_indexdef` prints them.
    pub keys: Vec<String>,
    pub include: Vec<String>,
    /// Normalised partial-index predicate.
    pub predicate: Option<String>,
    pub nulls_not_distinct: bool,
    /// Storage parameters as `reloptions` keeps them (`fillfactor=70`).
    pub storage: Vec<String>,
    /// `COMMENT ON …` (`pg_description`); `None` when there is none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl Index {
    /// What follows an index's key list, in PostgreSQL's order: ` INCLUDE (…)`,
    /// ` NULLS NOT DISTINCT`, ` WITH (…)`, ` WHERE …`; `cols` prints a column list.
    pub fn tail_sql(&self, cols: impl Fn(&[String]) -> String) -> String {
        let mut s = String::new();
        if !self.include.is_empty() {
            s.push_str(&format!(" INCLUDE ({})", cols(&self.include)));
        }
        if self.nulls_not_distinct {
            s.push_str(" NULLS NOT DISTINCT");
        }
        if !self.storage.is_empty() {
            s.push_str(&format!(" WITH ({})", storage_sql(&self.storage)));
        }
        if let Some(p) = &self.predicate {
            s.push_str(&format!(" WHERE {p}"));
        }
        s
    }
}

/// Storage parameters (`name=value`, as `reloptions` keeps them) as a `WITH (…)`
/// list: every value quoted as a literal, which PostgreSQL stores as written.
pub fn storage_sql(storage: &[String]) -> String {
    storage
        .iter()
        .map(|o| {
            let (name, value) = o.split_once('=').unwrap_or((o, "true"));
            format!("{name}='{}'", value.replace('\'', "''"))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnumType {
    pub name: QualifiedName,
    pub labels: Vec<String>,
    /// `COMMENT ON …` (`pg_description`); `None` when there is none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// A composite type: its attributes in order, types in `format_type` spelling.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CompositeType {
    pub name: QualifiedName,
    pub attributes: Vec<Attribute>,
    /// `COMMENT ON …` (`pg_description`); `None` when there is none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attribute {
    pub name: String,
    pub data_type: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sequence {
    pub name: QualifiedName,
    /// `bigint` unless declared otherwise (`integer` for serial).
    pub data_type: String,
    pub start: i64,
    pub increment: i64,
    pub min_value: i64,
    pub max_value: i64,
    pub cache: i64,
    pub cycle: bool,
    /// `OWNED BY` table/column (serial columns own theirs).
    pub owned_by: Option<(QualifiedName, String)>,
    /// `COMMENT ON …` (`pg_description`); `None` when there is none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct View {
    pub name: QualifiedName,
    pub materialized: bool,
    /// Definition as written (replay) or `pg_get_viewdef` (live); not compared
    /// textually by drift, since PostgreSQL rewrites view SQL.
    pub definition: Option<String>,
    /// Output column names in order (`view_columns`); `None` when replay cannot
    /// name them for certain, and drift then compares the view by name only.
    pub columns: Option<Vec<String>>,
    /// `COMMENT ON …` (`pg_description`); `None` when there is none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// `COMMENT ON COLUMN view.col`, by column name.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub column_comments: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Extension {
    pub name: String,
    pub schema: Option<String>,
    /// The version: the migrations' only when they pin one (`VERSION 'x'`, `ALTER
    /// EXTENSION … UPDATE TO 'x'`), else `None` (whatever the server's default is);
    /// the live database's always. Compared only when the migrations pin it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// `COMMENT ON …` (`pg_description`); `None` when there is none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl SchemaModel {
    /// The standalone indexes on `table` (a table or a materialized view).
    pub fn indexes_on<'a>(&'a self, table: &'a QualifiedName) -> impl Iterator<Item = &'a Index> {
        self.indexes.values().filter(move |i| i.table == *table)
    }

    /// [`Self::indexes_on`], to change them (a rename moves them along).
    pub fn indexes_on_mut<'a>(
        &'a mut self,
        table: &'a QualifiedName,
    ) -> impl Iterator<Item = &'a mut Index> {
        self.indexes.values_mut().filter(move |i| i.table == *table)
    }

    /// The model as drift compares it: every expression (defaults, generated columns,
    /// CHECKs, index expressions and predicates) replaced by its comparison key
    /// (`normalize::expr_key`), so PostgreSQL's own casts and spellings compare equal
    /// to what the migrations wrote.
    pub fn compared_form(&self) -> SchemaModel {
        let user_types = self.enums.keys().cloned().collect();
        self.compared_form_with(&user_types, &mut Default::default())
    }

    /// [`Self::compared_form`], with column types of `public` that are not among
    /// `user_types` (an extension's `ltree`, `citext`) unqualified: a migration writes
    /// `ltree`, `format_type` prints `public.ltree`, and both are the one type.
    /// `user_types` are the enums of both models compared, so a type only one side
    /// knows as an enum still compares qualified on both. `keys` remembers the key of
    /// each text seen (both sides share most: parse each once).
    pub fn compared_form_with(
        &self,
        user_types: &BTreeSet<QualifiedName>,
        keys: &mut std::collections::HashMap<String, String>,
    ) -> SchemaModel {
        use super::normalize::{expr_key as key_of, index_key_key};
        let mut expr_key = |text: &str| -> String {
            if let Some(k) = keys.get(text) {
                return k.clone();
            }
            let k = key_of(text);
            keys.insert(text.to_string(), k.clone());
            k
        };
        let mut m = self.clone();
        for t in m.tables.values_mut() {
            for c in &mut t.columns {
                if let Some(bare) = c.data_type.strip_prefix("public.") {
                    let name = bare.trim_end_matches("[]");
                    if !user_types.contains(&QualifiedName::new("public", name)) {
                        c.data_type = bare.to_string();
                    }
                }
                c.default = c.default.as_deref().map(&mut expr_key);
                c.generated = c.generated.as_deref().map(&mut expr_key);
            }
            for k in t.constraints.values_mut() {
                if let ConstraintKind::Check { expr } = &mut k.kind {
                    *expr = expr_key(expr);
                }
            }
            for tr in t.triggers.values_mut() {
                tr.when = tr.when.as_deref().map(&mut expr_key);
            }
            for p in t.policies.values_mut() {
                p.using = p.using.as_deref().map(&mut expr_key);
                p.with_check = p.with_check.as_deref().map(&mut expr_key);
            }
        }
        for f in m.functions.values_mut() {
            for d in &mut f.arg_defaults {
                *d = expr_key(d);
            }
        }
        for i in m.indexes.values_mut() {
            for k in &mut i.keys {
                *k = index_key_key(k);
            }
            i.predicate = i.predicate.as_deref().map(&mut expr_key);
        }
        m
    }
}

/// JSON for `schema`/`inspect --format json`: maps keyed by `schema.name` strings.
pub fn to_json(m: &SchemaModel) -> serde_json::Value {
    fn keyed<T: Serialize>(map: &BTreeMap<QualifiedName, T>) -> serde_json::Value {
        serde_json::Value::Object(
            map.iter()
                .map(|(k, v)| (k.to_string(), serde_json::to_value(v).unwrap_or_default()))
                .collect(),
        )
    }
    serde_json::json!({
        "schema_version": 1,
        "schemas": m.schemas,
        "extensions": m.extensions,
        "enums": keyed(&m.enums),
        "composite_types": keyed(&m.composites),
        "sequences": keyed(&m.sequences),
        "tables": keyed(&m.tables),
        "indexes": keyed(&m.indexes),
        "views": keyed(&m.views),
        "functions": m.functions,
        "uncertain": m.uncertain,
    })
}
