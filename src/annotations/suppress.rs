//! `migguard-ignore` suppressions (interface stub; the lint engine work fills it in).
