//! The attack surface at a glance: SQL that PostgreSQL (or psql, or TypeORM) executes
//! destructively, written so that a naive reader would miss it. Every case writes a
//! migration to a temp dir, runs the real binary and asserts the finding and the exit
//! code. Each case failed (exit 0, no finding) before the fix that covers it; the
//! PostgreSQL behaviour of each was checked with `psql -f` against PostgreSQL 15.

mod util;
use util::*;

/// Lint one migration file; (exit code, [(rule, object)] of the findings).
fn lint_file(name: &str, text: &str) -> (i32, Vec<(String, String)>) {
    let dir = project(&[(&format!("migrations/{name}"), text)]);
    let r = run_in(dir.path(), &["lint", "migrations", "--format", "json"]);
    let v = r.json();
    let found = v["findings"]
        .as_array()
        .unwrap_or_else(|| panic!("no findings array: {}", r.stdout))
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or("").to_string(),
                f["object"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    (r.code, found)
}

fn lint_sql(text: &str) -> (i32, Vec<(String, String)>) {
    lint_file("0001_x.sql", text)
}

/// A TypeORM migration whose `up` runs `query(<arg>)`, `arg` written as TypeScript.
fn typeorm(arg: &str) -> String {
    format!(
        "import {{ MigrationInterface, QueryRunner }} from 'typeorm';\n\
         export class Evasion1700000000001 implements MigrationInterface {{\n\
         \x20   public async up(queryRunner: QueryRunner): Promise<void> {{\n\
         \x20       await queryRunner.query({arg});\n\
         \x20   }}\n\
         \x20   public async down(): Promise<void> {{}}\n\
         }}\n"
    )
}

#[track_caller]
fn assert_finds(result: &(i32, Vec<(String, String)>), rule: &str, object: &str) {
    let (code, found) = result;
    assert_eq!(*code, 1, "{found:?}");
    assert!(
        found.iter().any(|(r, o)| r == rule && o == object),
        "no {rule} on {object}: {found:?}"
    );
}

#[track_caller]
fn assert_passes_without(result: &(i32, Vec<(String, String)>), rule: &str) {
    let (code, found) = result;
    assert_eq!(*code, 0, "{found:?}");
    assert!(!found.iter().any(|(r, _)| r == rule), "{found:?}");
}

// ---- SQL lexing and statements (task A) ----

#[test]
fn bare_cr_ends_a_line_comment_in_a_sql_file() {
    assert_finds(
        &lint_sql("-- note\rDROP TABLE users;\n"),
        "drop-table",
        "public.users",
    );
}

#[test]
fn bare_cr_ends_a_line_comment_inside_typeorm_query() {
    let r = lint_file(
        "1700000000001-Evasion.ts",
        &typeorm("'-- note\\rDROP TABLE users'"),
    );
    assert_finds(&r, "drop-table", "public.users");
}

#[test]
fn dollar_inside_an_identifier_opens_no_quote() {
    assert_finds(
        &lint_sql("SELECT a$$x$ ; DROP TABLE users; SELECT $x$;\n"),
        "drop-table",
        "public.users",
    );
    // `a$E'\'` is an identifier and a plain string, not an E'' string.
    assert_finds(
        &lint_sql("SELECT 1 AS a$E'\\'; DROP TABLE users; --';\n"),
        "drop-table",
        "public.users",
    );
}

#[test]
fn dollar_tags_with_non_ascii_letters_quote_like_any_tag() {
    assert_finds(
        &lint_sql("SELECT $\u{e4}$ $x$ $\u{e4}$; DROP TABLE users; SELECT $x$;\n"),
        "drop-table",
        "public.users",
    );
}

#[test]
fn a_psql_meta_command_ends_at_its_line() {
    assert_finds(
        &lint_sql("\\echo '\nDROP TABLE users;\n-- '\n"),
        "drop-table",
        "public.users",
    );
}

#[test]
fn escape_string_quote_tricks() {
    assert_finds(
        &lint_sql("SELECT E'\\''; DROP TABLE users; --';\n"),
        "drop-table",
        "public.users",
    );
    assert_finds(
        &lint_sql("SELECT U&'\\'; DROP TABLE users; --';\n"),
        "drop-table",
        "public.users",
    );
}

#[test]
fn explain_analyze_runs_its_statement_plain_explain_does_not() {
    assert_finds(
        &lint_sql("EXPLAIN ANALYZE DELETE FROM users;\n"),
        "delete-without-where",
        "public.users",
    );
    assert_finds(
        &lint_sql("EXPLAIN (ANALYZE, FORMAT JSON) DELETE FROM users;\n"),
        "delete-without-where",
        "public.users",
    );
    assert_passes_without(
        &lint_sql("EXPLAIN DELETE FROM users;\n"),
        "delete-without-where",
    );
}

#[test]
fn prepared_statement_runs_at_execute() {
    assert_finds(
        &lint_sql("PREPARE p AS DELETE FROM users;\nEXECUTE p;\n"),
        "delete-without-where",
        "public.users",
    );
    assert_passes_without(
        &lint_sql("PREPARE p AS DELETE FROM users;\n"),
        "delete-without-where",
    );
}

#[test]
fn merge_delete_is_a_delete() {
    assert_finds(
        &lint_sql("MERGE INTO users u USING (SELECT 1) s ON true WHEN MATCHED THEN DELETE;\n"),
        "delete-without-where",
        "public.users",
    );
}

#[test]
fn data_modifying_cte_in_create_table_as_and_copy() {
    assert_finds(
        &lint_sql("CREATE TABLE g AS WITH d AS (DELETE FROM users RETURNING *) SELECT * FROM d;\n"),
        "delete-without-where",
        "public.users",
    );
    assert_finds(
        &lint_sql("COPY (DELETE FROM users RETURNING id) TO STDOUT;\n"),
        "delete-without-where",
        "public.users",
    );
    assert_finds(
        &lint_sql("WITH x AS (SELECT 1) DELETE FROM users;\n"),
        "delete-without-where",
        "public.users",
    );
}

#[test]
fn routine_created_and_called_in_the_same_migration_runs_its_body() {
    assert_finds(
        &lint_sql(
            "CREATE FUNCTION wipe() RETURNS void LANGUAGE sql AS $$ DELETE FROM users $$;\nSELECT wipe();\n",
        ),
        "delete-without-where",
        "public.users",
    );
    assert_finds(
        &lint_sql(
            "CREATE PROCEDURE p() LANGUAGE plpgsql AS $$ BEGIN DROP TABLE users; END $$;\nCALL p();\n",
        ),
        "drop-table",
        "public.users",
    );
    // Created but never run here: defining code is not running it.
    assert_passes_without(
        &lint_sql("CREATE FUNCTION wipe() RETURNS void LANGUAGE sql AS $$ DELETE FROM users $$;\n"),
        "delete-without-where",
    );
    // A body in single quotes runs like a dollar-quoted one; a SQL-standard `RETURN`
    // body runs what it calls.
    assert_finds(
        &lint_sql("CREATE FUNCTION wipe() RETURNS void LANGUAGE sql AS 'DELETE FROM users';\nSELECT wipe();\n"),
        "delete-without-where",
        "public.users",
    );
    assert_finds(
        &lint_sql(
            "CREATE FUNCTION wipe() RETURNS void LANGUAGE sql AS $$ DELETE FROM users $$;\n\
             CREATE FUNCTION outer_fn() RETURNS void LANGUAGE sql RETURN wipe();\nSELECT outer_fn();\n",
        ),
        "delete-without-where",
        "public.users",
    );
    // One holding an escape (`''`) is not read as text: what runs it stays unreadable.
    let (code, found) = lint_sql(
        "CREATE FUNCTION wipe() RETURNS void LANGUAGE sql AS 'DELETE FROM users WHERE n = ''x''';\nSELECT wipe();\n",
    );
    assert_eq!(code, 1, "{found:?}");
    assert!(found.iter().any(|(r, _)| r == "unparsed-sql"), "{found:?}");
}

#[test]
fn trigger_and_rule_fired_later_in_the_same_migration() {
    assert_finds(
        &lint_sql(
            "CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN DROP TABLE users; END $$;\n\
             CREATE TRIGGER t AFTER INSERT ON orders FOR EACH ROW EXECUTE FUNCTION f();\n\
             INSERT INTO orders VALUES (1);\n",
        ),
        "drop-table",
        "public.users",
    );
    assert_finds(
        &lint_sql(
            "CREATE RULE r AS ON UPDATE TO orders DO ALSO TRUNCATE users;\n\
             UPDATE orders SET id = 2 WHERE id = 1;\n",
        ),
        "truncate-table",
        "public.users",
    );
}

#[test]
fn cascading_drops_of_types_domains_and_extensions_block() {
    assert_finds(
        &lint_sql("DROP TYPE mood CASCADE;\n"),
        "drop-cascade",
        "public.mood",
    );
    assert_finds(
        &lint_sql("DROP DOMAIN email CASCADE;\n"),
        "drop-cascade",
        "public.email",
    );
    assert_finds(
        &lint_sql("DROP EXTENSION citext CASCADE;\n"),
        "drop-cascade",
        "citext",
    );
}

#[test]
fn schema_rename_blocks() {
    assert_finds(
        &lint_sql("ALTER SCHEMA app RENAME TO app_old;\n"),
        "rename-schema",
        "app",
    );
}

#[test]
fn constant_true_where_is_no_filter() {
    for sql in [
        "DELETE FROM users WHERE true;\n",
        "DELETE FROM users WHERE 1 = 1;\n",
        "DELETE FROM users WHERE 't'::boolean OR id = 3;\n",
    ] {
        assert_finds(&lint_sql(sql), "delete-without-where", "public.users");
    }
    assert_passes_without(
        &lint_sql("DELETE FROM users WHERE id = 3;\n"),
        "delete-without-where",
    );
}

#[test]
fn execute_of_a_literal_in_a_do_block_is_read_as_sql() {
    assert_finds(
        &lint_sql("DO $$ BEGIN EXECUTE 'ALTER TABLE product DROP COLUMN legacy_code'; END $$;\n"),
        "drop-column",
        "public.product.legacy_code",
    );
    assert_finds(
        &lint_sql(
            "DO $$ BEGIN EXECUTE format('ALTER TABLE %I DROP COLUMN %I', 'product', 'legacy_code'); END $$;\n",
        ),
        "drop-column",
        "public.product.legacy_code",
    );
}

#[test]
fn long_literal_concatenation_is_read_whole() {
    let mut arg = String::from("'DROP TABLE \"users\"; '");
    for i in 0..17 {
        arg.push_str(&format!(" + 'CREATE TABLE t{i} (id int); '"));
    }
    arg.push_str(" + 'SELECT 1'");
    let r = lint_file("1700000000001-Evasion.ts", &typeorm(&arg));
    assert_finds(&r, "drop-table", "public.users");
}

#[test]
fn a_hundred_thousand_piece_concatenation_neither_crashes_nor_passes() {
    let mut arg = String::from("'DROP TABLE \"users\"; '");
    for _ in 0..100_000 {
        arg.push_str(" + 'SELECT 1; '");
    }
    let r = lint_file("1700000000001-Evasion.ts", &typeorm(&arg));
    assert_ne!(r.0, 0, "{:?}", r.1);
    assert_ne!(r.0, 101, "panicked");
}

#[test]
fn execute_in_a_do_block_with_variables_is_dynamic_or_still_matched() {
    // A literal joined to a parameter-free variable: the statement kind and the
    // literal names are still read (the rest is a placeholder).
    let r = lint_sql("DO $$ BEGIN EXECUTE 'DROP TABLE ' || quote_ident('users'); END $$;\n");
    assert_eq!(r.0, 1, "{:?}", r.1);
    assert!(
        r.1.iter().any(|(rule, _)| rule == "drop-table"),
        "{:?}",
        r.1
    );
    // PL/pgSQL migguard cannot read: what it EXECUTEs is still matched by the patterns.
    let r = lint_sql(
        "DO $$ DECLARE t text := 'users'; BEGIN EXECUTE $q$DROP TABLE $q$ || t; END $$;\n",
    );
    assert_eq!(r.0, 1, "{:?}", r.1);
    assert!(
        r.1.iter().any(|(rule, _)| rule == "drop-table"),
        "{:?}",
        r.1
    );
}

#[test]
fn event_trigger_fires_at_the_next_ddl() {
    assert_finds(
        &lint_sql(
            "CREATE FUNCTION wipe() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN TRUNCATE users; END $$;\n\
             CREATE EVENT TRIGGER e ON ddl_command_end EXECUTE FUNCTION wipe();\n\
             CREATE INDEX i ON orders (id);\n",
        ),
        "truncate-table",
        "public.users",
    );
}

#[test]
fn explain_analyze_of_a_prepared_statement() {
    assert_finds(
        &lint_sql("PREPARE p AS DELETE FROM users;\nEXPLAIN ANALYZE EXECUTE p;\n"),
        "delete-without-where",
        "public.users",
    );
}

#[test]
fn psql_gexec_runs_the_strings_its_query_returns() {
    assert_finds(
        &lint_sql("SELECT 'DROP TABLE users' \\gexec\n"),
        "drop-table",
        "public.users",
    );
}

#[test]
fn function_created_by_one_query_call_and_called_by_the_next() {
    let source = typeorm(
        "'CREATE FUNCTION wipe() RETURNS void LANGUAGE sql AS $$ DELETE FROM users $$');\n\
         \x20       await queryRunner.query('SELECT wipe()'",
    );
    assert_finds(
        &lint_file("1700000000001-Evasion.ts", &source),
        "delete-without-where",
        "public.users",
    );
}
