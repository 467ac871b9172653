//! The one normaliser both schema producers call, so "expected" and "live" compare
//! equal when PostgreSQL would consider them the same.
//!
//! - Types: aliases → `format_type` spelling (`int4` → `integer`, `timestamptz` →
//!   `timestamp with time zone`, `varchar(n)` → `character varying(n)`, serial →
//!   integer…). User types (enums) are always schema-qualified (`public.mood`), which
//!   is what `format_type` prints with `search_path = ''`.
//! - Expressions (defaults, predicates, index expressions) in two forms. The stored
//!   form ([`canonical_expr`], what the model keeps and `schema --format sql`
//!   renders) is valid SQL that rebuilds what PostgreSQL stored: casts, quoted
//!   literals (`DEFAULT '12'` on an enum) and quoted identifiers (`"subscriberId"`)
//!   stay; letter case outside them is folded, redundant parentheses and the default
//!   schema's qualification dropped, intervals spelled as PostgreSQL prints them.
//!   The key ([`expr_key`], what drift compares) also drops casts, literal quotes
//!   and unneeded identifier quotes, so `'x'` equals `'x'::character varying`,
//!   `"status" = 'active'` equals `(status = 'active'::public.mood)`,
//!   `uuid_generate_v4()` equals `public.uuid_generate_v4()` — but `"subscriberId"`
//!   never equals `subscriberid`. `now()` and `CURRENT_TIMESTAMP` stay different, as
//!   PostgreSQL keeps them.

use super::expr::Casts;

/// Normalise a type as written to `format_type` spelling. `is_user_type` says whether
/// an unqualified, unknown name is a user type of the default schema.
pub fn normalize_type(
    written: &str,
    default_schema: &str,
    is_user_type: &dyn Fn(&str, &str) -> bool,
) -> String {
    let mut t = written.trim().to_string();
    let mut array = 0;
    loop {
        let trimmed = t.trim_end();
        if let Some(s) = trimmed.strip_suffix("[]") {
            t = s.to_string();
            array += 1;
        } else if trimmed.to_ascii_lowercase().ends_with(" array") {
            t = trimmed[..trimmed.len() - 6].to_string();
            array += 1;
        } else {
            break;
        }
    }
    let quoted = t.contains('"');
    let parts: Vec<String> = split_qualified(&t);
    let base = if parts.len() == 2 {
        format!("{}.{}", parts[0], parts[1])
    } else {
        let name = parts.first().cloned().unwrap_or_default();
        let lower = if quoted {
            name.clone()
        } else {
            name.to_ascii_lowercase()
        };
        // `"char"` (quoted) is PostgreSQL's one-byte internal type, not char(1).
        let builtin = if quoted && name == "char" {
            Some("\"char\"".to_string())
        } else {
            builtin_type(&lower)
        };
        match builtin {
            Some(b) => b,
            None if is_user_type(default_schema, &lower) || quoted => {
                format!("{default_schema}.{lower}")
            }
            None => lower,
        }
    };
    let mut out = base;
    if let Some(stripped) = out.strip_prefix("pg_catalog.") {
        out = builtin_type(stripped).unwrap_or_else(|| stripped.to_string());
    }
    if out.starts_with('_') && array == 0 {
        // `_int4` is the array type of int4.
        if let Some(b) = builtin_type(&out[1..]) {
            out = b;
            array = 1;
        }
    }
    for _ in 0..array {
        out.push_str("[]");
    }
    out
}

/// The dot-separated parts of a type name, without their quotes.
fn split_qualified(t: &str) -> Vec<String> {
    let part = |p: &str| p.replace('"', "").trim().to_string();
    let mut parts = Vec::new();
    let mut start = 0;
    for dot in crate::parse::sql::lexical::top_level_positions(t, b'.') {
        parts.push(part(&t[start..dot]));
        start = dot + 1;
    }
    parts.push(part(&t[start..]));
    parts
}

