//! Entry point: parse arguments, run the command, map the outcome to an exit code.
//! 0 = passed, 1 = the gate failed, 2 = migguard could not do its job.

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
    match migguard::commands::run(&cli) {
        Ok(Outcome::Pass) => ExitCode::from(0),
        Ok(Outcome::Fail) => ExitCode::from(1),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
