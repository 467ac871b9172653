//! Transaction scope and session settings, statement by statement.
//!
//! Several checks depend on where a statement runs, not just on the statement:
//! `CREATE INDEX CONCURRENTLY` fails inside an explicit `BEGIN … COMMIT` even in a
//! migration the tool runs without a transaction; a `VALIDATE CONSTRAINT` in the same
//! transaction as its `ADD … NOT VALID` keeps the strong lock through the scan; and a
//! `lock_timeout` is in effect only where a `SET` (session), a `SET LOCAL` (until the
//! transaction ends) or the runner's own setting put it, until a `RESET`. This module
//! walks a migration's ops once and says, for each op, which transaction it runs in
//! and which timeouts are in effect — PostgreSQL's rules (`SET LOCAL` outside a
//! transaction does nothing, `ROLLBACK` undoes the transaction's `SET`s, `COMMIT`
//! ends `SET LOCAL`), pure.

use crate::ir::{Migration, OpKind, Operation, TransactionEffect};
use crate::parse::sql::lexical::blank_for_patterns;
use crate::parse::sql::to_ops::leading_words;

/// Timeouts set outside the migration: the runner's connection (TypeORM's DataSource
/// `extra.options: "-c lock_timeout=5s"`, a `PGOPTIONS`, a role setting), declared in
/// `migguard.toml` `[runner]` since no migration text shows them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunnerSettings {
    pub lock_timeout: Option<String>,
    pub statement_timeout: Option<String>,
}

/// Where one op runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OpScope {
    /// The transaction the op runs in: ops with the same id share one. `None` for
    /// a statement that runs on its own (autocommit).
    pub transaction: Option<usize>,
    /// Inside an explicit `BEGIN`/`START TRANSACTION` block of the migration's own
    /// text (not the tool's wrapper).
    pub explicit_block: bool,
    /// A non-zero `lock_timeout` is in effect.
    pub lock_timeout: bool,
    /// A non-zero `statement_timeout` is in effect.
    pub statement_timeout: bool,
}

/// One setting's state: the session value, a `SET LOCAL` value for the current
/// transaction, and the session value at the transaction's start (for `ROLLBACK`).
#[derive(Debug, Clone, Default)]
struct Setting {
    runner: Option<String>,
    session: Option<String>,
    local: Option<String>,
    at_begin: Option<String>,
}

impl Setting {
    fn new(runner: &Option<String>) -> Setting {
        Setting {
            runner: runner.clone(),
            session: runner.clone(),
            local: None,
            at_begin: runner.clone(),
        }
    }

    fn in_effect(&self) -> bool {
        self.local
            .as_deref()
            .or(self.session.as_deref())
            .is_some_and(is_nonzero_timeout)
    }

    /// `SET [LOCAL] name = value`; `DEFAULT` is the runner's value (the session
    /// default the connection was started with).
    fn set(&mut self, value: &str, local: bool, in_transaction: bool) {
        let value = if value.trim().eq_ignore_ascii_case("default") {
            self.runner.clone()
        } else {
            Some(value.to_string())
        };
        match (local, in_transaction) {
            (true, true) => self.local = value,
            // PostgreSQL: "SET LOCAL can only be used in transaction blocks" — a
            // warning, and the setting does not change.
            (true, false) => {}
            (false, _) => {
                self.session = value;
                self.local = None;
            }
        }
    }

    fn reset(&mut self) {
        self.session = self.runner.clone();
        self.local = None;
    }

    fn begin(&mut self) {
        self.at_begin = self.session.clone();
    }

    fn end(&mut self, rolled_back: bool) {
        self.local = None;
        if rolled_back {
            self.session = self.at_begin.clone();
        }
    }
}

/// `5s`, `'1000'`, `1min` are timeouts; `0`, `0ms`, `'0'` disable the timeout.
fn is_nonzero_timeout(value: &str) -> bool {
    let v = value.trim().trim_matches('\'').trim_matches('"').trim();
    let digits: String = v
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    match digits.parse::<f64>() {
        Ok(n) => n > 0.0,
        // Not a number PostgreSQL accepts: it would refuse the SET; no timeout.
        Err(_) => false,
    }
}

/// What a transaction-control statement does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Control {
    Begin,
    Commit,
    Rollback,
    /// `COMMIT AND CHAIN` / `ROLLBACK AND CHAIN`: ends the transaction, starts another.
    Chain {
        rolled_back: bool,
    },
    /// SAVEPOINT, RELEASE, ROLLBACK TO: the transaction goes on.
    Nothing,
}

