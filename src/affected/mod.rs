//! `tgforge affected`: the units whose plans a change can alter, so that CI plans only those.
//!
//! - [`changes`]: which files differ between the base and the head (git, or two manifests);
//!   `worktree` compares the tree on disk with a revision through one `git cat-file` process,
//!   `repository` says when git's own `git diff` is needed instead, `git` runs git;
//! - [`inventory`]: the units of each environment, their modules and dependencies (from the
//!   spec, or from the tree on disk);
//! - [`select`]: from changed files to affected units, dependents included, in apply order;
//! - [`format`]: human, JSON (docs/affected.md), unit paths for a shell loop, a GitHub
//!   Actions matrix, and a Markdown summary.
//!
//! "Head" is the tree on disk (`-o DIR`, as git sees the working tree: uncommitted edits and
//! files of your own count), or, when a SPEC is given, what that spec generates now (generated
//! files only, compared by digest with the base's manifest; nothing needs to be written).

pub mod changes;
pub mod format;
mod git;
#[cfg(unix)]
mod index;
pub mod inventory;
#[cfg(unix)]
mod repository;
pub mod select;
#[cfg(unix)]
mod worktree;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use clap::Args;

use crate::Failure;
use changes::Revision;
use inventory::Inventory;
use select::Selection;

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("base_side").required(true).args(["base", "base_manifest"])))]
pub struct AffectedArgs {
    /// The spec: compare what it generates now (instead of the tree on disk) with the base.
    pub spec: Option<PathBuf>,
    /// The generated tree (its root, where `.tgforge-manifest.json` is).
    #[arg(short, long, value_name = "DIR")]
    pub output: PathBuf,
    /// The git revision to compare with (a branch, tag or commit; in a pull request's
    /// merge commit, HEAD^1 is the base branch).
    #[arg(long, value_name = "REV")]
    pub base: Option<String>,
    /// Compare with this manifest (an older `.tgforge-manifest.json`) instead of a revision.
    #[arg(long, value_name = "FILE", conflicts_with = "base")]
    pub base_manifest: Option<PathBuf>,
    /// Only this environment (repeat for several).
    #[arg(long = "environment", value_name = "ENV")]
    pub environments: Vec<String>,
    /// Every unit is affected when this path (relative to the current folder: the CI
    /// workflow, tgforge's install) differs from the base. Repeat for several; needs --base.
    #[arg(long, value_name = "PATH", requires = "base")]
    pub all_if_changed: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = format::Format::Human)]
    pub format: format::Format,
    /// Same as --format json.
    #[arg(long, conflicts_with = "format")]
    pub json: bool,
    /// Also append the Markdown summary to this file (e.g. "$GITHUB_STEP_SUMMARY").
    #[arg(long, value_name = "FILE")]
    pub summary: Option<PathBuf>,
}

pub const AFFECTED_HELP: &str = "\
A unit is affected when a file of its folder changes, when a module it uses, the root.hcl
or its environment's common_vars.hcl changes, or when it reads the outputs of an affected
unit. Without SPEC the head is the tree on disk as git sees it (uncommitted edits and
untracked files count); with SPEC it is what the spec generates now, compared with the
manifest committed at REV. See docs/affected.md (JSON schema included).

