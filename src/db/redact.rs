//! Never print a password: every URL or message that may contain one goes through
//! [`redact`] before it reaches a terminal or a log.

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
/// quoted (`password='a b'`) or not.
fn redact_kv(s: &str) -> String {
    const KEY: &str = "password=";
    let lower = s.to_ascii_lowercase();
    let mut out = String::with_capacity(s.len());
    let mut pos = 0;
    while let Some(i) = lower[pos..].find(KEY) {
        let value_start = pos + i + KEY.len();
        out.push_str(&s[pos..value_start]);
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
            tail.find(|c: char| c.is_whitespace() || c == '&')
                .unwrap_or(tail.len())
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
        assert_eq!(redact("no secrets here"), "no secrets here");
    }
}
