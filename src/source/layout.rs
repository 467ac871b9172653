//! SQL migration identities: which tool's layout a `.sql` file follows, and the
//! version, name and order that tool gives it.
//!
//! | layout | file | version | name |
//! | --- | --- | --- | --- |
//! | plain | `0003_add_x.sql` | `0003` (as written) | `0003_add_x` |
//! | golang-migrate | `3_add_x.up.sql` / `.down.sql` | `3` (its bigint) | `3_add_x` |
//! | Flyway versioned | `V3_1__add_x.sql` | `3.1` (as Flyway stores it) | `V3_1__add_x`, description `add x` |
//! | Flyway undo | `U3_1__add_x.sql` | `3.1` | the down side of `V3_1__…` |
//! | Flyway repeatable | `R__views.sql` | none (sorts after all versioned) | `R__views` |
//! | diesel | `2024-01-01-120000_add_x/up.sql` | `20240101120000` (ordered as a string, as diesel does) | `2024-01-01-120000_add_x` |
//! | Prisma | `20240101120000_add_x/migration.sql` | `20240101120000` (the folder's leading digits; ordered by folder name, as Prisma does) | `20240101120000_add_x` |
//!
//! A `.sql` file that matches none of these and does not start with a digit is not a
//! migration for discovery (seeds, schema dumps, helper scripts live next to
//! migrations); given explicitly on the command line it is read as a plain migration
//! named after its file stem, without a version. Pure: names in, identities out.

use crate::ir::{MigrationFormat, MigrationOrder};
use std::path::Path;

/// Which side of a migration a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Up,
    /// golang-migrate `.down.sql`, Flyway `U…`, diesel `down.sql`: never gated.
    Down,
}

/// A SQL migration's identity as its tool records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlIdentity {
    pub name: String,
    pub version: Option<String>,
    pub format: MigrationFormat,
    pub order: MigrationOrder,
    pub side: Side,
    /// Flyway's description (`add x` for `V3__add_x.sql`).
    pub description: Option<String>,
}

/// Numeric order parts of a version string (`3.1` → `[3, 1]`).
pub fn version_parts(version: &str) -> Vec<u128> {
    version
        .split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .map(|p| p.parse::<u128>().unwrap_or(u128::MAX))
        .collect()
}

fn identity(
    name: String,
    version: Option<String>,
    format: MigrationFormat,
    side: Side,
    description: Option<String>,
) -> SqlIdentity {
    let order = MigrationOrder {
        repeatable: format == MigrationFormat::FlywayRepeatable,
        version: version.as_deref().map(version_parts).unwrap_or_default(),
        name: name.clone(),
    };
    SqlIdentity {
        name,
        version,
        format,
        order,
        side,
        description,
    }
}

/// Flyway `V3_1__add_x` / `U3__x` → (`3.1`, `add x`).
fn flyway_versioned(stem: &str, prefix: char) -> Option<(String, String)> {
    let rest = stem.strip_prefix(prefix)?;
    let (ver, desc) = rest.split_once("__")?;
    if ver.is_empty()
        || !ver.starts_with(|c: char| c.is_ascii_digit())
        || !ver
            .chars()
            .all(|c| c.is_ascii_digit() || c == '_' || c == '.')
    {
        return None;
    }
    Some((ver.replace('_', "."), desc.replace('_', " ")))
}