fn control(op: &Operation, statement: &str) -> Control {
    let second = statement
        .split_whitespace()
        .nth(1)
        .unwrap_or_default()
        .to_ascii_uppercase();
    let chained = second == "AND" && {
        let blanked = blank_for_patterns(&op.text).to_ascii_uppercase();
        !blanked.contains("NO CHAIN") && blanked.contains("CHAIN")
    };
    match TransactionEffect::of(statement) {
        TransactionEffect::Begin => Control::Begin,
        TransactionEffect::Savepoint => Control::Nothing,
        TransactionEffect::Commit if chained => Control::Chain { rolled_back: false },
        TransactionEffect::Rollback if chained => Control::Chain { rolled_back: true },
        TransactionEffect::Commit => Control::Commit,
        TransactionEffect::Rollback => Control::Rollback,
    }
}

/// `SET LOCAL …`: the op's own text says so (the reader keeps only name and value).
fn is_set_local(op: &Operation) -> bool {
    leading_words(&blank_for_patterns(&op.text), 2).eq_ignore_ascii_case("SET LOCAL")
}

/// `RESET name` / `RESET ALL`, which the reader keeps as an `other` statement: the
/// setting it resets, lower-case (`all` for every one).
fn reset_target(op: &Operation) -> Option<String> {
    let OpKind::Other { what } = &op.kind else {
        return None;
    };
    if !what.eq_ignore_ascii_case("reset") && !what.to_ascii_lowercase().starts_with("reset ") {
        return None;
    }
    let blanked = blank_for_patterns(&op.text);
    let mut words = blanked.split_whitespace();
    words.next()?;
    Some(words.next()?.trim_end_matches(';').to_ascii_lowercase())
}

/// Scope of each op of `migration.up`, in order.
pub fn walk(migration: &Migration, runner: &RunnerSettings) -> Vec<OpScope> {
    let mut lock = Setting::new(&runner.lock_timeout);
    let mut statement = Setting::new(&runner.statement_timeout);
    let mut next_id = 0usize;
    let mut open: Option<usize> = None;
    let mut explicit = false;
    let mut start = |open: &mut Option<usize>, lock: &mut Setting, statement: &mut Setting| {
        *open = Some(next_id);
        next_id += 1;
        lock.begin();
        statement.begin();
    };
    if migration.transactional {
        start(&mut open, &mut lock, &mut statement);
    }
    let mut out = Vec::with_capacity(migration.up.len());
    for op in &migration.up {
        match &op.kind {
            OpKind::TransactionControl { statement: s } => match control(op, s) {
                Control::Begin => {
                    // Inside a transaction already: PostgreSQL warns and goes on.
                    if open.is_none() {
                        start(&mut open, &mut lock, &mut statement);
                        explicit = true;
                    }
                }
                Control::Commit | Control::Rollback => {
                    let rolled_back = control(op, s) == Control::Rollback;
                    if open.take().is_some() {
                        lock.end(rolled_back);
                        statement.end(rolled_back);
                    }
                    explicit = false;
                }
                Control::Chain { rolled_back } => {
                    lock.end(rolled_back);
                    statement.end(rolled_back);
                    start(&mut open, &mut lock, &mut statement);
                }
                Control::Nothing => {}
            },
            OpKind::SetOption { name, value } => {
                let local = is_set_local(op);
                let target = match name.to_ascii_lowercase().as_str() {
                    "lock_timeout" => Some(&mut lock),
                    "statement_timeout" => Some(&mut statement),
                    _ => None,
                };
                if let Some(s) = target {
                    s.set(value, local, open.is_some());
                }
            }
            _ => {
                if let Some(target) = reset_target(op) {
                    match target.as_str() {
                        "lock_timeout" => lock.reset(),
                        "statement_timeout" => statement.reset(),
                        "all" => {
                            lock.reset();
                            statement.reset();
                        }
                        _ => {}
                    }
                }
            }
        }
        out.push(OpScope {
            transaction: open,
            explicit_block: explicit && open.is_some(),
            lock_timeout: lock.in_effect(),
            statement_timeout: statement.in_effect(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_and_garbage_are_no_timeout() {
        for v in ["0", "'0'", "0ms", "0s", "off", ""] {
            assert!(!is_nonzero_timeout(v), "{v}");
        }
        for v in ["5s", "'5s'", "1000", "1.5min", "\"2s\""] {
            assert!(is_nonzero_timeout(v), "{v}");
        }
    }
}