Examples:
  tgforge affected --base origin/main -o generated/team-task
  tgforge affected specs/team-task.yaml --base HEAD -o generated/team-task --json
  tgforge affected --base HEAD^1 -o . --environment production --format paths |
    while read -r unit; do (cd \"$unit\" && terragrunt plan); done";

/// Where the comparison came from, for the report.
#[derive(Debug, Clone)]
pub enum Base {
    Revision(Revision),
    Manifest(PathBuf),
}

/// What was compared with what, and the result.
#[derive(Debug, Clone)]
pub struct Report {
    pub dir: PathBuf,
    pub base: Base,
    /// `tree` or `spec`.
    pub head: &'static str,
    /// Paths (relative to the current folder) that made every unit affected.
    pub all_because: Vec<String>,
    pub changed_files: Vec<String>,
    pub selection: Selection,
}

/// Runs `tgforge affected`.
pub fn run(args: &AffectedArgs) -> Result<u8, Failure> {
    let report = compute(args)?;
    let format = if args.json {
        format::Format::Json
    } else {
        args.format
    };
    let text = format::render(&report, format);
    if let Some(summary) = &args.summary {
        use std::io::Write;
        let markdown = format::render(&report, format::Format::Markdown);
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(summary)
            .and_then(|mut f| f.write_all(markdown.as_bytes()))
            .map_err(|e| {
                Failure::Internal(
                    anyhow::Error::new(e)
                        .context(format!("appending the summary to {}", summary.display())),
                )
            })?;
    }
    print!("{text}");
    Ok(0)
}

/// Computes the report without printing anything.
pub fn compute(args: &AffectedArgs) -> Result<Report, Failure> {
    let dir = &args.output;
    if !dir.is_dir() {
        return Err(Failure::InvalidInput(format!(
            "error: {} is not a folder\nhint: -o names the generated tree",
            dir.display()
        )));
    }
    let questions = changes::Questions {
        tree_changes: args.spec.is_none(),
        manifest: args.spec.is_some(),
        all_if_changed: &args.all_if_changed,
    };
    let (base, answers) = match (&args.base, &args.base_manifest) {
        (Some(rev), _) => {
            let mut answers = changes::ask(dir, rev, &questions)?;
            let revision = answers.revision.take().expect("a resolved revision");
            (Base::Revision(revision), Some(answers))
        }
        (None, Some(file)) => (Base::Manifest(file.clone()), None),
        (None, None) => unreachable!("clap requires --base or --base-manifest"),
    };
    let all_because = answers
        .as_ref()
        .map(|a| a.all_changed.clone())
        .unwrap_or_default();
    let wanted_names: BTreeSet<&str> = args.environments.iter().map(String::as_str).collect();
    let wanted = |env: &str| wanted_names.is_empty() || wanted_names.contains(env);

    let (changed, inventory, head) = match &args.spec {
        Some(spec) => {
            // The tree is where the modules of the spec's own units are read.
            let project = crate::load_project_for(spec, &args.output)?;
            // Digests only: the parse-back check of `gen` (a third of the time at 500
            // environments) cannot change a file's contents, so it is skipped here.
            let plan = crate::plan::plan(&project);
            let files = crate::render::Renderer::new()?.render(&plan)?;
            let head = changes::manifest_of(&files);
            let base_manifest = match (&answers, &base) {
                (Some(answers), _) => answers.manifest.clone(),
                (None, Base::Manifest(file)) => changes::manifest_file(file)?,
                (None, Base::Revision(_)) => unreachable!("a revision has answers"),
            };
            let changed = changes::manifest_changes(&base_manifest, &head);
            check_environments(
                &args.environments,
                project.environments.iter().map(|e| e.name.as_str()),
                spec,
            )?;
            (changed, Inventory::from_project(&project, &wanted), "spec")
        }
        None => {
            let changed = match (answers, &base) {
                (Some(answers), _) => answers.tree_changes,
                (None, Base::Manifest(file)) => changes::manifest_changes(
                    &changes::manifest_file(file)?,
                    &changes::tree_manifest(dir)?,
                ),
                (None, Base::Revision(_)) => unreachable!("a revision has answers"),
            };
            let names = inventory::environment_names(dir).map_err(|e| io_failure(dir, e))?;
            check_environments(&args.environments, names.iter().map(String::as_str), dir)?;
            let inventory =
                tree_inventory(dir, &names, &changed, &wanted, !all_because.is_empty())?;
            (changed, inventory, "tree")
        }
    };

    // Paths of environments that were not asked for are none of this run's business.
    let changed: BTreeSet<String> = changed
        .into_iter()
        .filter(|p| select::touched_environment(&select::touch(p)).is_none_or(wanted))
        .collect();
    let selection = select::select(&changed, &inventory, &all_because);
    Ok(Report {
        dir: dir.clone(),
        base,
        head,
        all_because,
        changed_files: changed.into_iter().collect(),
        selection,
    })
}

/// The units on disk. Every wanted environment is listed (with its number of units), but
/// unit files are read only where the changes can reach (every wanted environment when a
/// module or `root.hcl` changed): a one-unit change in a tree of 500 environments reads one
/// environment's unit files.
fn tree_inventory(
    dir: &Path,
    names: &[String],
    changed: &BTreeSet<String>,
    wanted: &dyn Fn(&str) -> bool,
    all: bool,
) -> Result<Inventory, Failure> {
    let mut reached: BTreeSet<String> = BTreeSet::new();
    // Every unit is affected: each one's step in the apply order needs every unit file.
    let mut everywhere = all;
    for path in changed {
        let touch = select::touch(path);
        match select::touched_environment(&touch) {
            Some(env) => {
                reached.insert(env.to_string());
            }
            None => everywhere |= touch != select::Touch::Nothing,
        }
    }
    let read = |env: &str| everywhere || reached.contains(env);
    Inventory::from_tree(dir, names, wanted, &read).map_err(|e| io_failure(dir, e))
}

fn check_environments<'a>(
    asked: &[String],
    known: impl Iterator<Item = &'a str>,
    source: &Path,
) -> Result<(), Failure> {
    let known: BTreeSet<&str> = known.collect();
    for env in asked {
        if !known.contains(env.as_str()) {
            return Err(Failure::InvalidInput(format!(
                "error: --environment {env}: {} has no environment `{env}`\nhint: it has {}",
                source.display(),
                known.into_iter().collect::<Vec<_>>().join(", ")
            )));
        }
    }
    Ok(())
}

fn io_failure(dir: &Path, e: std::io::Error) -> Failure {
    Failure::Internal(anyhow::Error::new(e).context(format!("reading {}", dir.display())))
}
