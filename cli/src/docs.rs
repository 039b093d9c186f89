//! The command line, plus one hidden command for packaging: `sealpost generate-docs DIR` writes
//! the man pages (`sealpost.1` and one per subcommand, `sealpost-open.1`, …) and the bash, zsh
//! and fish completions (`sealpost.bash`, `_sealpost`, `sealpost.fish`) into DIR, generated
//! from the arguments in `cli.rs` (`cargo xtask dist` runs it with the binary it ships).
//!
//! It is added to the parser here rather than declared in `cli.rs`, so that the pages and the
//! completions, which are generated from `cli.rs`'s command alone, do not list it.

use std::{
    ops::ControlFlow,
    path::{Path, PathBuf},
    process::ExitCode,
};

use clap::{CommandFactory, FromArgMatches};
use clap_complete::Shell;

use crate::{
    cli::Cli,
    error::{CliError, Code, Result},
};

const GENERATE_DOCS: &str = "generate-docs";

/// Parses the command line as `Cli::parse()` does (same help, errors and exit codes): a command
/// of `cli.rs` to run, or, after running `generate-docs`, the exit code.
pub fn parse() -> ControlFlow<ExitCode, Cli> {
    let mut matches = Cli::command()
        .subcommand(
            clap::Command::new(GENERATE_DOCS)
                .hide(true)
                .about("Write the man pages and the bash, zsh and fish completions into DIR")
                .arg(
                    clap::Arg::new("dir")
                        .value_name("DIR")
                        .required(true)
                        .value_parser(clap::value_parser!(PathBuf)),
                ),
        )
        .get_matches();
    if let Some((GENERATE_DOCS, sub)) = matches.subcommand() {
        let result = match sub.get_one::<PathBuf>("dir") {
            Some(dir) => generate(dir),
            None => Err(CliError::new(Code::Usage, "generate-docs needs a DIR")),
        };
        return ControlFlow::Break(match result {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => e.report(),
        });
    }
    match Cli::from_arg_matches_mut(&mut matches) {
        Ok(cli) => ControlFlow::Continue(cli),
        Err(e) => e.format(&mut Cli::command()).exit(),
    }
}

/// Writes the man pages and completions into `dir` (created if missing).
fn generate(dir: &Path) -> Result<()> {
    let io = |e: std::io::Error| CliError::io(Code::CannotWriteOutput, dir, &e);
    std::fs::create_dir_all(dir).map_err(io)?;
    clap_mangen::generate_to(Cli::command(), dir).map_err(io)?;
    for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
        clap_complete::generate_to(shell, &mut Cli::command(), "sealpost", dir).map_err(io)?;
    }
    Ok(())
}
