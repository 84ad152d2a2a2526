//! Command-line interface: argument parsing and the commands it runs.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand};

use crate::output::manifest::Digest256;
use crate::output::report::{self, Style, Tense};
use crate::output::{self, OutputError, fresh};
use crate::{Failure, load_project, render_project};

/// Exit codes, documented in the README and docs/regeneration.md.
pub const EXIT_OK: u8 = 0;
/// `gen --check` found differences between the folder and the spec.
pub const EXIT_DIFFERENCES: u8 = 1;
pub const EXIT_INVALID: u8 = 2;
pub const EXIT_INTERNAL: u8 = 3;
/// `gen` refused to write: hand-edited generated files, files tgforge did not write at
/// generated paths, an unreadable manifest, or another run holding the folder's lock.
pub const EXIT_REFUSED: u8 = 4;

#[derive(Debug, Parser)]
#[command(
    name = "tgforge",
    version,
    about = "One YAML spec in, a complete Terragrunt/Terraform repository for AWS out."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Print only errors and summary lines.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Also print how long each stage took (on stderr).
    #[arg(short, long, global = true)]
    pub verbose: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate SPEC, render every file, verify it, then write the changed files into DIR.
    #[command(after_help = GEN_HELP)]
    Gen(GenArgs),
    /// Show what `gen` would change in DIR, with a unified diff per file; writes nothing.
    #[command(after_help = "Example:\n  tgforge diff specs/team-task.yaml -o generated/team-task")]
    Diff(DiffArgs),
    /// Validate SPEC only; prints one line on success.
    #[command(after_help = "Example:\n  tgforge validate specs/team-task.yaml")]
    Validate {
        /// The spec file (YAML).
        spec: PathBuf,
    },
    /// Write a commented starter spec that validates and generates as it is.
    #[command(
        after_help = "Examples:\n  tgforge init\n  tgforge init specs/shop.yaml --project shop"
    )]
    Init {
        /// Where to write the spec.
        #[arg(default_value = "tgforge.yaml")]
        spec: PathBuf,
        /// Project name (lowercase letters, digits, hyphens). Default: from the file name.
        #[arg(long)]
        project: Option<String>,
        /// Overwrite SPEC if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Print the JSON Schema of the spec, derived from tgforge's own types.
    #[command(
        after_help = "Editors with the YAML language server check and complete specs whose first line is\n  # yaml-language-server: $schema=PATH/tgforge-spec.schema.json\n\nExample:\n  tgforge schema > schema/tgforge-spec.schema.json"
    )]
    Schema,
    /// Print the unit dependency graph of SPEC and the apply order of each environment.
    #[command(
        after_help = "Examples:\n  tgforge graph specs/team-task.yaml\n  tgforge graph specs/team-task.yaml --format dot | dot -Tsvg > units.svg"
    )]
    Graph {
        /// The spec file (YAML).
        spec: PathBuf,
        /// Graph language.
        #[arg(long, value_enum, default_value_t = GraphFormat::Mermaid)]
        format: GraphFormat,
    },
    /// Print a shell completion script.
    #[command(
        after_help = "Examples:\n  tgforge completions bash > /etc/bash_completion.d/tgforge\n  tgforge completions zsh > \"${fpath[1]}/_tgforge\"\n  tgforge completions fish > ~/.config/fish/completions/tgforge.fish"
    )]
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GraphFormat {
    Mermaid,
    Dot,
}

/// Runs a parsed command line; returns the process exit code.
pub fn run(cli: Cli) -> u8 {
    let verbose = cli.verbose;
    let quiet = cli.quiet;
    let result = match cli.command {
        Command::Gen(mut args) => {
            args.quiet |= quiet;
            gen_command(&args, verbose)
        }
        Command::Diff(args) => diff_command(&args, quiet),
        Command::Init {
            spec,
            project,
            force,
        } => init_command(&spec, project.as_deref(), force, quiet),
        Command::Schema => {
            print!("{}", crate::spec::schema::spec_schema_text());
            Ok(EXIT_OK)
        }
        Command::Graph { spec, format } => load_project(&spec).map(|project| {
            match format {
                GraphFormat::Mermaid => print!("{}", crate::graph::mermaid(&project)),
                GraphFormat::Dot => print!("{}", crate::graph::dot(&project)),
            }
            if !quiet {
                // Comment lines in either language, so the output stays one valid graph.
                let comment = if format == GraphFormat::Mermaid {
                    "%%"
                } else {
                    "//"
                };
                println!("{comment} Apply order (units of one step can be applied together):");
                for line in crate::graph::apply_order_text(&project).lines() {
                    println!("{comment} {line}");
                }
            }
            EXIT_OK
        }),
        Command::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut command, "tgforge", &mut std::io::stdout());
            Ok(EXIT_OK)
        }
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

