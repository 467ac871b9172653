//! One module per subcommand: wiring of readers, checks and renderers. Each `run`
//! returns `Result<Outcome, Error>`; `main` maps that to the exit code.

pub mod database;
pub mod drift;
pub mod init;
pub mod lint;
pub mod release_check;
pub mod rules;
pub mod schema;

use crate::cli::{Cli, Command};
use crate::error::{Error, Outcome};

pub fn run(cli: &Cli) -> Result<Outcome, Error> {
    let g = &cli.global;
    match &cli.command {
        Command::Lint(a) => lint::run(a, g),
        Command::ReleaseCheck(a) => release_check::run(a, g),
        Command::Drift(a) => drift::run(a, g),
        Command::Schema(a) => schema::schema(a, g),
        Command::Inspect(a) => schema::inspect(a, g),
        Command::Rules(a) => rules::list(a, g),
        Command::Explain(a) => rules::explain(a, g),
        Command::Init(a) => init::run(a, g),
    }
}
