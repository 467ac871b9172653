//! SQL migration files: identity and order from the file name, per layout.
//!
//! | layout | up file | identity (what the tool's history stores) |
//! | --- | --- | --- |
//! | plain numbered | `0003_add_x.sql` | version `0003`, name `0003_add_x` |
//! | golang-migrate | `3_add_x.up.sql` | version `3` (`schema_migrations.version`) |
//! | Flyway | `V3_1__add_x.sql`, `R__x.sql` | version `3.1`, name `V3_1__add_x` |
//! | diesel | `2024-01-01-120000_add_x/up.sql` | version `20240101120000` |
//!
//! Down/undo files (`.down.sql`, Flyway `U…`, diesel `down.sql`) are skipped by
//! discovery: only `up` is gated, and migguard never needs the down side of SQL.
//!
//! Transactions: Flyway and diesel wrap each migration in a transaction; golang-migrate
//! and psql-style runners send the file as one query string, which PostgreSQL runs as
//! one implicit transaction when it holds several statements. A file with a single
//! statement is not in a transaction block, and a `-- migguard:no-transaction` header
//! line says the runner is configured not to use one (Flyway
//! `executeInTransaction=false`, diesel `run_in_transaction = false`).

use super::{lexical, read_statements, SqlInput};
use crate::ir::{Comment, Migration, MigrationFormat, MigrationOrder, TextMap};
use crate::parse::ReadOptions;
use crate::source::SourceFile;
use std::path::Path;

/// Identity of an SQL migration file, or `None` when the path is not an up migration
/// of a supported layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlIdentity {
    pub name: String,
    pub version: Option<String>,
    pub order: MigrationOrder,
    pub format: MigrationFormat,
}

fn numeric_parts(version: &str) -> Vec<u128> {
    version
        .split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .map(|p| p.parse::<u128>().unwrap_or(u128::MAX))
        .collect()
}

fn leading_digits(s: &str) -> &str {
    let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    &s[..end]
}

/// Whether a `.sql` path is the down/undo side of a migration (skipped).
pub fn is_down_file(path: &Path) -> bool {
    let file = path.file_name().and_then(|f| f.to_str()).unwrap_or("");
    file.ends_with(".down.sql")
        || file == "down.sql"
        || (file.starts_with('U')
            && file.contains("__")
            && file[1..].starts_with(|c: char| c.is_ascii_digit()))
}

/// Work out identity and order from a `.sql` path.
pub fn sql_identity(path: &Path) -> Option<SqlIdentity> {
    let file = path.file_name()?.to_str()?;
    let stem = file.strip_suffix(".sql")?;
    let id = |name: String, version: Option<String>, repeatable: bool, format| {
        let order = MigrationOrder {
            repeatable,
            version: version.as_deref().map(numeric_parts).unwrap_or_default(),
            name: name.clone(),
        };
        SqlIdentity {
            name,
            version,
            order,
            format,
        }
    };
    if file == "up.sql" {
        // diesel: the folder carries the identity.
        let dir = path.parent()?.file_name()?.to_str()?;
        let version: String = dir
            .split('_')
            .next()?
            .chars()
            .filter(|c| c.is_ascii_digit())
            .collect();
        if version.is_empty() {
            return None;
        }
        return Some(id(
            dir.to_string(),
            Some(version),
            false,
            MigrationFormat::Diesel,
        ));
    }
    if let Some(rest) = stem.strip_suffix(".up") {
        let v = leading_digits(rest);
        if !v.is_empty() {
            return Some(id(
                rest.to_string(),
                Some(v.trim_start_matches('0').to_string()).map(|s| {
                    if s.is_empty() {
                        "0".into()
                    } else {
                        s
                    }
                }),
                false,
                MigrationFormat::GolangMigrate,
            ));
        }
        return None;
    }
    if let Some(rest) = stem.strip_prefix('V') {
        if let Some((ver, _desc)) = rest.split_once("__") {
            if !ver.is_empty()
                && ver
                    .chars()
                    .all(|c| c.is_ascii_digit() || c == '_' || c == '.')
            {
                return Some(id(
                    stem.to_string(),
                    Some(ver.replace('_', ".")),
                    false,
                    MigrationFormat::FlywayVersioned,
                ));
            }
        }
    }
    if stem.starts_with("R__") {
        return Some(id(
            stem.to_string(),
            None,
            true,
            MigrationFormat::FlywayRepeatable,
        ));
    }
    let v = leading_digits(stem);
    if !v.is_empty() {
        return Some(id(
            stem.to_string(),
            Some(v.to_string()),
            false,
            MigrationFormat::SqlPlain,
        ));
    }
    None
}

