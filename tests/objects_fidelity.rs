//! Drift of schema objects beyond tables (issue 11, "objects drift does not see yet"):
//! functions and procedures. For each kind, the migrations are applied to a truth
//! database by psql; then
//! - replaying them and diffing against the introspected truth finds nothing;
//! - one hand edit on the truth is exactly one precise drift item;
//! - `migguard schema --format sql` applies with `ON_ERROR_STOP` and rebuilds the
//!   objects as PostgreSQL's own catalog functions print them.

mod support;
mod util;
use support::fidelity::{assert_no_drift, assert_schema_sql_rebuilds, differences, sql_case, Case};
use support::pg::{cluster, TestDb};
use util::*;

/// The routines of `public` as PostgreSQL prints them.
fn routines(db: &TestDb) -> String {
    db.query(
        "SELECT p.proname, p.prokind, pg_get_function_identity_arguments(p.oid),
                pg_get_function_result(p.oid), l.lanname, p.prosrc, p.provolatile, p.prosecdef
           FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
          WHERE p.pronamespace = 'public'::regnamespace
          ORDER BY 1, 3",
    )
}

// ---------------------------------------------------------------------------------
// 1. Functions and procedures.

const FUNCTIONS_1: &str = r#"
CREATE TABLE account (id integer PRIMARY KEY, balance numeric(12,2) NOT NULL DEFAULT 0);
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.balance := coalesce(NEW.balance, 0);
  RETURN NEW;
END;
$$;
CREATE FUNCTION add(a int, b int DEFAULT 1) RETURNS int IMMUTABLE LANGUAGE sql AS 'SELECT a + b';
CREATE FUNCTION "Greet"(who varchar(20), VARIADIC rest text[]) RETURNS text
  STABLE SECURITY DEFINER LANGUAGE sql AS $body$ SELECT 'hi ' || who $body$;
CREATE FUNCTION balances(min_balance numeric(10,2)) RETURNS TABLE(id int, balance numeric)
  LANGUAGE sql AS $$ SELECT id, balance FROM account WHERE balance >= min_balance $$;
CREATE FUNCTION split(x int, OUT lo int, OUT hi int) LANGUAGE sql AS $$ SELECT x / 2, x - x / 2 $$;
CREATE FUNCTION doomed(int) RETURNS void LANGUAGE sql AS $$ $$;
CREATE FUNCTION old_name(t timestamp(3) with time zone, c char(2)) RETURNS SETOF account LANGUAGE sql AS $$ SELECT * FROM account $$;
"#;

const FUNCTIONS_2: &str = r#"
CREATE OR REPLACE FUNCTION add(a int, b int DEFAULT 1) RETURNS int IMMUTABLE LANGUAGE sql AS $$SELECT a + b + 0$$;
DROP FUNCTION doomed(integer);
ALTER FUNCTION old_name(timestamptz, bpchar) RENAME TO new_name;
"#;

fn functions_case(prefix: &str) -> Case {
    sql_case(
        prefix,
        &[
            ("1_functions.up.sql", FUNCTIONS_1),
            ("2_functions.up.sql", FUNCTIONS_2),
        ],
    )
}

#[test]
fn functions_replay_to_the_catalog_and_schema_sql_rebuilds_them() {
    let c = functions_case("obj_fn_clean");
    assert_no_drift(&c);
    assert_schema_sql_rebuilds(&c, "obj_fn_sql", routines);
}

#[test]
fn a_hand_edited_function_body_is_one_precise_item() {
    let c = functions_case("obj_fn_body");
    c.truth.execute(
        "CREATE OR REPLACE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.balance := coalesce(NEW.balance, 100);
  RETURN NEW;
END;
$$;",
    );
    let found = differences(&c, &[], true);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].starts_with("function-mismatch public.touch()"),
        "{found:?}"
    );
    assert!(found[0].contains("body line 3"), "{found:?}");
}

