//! Snapshot tests over the TypeORM fixtures in `tests/fixtures/typeorm/`.

use super::*;
use serde::Serialize;
use std::path::PathBuf;

fn load(name: &str) -> SourceFile {
    let rel = PathBuf::from("tests/fixtures/typeorm").join(name);
    let text = std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(&rel))
        .expect("fixture exists");
    SourceFile::new(rel, text)
}

fn read_fixture(name: &str) -> Vec<Migration> {
    read_typeorm_file(&load(name), &ReadOptions::default())
}

/// One `query()` argument as assembled, with its map rendered as line:column ranges.
#[derive(Serialize)]
struct EmbeddedView {
    call_line: usize,
    sql: String,
    dynamic: bool,
    segments: Vec<String>,
}

fn embedded_view(name: &str) -> Vec<EmbeddedView> {
    let file = load(name);
    embedded_sql(&file, &ReadOptions::default())
        .into_iter()
        .map(|e| {
            let segments = e
                .map
                .segments()
                .iter()
                .map(|s| {
                    let sql = &e.sql[s.sql_start..s.sql_start + s.sql_len];
                    let src = &file.text[s.file_start..s.file_end];
                    // A verbatim segment must be the very bytes of the file.
                    if s.verbatim {
                        assert_eq!(sql, src, "verbatim segment differs from the file");
                    }
                    let sp = file.span(s.file_start, s.file_end);
                    format!(
                        "{:?} <- {}:{}-{}:{} {}",
                        sql,
                        sp.line,
                        sp.column,
                        sp.end_line,
                        sp.end_column,
                        if s.verbatim { "verbatim" } else { "mapped" }
                    )
                })
                .collect();
            EmbeddedView {
                call_line: e.call_span.line,
                sql: e.sql,
                dynamic: e.dynamic,
                segments,
            }
        })
        .collect()
}

/// A compact view of the ops: kind name, line and the op itself.
fn ops_view(ops: &[Operation]) -> Vec<String> {
    ops.iter()
        .map(|o| {
            format!(
                "{}:{}-{}:{} {} {}",
                o.span.line,
                o.span.column,
                o.span.end_line,
                o.span.end_column,
                serde_json::to_string(&o.kind).unwrap_or_default(),
                if o.dynamic { "(dynamic)" } else { "" }
            )
            .trim_end()
            .to_string()
        })
        .collect()
}

#[test]
fn timestamp_is_last_13_digits() {
    assert_eq!(timestamp("AddX1700000000000"), Some(1_700_000_000_000));
    assert_eq!(timestamp("AddX"), None);
    assert_eq!(timestamp("1700000000000-AddX"), None);
}

#[test]
fn raw_sql_assembly() {
    insta::assert_yaml_snapshot!(embedded_view("raw_sql.ts"));
}

#[test]
fn raw_sql_unreadable_arguments_are_opaque_or_dynamic() {
    let m = read_fixture("raw_sql.ts");
    assert_eq!(m.len(), 1);
    let e = embedded_view("raw_sql.ts");
    // `${tenant}` (a call result) is a placeholder, the rest resolves.
    let dynamic: Vec<_> = e.iter().filter(|e| e.dynamic).map(|e| &e.sql).collect();
    assert_eq!(dynamic, vec!["DROP TABLE __migguard_dynamic_1__.audit"]);
    assert!(e
        .iter()
        .any(|e| e.sql.contains("ALTER TABLE public.product")));
}

#[test]
fn builder_methods() {
    let m = read_fixture("builders.ts");
    insta::assert_yaml_snapshot!(ops_view(&m[0].up));
}

#[test]
fn builder_create_table_detail() {
    let m = read_fixture("builders.ts");
    insta::assert_yaml_snapshot!(m[0].up.first());
}

#[test]
fn change_column_modes() {
    let m = read_fixture("change_column.ts");
    insta::assert_yaml_snapshot!(ops_view(&m[0].up));
}

#[test]
fn compiled_commonjs() {
    insta::assert_yaml_snapshot!(read_fixture("compiled_commonjs.js"));
}

#[test]
fn downlevel_awaiter_and_module_exports() {
    let m = read_fixture("downlevel_awaiter.js");
    insta::assert_yaml_snapshot!(m);
    insta::assert_yaml_snapshot!(embedded_view("downlevel_awaiter.js"));
}

#[test]
fn several_classes_name_property_and_transaction() {
    let m = read_fixture("multi_class.ts");
    let view: Vec<_> = m
        .iter()
        .map(|m| {
            (
                m.name.clone(),
                m.version.clone(),
                m.transactional,
                m.span,
                m.header_comments
                    .iter()
                    .map(|c| c.text.clone())
                    .collect::<Vec<_>>(),
                ops_view(&m.up),
            )
        })
        .collect();
    insta::assert_yaml_snapshot!(view);
}

