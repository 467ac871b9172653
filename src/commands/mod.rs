//! One module per subcommand: wiring of readers, checks and renderers. Each `run`
//! returns `Result<Outcome, Error>`; `main` maps that to the exit code.

use crate::cli::{Cli, Command};
use crate::error::{Error, Outcome};

pub fn run(cli: &Cli) -> Result<Outcome, Error> {
    match &cli.command {
        Command::Lint(_) => Err(Error::Usage("lint: not implemented yet".into())),
        Command::ReleaseCheck(_) => Err(Error::Usage("release-check: not implemented yet".into())),
        Command::Drift(_) => Err(Error::Usage("drift: not implemented yet".into())),
        Command::Schema(_) => Err(Error::Usage("schema: not implemented yet".into())),
        Command::Inspect(_) => Err(Error::Usage("inspect: not implemented yet".into())),
        Command::Rules(_) => Err(Error::Usage("rules: not implemented yet".into())),
        Command::Explain(_) => Err(Error::Usage("explain: not implemented yet".into())),
    }
}