/// The identity of a `.sql` file by the layout its name follows; `None` when the
/// name follows no layout (see the module doc for what discovery does then).
pub fn sql_identity(path: &Path) -> Option<SqlIdentity> {
    let file_name = path.file_name()?.to_str()?;
    let stem = file_name.strip_suffix(".sql")?;

    // diesel: `<version>_<name>/up.sql`
    if stem == "up" || stem == "down" {
        let dir = path.parent()?.file_name()?.to_str()?;
        let ver_len = dir
            .find(|c: char| !(c.is_ascii_digit() || c == '-'))
            .unwrap_or(dir.len());
        if ver_len == 0 || !dir[ver_len..].starts_with('_') && ver_len != dir.len() {
            return None;
        }
        let version: String = dir[..ver_len]
            .chars()
            .filter(|c| c.is_ascii_digit())
            .collect();
        let side = if stem == "up" { Side::Up } else { Side::Down };
        // diesel orders by the version *string* (`MigrationVersion` derives `Ord`),
        // not its number: `202511190914440000` (diesel 2.2's `-0000` suffix) runs
        // before `20260120162913`. One order part per character keeps that order.
        let string_order: Vec<u128> = version.bytes().map(u128::from).collect();
        let mut id = identity(
            dir.to_string(),
            Some(version),
            MigrationFormat::Diesel,
            side,
            None,
        );
        id.order.version = string_order;
        return Some(id);
    }

    // Prisma: `<timestamp>_<name>/migration.sql` (also `0_init`, the baselining
    // convention), or any folder directly under a `migrations` directory: Prisma
    // applies every folder there (`migration_lock.toml` beside them is no `.sql`).
    if stem == "migration" {
        let dir_path = path.parent()?;
        let dir = dir_path.file_name()?.to_str()?;
        let under_migrations = dir_path
            .parent()
            .and_then(|p| p.file_name())
            .is_some_and(|n| n == "migrations");
        if dir.starts_with(|c: char| c.is_ascii_digit()) || under_migrations {
            let digits: String = dir.chars().take_while(|c| c.is_ascii_digit()).collect();
            let mut id = identity(
                dir.to_string(),
                (!digits.is_empty()).then_some(digits),
                MigrationFormat::Prisma,
                Side::Up,
                None,
            );
            // Prisma applies the folders sorted by name: one order part per byte.
            id.order.version = dir.bytes().map(u128::from).collect();
            return Some(id);
        }
    }

    // golang-migrate: `<digits>_<name>.up.sql` / `.down.sql`
    for (suffix, side) in [(".up", Side::Up), (".down", Side::Down)] {
        if let Some(base) = stem.strip_suffix(suffix) {
            let digits: String = base.chars().take_while(|c| c.is_ascii_digit()).collect();
            if !digits.is_empty() {
                // golang-migrate stores the version as a bigint: `0003` is 3.
                let trimmed = digits.trim_start_matches('0');
                let version = if trimmed.is_empty() { "0" } else { trimmed };
                return Some(identity(
                    base.to_string(),
                    Some(version.to_string()),
                    MigrationFormat::GolangMigrate,
                    side,
                    None,
                ));
            }
        }
    }

    // Flyway
    if let Some(desc) = stem.strip_prefix("R__") {
        return Some(identity(
            stem.to_string(),
            None,
            MigrationFormat::FlywayRepeatable,
            Side::Up,
            Some(desc.replace('_', " ")),
        ));
    }
    for (prefix, side) in [('V', Side::Up), ('U', Side::Down)] {
        if let Some((version, desc)) = flyway_versioned(stem, prefix) {
            // The undo file's identity is its versioned twin's, so the sides pair up.
            let name = format!("V{}", &stem[1..]);
            return Some(identity(
                name,
                Some(version),
                MigrationFormat::FlywayVersioned,
                side,
                Some(desc),
            ));
        }
    }

    // plain numbered: `0003_add_x.sql`, `20240101_x.sql`, `0003.sql`
    let digits: String = stem.chars().take_while(|c| c.is_ascii_digit()).collect();
    if !digits.is_empty() {
        return Some(identity(
            stem.to_string(),
            Some(digits),
            MigrationFormat::SqlPlain,
            Side::Up,
            None,
        ));
    }
    None
}