#[test]
fn helpers_and_unreadable_calls_are_opaque() {
    let m = read_fixture("opaque.ts");
    let ops: Vec<_> = m[0]
        .up
        .iter()
        .map(|o| {
            format!(
                "{} {}",
                o.span.line,
                serde_json::to_string(&o.kind).unwrap_or_default()
            )
        })
        .collect();
    insta::assert_yaml_snapshot!(ops);
    insta::assert_yaml_snapshot!(embedded_view("opaque.ts"));
    // A repository taken from the manager: reads are harmless, writes are opaque.
    let repo_ops: Vec<_> = m[1]
        .up
        .iter()
        .map(|o| (o.span.line, o.kind.name()))
        .collect();
    assert_eq!(repo_ops, vec![(43, "opaque")]);
}

#[test]
fn malformed_source_is_a_read_error_with_its_line() {
    let m = read_fixture("malformed.ts");
    assert_eq!(m.len(), 1);
    assert!(!m[0].read_errors.is_empty());
    assert_eq!(m[0].read_errors[0].span.line, 6);
    insta::assert_yaml_snapshot!(m[0].read_errors);
}

#[test]
fn down_is_not_read_as_up() {
    let m = read_fixture("down_only.ts");
    assert!(!m[0].up.is_empty());
    assert!(m[0].up.iter().all(|o| o.kind.name() == "create_table"));
}

#[test]
fn name_without_timestamp_is_a_read_error() {
    let m = read_fixture("no_timestamp.ts");
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].version, None);
    insta::assert_yaml_snapshot!(m[0].read_errors);
}

#[test]
fn file_without_migration_class_has_no_migrations() {
    assert!(read_fixture("no_migration.ts").is_empty());
}

/// One line per op: position, anchor, kind, object, how it was written, details.
fn summary(ms: &[Migration]) -> String {
    let mut out = Vec::new();
    for m in ms {
        out.push(format!(
            "migration {} version={:?} transactional={} line={}",
            m.name, m.version, m.transactional, m.span.line
        ));
        for c in &m.header_comments {
            out.push(format!("  header {}: {}", c.span.line, c.text));
        }
        for e in &m.read_errors {
            out.push(format!("  read-error {}: {}", e.span.line, e.message));
        }
        for (side, ops) in [("up", &m.up)] {
            for op in ops {
                let via = match &op.source {
                    OpSource::Builder { method } => format!("builder {method}"),
                    OpSource::Sql => "sql".into(),
                };
                let extra = match &op.kind {
                    OpKind::Opaque { reason } | OpKind::Unparsed { reason } => {
                        format!(" ({reason})")
                    }
                    OpKind::ChangeColumn { mode, new_name, .. } => {
                        format!(" mode={mode:?} new_name={new_name:?}")
                    }
                    OpKind::AddColumn { column, .. } => format!(
                        " type={} not_null={} default={:?}",
                        column.data_type, column.not_null, column.default
                    ),
                    OpKind::CreateTable {
                        columns,
                        constraints,
                        indexes,
                        ..
                    } => format!(
                        " columns=[{}] constraints={} indexes={}",
                        columns
                            .iter()
                            .map(|c| format!(
                                "{} {}{}{}",
                                c.name,
                                c.data_type,
                                if c.not_null { " not null" } else { "" },
                                c.default
                                    .as_ref()
                                    .map(|d| format!(" default {d}"))
                                    .unwrap_or_default()
                            ))
                            .collect::<Vec<_>>()
                            .join(", "),
                        constraints.len(),
                        indexes.len()
                    ),
                    _ => String::new(),
                };
                let origin = op
                    .origin
                    .as_ref()
                    .map(|o| {
                        format!(
                            " origin={}:{}:{}-{}:{} anchor={}",
                            o.file.file_name().unwrap_or_default().to_string_lossy(),
                            o.span.line,
                            o.span.column,
                            o.span.end_line,
                            o.span.end_column,
                            o.anchor_line
                        )
                    })
                    .unwrap_or_default();
                out.push(format!(
                    "  {side} {}:{}-{}:{} anchor={} {} {} {}{}{}{origin}",
                    op.span.line,
                    op.span.column,
                    op.span.end_line,
                    op.span.end_column,
                    op.anchor_line,
                    op.kind.name(),
                    op.kind.object().unwrap_or_default(),
                    via,
                    if op.dynamic { " dynamic" } else { "" },
                    extra
                ));
            }
        }
    }
    out.join("\n")
}

