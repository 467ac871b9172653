//! Operations × rules → findings (placeholder; implemented by the lint engine work).
