//! Which objects drift compares at all: the history table and `typeorm_metadata`
//! (migguard's and TypeORM's own bookkeeping), the user's `[drift] ignore` patterns,
//! and the schemas that were introspected. One place decides, so the diff and the
//! folding of unverifiable objects skip exactly the same things.

use crate::ir::QualifiedName;

/// Objects drift never reports: the history table, `typeorm_metadata`, and the
/// user's `[drift] ignore` patterns (`*` matches any run of characters).
///
/// `schemas` limits the comparison to the schemas that were introspected (empty =
/// all): an expected table in a schema nobody looked at is not "missing".
#[derive(Debug, Clone, Default)]
pub struct IgnoreList {
    pub patterns: Vec<String>,
    pub schemas: Vec<String>,
}

impl IgnoreList {
    pub fn new(history_table: &str, default_schema: &str, user: &[String]) -> Self {
        let qualified = if history_table.contains('.') {
            history_table.to_string()
        } else {
            format!("{default_schema}.{history_table}")
        };
        let mut patterns = vec![
            qualified.clone(),
            format!("{qualified}.*"),
            "*.typeorm_metadata".into(),
            "*.typeorm_metadata.*".into(),
        ];
        patterns.extend(user.iter().cloned());
        IgnoreList {
            patterns,
            schemas: Vec::new(),
        }
    }

    /// Compare only objects in these schemas.
    pub fn with_schemas(mut self, schemas: &[String]) -> Self {
        self.schemas = schemas.to_vec();
        self
    }

    pub fn matches(&self, object: &str) -> bool {
        self.patterns.iter().any(|p| glob(p, object))
    }

    pub fn in_scope(&self, schema: &str) -> bool {
        self.schemas.is_empty() || self.schemas.iter().any(|s| s == schema)
    }

    /// Ignored by pattern, or in a schema outside the comparison.
    pub(super) fn skips(&self, name: &QualifiedName) -> bool {
        !self.in_scope(&name.schema) || self.matches(&name.to_string())
    }
}

fn glob(pattern: &str, s: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == s;
    }
    let mut rest = s;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            match rest.strip_prefix(part) {
                Some(r) => rest = r,
                None => return false,
            }
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            match rest.find(part) {
                Some(p) => rest = &rest[p + part.len()..],
                None => return false,
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_matching() {
        assert!(glob("public.tmp_*", "public.tmp_x"));
        assert!(!glob("public.tmp_*", "core.tmp_x"));
        assert!(glob("*.audit_log", "core.audit_log"));
        assert!(!glob("*.audit_log", "core.audit_log2"));
        assert!(glob("a*b*c", "a-b-b-c"));
        assert!(!glob("a*b*c", "a-c"));
        assert!(glob("*", ""));
    }
}
