//! `annotation-placement`: expand/contract annotations written where `tsc` drops them.
//!
//! A comment belongs to the statement after it. When that statement is an `import`
//! that tsc elides — `import type …`, or an import whose names are only used as types
//! (`MigrationInterface`, `QueryRunner` in a typical TypeORM migration) — the comment
//! is elided with it (checked with TypeScript 5.6, CommonJS and ES module output).
//! A `// @destructive:` header above such an import is then missing from the
//! compiled migration the release image runs, and release-check can only recover it
//! from a source map or the TypeScript. The fix is to write the annotations directly
//! above the class. An import that is kept (a name used as a value, `new Table(…)`)
//! keeps its comments, so it is not flagged.

use crate::annotations::annotations;
use crate::classify::finding;
use crate::finding::Finding;
use crate::ir::Migration;
use crate::ruleset::{CodeRule, RuleSet};

/// Whether a name is used only in type positions in `code` (the file without the
/// import itself): after `:`, `<`, `|`, `&`, `implements`, `as`, `type`, `keyof`.
/// Any other use counts as a value use (the import is kept): when unsure, no finding.
fn only_used_as_type(code: &str, name: &str) -> bool {
    let bytes = code.as_bytes();
    let is_ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'$';
    let mut from = 0;
    while let Some(i) = code[from..].find(name).map(|i| i + from) {
        from = i + name.len();
        let before_ok = i == 0 || !is_ident(bytes[i - 1]);
        let after_ok = bytes.get(from).is_none_or(|b| !is_ident(*b));
        if !(before_ok && after_ok) {
            continue;
        }
        let before = code[..i].trim_end();
        let type_position = before.ends_with([':', '<', '|', '&'])
            || ["implements", "as", "type", "keyof"].iter().any(|w| {
                before.ends_with(w)
                    && before[..before.len() - w.len()]
                        .bytes()
                        .last()
                        .is_none_or(|b| !is_ident(b))
            });
        if !type_position {
            return false;
        }
    }
    true
}

/// If `statement` is an import tsc elides, given the rest of the file.
fn elided_import(statement: &str, rest: &str) -> bool {
    let s = statement.trim();
    let Some(clause) = s.strip_prefix("import") else {
        return false;
    };
    if !clause.starts_with(char::is_whitespace) && !clause.starts_with('{') {
        return false;
    }
    let clause = clause.trim_start();
    if clause.starts_with("type ") || clause.starts_with("type{") {
        return true;
    }
    // `import "x"` (side effects) and `import x = require(…)` are kept.
    let Some((names, _)) = clause.split_once(" from ") else {
        return false;
    };
    if names.contains('*') || names.contains('=') {
        return false;
    }
    let names: Vec<&str> = names
        .split([',', '{', '}'])
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(|n| {
            let n = n.strip_prefix("type ").unwrap_or(n);
            n.rsplit(" as ").next().unwrap_or(n).trim()
        })
        .collect();
    !names.is_empty() && names.iter().all(|n| only_used_as_type(rest, n))
}

