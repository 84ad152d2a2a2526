//! Command-line interface: argument parsing and the commands it runs.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::{Failure, generate, load_project, output};

/// Exit codes, documented in the README.
pub const EXIT_OK: u8 = 0;
pub const EXIT_DIFFERENCES: u8 = 1;
pub const EXIT_INVALID: u8 = 2;
pub const EXIT_INTERNAL: u8 = 3;

#[derive(Debug, Parser)]
#[command(
    name = "tgforge",
    version,
    about = "One YAML spec in, a complete Terragrunt/Terraform repository for AWS out."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate SPEC, render every file, verify it, then write the tree into DIR.
    #[command(after_help = "Example:\n  tgforge gen specs/team-task.yaml -o generated/team-task")]
    Gen {
        /// The spec file (YAML).
        spec: PathBuf,
        /// Output folder (created if missing).
        #[arg(short, long, value_name = "DIR")]
        output: PathBuf,
    },
    /// Validate SPEC only; prints one line on success.
    #[command(after_help = "Example:\n  tgforge validate specs/team-task.yaml")]
    Validate {
        /// The spec file (YAML).
        spec: PathBuf,
    },
}

/// Runs a parsed command line; returns the process exit code.
pub fn run(cli: Cli) -> u8 {
    let result = match cli.command {
        Command::Gen { spec, output } => gen_command(&spec, &output),
        Command::Validate { spec } => load_project(&spec).map(|project| {
            println!(
                "{}: OK (project {}, {} environment{})",
                spec.display(),
                project.name,
                project.environments.len(),
                if project.environments.len() == 1 {
                    ""
                } else {
                    "s"
                }
            );
            EXIT_OK
        }),
    };
    match result {
        Ok(code) => code,
        Err(failure) => {
            eprintln!("{failure}");
            match failure {
                Failure::InvalidInput(_) => EXIT_INVALID,
                Failure::Internal(_) => EXIT_INTERNAL,
            }
        }
    }
}

fn gen_command(spec: &std::path::Path, out: &std::path::Path) -> Result<u8, Failure> {
    let (_, files) = generate(spec)?;
    let report = output::write_tree(out, &files)?;
    println!("{}: wrote {} files", out.display(), report.written);
    Ok(EXIT_OK)
}
