//! Expand/contract annotations and suppressions (placeholder).