/// `format_type` name of a built-in type written in any alias, with its modifiers.
fn builtin_type(lower: &str) -> Option<String> {
    let compact: String = lower.split_whitespace().collect::<Vec<_>>().join(" ");
    let (name, modifier) = match compact.find('(') {
        Some(i) => {
            let close = compact.rfind(')').unwrap_or(compact.len());
            let m: String = compact[i + 1..close]
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            let rest = compact[close.min(compact.len())..]
                .trim_start_matches(')')
                .trim()
                .to_string();
            (
                format!("{} {}", compact[..i].trim(), rest)
                    .trim()
                    .to_string(),
                Some(m),
            )
        }
        None => (compact.clone(), None),
    };
    let with = |base: &str| match &modifier {
        Some(m) => format!("{base}({m})"),
        None => base.to_string(),
    };
    let time = |base: &str, tz: &str| match &modifier {
        Some(m) => format!("{base}({m}) {tz}"),
        None => format!("{base} {tz}"),
    };
    Some(match name.as_str() {
        "int" | "int4" | "integer" | "serial" | "serial4" => "integer".into(),
        "int8" | "bigint" | "bigserial" | "serial8" => "bigint".into(),
        "int2" | "smallint" | "smallserial" | "serial2" => "smallint".into(),
        "varchar" | "character varying" => with("character varying"),
        "char" | "character" | "bpchar" => match &modifier {
            Some(m) => format!("character({m})"),
            None if name == "bpchar" => "character".into(),
            None => "character(1)".into(),
        },
        "text" => "text".into(),
        "bool" | "boolean" => "boolean".into(),
        "float8" | "double precision" | "float" => "double precision".into(),
        "float4" | "real" => "real".into(),
        // `numeric(5)` is `numeric(5,0)`: PostgreSQL prints the scale.
        "numeric" | "decimal" => match &modifier {
            Some(m) if !m.contains(',') => format!("numeric({m},0)"),
            _ => with("numeric"),
        },
        "timestamptz" | "timestamp with time zone" => time("timestamp", "with time zone"),
        "timestamp" | "timestamp without time zone" => time("timestamp", "without time zone"),
        "timetz" | "time with time zone" => time("time", "with time zone"),
        "time" | "time without time zone" => time("time", "without time zone"),
        "date" | "json" | "jsonb" | "uuid" | "bytea" | "inet" | "cidr" | "macaddr" | "money"
        | "xml" | "tsvector" | "tsquery" | "oid" | "point" | "interval" => with(&name),
        "bit" => with("bit"),
        "varbit" | "bit varying" => with("bit varying"),
        _ => return None,
    })
}

/// The serial family: (underlying type, is serial).
pub fn serial_base(written: &str) -> Option<&'static str> {
    match written.trim().to_ascii_lowercase().as_str() {
        "serial" | "serial4" => Some("integer"),
        "bigserial" | "serial8" => Some("bigint"),
        "smallserial" | "serial2" => Some("smallint"),
        _ => None,
    }
}

/// How the lexing pass treats a quoted identifier.
#[derive(Clone, Copy, PartialEq)]
enum Quoted {
    /// As written: `"pluginId"` and `"status"` both stay quoted (valid SQL).
    Keep,
    /// Unquoted where PostgreSQL would not need the quotes (`"status"` → `status`),
    /// kept where it would (`"pluginId"`): the case of such a name is compared.
    UnquotePlain,
}

/// Letter case folded outside string literals and quoted identifiers, spaces
/// collapsed.
fn lex(expr: &str, quoted: Quoted) -> String {
    let mut s = String::with_capacity(expr.len());
    let mut chars = expr.trim().chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' | '"' => {
                let mut lit = String::from(c);
                while let Some(d) = chars.next() {
                    lit.push(d);
                    if d == c {
                        if chars.peek() == Some(&c) {
                            lit.push(chars.next().unwrap_or(c));
                        } else {
                            break;
                        }
                    }
                }
                let inner = &lit[1..lit.len().saturating_sub(1)];
                let plain = inner.starts_with(|ch: char| ch.is_ascii_lowercase() || ch == '_')
                    && inner
                        .chars()
                        .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_');
                if c == '"' && quoted == Quoted::UnquotePlain && plain {
                    s.push_str(inner);
                } else {
                    s.push_str(&lit);
                }
            }
            c if c.is_whitespace() => {
                if !s.ends_with(' ') {
                    s.push(' ');
                }
            }
            c => s.push(c.to_ascii_lowercase()),
        }
    }
    s
}

