//! Never print a password: every URL or message that may contain one goes through
//! [`redact`] before it reaches a terminal or a log.
//!
//! A connection string migguard echoes is redacted by [`redact_conninfo`], which
//! reads it with libpq's own two grammars (a URL: user info up to the last `@`,
//! `password` in the query up to `&`; or `key = value` pairs with quoted values and
//! backslash escapes) rather than guessing where a value ends. And because a
//! malformed string can be cut anywhere by whoever parses it, every error of a
//! connection attempt is also [`scrub`]bed of the password's literal text
//! ([`secrets`]: raw, decoded and each whitespace-separated piece).

/// libpq's URL prefixes.
pub(super) const URL_SCHEMES: [&str; 2] = ["postgresql://", "postgres://"];

fn url_rest(s: &str) -> Option<(&str, &str)> {
    URL_SCHEMES.iter().find_map(|scheme| {
        s.get(..scheme.len())
            .filter(|head| head.eq_ignore_ascii_case(scheme))
            .map(|head| (head, &s[scheme.len()..]))
    })
}

/// One `key = value` pair of libpq's keyword/value syntax, as written.
struct KeyValue<'a> {
    key: &'a str,
    /// The value as written (quotes and escapes included).
    raw: &'a str,
    /// The value as libpq reads it.
    value: String,
}

/// libpq's keyword/value syntax: pairs separated by whitespace, `=` with optional
/// whitespace around it, values either single-quoted (`\'` and `\\` escapes) or
/// bare up to whitespace (a backslash escapes the next character). `Err(offset)` is
/// where the text stops following the grammar.
fn key_values(s: &str) -> (Vec<KeyValue<'_>>, Option<usize>) {
    let mut pairs = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    let skip_ws = |mut i: usize| {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        i
    };
    loop {
        i = skip_ws(i);
        if i >= b.len() {
            return (pairs, None);
        }
        let key_start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'=' {
            i += 1;
        }
        let key = &s[key_start..i];
        i = skip_ws(i);
        // libpq refuses an empty keyword (`x=password ='…'`): what follows is not
        // a pair, and may be a password.
        if key.is_empty() || i >= b.len() || b[i] != b'=' {
            return (pairs, Some(key_start));
        }
        i = skip_ws(i + 1);
        let value_start = i;
        let mut value = String::new();
        if b.get(i) == Some(&b'\'') {
            i += 1;
            let mut closed = false;
            while i < b.len() {
                match b[i] {
                    b'\'' => {
                        closed = true;
                        i += 1;
                        break;
                    }
                    b'\\' if i + 1 < b.len() => i += 1,
                    _ => {}
                }
                let c = s[i..].chars().next().unwrap_or(' ');
                value.push(c);
                i += c.len_utf8();
            }
            if !closed {
                return (pairs, Some(key_start));
            }
        } else {
            while i < b.len() && !b[i].is_ascii_whitespace() {
                if b[i] == b'\\' && i + 1 < b.len() {
                    i += 1;
                }
                let c = s[i..].chars().next().unwrap_or(' ');
                value.push(c);
                i += c.len_utf8();
            }
        }
        pairs.push(KeyValue {
            key,
            raw: &s[value_start..i],
            value,
        });
    }
}

/// The password parts of a URL: (user info password as written, query `password`
/// values as written).
fn url_passwords(rest: &str) -> Vec<&str> {
    let mut out = Vec::new();
    // The user info ends at the last `@` (see `connect::encode_userinfo`).
    if let Some(at) = rest.rfind('@') {
        if let Some((_, password)) = rest[..at].split_once(':') {
            out.push(password);
        }
    }
    out.extend(query_passwords(rest));
    out
}

/// The `password` values of a URL's query. Where the query starts is ambiguous when
/// a password holds a raw `@` or `?`, so every `?` counts as a possible start:
/// reading too many values only redacts more.
fn query_passwords(rest: &str) -> Vec<&str> {
    rest.match_indices('?')
        .flat_map(|(q, _)| rest[q + 1..].split('&'))
        .filter_map(|kv| kv.split_once('='))
        .filter(|(k, _)| percent_decode(k).eq_ignore_ascii_case("password"))
        .map(|(_, v)| v)
        .collect()
}

fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// A connection string (URL or key/value) fit to print: every password is `***`;
/// what does not follow the grammar is hidden, since it may hold one.
pub fn redact_conninfo(s: &str) -> String {
    if let Some((scheme, rest)) = url_rest(s) {
        let mut out = scheme.to_string();
        let (userinfo, tail) = match rest.rfind('@') {
            Some(at) => (Some(&rest[..at]), &rest[at..]),
            None => (None, rest),
        };
        if let Some(u) = userinfo {
            match u.split_once(':') {
                Some((user, _)) => {
                    out.push_str(user);
                    out.push_str(":***");
                }
                None => out.push_str(u),
            }
        }
        match tail.split_once('?') {
            Some((head, query)) => {
                out.push_str(head);
                out.push('?');
                let params: Vec<String> = query
                    .split('&')
                    .map(|kv| match kv.split_once('=') {
                        Some((k, _)) if percent_decode(k).eq_ignore_ascii_case("password") => {
                            format!("{k}=***")
                        }
                        _ => kv.to_string(),
                    })
                    .collect();
                out.push_str(&params.join("&"));
            }
            None => out.push_str(tail),
        }
        for value in query_passwords(rest).into_iter().filter(|v| !v.is_empty()) {
            out = out.replace(&format!("={value}"), "=***");
        }
        return out;
    }
    let (pairs, stop) = key_values(s);
    let mut out: Vec<String> = pairs
        .iter()
        .map(|kv| {
            if kv.key.eq_ignore_ascii_case("password") {
                format!("{}=***", kv.key)
            } else {
                format!("{}={}", kv.key, kv.raw)
            }
        })
        .collect();
    if stop.is_some() {
        out.push("<rest not shown: not `key=value`>".into());
    }
    out.join(" ")
}

