//! Interval literals as PostgreSQL prints them back.
//!
//! PostgreSQL stores an interval constant in its own units (months, days,
//! microseconds) and prints it in the `postgres` IntervalStyle: `'12 months'` comes
//! back as `'1 year'`, `'90 minutes'` as `'01:30:00'`. A migration writes the former,
//! the catalog holds the latter; drift compares both after this rewrite, and
//! `schema --format sql` renders the stored spelling. Text this reader does not
//! understand (ISO 8601 `P1Y`, `@ 1 hour ago`, SQL-standard `1-2`) is left alone.

/// `input` (the text inside an interval literal) as PostgreSQL prints it, or `None`
/// when it is not a plain `<number> <unit>`/`[-]HH:MM[:SS]` list.
pub fn postgres_interval_text(input: &str) -> Option<String> {
    let (mut months, mut days, mut micros) = (0f64, 0f64, 0f64);
    let words: Vec<&str> = input.split_whitespace().collect();
    if words.is_empty() {
        return None;
    }
    let mut i = 0;
    while i < words.len() {
        let w = words[i];
        if w.contains(':') {
            micros += clock_micros(w)?;
            i += 1;
            continue;
        }
        // `5 days`, `5days`
        let split = w.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(w.len());
        let (number, unit) = if split < w.len() {
            (&w[..split], &w[split..])
        } else {
            i += 1;
            (w, *words.get(i)?)
        };
        let n: f64 = number.parse().ok()?;
        match unit.to_ascii_lowercase().as_str() {
            "year" | "years" | "yr" | "yrs" | "y" => months += n * 12.0,
            "mon" | "mons" | "month" | "months" => months += n,
            "week" | "weeks" | "w" => days += n * 7.0,
            "day" | "days" | "d" => days += n,
            "hour" | "hours" | "hr" | "hrs" | "h" => micros += n * 3_600e6,
            "minute" | "minutes" | "min" | "mins" | "m" => micros += n * 60e6,
            "second" | "seconds" | "sec" | "secs" | "s" => micros += n * 1e6,
            "millisecond" | "milliseconds" | "ms" | "msec" | "msecs" => micros += n * 1e3,
            _ => return None,
        }
        i += 1;
    }
    // PostgreSQL cascades fractions down: 1.5 months = 1 mon 15 days, 1.5 days =
    // 1 day 12:00:00 (a month is 30 days here, a day 24 hours).
    let whole_months = months.trunc();
    days += (months - whole_months) * 30.0;
    let whole_days = days.trunc();
    micros += (days - whole_days) * 86_400e6;
    Some(format_interval(
        whole_months as i64,
        whole_days as i64,
        micros.round() as i64,
    ))
}

/// `[-]HH:MM[:SS[.frac]]` in microseconds.
fn clock_micros(w: &str) -> Option<f64> {
    let (sign, body) = match w.strip_prefix('-') {
        Some(rest) => (-1.0, rest),
        None => (1.0, w.strip_prefix('+').unwrap_or(w)),
    };
    let parts: Vec<&str> = body.split(':').collect();
    if parts.len() > 3 || parts.iter().any(|p| p.is_empty()) {
        return None;
    }
    let h: f64 = parts[0].parse().ok()?;
    let m: f64 = parts[1].parse().ok()?;
    let s: f64 = parts.get(2).map_or(Some(0.0), |s| s.parse().ok())?;
    Some(sign * ((h * 3600.0 + m * 60.0 + s) * 1e6))
}

fn format_interval(months: i64, days: i64, micros: i64) -> String {
    let mut parts = Vec::new();
    let unit =
        |n: i64, one: &str, many: &str| format!("{n} {}", if n.abs() == 1 { one } else { many });
    let (years, mons) = (months / 12, months % 12);
    if years != 0 {
        parts.push(unit(years, "year", "years"));
    }
    if mons != 0 {
        parts.push(unit(mons, "mon", "mons"));
    }
    if days != 0 {
        parts.push(unit(days, "day", "days"));
    }
    if micros != 0 || parts.is_empty() {
        let sign = if micros < 0 { "-" } else { "" };
        let m = micros.unsigned_abs();
        let (h, rest) = (m / 3_600_000_000, m % 3_600_000_000);
        let (min, rest) = (rest / 60_000_000, rest % 60_000_000);
        let (s, frac) = (rest / 1_000_000, rest % 1_000_000);
        let mut clock = format!("{sign}{h:02}:{min:02}:{s:02}");
        if frac != 0 {
            let f = format!("{frac:06}");
            clock.push('.');
            clock.push_str(f.trim_end_matches('0'));
        }
        parts.push(clock);
    }
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::postgres_interval_text as p;

    /// Each pair: the input, what PostgreSQL 15 prints for `'<input>'::interval`.
    #[test]
    fn matches_postgres_output() {
        for (input, stored) in [
            ("12 months", "1 year"),
            ("90 minutes", "01:30:00"),
            ("36 hours", "36:00:00"),
            ("1.5 days", "1 day 12:00:00"),
            ("1.5 months", "1 mon 15 days"),
            ("-90 minutes", "-01:30:00"),
            ("2 weeks", "14 days"),
            (
                "1 year 2 months 3 days 4 hours 5 minutes 6.5 seconds",
                "1 year 2 mons 3 days 04:05:06.5",
            ),
            ("0 seconds", "00:00:00"),
            ("1 day -1 hour", "1 day -01:00:00"),
            ("1.5 years", "1 year 6 mons"),
            ("3 mons", "3 mons"),
            ("1 hour 30 minutes", "01:30:00"),
            ("10:00", "10:00:00"),
            ("1 year", "1 year"),
            ("01:30:00", "01:30:00"),
        ] {
            assert_eq!(p(input).as_deref(), Some(stored), "{input}");
        }
    }

    #[test]
    fn unknown_spellings_are_left_alone() {
        assert_eq!(p("P1Y"), None);
        assert_eq!(p("1 fortnight"), None);
        assert_eq!(p(""), None);
    }
}