#[test]
fn end_to_end_raw_sql_spans_point_into_the_ts_file() {
    let file = load("1700000000000-RawSql.ts");
    let ms = read_typeorm_file(&file, &ReadOptions::default());
    insta::assert_snapshot!(summary(&ms));
    // The DROP COLUMN span is the statement inside the template literal.
    let drop = &ms[0].up[0];
    assert_eq!(
        &file.text[drop.span.start..drop.span.end],
        "ALTER TABLE \"${TABLE}\" DROP COLUMN \"${LEGACY}\""
    );
    // The second statement of a multi-statement template is on its own line.
    assert_eq!(ms[0].up[2].span.line, 15);
}

#[test]
fn end_to_end_builder() {
    insta::assert_snapshot!(summary(&read_fixture("1700000000001-Builder.ts")));
}

#[test]
fn end_to_end_compiled_javascript() {
    let ms = read_fixture("1700000000002-compiled.js");
    insta::assert_snapshot!(summary(&ms));
    assert_eq!(ms.len(), 2);
    assert!(!ms[0].transactional);
}

#[test]
fn end_to_end_broken_source() {
    let ms = read_fixture("1700000000004-Broken.ts");
    insta::assert_snapshot!(summary(&ms));
    assert!(ms.iter().any(|m| !m.read_errors.is_empty()));
}

#[test]
fn end_to_end_own_fixtures() {
    for name in [
        "raw_sql.ts",
        "compiled_commonjs.js",
        "downlevel_awaiter.js",
        "multi_class.ts",
        "opaque.ts",
        "down_only.ts",
        "es5_target.js",
        "arrow_fields.ts",
        "multi_database.ts",
        "get_table.ts",
    ] {
        insta::assert_snapshot!(name, summary(&read_fixture(name)));
    }
}

#[test]
fn consts_resolve_by_scope() {
    let sql: Vec<String> = embedded_sql(&load("scoped_consts.ts"), &ReadOptions::default())
        .into_iter()
        .map(|e| e.sql)
        .collect();
    assert_eq!(
        sql,
        vec![
            r#"ALTER TABLE core.invoice ADD "paid" boolean"#,
            // A reassigned `let` is no constant: the assignment just before the
            // call is its value there.
            "SELECT b",
            "TRUNCATE shadowed",
            r#"ALTER TABLE core.receipt DROP COLUMN "paid""#,
        ]
    );
}

/// Which branch of `if (<cond>)` a migration's `up` is read with: `Some(true)` only
/// the consequence, `Some(false)` only the alternative, `None` both.
fn db_branch(cond: &str) -> Option<bool> {
    let src = format!(
        "export class T1700000000000 {{\n  async up(queryRunner) {{\n    const flag = process.env.X;\n    if {cond} {{ await queryRunner.query('DROP TABLE then_branch'); }}\n    else {{ await queryRunner.query('DROP TABLE else_branch'); }}\n  }}\n}}\n"
    );
    let file = SourceFile::new(PathBuf::from("t.ts"), src);
    let ms = read_typeorm_file(&file, &ReadOptions::default());
    let objects: Vec<String> = ms[0].up.iter().filter_map(|o| o.kind.object()).collect();
    let read = |name: &str| objects.iter().any(|o| o.ends_with(name));
    match (read("then_branch"), read("else_branch")) {
        (true, false) => Some(true),
        (false, true) => Some(false),
        (true, true) => None,
        (false, false) => panic!("neither branch read for {cond}"),
    }
}

#[test]
fn database_type_conditions() {
    let t = "queryRunner.connection.options.type";
    assert_eq!(db_branch(&format!("({t} === 'postgres')")), Some(true));
    assert_eq!(db_branch(&format!("({t} === 'sqlite')")), Some(false));
    assert_eq!(db_branch(&format!("({t} !== 'postgres')")), Some(false));
    assert_eq!(db_branch(&format!("({t} !== 'mysql')")), Some(true));
    assert_eq!(
        db_branch(&format!("({t} === 'sqlite' || {t} === 'better-sqlite3')")),
        Some(false)
    );
    assert_eq!(
        db_branch(&format!("(!['sqlite', 'mysql'].includes({t}))")),
        Some(true)
    );
    // Three-valued logic: a test false on PostgreSQL `&&` anything is false there, a
    // test true there `||` anything is true; constants stand for their test.
    assert_eq!(
        db_branch(&format!("({t} === 'sqlite' && flag)")),
        Some(false)
    );
    assert_eq!(
        db_branch(&format!("({t} === 'postgres' || {t} === 'mysql')")),
        Some(true)
    );
    assert_eq!(
        db_branch(&format!("({t}.startsWith('postgres'))")),
        Some(true)
    );
    // Only known when the migration runs, or not about the database: both are read.
    assert_eq!(db_branch(&format!("({t} === 'sqlite' || flag)")), None);
    assert_eq!(db_branch(&format!("({t} === 'postgres' && flag)")), None);
    assert_eq!(db_branch(&format!("({t} === flag)")), None);
    // A name that only contains `postgres`, or is built at run time, may differ from
    // the driver's `postgres`: not a test migguard can decide.
    assert_eq!(db_branch(&format!("({t} === 'postgres-legacy')")), None);
    assert_eq!(db_branch(&format!("({t} === `postgres${{flag}}`)")), None);
    assert_eq!(db_branch(&format!("({t} === `postgres`)")), Some(true));
    assert_eq!(db_branch("(process.env.FAST === 'sqlite')"), None);
}