/// `::type` casts removed: `::type(…)`, `::a.b`, `::type[]`, `::character varying`,
/// `::"Quoted"`.
fn drop_casts(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let b = s.as_bytes();
    let mut i = 0;
    let mut in_str = false;
    while i < b.len() {
        let c = b[i];
        if c == b'\'' {
            in_str = !in_str;
        }
        if !in_str && c == b':' && b.get(i + 1) == Some(&b':') {
            i += 2;
            // type name words (incl. multi-word types), qualification, modifiers, arrays
            loop {
                while i < b.len()
                    && (b[i].is_ascii_alphanumeric()
                        || b[i] == b'_'
                        || b[i] == b'.'
                        || b[i] == b'"')
                {
                    if b[i] == b'"' {
                        i += 1;
                        while i < b.len() && b[i] != b'"' {
                            i += 1;
                        }
                    }
                    i += 1;
                }
                if i < b.len() && b[i] == b'(' {
                    while i < b.len() && b[i] != b')' {
                        i += 1;
                    }
                    i += 1;
                }
                while i + 1 < b.len() && b[i] == b'[' && b[i + 1] == b']' {
                    i += 2;
                }
                // multi-word types
                let rest = &s[i.min(s.len())..];
                let next_word = [
                    "varying",
                    "precision",
                    "with time zone",
                    "without time zone",
                    "zone",
                ]
                .iter()
                .find(|w| rest.starts_with(&format!(" {w}")));
                match next_word {
                    Some(w) => i += w.len() + 1,
                    None => break,
                }
            }
            continue;
        }
        // Multi-byte characters are copied whole.
        let len = s[i..].chars().next().map_or(1, char::len_utf8);
        out.push_str(&s[i..i + len]);
        i += len;
    }
    out
}

/// Canonical stored form of an SQL expression (see the module docs): valid SQL that
/// PostgreSQL stores as it stored the original — casts, quoted literals and quoted
/// identifiers kept, qualification by the default schema or `public` dropped.
/// Drift compares [`expr_key`]s of it.
pub fn canonical_expr(expr: &str, default_schema: &str) -> String {
    let mut s = lex(expr, Quoted::Keep);
    // Qualification of functions and regclass literals by a schema on the
    // migrations' search path: the default schema, and `public`, where
    // extensions such as uuid-ossp and pgcrypto usually live (`search_path` is
    // `"$user", public`), so `core.t.id DEFAULT uuid_generate_v4()` reads back
    // as `public.uuid_generate_v4()`. `schema --format sql` sets that search path.
    for schema in [default_schema, "public"] {
        for q in [format!("{schema}."), format!("'{schema}.")] {
            let replacement = if q.starts_with('\'') { "'" } else { "" };
            s = s.replace(&q, replacement);
        }
    }
    s = s.replace("( ", "(").replace(" )", ")");
    let s = strip_outer_parens(s.trim());
    // One printing of the parsed tree for both sides: PostgreSQL's parentheses
    // and rewrites (`IN` → `= ANY`, `BETWEEN`, `LIKE` → `~~`) compare equal to
    // what a migration writes. Text sqlparser cannot read stays as it is.
    super::expr::canonical(&s, Casts::Keep).unwrap_or(s)
}

/// What drift compares of a stored expression ([`canonical_expr`]): casts dropped
/// (PostgreSQL adds its own: `'x'::character varying`, `lower((name)::text)`), quoted
/// numbers and booleans as plain literals (`'0'::numeric` is `0`), quotes dropped
/// from identifiers that do not need them. Identifiers that do keep their case.
pub fn expr_key(stored: &str) -> String {
    let s = drop_casts(&lex(stored, Quoted::UnquotePlain));
    let s = s.replace("( ", "(").replace(" )", ")");
    let mut s = strip_outer_parens(s.trim());
    if let Some(inner) = s.strip_prefix('\'').and_then(|x| x.strip_suffix('\'')) {
        if (!inner.is_empty() && inner.parse::<f64>().is_ok())
            || inner == "true"
            || inner == "false"
        {
            s = inner.to_string();
        }
    }
    super::expr::canonical(&s, Casts::Drop).unwrap_or(s)
}