/// The `annotation-placement` finding of a TypeScript migration, if its annotations
/// sit directly above an import tsc elides. `text` is the file's source.
pub fn check(m: &Migration, text: &str, rules: &RuleSet) -> Vec<Finding> {
    let ts = m
        .file
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| matches!(e, "ts" | "mts" | "cts"));
    let Some(rule) = rules.enabled(CodeRule::AnnotationPlacement) else {
        return Vec::new();
    };
    if !ts {
        return Vec::new();
    }
    let a = annotations(m);
    let spans = [
        a.destructive.as_ref().map(|d| d.span),
        a.expand.as_ref().map(|e| e.span),
    ];
    let above_class: Vec<crate::ir::Span> = spans
        .into_iter()
        .flatten()
        .filter(|s| s.line < m.span.line)
        .collect();
    if above_class.is_empty() {
        return Vec::new();
    }
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for span in above_class {
        // The statement the comment belongs to: the next line that is not a comment
        // or blank (imports may span lines up to `from "…";`).
        let mut i = span.end_line; // 0-based index of the line after the comment
        while i < lines.len() {
            let t = lines[i].trim();
            if t.is_empty() || t.starts_with("//") || t.starts_with("/*") || t.starts_with('*') {
                i += 1;
            } else {
                break;
            }
        }
        let start = i;
        while i < lines.len() && !lines[i].contains(" from ") && !lines[i].trim_end().ends_with(';')
        {
            i += 1;
        }
        let end = (i + 1).min(lines.len());
        if start >= end {
            continue;
        }
        let statement = lines[start..end].join("\n");
        let rest = lines[..start]
            .iter()
            .chain(&lines[end..])
            .filter(|l| !l.trim_start().starts_with("import"))
            .copied()
            .collect::<Vec<_>>()
            .join("\n");
        if elided_import(&statement, &rest) {
            out.push(finding(
                rule,
                m,
                Some(span),
                None,
                format!(
                    "this annotation sits above a type-only import (line {}), which tsc removes together with its comments: the compiled migration in the release image loses it; write the annotations directly above `class {}`",
                    start + 1,
                    m.name
                ),));
            // One finding per migration: both annotations move together.
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::typeorm::read_typeorm_file;
    use crate::parse::ReadOptions;
    use crate::source::SourceFile;

    fn lint(path: &str, text: &str) -> Vec<Finding> {
        let file = SourceFile::new(path.into(), text.to_string());
        let m = read_typeorm_file(&file, &ReadOptions::default()).remove(0);
        check(&m, text, &RuleSet::builtin())
    }

    const HEADER: &str = "// @destructive: DROP COLUMN product.legacy_code (moved to smile_code)\n// @expand-migration: AddSmileCode1700000100000\n";
    const TYPE_ONLY: &str = "import { MigrationInterface, QueryRunner } from \"typeorm\";\n";
    const CLASS: &str = "\nexport class DropLegacyCode1700000200000 implements MigrationInterface {\n    public async up(queryRunner: QueryRunner): Promise<void> {\n        await queryRunner.query(`ALTER TABLE \"product\" DROP COLUMN \"legacy_code\"`);\n    }\n}\n";

    #[test]
    fn header_above_a_type_only_import_is_flagged() {
        let f = lint("m.ts", &format!("{HEADER}{TYPE_ONLY}{CLASS}"));
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].rule, "annotation-placement");
        assert_eq!(f[0].span.unwrap().line, 1);
        assert!(f[0].message.contains("directly above"), "{}", f[0].message);
        let f = lint(
            "m.ts",
            &format!("{HEADER}import type {{ MigrationInterface, QueryRunner }} from \"typeorm\";\n{CLASS}"),
        );
        assert_eq!(f.len(), 1, "{f:?}");
    }

    #[test]
    fn annotations_above_the_class_or_a_kept_import_are_fine() {
        // Directly above the class (the fix).
        assert!(lint("m.ts", &format!("{TYPE_ONLY}\n{HEADER}{CLASS}")).is_empty());
        // An import tsc keeps (Table is a value) keeps its leading comments.
        let kept = format!(
            "{HEADER}import {{ MigrationInterface, QueryRunner, Table }} from \"typeorm\";\n{}",
            CLASS.replace(
                "await queryRunner.query(`ALTER TABLE \"product\" DROP COLUMN \"legacy_code\"`);",
                "await queryRunner.dropTable(new Table({ name: \"product\" }));"
            )
        );
        assert!(lint("m.ts", &kept).is_empty());
        // Compiled JavaScript is what it is: nothing to move.
        assert!(lint(
            "m.js",
            &format!(
                "{HEADER}const typeorm_1 = require(\"typeorm\");\n{}",
                CLASS
                    .replace(" implements MigrationInterface", "")
                    .replace(": QueryRunner", "")
                    .replace(": Promise<void>", "")
            )
        )
        .is_empty());
    }

    #[test]
    fn type_positions() {
        assert!(only_used_as_type(
            "up(q: QueryRunner): Promise<void>",
            "QueryRunner"
        ));
        assert!(only_used_as_type(
            "class A implements MigrationInterface {",
            "MigrationInterface"
        ));
        assert!(!only_used_as_type("new Table({})", "Table"));
        assert!(!only_used_as_type("x: TableColumn; new Table()", "Table"));
        assert!(only_used_as_type("x: TableColumn", "Table"));
    }
}
