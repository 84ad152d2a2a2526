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
    /// The units a change affects (files changed since a git revision, and every unit reading
    /// their outputs), per environment in apply order.
    #[command(after_help = crate::affected::AFFECTED_HELP)]
    Affected(crate::affected::AffectedArgs),
    /// Validate SPEC only; prints one line on success.
    #[command(after_help = "Example:\n  tgforge validate specs/team-task.yaml")]
    Validate {
        /// The spec file (YAML).
        spec: PathBuf,
        /// Also read the modules of the spec's own units in DIR (their variables and outputs
        /// bound the units' inputs and references) and check the user-owned overrides.hcl
        /// files there: an override input that is not a variable of its unit's module is an
        /// error (exit 2).
        #[arg(short, long, value_name = "DIR")]
        output: Option<PathBuf>,
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
    /// Hand a generated module over to you: tgforge stops writing it (see docs/upgrading.md).
    #[command(subcommand)]
    Eject(EjectCommand),
    /// Write a spec from what already runs: an AWS Copilot workspace or a Terragrunt tree.
    #[command(after_help = crate::import::IMPORT_HELP)]
    Import(crate::import::ImportCommand),
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

#[derive(Debug, Subcommand)]
pub enum EjectCommand {
    /// Add module NAME (a folder under `Modules/` the spec generates) to the spec's
    /// `ejected_modules`: the spec is edited by one line, keeping its comments. The next
    /// `gen` stops writing the module and checks it against the units on every run.
    #[command(
        after_help = "Example:\n  tgforge eject module AWS_S3_Static --spec specs/custom.yaml -o generated/custom"
    )]
    Module {
        /// The module's folder name under `Modules/`, e.g. `AWS_S3_Static`.
        name: String,
        /// The spec file (YAML), edited in place.
        #[arg(long)]
        spec: PathBuf,
        /// The generated tree holding the module.
        #[arg(short, long, value_name = "DIR")]
        output: PathBuf,
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
        Command::Affected(args) => crate::affected::run(&args),
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
        Command::Import(command) => crate::import::run(&command, quiet),
        Command::Eject(EjectCommand::Module { name, spec, output }) => {
            crate::eject::eject_module(&spec, &output, &name).map(|done| {
                if !quiet {
                    match done {
                        crate::eject::Ejected::Added => println!(
                            "ejected {name}: added to ejected_modules in {}; {} is yours now. Run `tgforge gen {} -o {}`: it stops writing the module and checks it against the units",
                            spec.display(),
                            output.join(crate::plan::module_prefix(&name)).display(),
                            spec.display(),
                            output.display()
                        ),
                        crate::eject::Ejected::Already => {
                            println!("{name} is already ejected in {}: nothing to do", spec.display())
                        }
                    }
                }
                EXIT_OK
            })
        }
        Command::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut command, "tgforge", &mut std::io::stdout());
            Ok(EXIT_OK)
        }
        Command::Validate { spec, output } => match &output {
            Some(dir) => crate::load_project_for(&spec, dir),
            None => load_project(&spec),
        }
        .and_then(|project| {
            if let Some(dir) = output {
                let problems = crate::overrides::check(&project, &dir);
                if !problems.is_empty() {
                    let lines: Vec<String> = problems
                        .iter()
                        .map(|p| format!("error: {}", located(&dir, p)))
                        .collect();
                    return Err(Failure::InvalidInput(format!(
                        "{}\n{}: {} problem{} in override files",
                        lines.join("\n"),
                        dir.display(),
                        problems.len(),
                        if problems.len() == 1 { "" } else { "s" }
                    )));
                }
            }
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
            Ok(EXIT_OK)
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
    /// Overwrite generated files that were edited by hand; an edited file the spec no longer
    /// generates is left in place and dropped from the manifest, never deleted. Files
    /// tgforge did not write are never touched, even with --force.
    #[arg(long)]
    pub force: bool,
    /// With --check or --dry-run: `github` also prints a GitHub workflow annotation per
    /// differing file (errors with --check, warnings otherwise).
    #[arg(long, value_enum, default_value_t = ReviewFormat::Text)]
    pub format: ReviewFormat,
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
    /// `github` also prints a GitHub workflow annotation (warning) per differing file.
    #[arg(long, value_enum, default_value_t = ReviewFormat::Text)]
    pub format: ReviewFormat,
}

/// How `gen --check`, `gen --dry-run` and `diff` report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReviewFormat {
    /// Labeled listing, unified diffs, summary line.
    Text,
    /// The same, after one GitHub workflow annotation (`::error file=...,line=...::`) per file.
    Github,
}