/// Truncated and spliced sources (what an editor or a bad merge leaves behind) are
/// read without panicking, and a cut inside a class is reported, not skipped.
#[test]
fn truncated_sources_never_panic_and_fail_closed() {
    for name in [
        "builders.ts",
        "raw_sql.ts",
        "es5_target.js",
        "multi_database.ts",
        "get_table.ts",
    ] {
        let full = load(name).text;
        let mut cut = 0;
        while cut < full.len() {
            cut += 37;
            let mut end = cut.min(full.len());
            while !full.is_char_boundary(end) {
                end -= 1;
            }
            let file = SourceFile::new(PathBuf::from(name), full[..end].to_string());
            let ms = read_typeorm_file(&file, &ReadOptions::default());
            // Between the `up` parameter and the `down` method we are inside a class.
            let inside_from = full.find("queryRunner").unwrap_or(full.len()) + 20;
            let inside_to = full.rfind("down").unwrap_or(0);
            if end > inside_from && end < inside_to {
                assert!(
                    ms.iter().any(|m| !m.read_errors.is_empty()),
                    "{name} cut at {end}: no read error"
                );
            }
        }
    }
}

/// Writes `files` (relative path, text) into a temp dir and reads the first one.
fn read_project(files: &[(&str, &str)]) -> (tempfile::TempDir, Vec<Migration>) {
    let dir = tempfile::tempdir().expect("temp dir");
    for (rel, text) in files {
        let path = dir.path().join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, text).expect("write");
    }
    let path = dir.path().join(files[0].0);
    let text = std::fs::read_to_string(&path).expect("read back");
    let m = read_typeorm_file(&SourceFile::new(path, text), &ReadOptions::default());
    (dir, m)
}

/// (line, kind, subject) of every `up` op.
fn up_ops(m: &Migration) -> Vec<(usize, &'static str, String)> {
    m.up.iter()
        .map(|o| {
            (
                o.span.line,
                o.kind.name(),
                o.kind.object().unwrap_or_default(),
            )
        })
        .collect()
}

const AUDIT_HELPER_TS: &str = r#"import { QueryRunner, TableColumn } from "typeorm";

export async function addAuditColumns(queryRunner: QueryRunner): Promise<void> {
  await queryRunner.query(`ALTER TABLE "users" ADD "created_by" text`);
  await queryRunner.addColumn("users", new TableColumn({ name: "updated_by", type: "text", isNullable: true }));
}
"#;

#[test]
fn an_imported_ts_helper_is_read_like_a_same_class_helper() {
    let migration = r#"import { MigrationInterface, QueryRunner } from "typeorm";
import { addAuditColumns } from "../helpers/audit";

export class AddAudit1700000000000 implements MigrationInterface {
  public async up(queryRunner: QueryRunner): Promise<void> {
    await addAuditColumns(queryRunner);
  }
  public async down(queryRunner: QueryRunner): Promise<void> {}
}
"#;
    let (_dir, m) = read_project(&[
        ("migrations/1700000000000-AddAudit.ts", migration),
        ("helpers/audit.ts", AUDIT_HELPER_TS),
    ]);
    assert_eq!(
        up_ops(&m[0]),
        vec![
            (6, "add_column", "public.users.created_by".to_string()),
            (6, "add_column", "public.users.updated_by".to_string()),
        ]
    );
    // The op's text is the helper's statement.
    assert!(m[0].up[0].text.contains("created_by"));
}

#[test]
fn an_imported_helper_in_compiled_js_is_read_through_require() {
    let migration = r#""use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.AddAudit1700000000000 = void 0;
const audit_1 = require("../helpers/audit");
class AddAudit1700000000000 {
    async up(queryRunner) {
        await (0, audit_1.addAuditColumns)(queryRunner);
    }
    async down(queryRunner) { }
}
exports.AddAudit1700000000000 = AddAudit1700000000000;
"#;
    let helper = r#""use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.addAuditColumns = addAuditColumns;
async function addAuditColumns(queryRunner) {
    await queryRunner.query(`ALTER TABLE "users" ADD "created_by" text`);
}
"#;
    let (_dir, m) = read_project(&[
        ("dist/migrations/1700000000000-AddAudit.js", migration),
        ("dist/helpers/audit.js", helper),
    ]);
    assert_eq!(
        up_ops(&m[0]),
        vec![(7, "add_column", "public.users.created_by".to_string())]
    );
}

