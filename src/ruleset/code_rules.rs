//! The rules migguard raises from code rather than by matching an op (a reader error,
//! the annotation checks, git's edited-migration, release-check's history checks, the
//! entity comparison), and
//! the two unreadable-op rules code refers to by name. Raising them through this enum
//! instead of a string literal means a typo does not compile, where it used to yield
//! no finding at all; a test checks the list against `rules/rules.toml` both ways.

/// A rule id that code raises or refers to by name. Every one is defined in the
/// built-in rules file, and a user rules file cannot remove it (see
/// [`RuleSet::load`](super::RuleSet::load)), so looking one up always finds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CodeRule {
    ReadError,
    UnparsedSql,
    OpaqueOperation,
    MissingDestructiveAnnotation,
    MissingExpandAnnotation,
    UnknownExpandMigration,
    ExpandNotBeforeContract,
    MixedExpandContract,
    EditedMigration,
    AnnotationMismatch,
    AnnotationPlacement,
    InvalidAnnotation,
    SuppressionWithoutReason,
    UnusedSuppression,
    DestructivePending,
    ExpandNotApplied,
    UnknownAppliedMigration,
    HistoryProblem,
    MissingMigration,
    UndeclaredInEntities,
    ValidateInSameTransaction,
    TruncateCascade,
    DropIndexConcurrentlySeveral,
    LockTimeoutMissing,
    StatementTimeoutMissing,
    IdentifierTooLong,
    EnumValueChange,
}

impl CodeRule {
    /// Every code-raised rule.
    pub const ALL: [CodeRule; 27] = [
        CodeRule::ReadError,
        CodeRule::UnparsedSql,
        CodeRule::OpaqueOperation,
        CodeRule::MissingDestructiveAnnotation,
        CodeRule::MissingExpandAnnotation,
        CodeRule::UnknownExpandMigration,
        CodeRule::ExpandNotBeforeContract,
        CodeRule::MixedExpandContract,
        CodeRule::EditedMigration,
        CodeRule::AnnotationMismatch,
        CodeRule::AnnotationPlacement,
        CodeRule::InvalidAnnotation,
        CodeRule::SuppressionWithoutReason,
        CodeRule::UnusedSuppression,
        CodeRule::DestructivePending,
        CodeRule::ExpandNotApplied,
        CodeRule::UnknownAppliedMigration,
        CodeRule::HistoryProblem,
        CodeRule::MissingMigration,
        CodeRule::UndeclaredInEntities,
        CodeRule::ValidateInSameTransaction,
        CodeRule::TruncateCascade,
        CodeRule::DropIndexConcurrentlySeveral,
        CodeRule::LockTimeoutMissing,
        CodeRule::StatementTimeoutMissing,
        CodeRule::IdentifierTooLong,
        CodeRule::EnumValueChange,
    ];

    /// The rule's id, as written in rules files, annotations and reports.
    pub const fn id(self) -> &'static str {
        match self {
            CodeRule::ReadError => "read-error",
            CodeRule::UnparsedSql => "unparsed-sql",
            CodeRule::OpaqueOperation => "opaque-operation",
            CodeRule::MissingDestructiveAnnotation => "missing-destructive-annotation",
            CodeRule::MissingExpandAnnotation => "missing-expand-annotation",
            CodeRule::UnknownExpandMigration => "unknown-expand-migration",
            CodeRule::ExpandNotBeforeContract => "expand-not-before-contract",
            CodeRule::MixedExpandContract => "mixed-expand-contract",
            CodeRule::EditedMigration => "edited-migration",
            CodeRule::AnnotationMismatch => "annotation-mismatch",
            CodeRule::AnnotationPlacement => "annotation-placement",
            CodeRule::InvalidAnnotation => "invalid-annotation",
            CodeRule::SuppressionWithoutReason => "suppression-without-reason",
            CodeRule::UnusedSuppression => "unused-suppression",
            CodeRule::DestructivePending => "destructive-pending",
            CodeRule::ExpandNotApplied => "expand-not-applied",
            CodeRule::UnknownAppliedMigration => "unknown-applied-migration",
            CodeRule::HistoryProblem => "history-problem",
            CodeRule::MissingMigration => "missing-migration",
            CodeRule::UndeclaredInEntities => "undeclared-in-entities",
            CodeRule::ValidateInSameTransaction => "validate-in-same-transaction",
            CodeRule::TruncateCascade => "truncate-cascade",
            CodeRule::DropIndexConcurrentlySeveral => "drop-index-concurrently-several",
            CodeRule::LockTimeoutMissing => "lock-timeout-missing",
            CodeRule::StatementTimeoutMissing => "statement-timeout-missing",
            CodeRule::IdentifierTooLong => "identifier-too-long",
            CodeRule::EnumValueChange => "enum-value-change",
        }
    }

    /// Is `id` this rule's id? (Findings carry the id as a string.)
    pub fn is(self, id: &str) -> bool {
        id == self.id()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ruleset::RuleSet;

    #[test]
    fn every_code_rule_is_defined_in_the_builtin_rules_file() {
        let set = RuleSet::builtin();
        for r in CodeRule::ALL {
            assert!(
                set.get(r.id()).is_some(),
                "{} missing from rules/rules.toml",
                r.id()
            );
        }
    }

    #[test]
    fn every_builtin_rule_without_a_matcher_is_a_code_rule() {
        // A rule with neither ops nor SQL patterns can only be raised from code: if it
        // is not in the registry, nothing raises it.
        for r in RuleSet::builtin().rules {
            if r.ops.is_empty() && r.sql_patterns.is_empty() {
                assert!(
                    CodeRule::ALL.iter().any(|c| c.is(&r.id)),
                    "`{}` has no matcher and is not in CodeRule",
                    r.id
                );
            }
        }
    }

    #[test]
    fn ids_are_distinct() {
        let ids: std::collections::BTreeSet<&str> = CodeRule::ALL.iter().map(|r| r.id()).collect();
        assert_eq!(ids.len(), CodeRule::ALL.len());
    }
}
