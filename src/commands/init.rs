//! `migguard init`: detect the project, write `migguard.toml`, print the commands to
//! wire in. The file is checked with the config loader before it is written (a file
//! `init` writes must load), and an existing file is never replaced without `--force`.

use crate::cli::{GlobalArgs, InitArgs};
use crate::config::Config;
use crate::error::{Error, Outcome, Result};
use crate::setup;
use std::path::{Path, PathBuf};

pub fn run(args: &InitArgs, g: &GlobalArgs) -> Result<Outcome> {
    let dir = args.dir.clone().unwrap_or_else(|| PathBuf::from("."));
    if !dir.is_dir() {
        return Err(Error::Input {
            path: dir,
            message: "not a directory".into(),
        });
    }
    let target = g
        .config
        .clone()
        .unwrap_or_else(|| dir.join("migguard.toml"));
    // Checked before detection: a refused run reads nothing and changes nothing.
    if target.exists() && !args.force {
        return Err(Error::Input {
            path: target,
            message: "already exists; pass --force to overwrite it".into(),
        });
    }
    let detected = setup::detect(&dir)?;
    let text = setup::render_config(&detected);
    Config::parse(&text).map_err(|message| Error::Config {
        path: target.clone(),
        message: format!("init wrote a file its own loader refuses (a bug): {message}"),
    })?;
    std::fs::write(&target, &text).map_err(|e| Error::io(target.display().to_string(), e))?;
    if !g.quiet {
        println!(
            "wrote {} ({} from {})",
            target.display(),
            detected.tool_label(),
            detected.source
        );
        for note in &detected.notes {
            println!("  check: {note}");
        }
        println!();
        print!("{}", setup::wiring(&detected, &config_arg(&dir, &target)));
    }
    Ok(Outcome::Pass)
}

/// `--config …` for the printed commands, when the file is not where they look for it
/// by default (`./migguard.toml`, run from the project folder).
fn config_arg(dir: &Path, target: &Path) -> String {
    if target == dir.join("migguard.toml") {
        String::new()
    } else {
        target
            .strip_prefix(dir)
            .unwrap_or(target)
            .display()
            .to_string()
    }
}
