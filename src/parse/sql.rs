//! SQL reader (placeholder; implemented by the SQL reader work).