/// An index key of the model ([`index_key`]) with its expression, if any, as its
/// [`expr_key`].
pub fn index_key_key(key: &str) -> String {
    let (head, words) = split_index_key(key);
    let Some(inner) = head.strip_prefix('(').and_then(|h| h.strip_suffix(')')) else {
        return key.to_string();
    };
    std::iter::once(format!("({})", expr_key(inner)))
        .chain(words.into_iter().map(str::to_string))
        .collect::<Vec<_>>()
        .join(" ")
}

fn strip_outer_parens(s: &str) -> String {
    let mut s = s.trim().to_string();
    loop {
        if s.starts_with('(') && s.ends_with(')') && matching_close(&s) == Some(s.len() - 1) {
            s = s[1..s.len() - 1].trim().to_string();
        } else {
            return s;
        }
    }
}

fn matching_close(s: &str) -> Option<usize> {
    crate::parse::sql::lexical::matching_paren(s, 0)
}

/// One index key as the model keeps it, the way `CREATE INDEX` writes it: a column
/// name or a parenthesised canonical expression, then the operator class when one is
/// named, then `desc` and a non-default `nulls first|last`. Replay and introspection
/// both build keys here so they compare equal, and the SQL renderer can take them apart
/// again ([`split_index_key`]).
pub fn index_key(
    expr: &str,
    is_expression: bool,
    opclass: Option<&str>,
    descending: bool,
    nulls_first: Option<bool>,
    default_schema: &str,
) -> String {
    let mut key = if is_expression {
        format!("({})", canonical_expr(expr, default_schema))
    } else {
        expr.trim_matches('"').to_string()
    };
    if let Some(o) = opclass {
        // `public.gin_trgm_ops`, `"pg_catalog"."text_pattern_ops"` → `gin_trgm_ops`
        let bare = o.rsplit('.').next().unwrap_or(o).trim_matches('"');
        key.push(' ');
        key.push_str(&bare.to_ascii_lowercase());
    }
    if descending {
        key.push_str(" desc");
    }
    // PostgreSQL's default: NULLS LAST ascending, NULLS FIRST descending.
    match nulls_first {
        Some(true) if !descending => key.push_str(" nulls first"),
        Some(false) if descending => key.push_str(" nulls last"),
        _ => {}
    }
    key
}

/// A key from [`index_key`] → (column or parenthesised expression, the words after it).
pub fn split_index_key(key: &str) -> (&str, Vec<&str>) {
    let end = if key.starts_with('(') {
        matching_close(key).map_or(key.len(), |i| i + 1)
    } else {
        key.find(' ').unwrap_or(key.len())
    };
    let (head, rest) = key.split_at(end);
    (head, rest.split_whitespace().collect())
}

/// Canonical default for a column (`None` stays `None`).
/// A column default in the spelling PostgreSQL stores for the column's type: a string
/// literal on an `interval` column is an interval constant (`'90 minutes'` is stored
/// as `'01:30:00'::interval`).
pub fn default_for_type(stored: String, data_type: &str) -> String {
    if data_type.trim_end_matches("[]") != data_type || !data_type.starts_with("interval") {
        return stored;
    }
    let literal = stored
        .strip_prefix('\'')
        .and_then(|s| s.strip_suffix('\''))
        .filter(|s| !s.contains('\''));
    match literal.and_then(super::interval::postgres_interval_text) {
        Some(text) => format!("'{text}'"),
        None => stored,
    }
}

/// A NULL default (`DEFAULT NULL`, stored by PostgreSQL as `NULL::character varying`)
/// is no default: an insert gets NULL either way.
pub fn canonical_default(expr: Option<&str>, default_schema: &str) -> Option<String> {
    let e = expr?.trim();
    if e.is_empty() {
        return None;
    }
    let stored = canonical_expr(e, default_schema);
    (!expr_key(&stored).eq_ignore_ascii_case("null")).then_some(stored)
}