/// Identity for a file given explicitly that follows no layout.
pub fn fallback_identity(path: &Path) -> SqlIdentity {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    identity(stem, None, MigrationFormat::SqlPlain, Side::Up, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    type Seen = (String, Option<String>, MigrationFormat, Side, Vec<u128>);

    fn id(p: &str) -> Option<Seen> {
        sql_identity(Path::new(p)).map(|i| (i.name, i.version, i.format, i.side, i.order.version))
    }

    #[test]
    fn layouts() {
        use MigrationFormat::*;
        assert_eq!(
            id("m/0003_add_x.sql"),
            Some((
                "0003_add_x".into(),
                Some("0003".into()),
                SqlPlain,
                Side::Up,
                vec![3]
            ))
        );
        assert_eq!(
            id("m/0003_add_x.up.sql"),
            Some((
                "0003_add_x".into(),
                Some("3".into()),
                GolangMigrate,
                Side::Up,
                vec![3]
            ))
        );
        assert_eq!(
            id("m/3_add_x.down.sql"),
            Some((
                "3_add_x".into(),
                Some("3".into()),
                GolangMigrate,
                Side::Down,
                vec![3]
            ))
        );
        assert_eq!(
            id("m/V3_1__add_x.sql"),
            Some((
                "V3_1__add_x".into(),
                Some("3.1".into()),
                FlywayVersioned,
                Side::Up,
                vec![3, 1]
            ))
        );
        assert_eq!(
            id("m/U3_1__add_x.sql"),
            Some((
                "V3_1__add_x".into(),
                Some("3.1".into()),
                FlywayVersioned,
                Side::Down,
                vec![3, 1]
            ))
        );
        assert_eq!(
            id("m/2024-01-01-120000_add_x/up.sql"),
            Some((
                "2024-01-01-120000_add_x".into(),
                Some("20240101120000".into()),
                Diesel,
                Side::Up,
                "20240101120000".bytes().map(u128::from).collect()
            ))
        );
        assert_eq!(id("m/seed.sql"), None);
        assert_eq!(id("m/Vx__bad.sql"), None);
        assert_eq!(id("m/readme.txt"), None);
    }

    #[test]
    fn repeatables_sort_after_versioned_and_versions_numerically() {
        let r = sql_identity(Path::new("R__views.sql")).unwrap();
        let v = sql_identity(Path::new("V999__x.sql")).unwrap();
        let v3_2 = sql_identity(Path::new("V3_2__x.sql")).unwrap();
        let v3_10 = sql_identity(Path::new("V3_10__x.sql")).unwrap();
        assert!(r.order > v.order);
        assert!(v3_2.order < v3_10.order);
        assert_eq!(r.description.as_deref(), Some("views"));
    }

    #[test]
    fn prisma_folders_are_migrations_named_by_folder() {
        let p = sql_identity(Path::new(
            "prisma/migrations/20240101120000_add_x/migration.sql",
        ))
        .unwrap();
        assert_eq!(
            (p.name.as_str(), p.version.as_deref(), p.format, p.side),
            (
                "20240101120000_add_x",
                Some("20240101120000"),
                MigrationFormat::Prisma,
                Side::Up
            )
        );
        let baseline = sql_identity(Path::new("prisma/migrations/0_init/migration.sql")).unwrap();
        assert!(baseline.order < p.order);
        // Any folder under `migrations` is one; elsewhere a `migration.sql` needs digits.
        let named = sql_identity(Path::new("db/migrations/init/migration.sql")).unwrap();
        assert_eq!((named.name.as_str(), named.version), ("init", None));
        assert_eq!(sql_identity(Path::new("scripts/migration.sql")), None);
    }

    #[test]
    fn diesel_versions_sort_as_strings() {
        let id = |p: &str| sql_identity(Path::new(p)).unwrap();
        let new_style = id("m/2025-11-19-091444-0000_create_t/up.sql");
        let old_style = id("m/2026-01-20-162913_add_b/up.sql");
        assert_eq!(new_style.version.as_deref(), Some("202511190914440000"));
        assert!(new_style.order < old_style.order);
        // A shorter string that is a prefix sorts first, as in Rust's `str` order.
        assert!(id("m/2024_a/up.sql").order < id("m/20240_b/up.sql").order);
    }
}