#[test]
fn function_attributes_and_hand_added_functions_are_drift() {
    let c = functions_case("obj_fn_attrs");
    c.truth.execute(
        "ALTER FUNCTION add(integer, integer) VOLATILE;
         ALTER FUNCTION \"Greet\"(varchar, text[]) SECURITY INVOKER;
         CREATE FUNCTION by_hand() RETURNS int LANGUAGE sql AS 'SELECT 1';
         DROP FUNCTION split(integer);",
    );
    let found = differences(&c, &[], true);
    assert_eq!(found.len(), 4, "{found:#?}");
    assert!(
        found[0].starts_with("missing-function public.split(integer)"),
        "{found:?}"
    );
    assert!(
        found[1].starts_with("unexpected-function public.by_hand()"),
        "{found:?}"
    );
    assert!(
        found[2].starts_with("function-mismatch public.Greet(character varying, text[])")
            && found[2].contains(
                "actual Some(\"FUNCTION public.Greet(who character varying, \
                 VARIADIC rest text[]) RETURNS text LANGUAGE sql STABLE\")"
            ),
        "{found:?}"
    );
    assert!(
        found[3].starts_with("function-mismatch public.add(integer, integer)")
            && found[3].contains("IMMUTABLE")
            && found[3].contains("VOLATILE"),
        "{found:?}"
    );
}

#[test]
fn a_routine_migguard_cannot_read_is_unverifiable_not_drift() {
    // A procedure (sqlparser reads only other dialects' CREATE PROCEDURE) and a
    // SQL-standard body: PostgreSQL keeps them parsed, not as text.
    let c = sql_case(
        "obj_fn_unreadable",
        &[(
            "1_p.up.sql",
            "CREATE PROCEDURE bump(INOUT n int) LANGUAGE plpgsql AS $$ BEGIN n := n + 1; END $$;
             CREATE FUNCTION one() RETURNS int LANGUAGE sql RETURN 1;
             CREATE OR REPLACE PROCEDURE bump_all() LANGUAGE sql AS $$ SELECT 1 $$;",
        )],
    );
    let found = differences(&c, &[], true);
    assert!(
        found.iter().all(|f| f.starts_with("unverifiable ")),
        "{found:#?}"
    );
    assert!(
        found
            .iter()
            .any(|f| f.starts_with("unverifiable public.bump")),
        "{found:#?}"
    );
    assert!(
        found
            .iter()
            .any(|f| f.starts_with("unverifiable public.one()")),
        "{found:#?}"
    );
}

// ---------------------------------------------------------------------------------
// 2. Triggers.

const TRIGGERS_1: &str = r#"
CREATE TABLE ledger (id integer PRIMARY KEY, amount numeric NOT NULL, "Note" text);
CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER ledger_stamp BEFORE UPDATE OF amount, "Note" OR INSERT ON ledger
  FOR EACH ROW WHEN (NEW.amount > 0) EXECUTE PROCEDURE stamp();
CREATE TRIGGER ledger_audit AFTER DELETE OR TRUNCATE ON ledger FOR EACH STATEMENT EXECUTE FUNCTION stamp();
CREATE TRIGGER ledger_gone AFTER INSERT ON ledger FOR EACH ROW EXECUTE FUNCTION stamp();
"#;

const TRIGGERS_2: &str = r#"
ALTER TABLE ledger RENAME TO entries;
DROP TRIGGER ledger_gone ON entries;
ALTER TABLE entries DISABLE TRIGGER ledger_audit;
CREATE OR REPLACE TRIGGER ledger_stamp BEFORE UPDATE OF amount, "Note" OR INSERT ON entries
  FOR EACH ROW WHEN (NEW.amount > 1) EXECUTE FUNCTION stamp();
"#;

fn triggers_case(prefix: &str) -> Case {
    sql_case(
        prefix,
        &[
            ("1_triggers.up.sql", TRIGGERS_1),
            ("2_triggers.up.sql", TRIGGERS_2),
        ],
    )
}

/// The user triggers of `public` as PostgreSQL prints them.
fn triggers(db: &TestDb) -> String {
    db.query(
        "SELECT tgrelid::regclass, tgname, pg_get_triggerdef(oid), tgenabled
           FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1, 2",
    )
}

