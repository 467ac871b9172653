//! A `postgresql://` URL read the way libpq reads it, so migguard reaches the server
//! psql and the migration tools reach with the same `DATABASE_URL`.
//!
//! tokio-postgres reads such URLs differently where it matters: a query parameter
//! *adds* to what the authority says (`postgresql://ignored/db?host=/run/pg` tries
//! `ignored` first; `?port=` after an authority port gives two ports for one host),
//! while libpq (PostgreSQL 15, `conninfo_uri_parse_options`) stores every part under
//! its keyword and lets a later value *replace* an earlier one: the query's `host`
//! replaces the authority's host list, and of two `host` parameters the last wins.
//! So the URL is turned into libpq's keyword/value form here, and tokio-postgres
//! parses that form, whose keywords it reads like libpq.

use super::redact::URL_SCHEMES;

/// libpq's keyword/value string for a `postgresql://`/`postgres://` URL, `None` for
/// anything else (a keyword/value string already). `Err` names what does not follow
/// libpq's URI grammar, never a value (it may be a password).
pub fn url_as_keywords(url: &str) -> Option<Result<String, String>> {
    // libpq compares the scheme case-sensitively.
    let rest = URL_SCHEMES.iter().find_map(|s| url.strip_prefix(s))?;
    Some(parse(rest).map(|keywords| render(&keywords)))
}

/// Keywords in the order libpq stores them, each with its final value.
fn parse(rest: &str) -> Result<Vec<(String, String)>, String> {
    let mut keywords: Vec<(String, String)> = Vec::new();
    let mut store = |key: &str, value: String| match keywords.iter_mut().find(|(k, _)| k == key) {
        Some(slot) => slot.1 = value,
        None => keywords.push((key.to_string(), value)),
    };
    // User info: up to an `@` met before any `/` (migguard has already
    // percent-encoded a raw `@`, `/`, `?` of the user info, see
    // `connect::encode_userinfo`).
    let mut p = match rest.find(['@', '/']) {
        Some(at) if rest.as_bytes()[at] == b'@' => {
            let (user, password) = match rest[..at].split_once(':') {
                Some((user, password)) => (user, Some(password)),
                None => (&rest[..at], None),
            };
            if !user.is_empty() {
                store("user", decode(user, "user name")?);
            }
            if let Some(password) = password {
                store("password", decode(password, "password")?);
            }
            &rest[at + 1..]
        }
        _ => rest,
    };
    // Hosts, each with an optional port, separated by commas; IPv6 in brackets.
    let mut hosts = String::new();
    let mut ports = String::new();
    let terminator = loop {
        let host;
        if let Some(inner) = p.strip_prefix('[') {
            let close = inner
                .find(']')
                .ok_or("an IPv6 host address in the URL has no closing `]`")?;
            if close == 0 {
                return Err("an IPv6 host address in the URL is empty".into());
            }
            host = &inner[..close];
            p = &inner[close + 1..];
            if !matches!(p.bytes().next(), None | Some(b':' | b'/' | b'?' | b',')) {
                return Err("unexpected character after an IPv6 host address in the URL".into());
            }
        } else {
            let end = p.find([':', '/', '?', ',']).unwrap_or(p.len());
            host = &p[..end];
            p = &p[end..];
        }
        hosts.push_str(host);
        if let Some(after) = p.strip_prefix(':') {
            let end = after.find(['/', '?', ',']).unwrap_or(after.len());
            ports.push_str(&after[..end]);
            p = &after[end..];
        }
        match p.strip_prefix(',') {
            Some(next) => {
                hosts.push(',');
                ports.push(',');
                p = next;
            }
            None => break p.bytes().next(),
        }
    };
    if !hosts.is_empty() {
        store("host", decode(&hosts, "host")?);
    }
    if !ports.is_empty() {
        store("port", decode(&ports, "port")?);
    }
    let mut query = None;
    match terminator {
        Some(b'/') => {
            let path = &p[1..];
            let (dbname, q) = match path.split_once('?') {
                Some((dbname, q)) => (dbname, Some(q)),
                None => (path, None),
            };
            // An empty path sets nothing (libpq: the default database, not "").
            if !dbname.is_empty() {
                store("dbname", decode(dbname, "database name")?);
            }
            query = q;
        }
        Some(b'?') => query = Some(&p[1..]),
        _ => {}
    }
    for param in query.into_iter().flat_map(|q| q.split('&')) {
        if param.is_empty() {
            continue;
        }
        let (key, value) = param
            .split_once('=')
            .ok_or("a URL query parameter has no `=`")?;
        if value.contains('=') {
            return Err("a URL query parameter has a second `=` (percent-encode it)".into());
        }
        let key = decode(key, "query parameter name")?;
        store(&key, decode(value, "query parameter")?);
    }
    Ok(keywords)
}

