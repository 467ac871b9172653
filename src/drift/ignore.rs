//! Which objects drift compares at all: the history table and `typeorm_metadata`
//! (migguard's and TypeORM's own bookkeeping), the user's `[drift] ignore` patterns,
//! and the schemas that were introspected. One place decides, so the diff and the
//! folding of unverifiable objects skip exactly the same things.

use crate::ir::QualifiedName;

/// Objects drift never reports: the history table, `typeorm_metadata`, and the
/// user's `[drift] ignore` patterns, globs over the object's qualified name (`*`
/// any run of characters, `?` one, `[…]` a class, `{a,b}` either; `globset`'s
/// syntax, checked when the config is read: see [`check_pattern`]).
///
/// `schemas` limits the comparison to the schemas that were introspected (empty =
/// all): an expected table in a schema nobody looked at is not "missing".
#[derive(Debug, Clone, Default)]
pub struct IgnoreList {
    pub patterns: Vec<String>,
    pub schemas: Vec<String>,
    globs: globset::GlobSet,
}

/// A `[drift] ignore` pattern as a glob, or why it is none.
pub fn check_pattern(pattern: &str) -> Result<globset::Glob, String> {
    globset::Glob::new(pattern).map_err(|e| format!("`{pattern}` is not a glob: {}", e.kind()))
}

impl IgnoreList {
    pub fn new(history_table: &str, default_schema: &str, user: &[String]) -> Self {
        let qualified = if history_table.contains('.') {
            history_table.to_string()
        } else {
            format!("{default_schema}.{history_table}")
        };
        // The history table's name is matched as written, whatever characters it
        // holds; the config's patterns were checked when it was read, and one that
        // is no glob (only a caller that skipped the config could pass it) is
        // matched as written too.
        let own = globset::escape(&qualified);
        let mut patterns = vec![
            own.clone(),
            format!("{own}.*"),
            "*.typeorm_metadata".into(),
            "*.typeorm_metadata.*".into(),
        ];
        patterns.extend(user.iter().cloned());
        let mut globs = globset::GlobSetBuilder::new();
        for p in &patterns {
            let glob = check_pattern(p).or_else(|_| check_pattern(&globset::escape(p)));
            if let Ok(glob) = glob {
                globs.add(glob);
            }
        }
        IgnoreList {
            patterns,
            schemas: Vec::new(),
            globs: globs.build().unwrap_or_else(|_| globset::GlobSet::empty()),
        }
    }

    /// Compare only objects in these schemas.
    pub fn with_schemas(mut self, schemas: &[String]) -> Self {
        self.schemas = schemas.to_vec();
        self
    }

    pub fn matches(&self, object: &str) -> bool {
        self.globs.is_match(object)
    }

    pub fn in_scope(&self, schema: &str) -> bool {
        self.schemas.is_empty() || self.schemas.iter().any(|s| s == schema)
    }

    /// Ignored by pattern, or in a schema outside the comparison.
    pub(super) fn skips(&self, name: &QualifiedName) -> bool {
        !self.in_scope(&name.schema) || self.matches(&name.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glob(pattern: &str, s: &str) -> bool {
        IgnoreList::new("h", "s", &[pattern.to_string()]).matches(s)
    }

    #[test]
    fn glob_matching() {
        assert!(glob("public.tmp_*", "public.tmp_x"));
        assert!(!glob("public.tmp_*", "core.tmp_x"));
        assert!(glob("*.audit_log", "core.audit_log"));
        assert!(!glob("*.audit_log", "core.audit_log2"));
        assert!(glob("a*b*c", "a-b-b-c"));
        assert!(!glob("a*b*c", "a-c"));
        assert!(glob("*", ""));
        assert!(glob("public.tmp_?", "public.tmp_x"));
        assert!(!glob("public.tmp_?", "public.tmp_xy"));
        assert!(glob("{public,core}.audit_[0-9]", "core.audit_7"));
        assert!(!glob("{public,core}.audit_[0-9]", "app.audit_7"));
    }

    /// The history table is matched as named, also when its name holds glob
    /// characters; `typeorm_metadata` in any schema.
    #[test]
    fn bookkeeping_tables_are_matched_as_named() {
        let l = IgnoreList::new("migrations[1]", "public", &[]);
        assert!(l.matches("public.migrations[1]"));
        assert!(l.matches("public.migrations[1].id"));
        assert!(!l.matches("public.migrations1"));
        assert!(l.matches("core.typeorm_metadata"));
        assert!(!l.matches("public.users"));
    }

    #[test]
    fn a_pattern_that_is_no_glob_is_refused_with_its_reason() {
        let e = check_pattern("public.tmp_[").unwrap_err();
        assert!(e.contains("public.tmp_["), "{e}");
        assert!(check_pattern("public.tmp_*").is_ok());
    }
}