/// Files GitHub and pre-commit read only at the root of the repository.
const REPOSITORY_ROOT_FILES: [&str; 2] = [
    ".github/workflows/infrastructure.yml",
    ".pre-commit-config.yaml",
];

/// The repository root when the spec places the tree below it (`tree_path` is not `.`): `-o`
/// with `tree_path` taken off its end. `None` when the tree is the repository root.
fn repository_root(
    project: &crate::project::Project,
    output: &Path,
) -> Result<Option<PathBuf>, Failure> {
    let Some(tree_path) = project
        .tooling
        .github_actions
        .as_ref()
        .map(|g| g.tree_path.as_str())
        .filter(|t| *t != ".")
    else {
        return Ok(None);
    };
    let mut root = output.to_path_buf();
    for part in tree_path.rsplit('/') {
        if root.file_name().is_none_or(|name| name != part) {
            return Err(Failure::InvalidInput(format!(
                "error: -o {} is not the spec's `tooling.github_actions.tree_path` ({tree_path}) inside a repository\nhint: the CI workflow and pre-commit config go to the repository root, found by taking tree_path off the end of -o: run from the repository root with `-o {tree_path}`",
                output.display()
            )));
        }
        root.pop();
    }
    Ok(Some(root))
}

/// The files of the repository root, taken out of `files` when the tree is below the root.
fn split_root_files(
    files: Vec<crate::render::RenderedFile>,
    root: Option<&Path>,
) -> (
    Vec<crate::render::RenderedFile>,
    Vec<crate::render::RenderedFile>,
) {
    if root.is_none() {
        return (files, Vec::new());
    }
    files
        .into_iter()
        .partition(|f| !REPOSITORY_ROOT_FILES.contains(&f.path.as_str()))
}

/// `tgforge gen`: write (or, with --check / --dry-run, review) the tree, and the repository
/// root's files when the tree is below the root.
fn gen_command(args: &GenArgs, verbose: bool) -> Result<u8, Failure> {
    if args.format == ReviewFormat::Github && !(args.check || args.dry_run) {
        return Err(Failure::InvalidInput(
            "error: --format github reports drift: use it with --check or --dry-run".into(),
        ));
    }
    let started = std::time::Instant::now();
    let bytes = crate::spec::load::read_spec(&args.spec)?;
    let known = crate::spec_memo::recall(&args.output, &args.spec, &bytes);
    // A folder that does not exist is not up to date (and asking costs a thread).
    if let Some(known) = known.as_ref().filter(|_| args.output.exists()) {
        // The same spec bytes as a run that loaded them: no need to load them again to know
        // whether the folder is up to date. The override warnings are the same either way.
        let (problems, fresh) = std::thread::scope(|scope| {
            let problems =
                scope.spawn(|| crate::overrides::check_targets(&known.targets, &args.output));
            let fresh = fresh::known_fresh(&args.output, known.inputs);
            (problems.join(), fresh)
        });
        let problems =
            problems.map_err(|_| Failure::Internal(anyhow::anyhow!("override check failed")))?;
        if let Some(fresh) = fresh {
            for problem in problems {
                eprintln!("warning: {}", located(&args.output, &problem));
            }
            let how = "the spec's bytes as last loaded";
            return Ok(report_fresh(
                args,
                &args.output,
                (fresh, how),
                started,
                verbose,
            ));
        }
    }
    // Also starts the helper threads (src/cores.rs), while the spec loads.
    crate::prepare_renderer();
    let project = crate::load_project_bytes_for(&args.spec, &bytes, &args.output)?;
    // Once: the debug form of a large project is long to write out and hash.
    let inputs = fresh::inputs_fingerprint(&project);
    // The memo is a file of the user cache (often on another disk than the tree): written
    // by a helper beside the rest of the run, which does not read it (or after it, when no
    // helper is free).
    let remember = || {
        if known.is_none() {
            crate::spec_memo::remember(&args.output, &args.spec, &bytes, &project, inputs)
        }
    };
    crate::cores::join(|| gen_loaded(args, &project, inputs, verbose), remember).0
}

