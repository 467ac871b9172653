//! Partition keys and partition bounds, in one spelling for both schema producers.
//!
//! A migration writes `PARTITION BY RANGE(at)` and `FOR VALUES FROM ('2024-02-01
//! 12:30') TO (MAXVALUE)`; PostgreSQL 15 keeps them parsed and prints them back
//! (`pg_get_partkeydef`, `pg_get_expr(relpartbound)`) in its own spelling, observed:
//! - keys: `RANGE (at)`, `LIST (lower(label))`, an expression that is no function
//!   call in double parentheses `RANGE (((a + 1)))`, casts added `(b * (2)::numeric)`,
//!   `COLLATE` and a non-default operator class after the element;
//! - bounds: `FOR VALUES FROM ('2024-01-01') TO (MAXVALUE)`, `FOR VALUES IN ('a',
//!   'b''c', NULL)`, `FOR VALUES WITH (modulus 2, remainder 0)`, `DEFAULT`; integers
//!   bare but negative ones quoted (`'-2'`), a `numeric` `3` quoted, dates as
//!   `'2024-01-01'`, timestamps as `'2024-02-01 12:30:00'`, `timestamptz` with the
//!   session's offset (`'2024-01-01 00:00:00+00'`).
//!
//! The model keeps each side's text (valid SQL to render); drift compares the keys
//! built here ([`partition_key_key`], [`bound_key`]).

use super::normalize::expr_key;
use crate::parse::sql::lexical::{matching_paren, top_level_positions};

/// A written `PARTITION BY` key (sqlparser prints `RANGE(at)`) in PostgreSQL's layout:
/// `RANGE (at)`. Elements are kept as written.
pub fn partition_key_sql(written: &str) -> String {
    match split_key(written) {
        Some((strategy, elements)) => format!("{strategy} ({})", elements.join(", ")),
        None => written.trim().to_string(),
    }
}

/// What drift compares of a partition key: the strategy, and each element's
/// expression key (PostgreSQL's extra parentheses and casts dropped) with its
/// `COLLATE` and operator class.
pub fn partition_key_key(key: &str) -> String {
    let Some((strategy, elements)) = split_key(key) else {
        return key.trim().to_string();
    };
    let elements: Vec<String> = elements.iter().map(|e| element_key(e)).collect();
    format!("{strategy} ({})", elements.join(", "))
}

/// `RANGE (a, lower(b))` → (`RANGE`, [`a`, `lower(b)`]).
fn split_key(key: &str) -> Option<(String, Vec<String>)> {
    let key = key.trim();
    let open = key.find('(')?;
    let strategy = key[..open].trim().to_ascii_uppercase();
    if !matches!(strategy.as_str(), "RANGE" | "LIST" | "HASH") || !key.ends_with(')') {
        return None;
    }
    let inner = &key[open + 1..key.len() - 1];
    Some((strategy, split_top_level(inner)))
}

/// One key element: an expression, then ` COLLATE x` and an operator class, which
/// stay as written (lower-cased outside quotes).
fn element_key(element: &str) -> String {
    let (expr, rest) = split_element(element);
    let mut key = expr_key(expr);
    if !rest.is_empty() {
        key.push(' ');
        key.push_str(&fold_outside_quotes(rest));
    }
    key
}

/// An element's expression (a parenthesised one, a function call, a column) and the
/// words after it.
fn split_element(element: &str) -> (&str, &str) {
    let e = element.trim();
    match top_level_positions(e, b' ').first() {
        Some(&i) => (&e[..i], e[i + 1..].trim()),
        None => (e, ""),
    }
}