#[test]
fn an_imported_helper_that_cannot_be_read_stays_opaque() {
    let migration = r#"import { QueryRunner } from "typeorm";
import { addAuditColumns } from "../helpers/audit";
import { fromPackage } from "some-package";

export class AddAudit1700000000000 {
  public async up(queryRunner: QueryRunner): Promise<void> {
    await addAuditColumns(queryRunner);
    await fromPackage(queryRunner);
  }
}
"#;
    // The helper file is missing; a package is never followed.
    let (_dir, m) = read_project(&[("migrations/1700000000000-AddAudit.ts", migration)]);
    let kinds: Vec<_> = up_ops(&m[0]).into_iter().map(|(l, k, _)| (l, k)).collect();
    assert_eq!(kinds, vec![(7, "opaque"), (8, "opaque")]);
}

#[test]
fn imported_helpers_that_call_each_other_stop_at_the_cycle() {
    let migration = r#"import { QueryRunner } from "typeorm";
import { ping } from "./ping";

export class Loop1700000000000 {
  public async up(queryRunner: QueryRunner): Promise<void> {
    await ping(queryRunner);
  }
}
"#;
    let ping = r#"import { pong } from "./pong";
export async function ping(qr) {
  await qr.query(`CREATE TABLE "a" (id int)`);
  await pong(qr);
}
"#;
    let pong = r#"import { ping } from "./ping";
export const pong = async (qr) => {
  await ping(qr);
};
"#;
    let (_dir, m) = read_project(&[
        ("migrations/1700000000000-Loop.ts", migration),
        ("migrations/ping.ts", ping),
        ("migrations/pong.ts", pong),
    ]);
    let kinds: Vec<_> = up_ops(&m[0]).into_iter().map(|(l, k, _)| (l, k)).collect();
    // ping → pong → ping again is not followed: that call stays opaque.
    assert_eq!(kinds, vec![(6, "create_table"), (6, "opaque")]);
}

const ORDERS_MIGRATION: &str = r#"import { MigrationInterface, QueryRunner } from "typeorm";
import { addAuditColumns } from "../helpers/audit";

export class AddAudit1700000000000 implements MigrationInterface {
  public async up(queryRunner: QueryRunner): Promise<void> {
    const schema = "sales";
    await addAuditColumns(queryRunner, "orders");
    await addAuditColumns(queryRunner, `${schema}.invoices`, "by");
    await addAuditColumns(queryRunner, process.env.TABLE);
  }
}
"#;

#[test]
fn an_imported_helper_reads_literal_arguments_as_its_parameters() {
    let helper = r#"import { QueryRunner, TableColumn } from "typeorm";
const table = "shadowed_by_the_parameter";

export async function addAuditColumns(queryRunner: QueryRunner, table: string, prefix = "created"): Promise<void> {
  await queryRunner.query(`ALTER TABLE ${table} ADD "${prefix}_at" timestamptz`);
  await queryRunner.addColumn(table, new TableColumn({ name: prefix + "_note", type: "text", isNullable: true }));
}
"#;
    let (_dir, m) = read_project(&[
        ("migrations/1700000000000-AddAudit.ts", ORDERS_MIGRATION),
        ("helpers/audit.ts", helper),
    ]);
    let ops: Vec<_> = m[0]
        .up
        .iter()
        .map(|o| {
            let object = o.kind.object().filter(|_| !o.dynamic).unwrap_or_default();
            (o.span.line, o.kind.name(), object, o.dynamic)
        })
        .collect();
    assert_eq!(
        ops,
        vec![
            (
                7,
                "add_column",
                "public.orders.created_at".to_string(),
                false
            ),
            (
                7,
                "add_column",
                "public.orders.created_note".to_string(),
                false
            ),
            (8, "add_column", "sales.invoices.by_at".to_string(), false),
            (8, "add_column", "sales.invoices.by_note".to_string(), false),
            // An argument only known at run time leaves the parameter unbound: the
            // SQL is dynamic and the builder call opaque, as before.
            (9, "add_column", String::new(), true),
            (9, "opaque", String::new(), false),
        ]
    );
}

