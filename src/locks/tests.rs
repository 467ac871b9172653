//! Lock analysis over SQL read by the real SQL reader: transaction scope, the
//! replayed model's validated checks and foreign keys, and the timeouts in effect.

use super::*;
use crate::classify::tests::migration;
use crate::classify::{classify_in, Classified};

fn ctx() -> LockContext {
    LockContext {
        default_schema: "public".into(),
        ..LockContext::default()
    }
}

/// `ctx` with the schema that `earlier` (one SQL migration) leaves behind.
fn after(earlier: &str) -> LockContext {
    let m = migration(earlier, true);
    LockContext {
        model_before: Some(crate::schema::replay::replay(&[&m], "public").0),
        ..ctx()
    }
}

fn run(sql: &str, transactional: bool, ctx: &LockContext) -> Classified {
    classify_in(
        &migration(sql, transactional),
        &RuleSet::builtin(),
        &[],
        ctx,
    )
}

fn rules_raised(sql: &str, transactional: bool, ctx: &LockContext) -> Vec<String> {
    let mut ids: Vec<String> = run(sql, transactional, ctx)
        .findings
        .into_iter()
        .map(|f| f.rule.to_string())
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

fn raised(sql: &str, transactional: bool, ctx: &LockContext, rule: &str) -> bool {
    rules_raised(sql, transactional, ctx)
        .iter()
        .any(|r| r == rule)
}

const TABLE: &str = "CREATE TABLE users (id bigint PRIMARY KEY, email text, legacy text);";

#[test]
fn explicit_begin_around_create_index_concurrently_fails_even_without_a_wrapper() {
    let c = ctx();
    let rule = "concurrent-index-in-transaction";
    let sql = "BEGIN;\nCREATE INDEX CONCURRENTLY users_email ON users (email);\nCOMMIT;";
    assert!(raised(sql, false, &c, rule));
    assert!(raised(
        "START TRANSACTION;\nDROP INDEX CONCURRENTLY users_email;\nEND;",
        false,
        &c,
        rule
    ));
    // Alone, or after the block ends, it runs outside any transaction.
    assert!(!raised(
        "CREATE INDEX CONCURRENTLY users_email ON users (email);",
        false,
        &c,
        rule
    ));
    let after_commit = "BEGIN;\nUPDATE users SET email = lower(email) WHERE id < 10;\nCOMMIT;\nCREATE INDEX CONCURRENTLY users_email ON users (email);";
    assert!(!raised(after_commit, false, &c, rule));
    // A savepoint rollback does not end the block.
    let savepoint = "BEGIN;\nSAVEPOINT a;\nROLLBACK TO SAVEPOINT a;\nCREATE INDEX CONCURRENTLY users_email ON users (email);\nCOMMIT;";
    assert!(raised(savepoint, false, &c, rule));
}

#[test]
fn validate_in_the_transaction_that_added_not_valid_is_flagged() {
    let c = after(TABLE);
    let rule = "validate-in-same-transaction";
    let add =
        "ALTER TABLE users ADD CONSTRAINT users_legacy_nn CHECK (legacy IS NOT NULL) NOT VALID;";
    let validate = "ALTER TABLE users VALIDATE CONSTRAINT users_legacy_nn;";
    assert!(raised(&format!("{add}\n{validate}"), true, &c, rule));
    assert!(raised(
        &format!("BEGIN;\n{add}\n{validate}\nCOMMIT;"),
        false,
        &c,
        rule
    ));
    // Each statement its own transaction, or a COMMIT in between: the ADD's lock is gone.
    assert!(!raised(&format!("{add}\n{validate}"), false, &c, rule));
    assert!(!raised(
        &format!("BEGIN;\n{add}\nCOMMIT;\n{validate}"),
        false,
        &c,
        rule
    ));
    assert!(!raised(
        &format!("{add}\nCOMMIT;\n{validate}"),
        true,
        &c,
        rule
    ));
    // Validating a constraint some other migration added is the recommended way.
    assert!(!raised(validate, true, &c, rule));
}

#[test]
fn set_not_null_after_a_validated_check_is_metadata_only_on_pg12_and_later() {
    let checked = format!(
        "{TABLE}\nALTER TABLE users ADD CONSTRAINT users_legacy_nn CHECK (legacy IS NOT NULL) NOT VALID;\nALTER TABLE users VALIDATE CONSTRAINT users_legacy_nn;"
    );
    let set = "ALTER TABLE users ALTER COLUMN legacy SET NOT NULL;";
    let c = after(&checked);
    assert!(!raised(set, true, &c, "set-not-null"));
    let f = run(set, true, &c);
    let lock = f
        .findings
        .iter()
        .find(|f| f.rule == "lock-timeout-missing")
        .and_then(|f| f.lock.clone())
        .expect("the SET NOT NULL still takes its lock");
    assert_eq!(lock.duration, LockDuration::MetadataOnly);
    // Another column, a check that is not validated, PostgreSQL 11: the scan stays.
    assert!(raised(
        "ALTER TABLE users ALTER COLUMN email SET NOT NULL;",
        true,
        &c,
        "set-not-null"
    ));
    let not_validated = after(&format!(
        "{TABLE}\nALTER TABLE users ADD CONSTRAINT users_legacy_nn CHECK (legacy IS NOT NULL) NOT VALID;"
    ));
    assert!(raised(set, true, &not_validated, "set-not-null"));
    let pg11 = LockContext {
        postgres_major: Some(11),
        ..after(&checked)
    };
    assert!(raised(set, true, &pg11, "set-not-null"));
    // The whole recipe in one migration: no scan for SET NOT NULL either (the
    // validation in the same transaction is its own finding).
    let one = format!("ALTER TABLE users ADD CONSTRAINT users_legacy_nn CHECK (legacy IS NOT NULL AND legacy <> '') NOT VALID;\nALTER TABLE users VALIDATE CONSTRAINT users_legacy_nn;\n{set}");
    let ids = rules_raised(&one, true, &after(TABLE));
    assert!(!ids.contains(&"set-not-null".to_string()), "{ids:?}");
    assert!(
        ids.contains(&"validate-in-same-transaction".to_string()),
        "{ids:?}"
    );
}

#[test]
fn check_implication_follows_conjuncts_and_quoting() {
    assert!(check_implies_not_null("legacy IS NOT NULL", "legacy"));
    assert!(check_implies_not_null("((legacy IS NOT NULL))", "legacy"));
    assert!(check_implies_not_null(
        "a > 0 AND users.legacy IS NOT NULL",
        "legacy"
    ));
    assert!(check_implies_not_null("\"Legacy\" IS NOT NULL", "Legacy"));
    assert!(!check_implies_not_null("\"Legacy\" IS NOT NULL", "legacy"));
    assert!(!check_implies_not_null(
        "legacy IS NOT NULL OR a > 0",
        "legacy"
    ));
    assert!(!check_implies_not_null("legacy IS NULL", "legacy"));
    assert!(!check_implies_not_null("other IS NOT NULL", "legacy"));
}

#[test]
fn truncate_cascade_names_the_tables_it_empties() {
    let c = after(&format!(
        "{TABLE}\nCREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));\nCREATE TABLE items (id bigint PRIMARY KEY, order_id bigint REFERENCES orders (id));\nCREATE TABLE unrelated (id bigint PRIMARY KEY);"
    ));
    let f = run("TRUNCATE users CASCADE;", true, &c);
    let emptied = |c: &Classified| -> Vec<String> {
        c.findings
            .iter()
            .filter(|f| f.rule == "truncate-cascade")
            .filter_map(|f| f.object.clone())
            .collect()
    };
    assert_eq!(emptied(&f), ["public.items", "public.orders"]);
    // Tables the statement names are no surprise.
    assert_eq!(
        emptied(&run("TRUNCATE users, orders CASCADE;", true, &c)),
        ["public.items"]
    );
    // The emptied tables are contract objects: `@destructive` must name them.
    assert!(f.contract_objects.contains("public.orders"));
    assert!(!raised("TRUNCATE users;", true, &c, "truncate-cascade"));
    // `cascade` in a comment is no CASCADE.
    assert!(!raised(
        "TRUNCATE users /* cascade */;",
        true,
        &c,
        "truncate-cascade"
    ));
}

#[test]
fn drop_index_of_several_names() {
    let c = after(&format!(
        "{TABLE}\nCREATE INDEX a ON users (email);\nCREATE INDEX b ON users (legacy);"
    ));
    assert!(raised(
        "DROP INDEX CONCURRENTLY a, b;",
        false,
        &c,
        "drop-index-concurrently-several"
    ));
    assert!(!raised(
        "DROP INDEX CONCURRENTLY a;",
        false,
        &c,
        "drop-index-concurrently-several"
    ));
    let f = run("DROP INDEX a, b;", true, &c);
    let d = f
        .findings
        .iter()
        .find(|f| f.rule == "drop-index-non-concurrent")
        .expect("drop-index-non-concurrent");
    assert!(
        d.message
            .contains("one `DROP INDEX CONCURRENTLY` per index"),
        "{}",
        d.message
    );
    // The model knows the index's table.
    assert_eq!(d.lock.as_ref().unwrap().locks[0].table, "public.users");
}

#[test]
fn lock_timeout_cases() {
    let c = after(TABLE);
    let rule = "lock-timeout-missing";
    let alter = "ALTER TABLE users ADD COLUMN note text;";
    assert!(raised(alter, true, &c, rule));
    // SET (session) and SET LOCAL inside the migration's transaction.
    assert!(!raised(
        &format!("SET lock_timeout = '5s';\n{alter}"),
        true,
        &c,
        rule
    ));
    assert!(!raised(
        &format!("SET LOCAL lock_timeout TO '5s';\n{alter}"),
        true,
        &c,
        rule
    ));
    // A zero timeout is none.
    assert!(raised(
        &format!("SET lock_timeout = 0;\n{alter}"),
        true,
        &c,
        rule
    ));
    // RESET goes back to the runner's (none here).
    assert!(raised(
        &format!("SET lock_timeout = '5s';\nRESET lock_timeout;\n{alter}"),
        true,
        &c,
        rule
    ));
    assert!(raised(
        &format!("SET lock_timeout = '5s';\nRESET ALL;\n{alter}"),
        true,
        &c,
        rule
    ));
    // A COMMIT ends SET LOCAL, not SET.
    assert!(raised(
        &format!("BEGIN;\nSET LOCAL lock_timeout = '5s';\nCOMMIT;\n{alter}"),
        false,
        &c,
        rule
    ));
    assert!(!raised(
        &format!("BEGIN;\nSET lock_timeout = '5s';\nCOMMIT;\n{alter}"),
        false,
        &c,
        rule
    ));
    // ROLLBACK undoes the transaction's SET.
    assert!(raised(
        &format!("BEGIN;\nSET lock_timeout = '5s';\nROLLBACK;\n{alter}"),
        false,
        &c,
        rule
    ));
    // Non-transactional migration: SET LOCAL outside a block does nothing, SET does.
    assert!(raised(
        &format!("SET LOCAL lock_timeout = '5s';\n{alter}"),
        false,
        &c,
        rule
    ));
    assert!(!raised(
        &format!("SET lock_timeout = '5s';\n{alter}"),
        false,
        &c,
        rule
    ));
    // The runner's setting, and a migration that turns it off.
    let runner = LockContext {
        runner: RunnerSettings {
            lock_timeout: Some("5s".into()),
            statement_timeout: None,
        },
        ..after(TABLE)
    };
    assert!(!raised(alter, true, &runner, rule));
    assert!(!raised(
        &format!("SET lock_timeout = '0';\nRESET lock_timeout;\n{alter}"),
        true,
        &runner,
        rule
    ));
    assert!(raised(
        &format!("SET lock_timeout = '0';\n{alter}"),
        true,
        &runner,
        rule
    ));
    assert!(!raised(
        &format!("SET lock_timeout = 0;\nSET lock_timeout TO DEFAULT;\n{alter}"),
        true,
        &runner,
        rule
    ));
    // A table created in the same migration: nobody waits on it.
    assert!(!raised(
        "CREATE TABLE fresh (id int);\nALTER TABLE fresh ADD COLUMN note text;",
        true,
        &c,
        rule
    ));
    // CREATE INDEX CONCURRENTLY does not block writes while it waits.
    assert!(!raised(
        "CREATE INDEX CONCURRENTLY e ON users (email);",
        false,
        &c,
        rule
    ));
}

#[test]
fn statement_timeout_only_for_long_operations() {
    let c = after(TABLE);
    let rule = "statement-timeout-missing";
    assert!(raised("CREATE INDEX e ON users (email);", true, &c, rule));
    assert!(!raised(
        "SET statement_timeout = '15min';\nCREATE INDEX e ON users (email);",
        true,
        &c,
        rule
    ));
    assert!(!raised(
        "ALTER TABLE users ADD COLUMN note text;",
        true,
        &c,
        rule
    ));
}

#[test]
fn a_type_change_postgresql_does_in_the_catalog_is_labelled_metadata_only() {
    let c = after("CREATE TABLE users (id bigint PRIMARY KEY, name varchar(20), age int);");
    let duration = |sql: &str| {
        let m = migration(sql, true);
        analyse(&m, &c)[0]
            .lock
            .as_ref()
            .map(|l| l.duration.as_str().to_string())
    };
    // varchar(20) to a longer varchar or to text: catalog only (PostgreSQL 9.2+).
    let longer = "ALTER TABLE users ALTER COLUMN name TYPE varchar(40);";
    assert_eq!(duration(longer).as_deref(), Some("metadata-only"));
    assert_eq!(
        duration("ALTER TABLE users ALTER COLUMN name TYPE text;").as_deref(),
        Some("metadata-only")
    );
    // int to bigint rewrites every row.
    let wider = "ALTER TABLE users ALTER COLUMN age TYPE bigint;";
    assert_eq!(duration(wider).as_deref(), Some("rewrite"));
    // A short lock needs no statement_timeout; a rewrite does.
    assert!(!raised(longer, true, &c, "statement-timeout-missing"));
    assert!(raised(wider, true, &c, "statement-timeout-missing"));
    // The one replay pass lint makes judges it the same way.
    let m = [
        migration(
            "CREATE TABLE users (id bigint PRIMARY KEY, name varchar(20), age int);",
            true,
        ),
        migration(longer, true),
    ];
    let (_, lock_facts) = crate::classify::prior::prior_and_lock_facts(&m, "public");
    assert!(lock_facts[1].ops[0].type_change_metadata_only);
}

#[test]
fn findings_carry_the_lock_they_take() {
    let c = after(&format!(
        "{TABLE}\nCREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint);"
    ));
    let lock_of = |sql: &str, rule: &str| {
        run(sql, true, &c)
            .findings
            .into_iter()
            .find(|f| f.rule == rule)
            .and_then(|f| f.lock)
            .unwrap_or_else(|| panic!("{rule} with a lock for {sql}"))
    };
    let idx = lock_of(
        "CREATE INDEX e ON users (email);",
        "create-index-non-concurrent",
    );
    assert_eq!(idx.describe(), "SHARE on public.users, full scan");
    let fk = lock_of(
        "ALTER TABLE orders ADD CONSTRAINT orders_user FOREIGN KEY (user_id) REFERENCES users (id);",
        "add-foreign-key-validating",
    );
    assert_eq!(
        fk.describe(),
        "SHARE ROW EXCLUSIVE on public.orders and SHARE ROW EXCLUSIVE on public.users, full scan"
    );
    let ty = lock_of(
        "ALTER TABLE users ALTER COLUMN email TYPE varchar(10);",
        "alter-column-type",
    );
    assert_eq!(ty.describe(), "ACCESS EXCLUSIVE on public.users, rewrite");
    let vol = lock_of(
        "ALTER TABLE users ADD COLUMN at timestamptz DEFAULT clock_timestamp();",
        "lock-timeout-missing",
    );
    assert_eq!(vol.duration, LockDuration::Rewrite);
    let plain = lock_of(
        "ALTER TABLE users ADD COLUMN at timestamptz DEFAULT now();",
        "lock-timeout-missing",
    );
    assert_eq!(plain.duration, LockDuration::MetadataOnly);
}

/// Lint's one replay pass (`prior_and_lock_facts`) gives each migration the facts a
/// replay of the migrations before it, then of its own ops, gives.
#[test]
fn one_replay_pass_sees_what_each_migration_replayed_alone_sees() {
    let sqls = [
        format!("{TABLE}\nCREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));\nCREATE INDEX a ON users (email);"),
        "ALTER TABLE users ADD CONSTRAINT users_legacy_nn CHECK (legacy IS NOT NULL) NOT VALID;\nALTER TABLE users VALIDATE CONSTRAINT users_legacy_nn;".to_string(),
        "ALTER TABLE users ALTER COLUMN legacy SET NOT NULL;\nTRUNCATE users CASCADE;\nDROP INDEX a;".to_string(),
        "CREATE TABLE items (id bigint PRIMARY KEY, order_id bigint REFERENCES orders (id));\nTRUNCATE orders, users CASCADE;\nALTER TABLE orders DROP COLUMN user_id;\nDROP TABLE items;".to_string(),
        "CREATE TYPE mood AS ENUM ('ok', 'sad');".to_string(),
        "ALTER TYPE mood RENAME TO mood_old;\nCREATE TYPE mood AS ENUM ('ok');".to_string(),
    ];
    let migrations: Vec<Migration> = sqls.iter().map(|s| migration(s, true)).collect();
    let (_, lock_facts) = crate::classify::prior::prior_and_lock_facts(&migrations, "public");
    let contexts = contexts_for(&ctx(), lock_facts);
    assert_eq!(contexts.len(), migrations.len());
    for (i, (m, one_pass)) in migrations.iter().zip(&contexts).enumerate() {
        let earlier: Vec<&Migration> = migrations[..i].iter().collect();
        let alone = LockContext {
            model_before: Some(crate::schema::replay::replay(&earlier, "public").0),
            ..ctx()
        };
        assert_eq!(
            format!("{:?}", analyse(m, one_pass)),
            format!("{:?}", analyse(m, &alone)),
            "migration {i}"
        );
    }
    // The facts are the model's: the SET NOT NULL is proven, the CASCADE empties
    // orders, the index's table is known, the dropped foreign key locks its target.
    let third = analyse(&migrations[2], &contexts[2]);
    assert!(third[0].not_null_proven);
    assert_eq!(third[1].cascaded_tables, ["public.orders"]);
    assert_eq!(
        third[2].lock.as_ref().unwrap().locks[0].table,
        "public.users"
    );
    let fourth = analyse(&migrations[3], &contexts[3]);
    assert_eq!(fourth[1].cascaded_tables, ["public.items"]);
    let drop_column_locks: Vec<&str> = fourth[2]
        .lock
        .as_ref()
        .unwrap()
        .locks
        .iter()
        .map(|l| l.table.as_str())
        .collect();
    assert!(
        drop_column_locks.contains(&"public.users"),
        "{drop_column_locks:?}"
    );
    // A type renamed away: the labels it had, from the pass (no model is copied).
    assert!(contexts.iter().all(|c| c.model_before.is_none()));
    assert_eq!(
        analyse(&migrations[5], &contexts[5])[0]
            .renamed_enum_labels
            .as_deref(),
        Some(&["ok".to_string(), "sad".to_string()][..])
    );
    let recreated = classify_in(&migrations[5], &RuleSet::builtin(), &[], &contexts[5]);
    assert!(
        recreated
            .findings
            .iter()
            .any(|f| f.rule == "enum-value-change" && f.message.contains("without 'sad'")),
        "the recreated type lost 'sad': {:?}",
        recreated.findings
    );
}