/// `%XX` decoding as libpq's `conninfo_uri_decode`: a `%` needs two hex digits and
/// `%00` is refused.
fn decode(s: &str, what: &str) -> Result<String, String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let byte = s
                .get(i + 1..i + 3)
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
                .filter(|_| b[i + 1].is_ascii_hexdigit() && b[i + 2].is_ascii_hexdigit())
                .ok_or_else(|| format!("invalid percent-encoding in the URL's {what}"))?;
            if byte == 0 {
                return Err(format!("the URL's {what} holds %00"));
            }
            out.push(byte);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| format!("the URL's {what} is not UTF-8 once decoded"))
}

/// The keyword/value form, each value quoted. An empty value is left out: libpq
/// reads it as the keyword's default (an empty `host` is the default socket, an
/// empty `port` 5432), the same as not giving it.
fn render(keywords: &[(String, String)]) -> String {
    keywords
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}='{}'", v.replace('\\', "\\\\").replace('\'', "\\'")))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keywords(url: &str) -> String {
        url_as_keywords(url).unwrap().unwrap()
    }

    #[test]
    fn query_parameters_replace_what_the_authority_says() {
        assert_eq!(
            keywords("postgresql://ignored/db?host=/tmp/sock&port=55434"),
            "host='/tmp/sock' dbname='db' port='55434'"
        );
        assert_eq!(
            keywords("postgresql:///db?host=/tmp/sock&port=55434"),
            "dbname='db' host='/tmp/sock' port='55434'"
        );
        assert_eq!(
            keywords("postgres://u@h1:1,h2/db?port=7&user=v&host=%2Fs&host=/t"),
            "user='v' host='/t' port='7' dbname='db'"
        );
        // An empty `host` replaces the authority's and then means the default.
        assert_eq!(keywords("postgres://h:5/db?host="), "port='5' dbname='db'");
    }

    #[test]
    fn the_authority_reads_as_libpq_reads_it() {
        assert_eq!(
            keywords("postgres://bob:p%40ss'\\@[::1]:5433,db2/app%20x?connect_timeout=3"),
            "user='bob' password='p@ss\\'\\\\' host='::1,db2' port='5433,' dbname='app x' connect_timeout='3'"
        );
        assert_eq!(keywords("postgresql://"), "");
        assert_eq!(keywords("postgresql://h?port=1"), "host='h' port='1'");
        assert_eq!(url_as_keywords("host=h port=1"), None);
        assert_eq!(url_as_keywords("POSTGRES://h/db"), None);
    }

    #[test]
    fn what_libpq_refuses_is_an_error_naming_no_value() {
        for url in [
            "postgres://h/db?options=-c%20a=b",
            "postgres://h/db?sslmode",
            "postgres://u:Secret%zz@h/db",
            "postgres://[::1/db",
            "postgres://[]/db",
            "postgres://h/db%00",
        ] {
            let err = url_as_keywords(url).unwrap().unwrap_err();
            assert!(!err.contains("Secret"), "{url}: {err}");
        }
    }
}
