//! PostgreSQL identifier folding and qualified object names.
//!
//! Every operation names its target the way PostgreSQL will: unquoted identifiers fold
//! to lower case, quoted ones keep their case, both truncate to 63 bytes
//! (NAMEDATALEN - 1), and an unqualified name lives in the default schema (`public`
//! unless configured). Comparing names anywhere else in migguard is then plain `==`.

use serde::Serialize;
use std::fmt;

/// PostgreSQL's identifier length limit in bytes (NAMEDATALEN - 1).
pub const MAX_IDENTIFIER_BYTES: usize = 63;

/// Fold an identifier as PostgreSQL does. `quoted` = it was written in double quotes.
pub fn fold_ident(raw: &str, quoted: bool) -> String {
    let folded = if quoted {
        raw.to_string()
    } else {
        // PostgreSQL lower-cases ASCII letters only for unquoted identifiers.
        raw.to_ascii_lowercase()
    };
    truncate_ident(folded)
}

/// Truncate to 63 bytes on a char boundary, as the server does (with a NOTICE).
pub fn truncate_ident(mut s: String) -> String {
    if s.len() > MAX_IDENTIFIER_BYTES {
        let mut cut = MAX_IDENTIFIER_BYTES;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
    }
    s
}

/// Fold an identifier as written in SQL source: `"Foo"` keeps case (with `""` → `"`),
/// `Foo` folds to `foo`.
pub fn fold_sql_ident(written: &str) -> String {
    let w = written.trim();
    if w.len() >= 2 && w.starts_with('"') && w.ends_with('"') {
        fold_ident(&w[1..w.len() - 1].replace("\"\"", "\""), true)
    } else {
        fold_ident(w, false)
    }
}

/// A schema-qualified object name after folding. `schema` is always filled in: the
/// parser that builds it resolves an unqualified name to the default schema.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct QualifiedName {
    pub schema: String,
    pub name: String,
}

impl QualifiedName {
    pub fn new(schema: impl Into<String>, name: impl Into<String>) -> Self {
        QualifiedName {
            schema: schema.into(),
            name: name.into(),
        }
    }

    /// Parse a TypeORM-style table path (`"schema.table"`, `"table"`, possibly quoted
    /// parts) into a folded name. TypeORM passes names through verbatim (it quotes
    /// them in the SQL it emits), so parts are *not* lower-cased here.
    pub fn from_typeorm_path(path: &str, default_schema: &str) -> Self {
        let unquote = |s: &str| s.trim().trim_matches('"').to_string();
        match path.split_once('.') {
            Some((schema, name)) => QualifiedName::new(
                truncate_ident(unquote(schema)),
                truncate_ident(unquote(name)),
            ),
            None => QualifiedName::new(default_schema, truncate_ident(unquote(path))),
        }
    }
}

impl fmt::Display for QualifiedName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.schema, self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_unquoted_keeps_quoted() {
        assert_eq!(fold_sql_ident("UserAccount"), "useraccount");
        assert_eq!(fold_sql_ident("\"UserAccount\""), "UserAccount");
        assert_eq!(fold_sql_ident("\"a\"\"b\""), "a\"b");
    }

    #[test]
    fn truncates_to_63_bytes_on_char_boundary() {
        let long = "x".repeat(70);
        assert_eq!(fold_ident(&long, false).len(), 63);
        let multibyte = format!("{}é", "x".repeat(62)); // 64 bytes, é straddles 63
        assert_eq!(fold_ident(&multibyte, true), "x".repeat(62));
    }

    #[test]
    fn typeorm_paths_keep_case() {
        let q = QualifiedName::from_typeorm_path("core.UserAccount", "public");
        assert_eq!(q.to_string(), "core.UserAccount");
        let q = QualifiedName::from_typeorm_path("product", "public");
        assert_eq!(q.to_string(), "public.product");
    }
}
