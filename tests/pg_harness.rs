//! Self-test of the PostgreSQL harness: the cluster starts, databases are isolated,
//! and password auth over TCP is really enforced.

mod support;

use support::pg::cluster;

#[test]
fn creates_isolated_databases() {
    let a = cluster().create_database("harness a");
    let b = cluster().create_database("harness a");
    assert_ne!(a.name, b.name);
    a.execute("CREATE TABLE t (x int); INSERT INTO t VALUES (41), (1)");
    assert_eq!(a.query("SELECT sum(x) FROM t").trim(), "42");
    assert_eq!(
        b.query("SELECT count(*) FROM pg_tables WHERE tablename = 't'")
            .trim(),
        "0"
    );
}

#[test]
fn tcp_requires_password() {
    let db = cluster().create_database("harness auth");
    cluster().create_role("harness_user", "right-pw");
    let connect = |pw: &str| {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async {
            tokio_postgres::connect(&db.url_for("harness_user", pw), tokio_postgres::NoTls)
                .await
                .map(|_| ())
        })
    };
    assert!(connect("right-pw").is_ok());
    let err = connect("wrong-pw").expect_err("wrong password must fail");
    let code = err.as_db_error().map(|e| e.code().code().to_string());
    assert_eq!(code.as_deref(), Some("28P01"), "{err:?}");
}
