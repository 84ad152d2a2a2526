//! The `tgforge` binary: parse arguments, run, exit with the command's code.

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = tgforge::cli::Cli::parse();
    std::process::ExitCode::from(tgforge::cli::run(cli))
}
