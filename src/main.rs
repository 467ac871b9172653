//! Entry point: parse arguments, run the command, map the outcome to an exit code.
//! 0 = passed, 1 = the gate failed, 2 = migguard could not do its job.
//! A panic is a bug, but still "could not do its job": one `error:` line and 2,
//! never Rust's 101 (which a CI script may not treat as a failure of the gate).

use clap::Parser;
use migguard::cli::Cli;
use migguard::error::Outcome;
use std::process::ExitCode;

// Reading a migrations folder is allocation-heavy (SQL ASTs, operations, findings
// across threads): mimalloc takes ~10 % off `lint` on 10,000 files.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // --help / --version are successes; anything else is a usage error (2).
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    // One line instead of the default message and backtrace; the exit code is
    // decided below, where the unwinding stops.
    std::panic::set_hook(Box::new(|info| {
        let what = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "panic".into());
        let place = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let line = format!("{what}{place}").replace(['\n', '\r'], " ");
        eprintln!("error: internal error (a bug in migguard, please report it): {line}");
    }));
    let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        // Debug builds only: lets the tests prove that a panic is exit 2.
        #[cfg(debug_assertions)]
        if std::env::var_os("MIGGUARD_DEBUG_PANIC").is_some() {
            panic!("MIGGUARD_DEBUG_PANIC is set");
        }
        migguard::commands::run(&cli)
    }));
    match run {
        Ok(Ok(Outcome::Pass)) => ExitCode::from(0),
        Ok(Ok(Outcome::Fail)) => ExitCode::from(1),
        Ok(Err(e)) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
        Err(_) => ExitCode::from(2),
    }
}