#[test]
fn triggers_replay_to_the_catalog_and_schema_sql_rebuilds_them() {
    let c = triggers_case("obj_trg_clean");
    assert_no_drift(&c);
    assert_schema_sql_rebuilds(&c, "obj_trg_sql", triggers);
}

#[test]
fn a_hand_added_trigger_is_one_precise_item() {
    let c = triggers_case("obj_trg_added");
    c.truth.execute(
        "CREATE TRIGGER sneaky AFTER UPDATE ON entries FOR EACH ROW EXECUTE FUNCTION stamp();",
    );
    let found = differences(&c, &[], true);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].starts_with("unexpected-trigger public.entries.sneaky")
            && found[0].contains(
                "CREATE TRIGGER sneaky AFTER UPDATE ON public.entries FOR EACH ROW \
                 EXECUTE FUNCTION public.stamp()"
            ),
        "{found:?}"
    );
}

#[test]
fn trigger_definition_and_state_edits_are_drift() {
    let c = triggers_case("obj_trg_edit");
    c.truth.execute(
        "CREATE OR REPLACE TRIGGER ledger_stamp BEFORE UPDATE OF amount OR INSERT ON entries
           FOR EACH ROW WHEN (NEW.amount > 1) EXECUTE FUNCTION stamp();
         ALTER TABLE entries ENABLE TRIGGER ledger_audit;",
    );
    let found = differences(&c, &[], true);
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(
        found[0].starts_with("trigger-mismatch public.entries.ledger_audit")
            && found[0].contains("(DISABLED)"),
        "{found:?}"
    );
    assert!(
        found[1].starts_with("trigger-mismatch public.entries.ledger_stamp")
            && found[1].contains("UPDATE OF amount, \\\"Note\\\"")
            && found[1].contains(
                "actual Some(\"CREATE TRIGGER ledger_stamp BEFORE INSERT OR UPDATE OF amount ON"
            ),
        "{found:?}"
    );
}

#[test]
fn a_trigger_migguard_cannot_replay_is_unverifiable() {
    let c = sql_case(
        "obj_trg_unreadable",
        &[(
            "1_t.up.sql",
            "CREATE TABLE t (id int);
             CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
             CREATE TRIGGER with_args AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION f('x', 'y');
             CREATE TRIGGER renamed AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION f();
             ALTER TRIGGER renamed ON t RENAME TO now_named;",
        )],
    );
    let found = differences(&c, &[], true);
    assert!(!found.is_empty());
    assert!(
        found.iter().all(|f| f.starts_with("unverifiable ")),
        "{found:#?}"
    );
}

// ---------------------------------------------------------------------------------
// 3. Row security and policies.

const POLICIES_1: &str = r#"
CREATE TABLE doc (id integer PRIMARY KEY, owner text, "Tenant" text);
ALTER TABLE doc ENABLE ROW LEVEL SECURITY;
CREATE POLICY own ON doc FOR SELECT TO obj_reader, PUBLIC USING (owner = current_user);
CREATE POLICY ins ON doc AS RESTRICTIVE FOR INSERT WITH CHECK ("Tenant" = 'a');
CREATE POLICY gone ON doc USING (true);
CREATE POLICY readers ON doc FOR UPDATE TO obj_reader USING (id > 0);
"#;

const POLICIES_2: &str = r#"
DROP POLICY gone ON doc;
ALTER POLICY own ON doc RENAME TO owner_reads;
ALTER TABLE doc FORCE ROW LEVEL SECURITY;
ALTER POLICY ins ON doc WITH CHECK ("Tenant" = 'b' AND id > 0);
"#;

fn policies_case(prefix: &str) -> Case {
    // Roles are the cluster's: created once, whichever test comes first.
    cluster().psql(
        "postgres",
        "DO $$ BEGIN CREATE ROLE obj_reader; EXCEPTION WHEN duplicate_object THEN NULL; END $$;",
    );
    sql_case(
        prefix,
        &[
            ("1_policies.up.sql", POLICIES_1),
            ("2_policies.up.sql", POLICIES_2),
        ],
    )
}

