//! A password never reaches the terminal: a corpus of malformed connection strings,
//! each holding a known password, through every command that connects and every
//! output format. Both libpq syntaxes: `key = value` (spaces around `=`, quoted
//! values with `\'` and `\\`, backslash escapes in bare values) and URLs (raw
//! reserved characters and spaces, percent-encoding, `password` in the query).

mod util;
use util::*;

/// (connection string, substrings of its password that must never be printed)
const CORPUS: &[(&str, &[&str])] = &[
    (
        "host=127.0.0.1 port=1 user=app password = SekretZ9 dbname=x sslcert=/x",
        &["SekretZ9"],
    ),
    (
        "host=127.0.0.1 password=Sekret\\ Z9x dbname=x sslcert=/x",
        &["Sekret", "Z9x"],
    ),
    (
        "host=127.0.0.1 password='Sek\\'ret\\\\Z9q w' sslcert=/x",
        &["Sek", "ret", "Z9q"],
    ),
    (
        "PASSWORD = 'Sekret Z9y' host=127.0.0.1 sslcert=/x",
        &["Sekret", "Z9y"],
    ),
    (
        "host=127.0.0.1 port=notaport password=SekretZ9",
        &["SekretZ9"],
    ),
    ("password=Sek=retZ9 port=x", &["Sek=retZ9", "retZ9"]),
    ("host=127.0.0.1 password SekretZ9 port=1", &["SekretZ9"]),
    ("host=127.0.0.1 password='SekretZ9", &["SekretZ9"]),
    (
        "postgres://app:Sekret Z9@127.0.0.1:5432/x?sslcert=/x",
        &["Sekret", "Z9@"],
    ),
    (
        "postgres://app:Sekret Z9@127.0.0.1:5432/x?gssencmode=require",
        &["Sekret", "Z9@"],
    ),
    (
        "postgres://app:Sekret Z9@127.0.0.1:notaport/x",
        &["Sekret", "Z9@"],
    ),
    (
        "postgresql://app:Sek%20ret%40Z9@127.0.0.1:notaport/x",
        &["Sek%20ret", "Sek ret", "ret@Z9", "%40Z9"],
    ),
    (
        "postgres://app:Sek@ret Z9@127.0.0.1:1/x?sslcert=/x",
        &["Sek@ret", "ret Z9", "Z9@"],
    ),
    (
        "postgres://127.0.0.1:bad/x?password=Sekret Z9w&sslcert=/x",
        &["Sekret", "Z9w"],
    ),
    (
        "postgres://127.0.0.1/x?sslcert=/x&password=Sek%26retZ9",
        &["Sek%26retZ9", "Sek&retZ9", "retZ9"],
    ),
];

#[test]
fn no_password_is_printed_for_any_malformed_connection_string() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("m")).unwrap();
    std::fs::write(
        dir.path().join("m/0001_a.sql"),
        "CREATE TABLE a (id int);\n",
    )
    .unwrap();
    let commands: &[(&str, &[&str])] = &[
        ("release-check", &["human", "json", "sarif", "github"]),
        ("drift", &["human", "json", "sarif", "github"]),
        ("inspect", &["json", "sql"]),
    ];
    for (url, secrets) in CORPUS {
        for (command, formats) in commands {
            for format in *formats {
                let mut args = vec![*command, "--format", format];
                if *command != "inspect" {
                    args.push("m");
                }
                // Both ways in: the flag and DATABASE_URL.
                for via_env in [false, true] {
                    if via_env && *format != "json" {
                        continue; // the environment path once per command is enough
                    }
                    let mut args = args.clone();
                    let env: Vec<(&str, &str)> = if via_env {
                        vec![("DATABASE_URL", url)]
                    } else {
                        args.extend(["--database-url", url]);
                        vec![("DATABASE_URL", "")]
                    };
                    let r = run_with_deadline(
                        dir.path(),
                        &args,
                        &env,
                        std::time::Duration::from_secs(20),
                    );
                    assert_eq!(r.code, 2, "{url} {args:?}: {}{}", r.stdout, r.stderr);
                    assert!(!r.stderr.trim().is_empty(), "{url}: no message");
                    for secret in *secrets {
                        assert!(
                            !r.stdout.contains(secret) && !r.stderr.contains(secret),
                            "`{secret}` of {url} printed by {args:?}: {}{}",
                            r.stdout,
                            r.stderr
                        );
                    }
                }
            }
        }
    }
}

/// The message still says what is wrong with the string (without the secret).
#[test]
fn a_malformed_connection_string_says_what_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let r = run_in(
        dir.path(),
        &[
            "inspect",
            "--database-url",
            "host=127.0.0.1 password = SekretZ9 sslcert=/x",
        ],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("unknown option `sslcert`"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("host=127.0.0.1 password=***"),
        "{}",
        r.stderr
    );
}