#[test]
fn a_reassigned_parameter_is_not_bound_to_its_argument() {
    let helper = r#"export async function addAuditColumns(queryRunner, table) {
  table = table + "_archive";
  await queryRunner.query(`ALTER TABLE ${table} ADD "created_at" timestamptz`);
}
"#;
    let (_dir, m) = read_project(&[
        ("migrations/1700000000000-AddAudit.ts", ORDERS_MIGRATION),
        ("helpers/audit.ts", helper),
    ]);
    assert!(m[0].up.iter().all(|o| o.dynamic), "{:?}", m[0].up);
}

#[test]
fn a_parameter_of_an_inner_function_shadows_the_bound_one() {
    let helper = r#"const table = "module_constant";
export async function addAuditColumns(queryRunner, table) {
  ["x"].forEach((table) => queryRunner.query(`DROP TABLE ${table}`));
}
"#;
    let (_dir, m) = read_project(&[
        ("migrations/1700000000000-AddAudit.ts", ORDERS_MIGRATION),
        ("helpers/audit.ts", helper),
    ]);
    // Neither the argument nor the module constant: the inner `table` is unknown.
    assert_eq!(m[0].up.len(), 3);
    for op in &m[0].up {
        assert_eq!(op.kind.name(), "drop_table");
        assert!(op.dynamic, "{op:?}");
        assert!(!op.text.contains("orders") && !op.text.contains("module_constant"));
    }
}

/// (kind, object) of every `up` op of the first migration.
fn kinds_and_objects(m: &[Migration]) -> Vec<(&'static str, String)> {
    m[0].up
        .iter()
        .map(|o| (o.kind.name(), o.kind.object().unwrap_or_default()))
        .collect()
}

fn creates(tables: &[&str]) -> Vec<(&'static str, String)> {
    tables
        .iter()
        .map(|t| ("create_table", format!("public.{t}")))
        .collect()
}

#[test]
fn default_imports_are_followed_to_the_default_export() {
    let migration = r#"import { QueryRunner } from "typeorm";
import addA from "../helpers/a";
import addB from "../helpers/b";
import addC from "../helpers/c";

export class Defaults1700000000000 {
  public async up(queryRunner: QueryRunner): Promise<void> {
    await addA(queryRunner);
    await addB(queryRunner);
    await addC(queryRunner);
  }
}
"#;
    let (_dir, m) = read_project(&[
        ("migrations/1700000000000-Defaults.ts", migration),
        (
            "helpers/a.ts",
            "export default async function addA(qr) {\n  await qr.query(`CREATE TABLE \"a\" (id int)`);\n}\n",
        ),
        (
            "helpers/b.ts",
            "export default async (qr) => {\n  await qr.query(`CREATE TABLE \"b\" (id int)`);\n};\n",
        ),
        (
            "helpers/c.ts",
            "async function addC(qr) {\n  await qr.query(`CREATE TABLE \"c\" (id int)`);\n}\nexport default addC;\n",
        ),
    ]);
    assert_eq!(kinds_and_objects(&m), creates(&["a", "b", "c"]));
}

#[test]
fn a_compiled_default_import_is_followed_through_import_default() {
    let migration = r#""use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
exports.Defaults1700000000000 = void 0;
const a_1 = __importDefault(require("../helpers/a"));
class Defaults1700000000000 {
    async up(queryRunner) {
        await (0, a_1.default)(queryRunner);
    }
}
exports.Defaults1700000000000 = Defaults1700000000000;
"#;
    let helper = r#""use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.default = addA;
async function addA(qr) {
    await qr.query(`CREATE TABLE "a" (id int)`);
}
"#;
    let (_dir, m) = read_project(&[
        ("dist/migrations/1700000000000-Defaults.js", migration),
        ("dist/helpers/a.js", helper),
    ]);
    assert_eq!(kinds_and_objects(&m), creates(&["a"]));
}

#[test]
fn a_folder_index_with_re_exports_is_followed() {
    let migration = r#"import { QueryRunner } from "typeorm";
import { addA, addRenamed, addThird, missing } from "../helpers";

export class ReExports1700000000000 {
  public async up(queryRunner: QueryRunner): Promise<void> {
    await addA(queryRunner);
    await addRenamed(queryRunner);
    await addThird(queryRunner);
    await missing(queryRunner);
  }
}
"#;
    let (_dir, m) = read_project(&[
        ("migrations/1700000000000-ReExports.ts", migration),
        (
            "helpers/index.ts",
            "export * from \"./loop\";\nexport * from \"./a\";\nexport { addB as addRenamed } from \"./b\";\nimport { addC } from \"./c\";\nexport { addC as addThird };\n",
        ),
        // A cycle of `export *` ends without finding anything.
        ("helpers/loop.ts", "export * from \"./index\";\n"),
        (
            "helpers/a.ts",
            "export async function addA(qr) {\n  await qr.query(`CREATE TABLE \"a\" (id int)`);\n}\n",
        ),
        (
            "helpers/b.ts",
            "export const addB = async (qr) => {\n  await qr.query(`CREATE TABLE \"b\" (id int)`);\n};\n",
        ),
        (
            "helpers/c.ts",
            "export async function addC(qr) {\n  await qr.query(`CREATE TABLE \"c\" (id int)`);\n}\n",
        ),
    ]);
    let mut expected = creates(&["a", "b", "c"]);
    expected.push(("opaque", String::new()));
    assert_eq!(kinds_and_objects(&m), expected);
}

