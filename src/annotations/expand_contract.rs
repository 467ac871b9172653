//! Expand/contract annotations and checks (interface stub; the expand/contract work fills it in).
