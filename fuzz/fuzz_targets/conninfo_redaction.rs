//! A password never appears in what migguard prints about a connection string.
//!
//! The input is `form byte, password, NUL, extra text`. The password (at least 4
//! characters, one of them alphanumeric) is embedded in one of libpq's two syntaxes
//! (URL: user info, percent-encoded, `password=` in the query; key=value: bare,
//! quoted, spaces around `=`), with the extra text spliced in where it can break the
//! grammar. Every text migguard derives from the string without connecting — the
//! redacted echo, the printable target, the parse error — must not contain it.
//!
//! A password can also occur in the output for reasons that have nothing to do with
//! it (`5432` as password and as port). So each output is compared with the output
//! for a twin password of the same shape whose letters and digits are shifted: the
//! password counts as leaked only where it appears with itself and not with its twin.
#![no_main]

use libfuzzer_sys::fuzz_target;
use migguard::db::connect::{printable_target, ConnectOptions};
use migguard::db::redact::redact_conninfo;

/// libpq's quoting for a key=value value: `\` and `'` escaped, in single quotes.
fn quoted(p: &str) -> String {
    format!("'{}'", p.replace('\\', "\\\\").replace('\'', "\\'"))
}

fn percent_encoded(p: &str) -> String {
    p.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn conninfo(form: u8, p: &str, extra: &str) -> String {
    match form % 12 {
        0 => format!("postgres://bob:{p}@db.example:5432/app{extra}"),
        1 => format!("postgresql://bob:{p}@db.example/app?sslmode=disable{extra}"),
        2 => format!("postgres://bob@db.example/app?password={p}{extra}"),
        3 => format!("postgres://bob@db.example/app?{extra}&password={p}&sslcert=/x"),
        4 => format!("postgres://bob:{}@db.example{extra}", percent_encoded(p)),
        5 => format!("postgres://{extra}:{p}@db.example/app?port=x"),
        6 => format!("host=db.example user=bob password={p} dbname=app{extra}"),
        7 => format!("host=db.example password={} {extra}", quoted(p)),
        8 => format!("{extra} password = {p} sslcert=/x"),
        9 => format!("password={}{extra}", quoted(p)),
        10 => format!("host=db.example password = {p}{extra} port=abc"),
        _ => format!(
            "user=bob {extra} PASSWORD = {} gssencmode=require",
            quoted(p)
        ),
    }
}

/// Everything printed about `conninfo` before connecting.
fn printed(conninfo: &str) -> Vec<String> {
    let opts = migguard::commands::database::connect_options(
        Some(conninfo.to_string()),
        &migguard::config::DatabaseConfig::default(),
        Default::default(),
    );
    let described = match printable_target(&opts) {
        Ok(target) => target,
        Err(e) => e.to_string(),
    };
    vec![redact_conninfo(conninfo), described]
}

/// The same shape with every letter and digit moved one place on.
fn twin(p: &str) -> String {
    p.chars()
        .map(|c| match c {
            'z' => 'a',
            'Z' => 'A',
            '9' => '0',
            c if c.is_ascii_alphanumeric() => (c as u8 + 1) as char,
            c => c,
        })
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let Some((&form, rest)) = data.split_first() else {
        return;
    };
    let (password, extra) = match rest.iter().position(|&b| b == 0) {
        Some(nul) => (&rest[..nul], &rest[nul + 1..]),
        None => (rest, &[][..]),
    };
    let (Ok(password), Ok(extra)) = (std::str::from_utf8(password), std::str::from_utf8(extra))
    else {
        return;
    };
    if password.chars().count() < 4 || !password.chars().any(|c| c.is_ascii_alphanumeric()) {
        return;
    }
    // In a URL query a raw `&` ends the value: libpq reads what follows as other
    // parameters, not as the password.
    if matches!(form % 12, 2 | 3) && password.contains('&') {
        return;
    }
    let other = twin(password);
    let with_password = printed(&conninfo(form, password, extra));
    let with_twin = printed(&conninfo(form, &other, extra));
    for (text, control) in with_password.iter().zip(&with_twin) {
        assert!(
            !text.contains(password) || control.contains(password),
            "password {password:?} printed: {text:?}"
        );
    }
});