#[test]
fn compiled_re_exports_are_followed() {
    let migration = r#""use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.ReExports1700000000000 = void 0;
const helpers_1 = require("../helpers");
class ReExports1700000000000 {
    async up(queryRunner) {
        await (0, helpers_1.addRenamed)(queryRunner);
        await (0, helpers_1.addB)(queryRunner);
        await (0, helpers_1.addB2)(queryRunner);
    }
}
exports.ReExports1700000000000 = ReExports1700000000000;
"#;
    let index = r#""use strict";
var __exportStar = (this && this.__exportStar) || function(m, exports) {
    for (var p in m) if (p !== "default" && !Object.prototype.hasOwnProperty.call(exports, p)) __createBinding(exports, m, p);
};
Object.defineProperty(exports, "__esModule", { value: true });
exports.addRenamed = void 0;
var a_1 = require("./a");
Object.defineProperty(exports, "addRenamed", { enumerable: true, get: function () { return a_1.addA; } });
__exportStar(require("./b"), exports);
"#;
    let a = "\"use strict\";\nObject.defineProperty(exports, \"__esModule\", { value: true });\nexports.addA = addA;\nasync function addA(qr) {\n    await qr.query(`CREATE TABLE \"a\" (id int)`);\n}\n";
    let b = "\"use strict\";\nObject.defineProperty(exports, \"__esModule\", { value: true });\nexports.addB2 = exports.addB = void 0;\nconst addB = async (qr) => {\n    await qr.query(`CREATE TABLE \"b\" (id int)`);\n};\nexports.addB = addB;\nexports.addB2 = async function (qr) {\n    await qr.query(`CREATE TABLE \"b2\" (id int)`);\n};\n";
    let (_dir, m) = read_project(&[
        ("dist/migrations/1700000000000-ReExports.js", migration),
        ("dist/helpers/index.js", index),
        ("dist/helpers/a.js", a),
        ("dist/helpers/b.js", b),
    ]);
    assert_eq!(kinds_and_objects(&m), creates(&["a", "b", "b2"]));
}

#[test]
fn tsconfig_path_aliases_are_followed_and_packages_are_not() {
    let migration = r#"import { QueryRunner } from "typeorm";
import { addA } from "@app/helpers/a";
import { addB } from "@helpers";
import { addC } from "helpers/c";
import { fromPackage } from "@scope/package";

export class Aliases1700000000000 {
  public async up(queryRunner: QueryRunner): Promise<void> {
    await addA(queryRunner);
    await addB(queryRunner);
    await addC(queryRunner);
    await fromPackage(queryRunner);
  }
}
"#;
    let tsconfig = r#"{
  // tsc reads JSON with comments and trailing commas
  "compilerOptions": {
    "baseUrl": "./src", /* the folder non-relative imports start from */
    "paths": {
      "@app/*": ["./*"],
      "@helpers": ["helpers/b.ts",],
    },
  },
}
"#;
    let helper = |t: &str| {
        format!("export async function add{}(qr) {{\n  await qr.query(`CREATE TABLE \"{t}\" (id int)`);\n}}\n", t.to_uppercase())
    };
    let (_dir, m) = read_project(&[
        ("src/migrations/1700000000000-Aliases.ts", migration),
        ("tsconfig.json", tsconfig),
        ("package.json", "{}"),
        ("src/helpers/a.ts", &helper("a")),
        ("src/helpers/b.ts", &helper("b")),
        ("src/helpers/c.ts", &helper("c")),
    ]);
    let mut expected = creates(&["a", "b", "c"]);
    expected.push(("opaque", String::new()));
    assert_eq!(kinds_and_objects(&m), expected);
}