/// `gen` once the spec is loaded (and `inputs` is its fingerprint), the fast path missed.
fn gen_loaded(
    args: &GenArgs,
    project: &crate::project::Project,
    inputs: Digest256,
    verbose: bool,
) -> Result<u8, Failure> {
    // The user's override files are read on every run (before the fast path, which knows
    // nothing of them) and never written: a typo is a warning, never a refusal to generate.
    for problem in crate::overrides::check(project, &args.output) {
        eprintln!("warning: {}", located(&args.output, &problem));
    }
    let Some(root) = repository_root(project, &args.output)? else {
        return gen_tree(args, &args.output, (project, inputs), None, verbose);
    };
    let files = render_project(project)?;
    let (tree_files, root_files) = split_root_files(files, Some(&root));
    let tree = gen_tree(
        args,
        &args.output,
        (project, inputs),
        Some(tree_files),
        verbose,
    )?;
    if tree != EXIT_OK && !(args.check && tree == EXIT_DIFFERENCES) {
        return Ok(tree);
    }
    let root_dir = if root.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        root
    };
    let at_root = gen_tree(
        args,
        &root_dir,
        (project, inputs),
        Some(root_files),
        verbose,
    )?;
    Ok(tree.max(at_root))
}

/// Writes (or reviews) `dir`: the whole tree of `project` (whose fingerprint is `inputs`:
/// [`fresh::inputs_fingerprint`]), or the given `files`. Only a whole tree uses the fast path
/// (its fingerprint covers every file it writes).
fn gen_tree(
    args: &GenArgs,
    dir: &Path,
    (project, inputs): (&crate::project::Project, Digest256),
    files: Option<Vec<crate::render::RenderedFile>>,
    verbose: bool,
) -> Result<u8, Failure> {
    let started = std::time::Instant::now();
    let whole_tree = files.is_none();
    // The fast path knows only tgforge's files; an ejected module is the user's and is
    // checked against the units on every run.
    let fresh = if whole_tree && project.ejected_modules.is_empty() {
        fresh::known_fresh(dir, inputs)
    } else {
        None
    };
    if let Some(fresh) = fresh {
        let how = "the spec loaded";
        return Ok(report_fresh(args, dir, (fresh, how), started, verbose));
    }
    let files = match files {
        Some(files) => files,
        None => render_project(project)?,
    };
    // The ejected modules are checked where the units are (not at the repository root).
    if dir == args.output.as_path() {
        for problem in crate::overrides::check_ejected(project, dir, &files) {
            eprintln!("warning: {}", located(dir, &problem));
        }
    }
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
            format: args.format,
            handed_over: handed_over(project),
        };
        return review_command(
            &args.spec,
            dir,
            &files,
            &review,
            whole_tree.then_some(inputs),
        );
    }
    let options = output::Options {
        force: args.force,
        fingerprint: whole_tree.then_some(inputs),
        handed_over: handed_over(project),
        ..Default::default()
    };
    let writing = std::time::Instant::now();
    let plan = match output::regenerate(dir, &files, &options) {
        Ok(plan) => plan,
        Err(e) => return output_failure(e),
    };
    if verbose {
        eprintln!("compared and wrote in {:.1?}", writing.elapsed());
    }
    if !plan.conflicts.is_empty() {
        let stderr = std::io::stderr();
        let style = Style {
            color: report::use_color(&stderr),
        };
        report::refusal(&mut stderr.lock(), dir, &plan, style).map_err(io_failure)?;
        eprintln!("{}", report::summary(dir, &plan, Tense::Planned));
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
    writeln!(out, "{}", report::summary(dir, &plan, Tense::Done)).map_err(io_failure)?;
    out.flush().map_err(io_failure)?;
    // The fast path's cache was written by `regenerate`, under the lock, from this run's
    // plan: never here, after the lock is gone (another run may have written DIR since).
    Ok(EXIT_OK)
}

/// Reports a folder the fast path found up to date: the summary line a normal run would
/// print (and with `-v`, that nothing was rendered).
fn report_fresh(
    args: &GenArgs,
    dir: &Path,
    (fresh, how): (fresh::Fresh, &str),
    started: std::time::Instant,
    verbose: bool,
) -> u8 {
    if verbose {
        eprintln!(
            "{} is up to date (same spec, same tgforge, every file as written): nothing rendered ({how}), {} of {} files read, {:.1?}",
            dir.display(),
            fresh.read,
            fresh.files,
            started.elapsed()
        );
    }
    let tense = if args.check || args.dry_run {
        Tense::Planned
    } else {
        Tense::Done
    };
    let counts = output::Counts {
        unchanged: fresh.files,
        ..Default::default()
    };
    println!("{}", report::summary_of(dir, counts, 0, tense));
    EXIT_OK
}