/// Read a `.sql` migration file (its `up` side).
pub fn read_sql_file(file: &SourceFile, opts: &ReadOptions) -> Vec<Migration> {
    let Some(identity) = sql_identity(&file.path) else {
        return Vec::new();
    };
    let map = TextMap::identity(0, file.text.len());
    let up = read_statements(
        &SqlInput {
            sql: &file.text,
            map: &map,
            file,
            dynamic: false,
        },
        opts,
    );
    let comments: Vec<Comment> = lexical::comment_lines(&file.text)
        .into_iter()
        .map(|(r, text)| Comment {
            text,
            span: file.span(r.start, r.end),
        })
        .collect();
    let first_statement = lexical::split_statements(&file.text)
        .first()
        .map(|r| r.start)
        .unwrap_or(file.text.len());
    let header_comments: Vec<Comment> = comments
        .iter()
        .filter(|c| c.span.start < first_statement)
        .cloned()
        .collect();
    let no_tx_directive = header_comments.iter().any(|c| {
        c.text
            .replace(' ', "")
            .eq_ignore_ascii_case("migguard:no-transaction")
    });
    let statements = lexical::split_statements(&file.text).len();
    let transactional = match identity.format {
        MigrationFormat::FlywayVersioned
        | MigrationFormat::FlywayRepeatable
        | MigrationFormat::Diesel => !no_tx_directive,
        _ => !no_tx_directive && statements > 1,
    };
    vec![Migration {
        name: identity.name,
        version: identity.version,
        order: identity.order,
        format: identity.format,
        file: file.path.clone(),
        // The file's first statement line stands for the migration (where annotations go).
        span: {
            let line_end = file.text[first_statement.min(file.text.len())..]
                .find('\n')
                .map(|i| first_statement + i)
                .unwrap_or(file.text.len());
            file.span(first_statement.min(line_end), line_end)
        },
        transactional,
        up,
        down: Vec::new(),
        header_comments,
        comments,
        read_errors: Vec::new(),
    }]
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn ident(p: &str) -> Option<(String, Option<String>, MigrationFormat)> {
        sql_identity(&PathBuf::from(p)).map(|i| (i.name, i.version, i.format))
    }

    #[test]
    fn identities_per_layout() {
        assert_eq!(
            ident("m/0003_add_x.sql"),
            Some((
                "0003_add_x".into(),
                Some("0003".into()),
                MigrationFormat::SqlPlain
            ))
        );
        assert_eq!(
            ident("m/000003_add_x.up.sql"),
            Some((
                "000003_add_x".into(),
                Some("3".into()),
                MigrationFormat::GolangMigrate
            ))
        );
        assert_eq!(
            ident("m/V3_1__add_x.sql"),
            Some((
                "V3_1__add_x".into(),
                Some("3.1".into()),
                MigrationFormat::FlywayVersioned
            ))
        );
        assert_eq!(
            ident("m/R__views.sql").map(|i| i.2),
            Some(MigrationFormat::FlywayRepeatable)
        );
        assert_eq!(
            ident("m/2024-01-01-120000_add_x/up.sql"),
            Some((
                "2024-01-01-120000_add_x".into(),
                Some("20240101120000".into()),
                MigrationFormat::Diesel
            ))
        );
        assert_eq!(ident("m/notes.sql"), None);
    }

    #[test]
    fn down_files_are_recognised() {
        for p in ["3_x.down.sql", "d/down.sql", "U3__x.sql"] {
            assert!(is_down_file(Path::new(p)), "{p}");
        }
        for p in ["3_x.up.sql", "V3__x.sql", "Users.sql"] {
            assert!(!is_down_file(Path::new(p)), "{p}");
        }
    }

    #[test]
    fn versions_order_numerically() {
        let a = sql_identity(Path::new("V3_2__a.sql")).unwrap().order;
        let b = sql_identity(Path::new("V3_10__b.sql")).unwrap().order;
        let r = sql_identity(Path::new("R__c.sql")).unwrap().order;
        assert!(a < b && b < r);
    }
}