const GEN_HELP: &str = "\
Only files whose contents change are rewritten; files tgforge generated and no longer
generates are deleted; files it did not write are never touched. A generated file edited by
hand stops the run (nothing is written) unless --force is given. See docs/regeneration.md.

Exit codes: 0 ok; 1 --check found differences; 2 invalid spec or usage; 3 I/O or internal
error; 4 refused (edited or foreign files in the way, another run holds DIR's lock).

Examples:
  tgforge gen specs/team-task.yaml -o generated/team-task
  tgforge gen specs/team-task.yaml -o generated/team-task --check";

#[derive(Debug, Args)]
pub struct GenArgs {
    /// The spec file (YAML).
    pub spec: PathBuf,
    /// Output folder (created if missing).
    #[arg(short, long, value_name = "DIR")]
    pub output: PathBuf,
    /// Write nothing; exit 1 unless DIR is exactly what SPEC generates, listing every file
    /// to create, change or delete with a unified diff.
    #[arg(long, conflicts_with = "dry_run")]
    pub check: bool,
    /// Write nothing; show what gen would do (the report of `tgforge diff`).
    #[arg(long)]
    pub dry_run: bool,
    /// Overwrite (or delete) generated files that were edited by hand. Files tgforge did not
    /// write are never touched, even with --force.
    #[arg(long)]
    pub force: bool,
    /// Set from the global --quiet: print only the summary line (no file list, no diffs).
    #[arg(skip)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The spec file (YAML).
    pub spec: PathBuf,
    /// The generated folder to compare with.
    #[arg(short, long, value_name = "DIR")]
    pub output: PathBuf,
    /// Show what `gen --force` would do.
    #[arg(long)]
    pub force: bool,
}

/// `tgforge gen`: write (or, with --check / --dry-run, review) the tree.
fn gen_command(args: &GenArgs, verbose: bool) -> Result<u8, Failure> {
    let started = std::time::Instant::now();
    crate::prepare_renderer();
    let project = load_project(&args.spec)?;
    let inputs = fresh::inputs_fingerprint(&project);
    if let Some(unchanged) = fresh::known_fresh(&args.output, inputs) {
        if verbose {
            eprintln!(
                "{} is up to date (same spec, same tgforge, every file as written): nothing rendered, {:.1?}",
                args.output.display(),
                started.elapsed()
            );
        }
        let tense = if args.check || args.dry_run {
            Tense::Planned
        } else {
            Tense::Done
        };
        let counts = output::Counts {
            unchanged,
            ..Default::default()
        };
        println!("{}", report::summary_of(&args.output, counts, 0, tense));
        return Ok(EXIT_OK);
    }
    let files = render_project(&project)?;
    if verbose {
        eprintln!(
            "rendered and verified {} files in {:.1?}",
            files.len(),
            started.elapsed()
        );
    }
    if args.check || args.dry_run {
        let review = Review {
            force: args.force,
            check: args.check,
            quiet: args.quiet,
        };
        return review_command(&args.spec, &args.output, &files, &review, inputs);
    }
    let options = output::Options {
        force: args.force,
        ..Default::default()
    };
    let writing = std::time::Instant::now();
    let plan = match output::regenerate(&args.output, &files, &options) {
        Ok(plan) => plan,
        Err(e) => return output_failure(e),
    };
    if verbose {
        eprintln!("compared and wrote in {:.1?}", writing.elapsed());
    }
    if !plan.conflicts.is_empty() {
        fresh::forget(&args.output);
        let stderr = std::io::stderr();
        let style = Style {
            color: report::use_color(&stderr),
        };
        report::refusal(&mut stderr.lock(), &args.output, &plan, style).map_err(io_failure)?;
        eprintln!("{}", report::summary(&args.output, &plan, Tense::Planned));
        return Ok(EXIT_REFUSED);
    }
    let stdout = std::io::stdout();
    let style = Style {
        color: report::use_color(&stdout),
    };
    let mut out = std::io::BufWriter::new(stdout.lock());
    if !args.quiet {
        report::listing(&mut out, &plan, Tense::Done, style).map_err(io_failure)?;
    }
    writeln!(out, "{}", report::summary(&args.output, &plan, Tense::Done)).map_err(io_failure)?;
    out.flush().map_err(io_failure)?;
    fresh::remember(&args.output, inputs);
    Ok(EXIT_OK)
}

/// `tgforge diff`: the report of `gen --dry-run`.
fn diff_command(args: &DiffArgs, quiet: bool) -> Result<u8, Failure> {
    crate::prepare_renderer();
    let project = load_project(&args.spec)?;
    let inputs = fresh::inputs_fingerprint(&project);
    let files = render_project(&project)?;
    let review = Review {
        force: args.force,
        check: false,
        quiet,
    };
    review_command(&args.spec, &args.output, &files, &review, inputs)
}

/// How to review a folder: as `gen --force` would see it, failing on differences, quietly.
struct Review {
    force: bool,
    check: bool,
    quiet: bool,
}

/// Lists what gen would do to `dir`, with diffs; with `check`, exits 1 unless nothing.
fn review_command(
    spec: &Path,
    dir: &Path,
    files: &[crate::render::RenderedFile],
    review: &Review,
    inputs: Digest256,
) -> Result<u8, Failure> {
    let plan = match output::review(dir, files, review.force) {
        Ok(plan) => plan,
        Err(e) => return output_failure(e),
    };
    let stdout = std::io::stdout();
    let style = Style {
        color: report::use_color(&stdout),
    };
    let mut out = std::io::BufWriter::new(stdout.lock());
    if !review.quiet {
        report::listing(&mut out, &plan, Tense::Planned, style).map_err(io_failure)?;
        report::diffs(&mut out, &plan, style).map_err(io_failure)?;
    }
    writeln!(out, "{}", report::summary(dir, &plan, Tense::Planned)).map_err(io_failure)?;
    out.flush().map_err(io_failure)?;
    drop(out);
    if plan.is_clean() {
        fresh::remember(dir, inputs);
        return Ok(EXIT_OK);
    }
    if !review.check {
        return Ok(EXIT_OK);
    }
    eprintln!(
        "{} is not what {} generates: run `tgforge gen {} -o {}`{}",
        dir.display(),
        spec.display(),
        spec.display(),
        dir.display(),
        if plan.conflicts.is_empty() {
            ""
        } else {
            " (it will refuse until the files in the way are dealt with)"
        }
    );
    Ok(EXIT_DIFFERENCES)
}

/// `tgforge init`: the starter spec, never over an existing file unless forced.
fn init_command(
    spec: &Path,
    project: Option<&str>,
    force: bool,
    quiet: bool,
) -> Result<u8, Failure> {
    let file_name = spec
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "tgforge.yaml".into());
    let project = match project {
        Some(p) => p.to_string(),
        None => {
            let stem = spec
                .file_stem()
                .map(|s| s.to_string_lossy().to_ascii_lowercase())
                .unwrap_or_default();
            if stem == "tgforge" || stem.is_empty() {
                "my-app".to_string()
            } else {
                stem
            }
        }
    };
    let text = crate::starter::starter_spec(&project, &file_name)
        .map_err(|e| Failure::InvalidInput(format!("error: {e}\nhint: pass --project NAME")))?;
    if spec.exists() && !force {
        return Err(Failure::InvalidInput(format!(
            "error: {} already exists\nhint: pass --force to overwrite it",
            spec.display()
        )));
    }
    if let Some(parent) = spec.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(io_failure)?;
    }
    std::fs::write(spec, text).map_err(io_failure)?;
    if !quiet {
        println!(
            "wrote {}: edit it, then run `tgforge gen {} -o out/{project}`",
            spec.display(),
            spec.display()
        );
    }
    Ok(EXIT_OK)
}

/// Prints an output error and gives its exit code.
fn output_failure(e: OutputError) -> Result<u8, Failure> {
    match e {
        OutputError::NotAFolder(m) => Err(Failure::InvalidInput(format!("error: {m}"))),
        OutputError::Internal(e) => Err(Failure::Internal(e)),
        e @ (OutputError::Locked(_) | OutputError::Refused(_)) => {
            eprintln!("{e}");
            Ok(EXIT_REFUSED)
        }
    }
}

fn io_failure(e: std::io::Error) -> Failure {
    Failure::Internal(anyhow::Error::new(e).context("writing output"))
}