/// Row security switches and policies of `public` as PostgreSQL prints them.
fn policies(db: &TestDb) -> String {
    db.query(
        "SELECT relname, relrowsecurity::text, relforcerowsecurity::text, '', '', '', ''
           FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'
         UNION ALL
         SELECT tablename, policyname, permissive, roles::text, cmd, qual, with_check
           FROM pg_policies WHERE schemaname = 'public'
         ORDER BY 1, 2",
    )
}

#[test]
fn policies_replay_to_the_catalog_and_schema_sql_rebuilds_them() {
    let c = policies_case("obj_pol_clean");
    assert_no_drift(&c);
    assert_schema_sql_rebuilds(&c, "obj_pol_sql", policies);
}

#[test]
fn a_dropped_policy_and_unforced_row_security_are_precise_items() {
    let c = policies_case("obj_pol_edit");
    c.truth.execute(
        "DROP POLICY owner_reads ON doc; ALTER TABLE doc NO FORCE ROW LEVEL SECURITY;
         ALTER POLICY ins ON doc WITH CHECK (\"Tenant\" = 'c' AND id > 0);",
    );
    let found = differences(&c, &[], true);
    assert_eq!(found.len(), 3, "{found:#?}");
    assert!(
        found[0].starts_with("row-security-mismatch public.doc")
            && found[0].contains("ENABLED, FORCED"),
        "{found:?}"
    );
    assert!(
        found[1].starts_with("missing-policy public.doc.owner_reads"),
        "{found:?}"
    );
    assert!(
        found[2].starts_with("policy-mismatch public.doc.ins")
            && found[2].contains("'b'")
            && found[2].contains("'c'"),
        "{found:?}"
    );
}

// ---------------------------------------------------------------------------------
// 4. Statements under a run-time condition.

#[test]
fn a_routine_created_only_if_a_condition_holds_is_unverifiable_not_missing() {
    let dir = project(&[(
        "1700000000000-Audit.ts",
        "import { MigrationInterface, QueryRunner } from \"typeorm\";
export class Audit1700000000000 implements MigrationInterface {
    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE audit (id integer)`);
        if (process.env.WITH_AUDIT) {
            await queryRunner.query(`CREATE FUNCTION audit_count() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM audit'`);
            await queryRunner.query(`CREATE TRIGGER audit_t AFTER INSERT ON audit FOR EACH ROW EXECUTE FUNCTION audit_count()`);
        }
    }
    public async down(queryRunner: QueryRunner): Promise<void> {}
}
",
    )]);
    // The migration ran without WITH_AUDIT: only the table exists.
    let truth = cluster().create_database("obj_conditional");
    truth.execute("CREATE TABLE audit (id integer);");
    let c = Case { dir, truth };
    let found = differences(&c, &[], true);
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(
        found[0].starts_with("unverifiable public.audit.audit_t")
            && found[1].starts_with("unverifiable public.audit_count"),
        "{found:#?}"
    );
}

/// Issue 11 (immich's `f_unaccent`): a SQL-standard body is stored parsed
/// (`prosqlbody`) and only PostgreSQL's deparser prints it, so no exact comparison
/// exists offline: the routine is unverifiable, and the item says why.
#[test]
fn a_sql_standard_body_is_unverifiable_with_the_reason() {
    let c = sql_case(
        "obj_fn_sql_standard",
        &[(
            "1_f.up.sql",
            "CREATE FUNCTION f(text) RETURNS text LANGUAGE sql IMMUTABLE RETURN lower($1);
             CREATE FUNCTION g(a int) RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT a + 1; END;",
        )],
    );
    let found = differences(&c, &[], true);
    assert_eq!(found.len(), 2, "{found:#?}");
    for f in &found {
        assert!(f.starts_with("unverifiable public."), "{f}");
        assert!(f.contains("stored parsed (prosqlbody)"), "{f}");
    }
}