/// Every text a password of this connection string may be printed as: as written,
/// as decoded, and each whitespace-separated piece of at least 3 characters (a
/// parser that stops at a space prints the rest as something else).
pub fn secrets(conninfo: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    if let Some((_, rest)) = url_rest(conninfo) {
        for p in url_passwords(rest) {
            found.push(p.to_string());
            found.push(percent_decode(p));
        }
    } else {
        let (pairs, stop) = key_values(conninfo);
        for kv in pairs
            .iter()
            .filter(|kv| kv.key.eq_ignore_ascii_case("password"))
        {
            found.push(kv.raw.to_string());
            found.push(kv.value.clone());
        }
        // Past a syntax error, anything after a `password` may be its value.
        if let Some(at) = stop {
            let tail = &conninfo[at..];
            if let Some(p) = tail.to_ascii_lowercase().find("password") {
                let value = tail[p + "password".len()..]
                    .trim_start_matches(|c: char| c.is_whitespace() || c == '=');
                found.push(value.trim_start_matches('\'').to_string());
            }
        }
    }
    let pieces: Vec<String> = found
        .iter()
        .flat_map(|s| {
            s.split(|c: char| c.is_whitespace() || c == '\'' || c == '\\')
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect();
    found.extend(pieces);
    found.retain(|s| s.chars().count() >= 3);
    found.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
    found.dedup();
    found
}

/// [`redact`], then every known secret's text replaced with `***`.
pub fn scrub(message: &str, secrets: &[String]) -> String {
    let mut out = redact(message);
    for s in secrets {
        if out.contains(s.as_str()) {
            out = out.replace(s.as_str(), "***");
        }
    }
    out
}

/// Replace the password in `postgres://user:password@host` URLs and `password=…`
/// key/value pairs with `***`.
pub fn redact(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("://") {
        let (head, tail) = rest.split_at(i + 3);
        out.push_str(head);
        // The URL runs to the next whitespace or quote. Its user info ends at the
        // *last* `@`: a password may hold unencoded `/`, `?` or `@`, and cutting at
        // the first `/` would print the rest of it. Over-redacting is the safe error.
        let end = tail
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '`' | '<' | '>'))
            .unwrap_or(tail.len());
        let url = &tail[..end];
        match url.rfind('@') {
            Some(at) => match url[..at].find(':') {
                Some(colon) => {
                    out.push_str(&url[..colon]);
                    out.push_str(":***");
                    out.push_str(&url[at..]);
                }
                None => out.push_str(url),
            },
            None => out.push_str(url),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    redact_kv(&out)
}

/// `password=…` in key/value connection strings and URL queries, any letter case,
/// spaces around `=`, quoted (`password='a b'`) or not (a backslash escapes the next
/// character, as libpq reads it).
fn redact_kv(s: &str) -> String {
    const KEY: &str = "password";
    let lower = s.to_ascii_lowercase();
    let mut out = String::with_capacity(s.len());
    let mut pos = 0;
    while let Some(i) = lower[pos..].find(KEY) {
        let after_key = pos + i + KEY.len();
        let eq = after_key + (s[after_key..].len() - s[after_key..].trim_start().len());
        if !s[eq..].starts_with('=') {
            out.push_str(&s[pos..after_key]);
            pos = after_key;
            continue;
        }
        let value_start = eq + 1 + (s[eq + 1..].len() - s[eq + 1..].trim_start().len());
        out.push_str(&s[pos..after_key]);
        out.push('=');
        let tail = &s[value_start..];
        let len = if let Some(quoted) = tail.strip_prefix('\'') {
            // libpq quoting: backslash escapes, ends at the next unescaped quote.
            let mut escaped = false;
            let close = quoted.char_indices().find(|&(_, c)| {
                let hit = c == '\'' && !escaped;
                escaped = c == '\\' && !escaped;
                hit
            });
            close.map_or(tail.len(), |(j, _)| j + 2)
        } else {
            let mut escaped = false;
            tail.char_indices()
                .find(|&(_, c)| {
                    let end = !escaped && (c.is_whitespace() || c == '&');
                    escaped = c == '\\' && !escaped;
                    end
                })
                .map_or(tail.len(), |(j, _)| j)
        };
        out.push_str("***");
        pos = value_start + len;
    }
    out.push_str(&s[pos..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by the `conninfo_redaction` fuzz target: a raw `@` in a query
    /// password was taken for the end of the user info, so the query went unread.
    #[test]
    fn a_query_password_holding_an_at_sign_is_redacted() {
        let url = "postgres://bob@db.example/app?password=pa@ss/w?d#Z9 sslcert=/x";
        let echoed = redact_conninfo(url);
        assert!(!echoed.contains("pa@ss/w?d#Z9"), "{echoed}");
        assert!(
            echoed.starts_with("postgres://bob@db.example/app?password=***"),
            "{echoed}"
        );
        assert!(
            secrets(url).iter().any(|s| s == "pa@ss/w?d#Z9 sslcert=/x"),
            "{:?}",
            secrets(url)
        );
    }

    /// Found by the `conninfo_redaction` fuzz target: a pair with an empty keyword
    /// was echoed, password and all.
    #[test]
    fn an_empty_keyword_stops_the_echo() {
        let echoed = redact_conninfo("user=bob x=PASSWORD ='Sekret Z9' gssencmode=require");
        assert!(!echoed.contains("Sekret"), "{echoed}");
        assert!(
            echoed.starts_with("user=bob x=PASSWORD <rest not shown"),
            "{echoed}"
        );
    }

    #[test]
    fn passwords_are_removed() {
        assert_eq!(
            redact("postgres://app:hunter2@db:5432/x?sslmode=require"),
            "postgres://app:***@db:5432/x?sslmode=require"
        );
        assert_eq!(
            redact("host=db password=hunter2 user=app"),
            "host=db password=*** user=app"
        );
        assert_eq!(
            redact("postgres://db/x?password=hunter2&a=1"),
            "postgres://db/x?password=***&a=1"
        );
        assert_eq!(redact("postgres://app@db/x"), "postgres://app@db/x");
    }

    #[test]
    fn unencoded_special_characters_in_passwords_are_removed() {
        for pw in ["pa/ss", "pa?ss", "p@ss", "p:ss", "a/b@c?d"] {
            let url = format!(
                "error connecting to postgres://app:{pw}@db:5432/x?sslmode=require: refused"
            );
            let red = redact(&url);
            assert!(!red.contains(pw), "{red}");
            assert!(red.contains("app:***@db:5432/x"), "{red}");
            assert!(red.ends_with(": refused"), "{red}");
        }
    }

    #[test]
    fn conninfo_is_redacted_by_its_grammar() {
        assert_eq!(
            redact_conninfo("host=db password = 'Sek\\'r et' user=app"),
            "host=db password=*** user=app"
        );
        assert_eq!(
            redact_conninfo("host=db password=a\\ bcd sslcert=/x"),
            "host=db password=*** sslcert=/x"
        );
        assert_eq!(
            redact_conninfo("host=db password abc"),
            "host=db <rest not shown: not `key=value`>"
        );
        assert_eq!(
            redact_conninfo("postgres://app:Sek ret@db:1/x?a=1&password=p q&b=2"),
            "postgres://app:***@db:1/x?a=1&password=***&b=2"
        );
    }

    #[test]
    fn secrets_cover_raw_decoded_and_pieces() {
        let s = secrets("postgres://app:Sek%20ret%40Z9@db/x");
        for want in ["Sek%20ret%40Z9", "Sek ret@Z9", "ret@Z9"] {
            assert!(s.contains(&want.to_string()), "{s:?}");
        }
        let s = secrets("host=db password='a\\'bcd efg'");
        for want in ["a'bcd efg", "efg"] {
            assert!(s.contains(&want.to_string()), "{s:?}");
        }
        assert_eq!(scrub("x ret@Z9 y", &s), "x ret@Z9 y");
        assert_eq!(scrub("x bcd efg y", &s), "x *** *** y");
    }

    #[test]
    fn key_value_passwords_any_case_and_quoted() {
        assert_eq!(
            redact("host=db PASSWORD=hunter2 user=app"),
            "host=db PASSWORD=*** user=app"
        );
        assert_eq!(
            redact(r"host=db password='hun ter\'2' user=app"),
            "host=db password=*** user=app"
        );
        assert_eq!(redact("password='unterminated"), "password=***");
        assert_eq!(redact("a password = hunter2 b"), "a password=*** b");
        assert_eq!(redact("password=hun\\ ter2 b"), "password=*** b");
        assert_eq!(redact("no secrets here"), "no secrets here");
    }
}
