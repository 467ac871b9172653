//! TypeORM reader (placeholder; implemented by the TypeORM reader work).