#[test]
fn defaults_see_earlier_parameters_and_spread_arguments_bind_nothing() {
    let migration = r#"import { QueryRunner } from "typeorm";
import * as helpers from "../helpers";

export class Defaults1700000000000 {
  public async up(queryRunner: QueryRunner): Promise<void> {
    await helpers.dropOld(queryRunner, "orders");
    await helpers.dropOld(queryRunner, ...["orders", "id"]);
  }
}
"#;
    let helper = "export async function dropOld(qr, table, column = `${table}_old`) {\n  await qr.query(`ALTER TABLE ${table} DROP COLUMN ${column}`);\n}\n";
    let (_dir, m) = read_project(&[
        ("migrations/1700000000000-Defaults.ts", migration),
        ("helpers/index.ts", "export * from \"./drop\";\n"),
        ("helpers/drop.ts", helper),
    ]);
    let ops: Vec<_> = m[0]
        .up
        .iter()
        .map(|o| (o.kind.name(), o.dynamic, o.text.clone()))
        .collect();
    assert_eq!(
        ops[0],
        (
            "drop_column",
            false,
            "ALTER TABLE orders DROP COLUMN orders_old".to_string()
        )
    );
    assert_eq!(ops.len(), 2, "{ops:?}");
    assert_eq!(ops[1].0, "drop_column");
    assert!(ops[1].1, "a spread leaves the parameters unbound: {ops:?}");
}

/// misskey's uniform-themecolor: a query whose result feeds a callback that runs more
/// queries. The callback's literal `query()` calls are read like any other; one whose
/// SQL is built from the rows stays opaque.
#[test]
fn query_then_callback_is_read_like_any_other_code() {
    let migration = r#"import { MigrationInterface, QueryRunner } from "typeorm";

export class ThemeColor1700000000000 implements MigrationInterface {
  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`SELECT "id" FROM "meta"`).then(rows => queryRunner.query(`UPDATE "meta" SET "themeColor" = NULL WHERE "themeColor" = ''`));
    await queryRunner.query(`SELECT "id" FROM "meta"`).then(async (rows) => {
      for (const row of rows) {
        await queryRunner.query(`UPDATE "meta" SET "x" = '${row.x}'`);
      }
      await queryRunner.query(rows[0].sql);
    }).catch(() => queryRunner.query(`DELETE FROM "meta" WHERE "id" = 1`));
  }
  public async down(queryRunner: QueryRunner): Promise<void> {}
}
"#;
    let (_dir, m) = read_project(&[("migrations/1700000000000-ThemeColor.ts", migration)]);
    let kinds: Vec<(usize, &str)> = up_ops(&m[0]).iter().map(|(l, k, _)| (*l, *k)).collect();
    assert_eq!(
        kinds,
        vec![
            (5, "other"),
            (5, "update"),
            (6, "other"),
            (8, "update"),
            (10, "opaque"),
            (11, "delete"),
        ]
    );
    // The row value spliced into the UPDATE is marked as built at run time.
    assert!(m[0].up[3].dynamic);
}

/// A column flag whose value is only known at run time is not read as `false`:
/// TypeORM writes `NOT NULL` unless `isNullable` is `true`, and `UNIQUE`, a serial or
/// an array only as the value then is. Reading `isNullable: nullable` as NOT NULL
/// was silent; the call is opaque instead, with the flag named.
#[test]
fn a_column_flag_known_only_at_run_time_makes_the_call_opaque() {
    let migration = r#"import { QueryRunner, TableColumn } from "typeorm";

export class AddNote1700000000000 {
  public async up(queryRunner: QueryRunner): Promise<void> {
    const nullable = process.env.NOTE_NULLABLE === "1";
    await queryRunner.addColumn("users", new TableColumn({ name: "note", type: "text", isNullable: nullable }));
    await queryRunner.addColumn("users", new TableColumn({ name: "code", type: "text", isUnique: flags.unique }));
    await queryRunner.addColumn("users", new TableColumn({ name: "plain", type: "text", isNullable: true, isUnique: false }));
  }
}
"#;
    let (_dir, m) = read_project(&[("migrations/1700000000000-AddNote.ts", migration)]);
    let ops: Vec<_> = m[0]
        .up
        .iter()
        .map(|o| match &o.kind {
            OpKind::Opaque { reason } => format!("{} opaque: {reason}", o.span.line),
            OpKind::AddColumn { column, .. } => {
                format!(
                    "{} add_column {} not_null={}",
                    o.span.line, column.name, column.not_null
                )
            }
            k => format!("{} {}", o.span.line, k.name()),
        })
        .collect();
    assert_eq!(ops.len(), 3, "{ops:#?}");
    assert!(
        ops[0].starts_with("6 opaque") && ops[0].contains("isNullable") && ops[0].contains("note"),
        "{ops:#?}"
    );
    assert!(
        ops[1].starts_with("7 opaque") && ops[1].contains("isUnique"),
        "{ops:#?}"
    );
    assert_eq!(ops[2], "8 add_column plain not_null=false");
}