/// `tgforge diff`: the report of `gen --dry-run`.
fn diff_command(args: &DiffArgs, quiet: bool) -> Result<u8, Failure> {
    crate::prepare_renderer();
    let project = crate::load_project_for(&args.spec, &args.output)?;
    // The user's override files are read on every run (before the fast path, which knows
    // nothing of them) and never written: a typo is a warning, never a refusal to generate.
    for problem in crate::overrides::check(&project, &args.output) {
        eprintln!("warning: {}", located(&args.output, &problem));
    }
    let inputs = fresh::inputs_fingerprint(&project);
    let root = repository_root(&project, &args.output)?;
    let files = render_project(&project)?;
    for problem in crate::overrides::check_ejected(&project, &args.output, &files) {
        eprintln!("warning: {}", located(&args.output, &problem));
    }
    let (tree_files, root_files) = split_root_files(files, root.as_deref());
    let review = Review {
        force: args.force,
        check: false,
        quiet,
        format: args.format,
        handed_over: handed_over(&project),
    };
    let whole = root.is_none().then_some(inputs);
    let tree = review_command(&args.spec, &args.output, &tree_files, &review, whole)?;
    match root {
        Some(root) if tree == EXIT_OK => {
            let root = if root.as_os_str().is_empty() {
                PathBuf::from(".")
            } else {
                root
            };
            review_command(&args.spec, &root, &root_files, &review, None)
        }
        _ => Ok(tree),
    }
}

/// How to review a folder: as `gen --force` would see it, failing on differences, quietly,
/// with GitHub annotations.
struct Review {
    force: bool,
    check: bool,
    quiet: bool,
    format: ReviewFormat,
    /// Prefixes of ejected modules: their files are released, never deleted.
    handed_over: Vec<String>,
}

/// Lists what gen would do to `dir`, with diffs; with `check`, exits 1 unless nothing.
fn review_command(
    spec: &Path,
    dir: &Path,
    files: &[crate::render::RenderedFile],
    review: &Review,
    inputs: Option<Digest256>,
) -> Result<u8, Failure> {
    let plan = match output::review_recording(dir, files, review.force, inputs, &review.handed_over)
    {
        Ok(plan) => plan,
        Err(e) => return output_failure(e),
    };
    let stdout = std::io::stdout();
    let style = Style {
        color: report::use_color(&stdout),
    };
    let mut out = std::io::BufWriter::new(stdout.lock());
    let drifts = crate::drift::label(&plan);
    if review.format == ReviewFormat::Github {
        let level = if review.check {
            crate::drift::Level::Error
        } else {
            crate::drift::Level::Warning
        };
        crate::drift::annotations(&mut out, dir, spec, &drifts, level).map_err(io_failure)?;
    }
    if !review.quiet {
        crate::drift::listing(&mut out, &drifts, style).map_err(io_failure)?;
        report::diffs(&mut out, &plan, style).map_err(io_failure)?;
    }
    writeln!(
        out,
        "{}{}",
        report::summary(dir, &plan, Tense::Planned),
        crate::drift::summary_suffix(&drifts)
    )
    .map_err(io_failure)?;
    out.flush().map_err(io_failure)?;
    drop(out);
    if plan.is_clean() {
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
    // The spec's `$schema` comment names this file beside it: write it, so editors find it.
    // tgforge's own schema is refreshed; a different file of that name is left alone.
    let schema_path = spec
        .parent()
        .unwrap_or(Path::new(""))
        .join(crate::starter::SCHEMA_FILE_NAME);
    let schema = crate::spec::schema::spec_schema_text();
    let ours = |text: &str| text.contains("\"title\": \"tgforge spec\"") || text == schema;
    let schema_written = match std::fs::read_to_string(&schema_path) {
        Ok(existing) if existing == schema => false,
        Ok(existing) if !ours(&existing) && !force => {
            eprintln!(
                "warning: {} exists and is not tgforge's spec schema: left as it is (the spec's $schema comment points at it)",
                schema_path.display()
            );
            false
        }
        _ => {
            std::fs::write(&schema_path, &schema).map_err(io_failure)?;
            true
        }
    };
    if !quiet {
        println!(
            "wrote {}{}: edit it, then run `tgforge gen {} -o out/{project}`",
            spec.display(),
            if schema_written {
                format!(" and its JSON schema {}", schema_path.display())
            } else {
                String::new()
            },
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

/// An override problem with its file shown under the output folder.
fn located(dir: &std::path::Path, problem: &crate::overrides::OverrideProblem) -> String {
    let shown = crate::overrides::OverrideProblem {
        file: dir.join(&problem.file).display().to_string(),
        ..problem.clone()
    };
    shown.to_string()
}

/// The path prefixes of `project`'s ejected modules.
fn handed_over(project: &crate::project::Project) -> Vec<String> {
    project
        .ejected_modules
        .iter()
        .map(|m| crate::plan::module_prefix(m))
        .collect()
}