fn fold_outside_quotes(s: &str) -> String {
    let mut out = String::new();
    let mut in_quote = false;
    for c in s.chars() {
        if c == '"' {
            in_quote = !in_quote;
        }
        out.push(if in_quote { c } else { c.to_ascii_lowercase() });
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Split at commas outside parentheses and quotes, each part trimmed.
fn split_top_level(s: &str) -> Vec<String> {
    if s.trim().is_empty() {
        return Vec::new();
    }
    let mut parts = Vec::new();
    let mut start = 0;
    for comma in top_level_positions(s, b',') {
        parts.push(s[start..comma].trim().to_string());
        start = comma + 1;
    }
    parts.push(s[start..].trim().to_string());
    parts
}

/// Whether two partition bounds are the same: equal [`bound_key`]s, where a
/// `timestamptz` value compares either by its wall-clock time (PostgreSQL prints it
/// with the offset of the database's time zone, in which a migration that writes no
/// offset ran) or, offsets applied, as the same instant (a migration that writes one).
pub fn bounds_equal(a: &str, b: &str) -> bool {
    bound_key(a) == bound_key(b) || bound_key_with(a, Zone::Utc) == bound_key_with(b, Zone::Utc)
}

/// How [`bound_key`] treats a timestamp's zone offset.
#[derive(Clone, Copy, PartialEq)]
enum Zone {
    /// Left out: the wall-clock time.
    Drop,
    /// Applied: the time in UTC (a time without offset taken as UTC).
    Utc,
}

/// What drift compares of a partition bound: keywords in one case, each value
/// without its quotes and casts, dates and timestamps as `YYYY-MM-DD HH:MM:SS`
/// without their zone offset (see [`bounds_equal`]).
pub fn bound_key(bound: &str) -> String {
    bound_key_with(bound, Zone::Drop)
}

fn bound_key_with(bound: &str, zone: Zone) -> String {
    let b = bound.trim().trim_end_matches(';').trim();
    if b.eq_ignore_ascii_case("DEFAULT") {
        return "DEFAULT".into();
    }
    let upper = b.to_ascii_uppercase();
    let Some(rest) = upper
        .strip_prefix("FOR VALUES")
        .map(|_| b["FOR VALUES".len()..].trim_start())
    else {
        return b.to_string();
    };
    let values = |list: &str| -> String {
        split_top_level(list)
            .iter()
            .map(|v| value_key(v, zone))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let (word, tail) = rest.split_at(rest.find('(').unwrap_or(rest.len()));
    let word = word.trim().to_ascii_uppercase();
    match word.as_str() {
        "IN" => format!("IN ({})", values(inside_parens(tail).0)),
        "WITH" => format!(
            "WITH ({})",
            fold_outside_quotes(inside_parens(tail).0).replace(" ,", ",")
        ),
        "FROM" => {
            let (from, after) = inside_parens(tail);
            let after = after.trim_start();
            let to = after
                .get(..2)
                .filter(|w| w.eq_ignore_ascii_case("TO"))
                .map(|_| inside_parens(after[2..].trim_start()).0)
                .unwrap_or(after);
            format!("FROM ({}) TO ({})", values(from), values(to))
        }
        _ => b.to_string(),
    }
}

/// The text inside the leading `( … )` of `s`, and what follows it.
fn inside_parens(s: &str) -> (&str, &str) {
    let s = s.trim_start();
    if !s.starts_with('(') {
        return (s, "");
    }
    match matching_paren(s, 0) {
        Some(close) => (&s[1..close], &s[close + 1..]),
        None => (&s[1..], ""),
    }
}

/// One bound value: `MINVALUE`, `MAXVALUE`, `NULL` in upper case; a literal without
/// its quotes and cast (`'-2'` is `-2`, `'b''c'` is `b'c`), a date or timestamp as
/// `YYYY-MM-DD HH:MM:SS[.ffffff]`; any other expression as its expression key.
fn value_key(value: &str, zone: Zone) -> String {
    let v = value.trim();
    let upper = v.to_ascii_uppercase();
    if matches!(
        upper.as_str(),
        "MINVALUE" | "MAXVALUE" | "NULL" | "TRUE" | "FALSE"
    ) {
        return upper;
    }
    let literal = v
        .strip_prefix('\'')
        .and_then(|s| s.rfind('\'').map(|end| &s[..end]))
        .map(|s| s.replace("''", "'"));
    match literal {
        Some(text) => timestamp_key(&text, zone).unwrap_or(text),
        None if v.parse::<f64>().is_ok() => v.to_string(),
        None => expr_key(v),
    }
}

/// `2024-02-01`, `2024-02-01 12:30`, `2024-02-01T12:30:00.5+02` → `2024-02-01
/// 12:30:00[.5]` (a zone offset left out or applied, see [`Zone`]); `None` for what
/// is no date.
fn timestamp_key(text: &str, zone: Zone) -> Option<String> {
    let t = text.trim();
    let b = t.as_bytes();
    let is_date = b.len() >= 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit);
    if !is_date {
        return None;
    }
    let mut date = t[..10].to_string();
    let time = t[10..].trim_start_matches(['T', ' ']);
    // The zone offset (`+02`, `-05:30`, `Z`, ` UTC`).
    let (time, offset) = time
        .find(['+', '-', 'Z', ' '])
        .map_or((time, ""), |i| (&time[..i], &time[i..]));
    let mut time = time.trim().to_string();
    if zone == Zone::Utc {
        match offset_minutes(offset.trim()) {
            Some(0) => {}
            Some(minutes) => (date, time) = shift(&date, &time, -minutes)?,
            // A zone name: not applied here.
            None => return None,
        }
    }
    let time = time.as_str();
    if time.is_empty() {
        return Some(format!("{date} 00:00:00"));
    }
    let (hms, fraction) = time.split_once('.').unwrap_or((time, ""));
    let mut parts: Vec<&str> = hms.split(':').collect();
    if parts.len() > 3 || parts.iter().any(|p| p.parse::<u32>().is_err()) {
        return None;
    }
    while parts.len() < 3 {
        parts.push("00");
    }
    let hms: Vec<String> = parts
        .iter()
        .map(|p| format!("{:02}", p.parse::<u32>().unwrap_or(0)))
        .collect();
    let fraction = fraction.trim_end_matches('0');
    Some(if fraction.is_empty() {
        format!("{date} {}", hms.join(":"))
    } else {
        format!("{date} {}.{fraction}", hms.join(":"))
    })
}

/// `+02`, `-05:30`, `+0530`, `Z`, nothing → minutes east of UTC; `None` for a zone
/// name.
fn offset_minutes(offset: &str) -> Option<i64> {
    if offset.is_empty() || offset == "Z" {
        return Some(0);
    }
    let sign = match offset.as_bytes()[0] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let digits: String = offset[1..].chars().filter(|c| *c != ':').collect();
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) || digits.len() > 4 {
        return None;
    }
    let (h, m) = digits.split_at(digits.len().min(2));
    let h: i64 = h.parse().ok()?;
    let m: i64 = if m.is_empty() { 0 } else { m.parse().ok()? };
    Some(sign * (h * 60 + m))
}

/// `date` and `time` (`HH:MM[:SS[.f]]` or empty) moved by `minutes`.
fn shift(date: &str, time: &str, minutes: i64) -> Option<(String, String)> {
    let y: i64 = date[..4].parse().ok()?;
    let mo: i64 = date[5..7].parse().ok()?;
    let d: i64 = date[8..10].parse().ok()?;
    let (hms, fraction) = time.split_once('.').unwrap_or((time, ""));
    let parts: Vec<i64> = if hms.is_empty() {
        vec![]
    } else {
        hms.split(':')
            .map(|p| p.parse().ok())
            .collect::<Option<_>>()?
    };
    let (h, mi, sec) = (
        parts.first().copied().unwrap_or(0),
        parts.get(1).copied().unwrap_or(0),
        parts.get(2).copied().unwrap_or(0),
    );
    let total = days_from_civil(y, mo, d) * 1440 + h * 60 + mi + minutes;
    let (days, rest) = (total.div_euclid(1440), total.rem_euclid(1440));
    let (y, mo, d) = civil_from_days(days);
    let mut time = format!("{:02}:{:02}:{sec:02}", rest / 60, rest % 60);
    if !fraction.is_empty() {
        time = format!("{time}.{fraction}");
    }
    Some((format!("{y:04}-{mo:02}-{d:02}"), time))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

/// The date `z` days after 1970-01-01 (the inverse of [`days_from_civil`]).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719468;
    let era = z.div_euclid(146097);
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_keys_compare_equal_to_what_postgresql_prints() {
        for (written, printed) in [
            ("RANGE(at)", "RANGE (at)"),
            ("LIST(lower(label))", "LIST (lower(label))"),
            (
                "RANGE((a + 1), (b * 2))",
                "RANGE (((a + 1)), ((b * (2)::numeric)))",
            ),
            (
                "HASH(id, \"Name\" COLLATE \"C\" text_pattern_ops)",
                "HASH (id, \"Name\" COLLATE \"C\" text_pattern_ops)",
            ),
        ] {
            assert_eq!(
                partition_key_key(&partition_key_sql(written)),
                partition_key_key(printed),
                "{written}"
            );
        }
        assert_eq!(partition_key_sql("RANGE(at)"), "RANGE (at)");
        assert_ne!(
            partition_key_key("LIST (lower(label))"),
            partition_key_key("LIST (label)")
        );
        assert_ne!(
            partition_key_key("LIST (label)"),
            partition_key_key("HASH (label)")
        );
        assert_ne!(
            partition_key_key("LIST (\"Label\")"),
            partition_key_key("LIST (label)")
        );
    }

    #[test]
    fn written_bounds_compare_equal_to_what_postgresql_prints() {
        for (written, printed) in [
            (
                "FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')",
                "FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')",
            ),
            (
                "FOR VALUES FROM (MINVALUE) TO ('2024-01-01')",
                "FOR VALUES FROM (MINVALUE) TO ('2024-01-01')",
            ),
            (
                "for values from ('2024-01-01') to ('2024-02-01 12:30')",
                "FOR VALUES FROM ('2024-01-01 00:00:00') TO ('2024-02-01 12:30:00')",
            ),
            (
                "FOR VALUES FROM ('2024-01-01') TO ('2024-02-01 12:30')",
                "FOR VALUES FROM ('2024-01-01 00:00:00+00') TO ('2024-02-01 12:30:00+00')",
            ),
            ("FOR VALUES IN (1, -2, '3')", "FOR VALUES IN (1, '-2', 3)"),
            (
                "FOR VALUES FROM (1, 1.5) TO (2, 3)",
                "FOR VALUES FROM (1, 1.5) TO (2, '3')",
            ),
            (
                "FOR VALUES IN ('a', 'b''c', NULL)",
                "FOR VALUES IN ('a', 'b''c', NULL)",
            ),
            (
                "FOR VALUES WITH (MODULUS 2, REMAINDER 0)",
                "FOR VALUES WITH (modulus 2, remainder 0)",
            ),
            ("FOR VALUES IN (TRUE)", "FOR VALUES IN (true)"),
            ("DEFAULT", "DEFAULT"),
        ] {
            assert_eq!(bound_key(written), bound_key(printed), "{written}");
        }
        // A `timestamptz` bound: the wall-clock time in the database's zone, or the
        // same instant when the migration wrote an offset (printed on PostgreSQL 15).
        for (written, printed) in [
            (
                "FOR VALUES FROM ('2024-01-01') TO ('2024-02-01 12:30+02')",
                "FOR VALUES FROM ('2024-01-01 00:00:00+00') TO ('2024-02-01 10:30:00+00')",
            ),
            (
                "FOR VALUES FROM ('2024-01-01') TO ('2024-02-01')",
                "FOR VALUES FROM ('2024-01-01 00:00:00+01') TO ('2024-02-01 00:00:00+01')",
            ),
            (
                "FOR VALUES FROM ('2024-01-01 00:30-01') TO (MAXVALUE)",
                "FOR VALUES FROM ('2024-01-01 01:30:00+00') TO (MAXVALUE)",
            ),
            (
                "FOR VALUES FROM ('2024-03-01 00:30+05:30') TO (MAXVALUE)",
                "FOR VALUES FROM ('2024-02-29 19:00:00+00') TO (MAXVALUE)",
            ),
        ] {
            assert!(bounds_equal(written, printed), "{written}");
        }
        assert!(!bounds_equal(
            "FOR VALUES FROM ('2024-01-01') TO ('2024-02-01 12:30+02')",
            "FOR VALUES FROM ('2024-01-01 00:00:00+00') TO ('2024-02-01 11:30:00+00')"
        ));
        for (a, b) in [
            (
                "FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')",
                "FOR VALUES FROM ('2024-01-01') TO ('2025-07-01')",
            ),
            ("FOR VALUES IN ('A')", "FOR VALUES IN ('a')"),
            (
                "FOR VALUES WITH (modulus 2, remainder 0)",
                "FOR VALUES WITH (modulus 2, remainder 1)",
            ),
            (
                "FOR VALUES FROM (MINVALUE) TO (1)",
                "FOR VALUES FROM (MAXVALUE) TO (1)",
            ),
            ("DEFAULT", "FOR VALUES IN (1)"),
        ] {
            assert_ne!(bound_key(a), bound_key(b), "{a}");
        }
    }
}