/// [`canonical_default`] remembered per text for one pass over a schema (one
/// introspection, one replay). Thousands of columns share a handful of defaults
/// (`now()`, `false`, `'0'`, a sequence's `nextval`), and each reading is a full
/// expression parse: on a 1,000-table schema the parses were half of drift's CPU.
pub struct DefaultCanon {
    default_schema: String,
    seen: std::collections::HashMap<String, Option<String>>,
}

impl DefaultCanon {
    pub fn new(default_schema: &str) -> Self {
        DefaultCanon {
            default_schema: default_schema.to_string(),
            seen: std::collections::HashMap::new(),
        }
    }

    /// The same as `canonical_default(expr, default_schema)`.
    pub fn get(&mut self, expr: Option<&str>) -> Option<String> {
        let e = expr?;
        if let Some(known) = self.seen.get(e) {
            return known.clone();
        }
        let read = canonical_default(Some(e), &self.default_schema);
        self.seen.insert(e.to_string(), read.clone());
        read
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembered_defaults_read_as_canonical_default_does() {
        let mut canon = DefaultCanon::new("core");
        for e in [
            "'v1'::character varying",
            "NULL::character varying",
            "public.uuid_generate_v4()",
            "nextval('core.t_id_seq'::regclass)",
            "",
            "'v1'::character varying",
        ] {
            assert_eq!(
                canon.get(Some(e)),
                canonical_default(Some(e), "core"),
                "{e}"
            );
        }
        assert_eq!(canon.get(None), None);
    }

    fn ty(t: &str) -> String {
        normalize_type(t, "public", &|_, n| n == "mood")
    }

    #[test]
    fn types_take_format_type_spelling() {
        assert_eq!(ty("int4"), "integer");
        assert_eq!(ty("SERIAL"), "integer");
        assert_eq!(ty("varchar(255)"), "character varying(255)");
        assert_eq!(ty("CHARACTER VARYING"), "character varying");
        assert_eq!(ty("timestamptz"), "timestamp with time zone");
        assert_eq!(ty("TIMESTAMP"), "timestamp without time zone");
        assert_eq!(
            ty("timestamp(3) with time zone"),
            "timestamp(3) with time zone"
        );
        assert_eq!(ty("NUMERIC(12, 2)"), "numeric(12,2)");
        assert_eq!(ty("decimal(5)"), "numeric(5,0)");
        assert_eq!(ty("numeric"), "numeric");
        assert_eq!(ty("\"char\""), "\"char\"");
        assert_eq!(ty("char"), "character(1)");
        assert_eq!(ty("int[]"), "integer[]");
        assert_eq!(ty("_int4"), "integer[]");
        assert_eq!(
            ty("\"public\".\"product_status_enum\""),
            "public.product_status_enum"
        );
        assert_eq!(ty("mood"), "public.mood");
        assert_eq!(ty("\"order_status_enum\""), "public.order_status_enum");
        assert_eq!(ty("bool"), "boolean");
        assert_eq!(ty("char"), "character(1)");
    }

    #[test]
    fn expressions_compare_like_postgres() {
        let c = |e: &str| expr_key(&canonical_expr(e, "public"));
        assert_eq!(c("'x'::character varying"), c("'x'"));
        assert_eq!(
            c("(status = 'active'::public.mood)"),
            c("\"status\" = 'active'")
        );
        assert_eq!(c("public.uuid_generate_v4()"), c("uuid_generate_v4()"));
        // In another schema the extension's function is still `public.…`.
        assert_eq!(
            expr_key(&canonical_expr("public.uuid_generate_v4()", "core")),
            expr_key(&canonical_expr("uuid_generate_v4()", "core"))
        );
        assert_eq!(
            c("nextval('public.t_id_seq'::regclass)"),
            c("nextval('t_id_seq'::regclass)")
        );
        assert_eq!(c("'0'::numeric"), "0");
        assert_eq!(c("'-1'::integer"), "-1");
        assert_eq!(c("NOW()"), "now()");
        assert_ne!(c("now()"), c("CURRENT_TIMESTAMP"));
        assert_eq!(c("((a > 0) AND (b IS NULL))"), c("a > 0 AND b IS NULL"));
        assert_eq!(c("lower((name)::text)"), c("lower(\"name\")"));
    }
}
