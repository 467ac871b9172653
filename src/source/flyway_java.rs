//! Flyway Java (and Kotlin) migrations: classes Flyway runs from its locations next
//! to the SQL scripts and records as `JDBC` / `SPRING_JDBC` history rows.
//!
//! migguard cannot read them, but a class the project holds is a *known* migration,
//! not one the database applied behind the build's back. This module finds them and
//! gives each the identity Flyway gives it, so history matching treats them like
//! scripts; what they do stays unreadable: each becomes one opaque operation (a
//! pending one blocks like any unreadable pending migration; drift marks what it
//! names as unverifiable).
//!
//! Identity, as Flyway decides it: a class that overrides `getVersion()` with
//! `MigrationVersion.fromVersion("44.1")` has that version (marquez's
//! `V44_3_BackfillJobsWithParents`, and `V57_1__BackfillFacets`, whose version is
//! 57.2); otherwise `BaseJavaMigration` parses the class name
//! `V<version>__<description>`. A compiled `.class` is known by its name only. A
//! source naming several different versions is ambiguous and not matched (its
//! history row stays unknown: fail closed). Repeatable (`R__…`) classes have no
//! version to match and are left out.

use super::SourceFile;
use crate::error::{Error, Result};
use crate::ir::{Migration, MigrationFormat, MigrationOrder, OpKind, OpSource, Operation, Span};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// File endings of the classes Flyway can run: Java and Kotlin sources, bytecode.
const EXTENSIONS: [&str; 3] = ["java", "kt", "class"];

/// A Flyway Java migration's identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JavaMigration {
    /// The class name (file stem), e.g. `V44_1__UpdateRunsWithJobUUID`.
    pub class: String,
    /// The version as Flyway stores it (`44.1`).
    pub version: String,
}

/// The version a source declares with `MigrationVersion.fromVersion("…")`: `Ok(None)`
/// when it declares none, `Err` when it declares several different ones.
fn declared_version(text: &str) -> std::result::Result<Option<String>, ()> {
    let versions: BTreeSet<&str> = text
        .split("fromVersion(")
        .skip(1)
        .filter_map(|rest| {
            let rest = rest.trim_start().strip_prefix('"')?;
            rest.split_once('"').map(|(v, _)| v.trim())
        })
        .collect();
    match versions.len() {
        0 => Ok(None),
        1 => Ok(versions.into_iter().next().map(str::to_string)),
        _ => Err(()),
    }
}

/// `V44_1__Update` → `44.1` (Flyway's `BaseJavaMigration` naming).
fn version_from_class_name(class: &str) -> Option<String> {
    let (ver, _) = class.strip_prefix('V')?.split_once("__")?;
    let ok = ver.starts_with(|c: char| c.is_ascii_digit())
        && ver
            .chars()
            .all(|c| c.is_ascii_digit() || c == '_' || c == '.');
    ok.then(|| ver.replace('_', "."))
}

/// The identity of a class file, from its name and (for sources) its text. Pure.
pub fn identify(path: &Path, text: Option<&str>) -> Option<JavaMigration> {
    let class = path.file_stem()?.to_str()?.to_string();
    // Inner and anonymous classes (`Outer$1.class`) are not migrations.
    if class.contains('$') {
        return None;
    }
    let declared = match text.map(declared_version) {
        Some(Err(())) => return None,
        Some(Ok(v)) => v,
        None => None,
    };
    let version = declared.or_else(|| version_from_class_name(&class))?;
    Some(JavaMigration { class, version })
}

/// The migration migguard sees for a Java class: its identity and one opaque
/// operation carrying the source text (so drift knows which tables it names).
pub fn to_migration(source: &SourceFile, java: &JavaMigration) -> Migration {
    let span = if source.text.is_empty() {
        Span::default()
    } else {
        source.span(0, source.text.len())
    };
    Migration {
        name: java.class.clone(),
        version: Some(java.version.clone()),
        order: MigrationOrder {
            repeatable: false,
            version: super::layout::version_parts(&java.version),
            name: java.class.clone(),
        },
        format: MigrationFormat::FlywayVersioned,
        file: source.path.clone(),
        span,
        transactional: true,
        up: vec![Operation {
            kind: OpKind::Opaque {
                reason: "Flyway Java migration: migguard does not read Java or Kotlin".into(),
            },
            span,
            text: source.text.clone(),
            source: OpSource::Sql,
            dynamic: false,
            anchor_line: 1,
            guard: None,
            origin: None,
        }],
        header_comments: vec![],
        comments: vec![],
        read_errors: vec![],
    }
}

/// Every Flyway Java migration under `dirs` (walked in file-name order; a directory
/// that does not exist is an input error, as for migration paths), with its source.
pub fn find(dirs: &[PathBuf]) -> Result<Vec<(SourceFile, JavaMigration)>> {
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for dir in dirs {
        if !dir.exists() {
            return Err(Error::Input {
                path: dir.clone(),
                message: "no such file or directory (Flyway Java migrations)".into(),
            });
        }
        for entry in walkdir::WalkDir::new(dir)
            .follow_links(false)
            .sort_by_file_name()
        {
            let entry = entry.map_err(|e| Error::io(dir.display().to_string(), e.into()))?;
            let path = entry.path();
            let is_class_file = entry.file_type().is_file()
                && path
                    .extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| EXTENSIONS.contains(&e));
            if !is_class_file || !seen.insert(path.to_path_buf()) {
                continue;
            }
            let source = if path.extension().is_some_and(|e| e == "class") {
                SourceFile::new(path.to_path_buf(), String::new())
            } else {
                super::load(path)?
            };
            let text = (!source.text.is_empty()).then_some(source.text.as_str());
            if let Some(java) = identify(path, text) {
                out.push((source, java));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(name: &str, text: Option<&str>) -> Option<(String, String)> {
        identify(Path::new(name), text).map(|j| (j.class, j.version))
    }

    #[test]
    fn the_declared_version_wins_over_the_class_name() {
        let text = r#"public MigrationVersion getVersion() {
            return MigrationVersion.fromVersion("57.2");
        }"#;
        assert_eq!(
            id("V57_1__BackfillFacets.java", Some(text)),
            Some(("V57_1__BackfillFacets".into(), "57.2".into()))
        );
        // Not Flyway's naming, but the version is declared.
        let text = r#"static final MigrationVersion V = MigrationVersion.fromVersion( "44.3" );"#;
        assert_eq!(
            id("V44_3_BackfillJobsWithParents.kt", Some(text)).map(|x| x.1),
            Some("44.3".into())
        );
    }

    #[test]
    fn base_java_migration_names_give_the_version() {
        assert_eq!(
            id(
                "V3_1__add_x.java",
                Some("class V3_1__add_x extends BaseJavaMigration {}")
            ),
            Some(("V3_1__add_x".into(), "3.1".into()))
        );
        assert_eq!(id("V12__seed.class", None).map(|x| x.1), Some("12".into()));
    }

    #[test]
    fn what_flyway_would_not_version_is_left_out() {
        assert_eq!(id("R__views.java", Some("class R__views {}")), None);
        assert_eq!(id("Helper.java", Some("class Helper {}")), None);
        assert_eq!(id("V3__x$1.class", None), None);
        assert_eq!(id("V3_x.java", Some("no version")), None);
        let two = r#"fromVersion("1") fromVersion("2")"#;
        assert_eq!(id("V1__x.java", Some(two)), None);
    }
}
