//! One module per subcommand: wiring of readers, checks and renderers. Each `run`
//! returns `Result<Outcome, Error>`; `main` maps that to the exit code.

pub mod lint;
pub mod project;
pub mod release_check;
pub mod rules;

use crate::cli::{Cli, Command};
use crate::error::{Error, Outcome};

pub fn run(cli: &Cli) -> Result<Outcome, Error> {
    let g = &cli.global;
    match &cli.command {
        Command::Lint(a) => lint::run(a, g),
        Command::ReleaseCheck(a) => release_check::run(a, g),
        Command::Drift(_) => Err(Error::Usage("drift: not implemented yet".into())),
        Command::Schema(_) => Err(Error::Usage("schema: not implemented yet".into())),
        Command::Inspect(_) => Err(Error::Usage("inspect: not implemented yet".into())),
        Command::Rules(a) => rules::list(a, g),
        Command::Explain(a) => rules::explain(a, g),
    }
}
