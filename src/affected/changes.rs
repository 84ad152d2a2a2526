//! The files that differ between the base and the head, as paths relative to the tree's root.
//!
//! - Base `--base REV`, head the tree on disk: what `git diff REV` gives (the working tree as
//!   git sees it: committed, staged and unstaged changes, deletions) plus untracked files that
//!   are not ignored. Files of your own count, hand edits count. Computed with one git
//!   process and blob ids ([`super::worktree`]), or with `git diff` itself where git converts
//!   files ([`super::repository`]).
//! - Base `--base REV`, head a spec: the manifest committed at REV against the digests of what
//!   the spec generates now (generated files only).
//! - Base `--base-manifest FILE`: that manifest against the head's manifest (the tree's
//!   `.tgforge-manifest.json`, or the digests of what the spec generates).

use std::collections::BTreeSet;
use std::path::Path;

use super::git::{GitError, finish, git, git_failure, spawn};
#[cfg(unix)]
use super::repository::Repository;
#[cfg(unix)]
use super::worktree;
use crate::Failure;
use crate::output::manifest::{Digest256, MANIFEST_FILE, Manifest};

/// A resolved git revision.
#[derive(Debug, Clone)]
pub struct Revision {
    /// As the user gave it.
    pub name: String,
    /// The full commit id.
    pub commit: String,
}

/// What to ask git about the base revision.
#[derive(Debug, Clone, Default)]
pub struct Questions<'a> {
    /// Files under DIR that differ between the base and the working tree.
    pub tree_changes: bool,
    /// The manifest committed at the base in DIR.
    pub manifest: bool,
    /// Which of these paths (relative to the current folder) differ.
    pub all_if_changed: &'a [String],
}

/// What git answered.
#[derive(Debug, Clone, Default)]
pub struct Answers {
    pub revision: Option<Revision>,
    pub tree_changes: BTreeSet<String>,
    pub manifest: Manifest,
    pub all_changed: Vec<String>,
}

/// Resolves `rev` in the repository holding `dir` and answers `questions`: with one git
/// process and blob ids computed here ([`worktree`]), or, where git may not store the files
/// as they are on disk ([`super::repository`]), with `git diff` ([`ask_git_diff`]). A bad
/// revision is reported once, with a hint.
pub fn ask(dir: &Path, rev: &str, questions: &Questions) -> Result<Answers, Failure> {
    if rev.starts_with('-') {
        return Err(Failure::InvalidInput(format!(
            "error: --base `{rev}` is not a revision"
        )));
    }
    match ask_one_process(dir, rev, questions)? {
        Some(answers) => Ok(answers),
        None => ask_git_diff(dir, rev, questions),
    }
}

/// The answers through one git process ([`worktree`]); `None` where `git diff` is needed.
#[cfg(unix)]
fn ask_one_process(
    dir: &Path,
    rev: &str,
    questions: &Questions,
) -> Result<Option<Answers>, Failure> {
    match Repository::find(dir) {
        Ok(Some(repo)) => Ok(worktree::ask(&repo, dir, rev, questions)?.ok()),
        Ok(None) | Err(_) => Ok(None),
    }
}

/// File statuses and links are read as git records them on Unix only.
#[cfg(not(unix))]
fn ask_one_process(_: &Path, _: &str, _: &Questions) -> Result<Option<Answers>, Failure> {
    Ok(None)
}

/// [`ask`] with `git diff REV` and `git ls-files --others`: every git process is started at
/// once (each costs a few milliseconds of start-up), then collected.
pub fn ask_git_diff(dir: &Path, rev: &str, questions: &Questions) -> Result<Answers, Failure> {
    let commit = format!("{rev}^{{commit}}");
    let resolve = spawn(dir, &["rev-parse", "--verify", "--quiet", &commit]);
    let diff = |cwd: &Path, relative: bool, paths: &[&str]| {
        let mut args = vec!["diff", "--name-only", "--no-renames", "-z"];
        if relative {
            args.push("--relative");
        }
        args.extend([commit.as_str(), "--"]);
        args.extend(paths);
        spawn(cwd, &args)
    };
    let untracked = |cwd: &Path, paths: &[&str]| {
        let mut args = vec!["ls-files", "--others", "--exclude-standard", "-z", "--"];
        args.extend(paths);
        spawn(cwd, &args)
    };
    let tree = questions
        .tree_changes
        .then(|| (diff(dir, true, &["."]), untracked(dir, &["."])));
    let object = format!("{commit}:./{MANIFEST_FILE}");
    let manifest = questions.manifest.then(|| spawn(dir, &["show", &object]));
    let here = Path::new(".");
    let all: Vec<&str> = questions
        .all_if_changed
        .iter()
        .map(String::as_str)
        .collect();
    let all = (!all.is_empty()).then(|| (diff(here, false, &all), untracked(here, &all)));

    let resolved = finish(resolve);
    // Collect every process before deciding anything: no zombie is left behind.
    let tree = tree.map(|(d, u)| (finish(d), finish(u)));
    let manifest = manifest.map(finish);
    let all = all.map(|(d, u)| (finish(d), finish(u)));
    let resolved = resolved.map_err(|e| resolve_error(dir, rev, e))?;
    let mut answers = Answers {
        revision: Some(Revision {
            name: rev.to_string(),
            commit: String::from_utf8_lossy(&resolved).trim().to_string(),
        }),
        ..Answers::default()
    };
    if let Some((diff, untracked)) = tree {
        let diff = diff.map_err(|e| git_failure("comparing with the base revision", e))?;
        let untracked = untracked.map_err(|e| git_failure("listing untracked files", e))?;
        answers.tree_changes = nul_paths(&diff).chain(nul_paths(&untracked)).collect();
    }
    // The revision exists, so a failure means there was no manifest: every file is new.
    if let Some(Ok(bytes)) = manifest {
        answers.manifest = parse_manifest(&bytes, &format!("{MANIFEST_FILE} at {rev}"))?;
    }
    if let Some((diff, untracked)) = all {
        let diff = diff.map_err(|e| git_failure("checking --all-if-changed paths", e))?;
        let untracked = untracked.map_err(|e| git_failure("checking --all-if-changed paths", e))?;
        let mut changed: Vec<String> = nul_paths(&diff).chain(nul_paths(&untracked)).collect();
        changed.sort();
        changed.dedup();
        answers.all_changed = changed;
    }
    Ok(answers)
}

/// Why `rev` did not resolve in the repository holding `dir`.
pub(super) fn resolve_error(dir: &Path, rev: &str, e: GitError) -> Failure {
    if let GitError::Spawn(_) = e {
        return git_failure("resolving --base", e);
    }
    if git(dir, &["rev-parse", "--is-inside-work-tree"]).is_err() {
        return Failure::InvalidInput(format!(
            "error: {} is not inside a git working tree\nhint: `--base REV` compares with a git revision; use `--base-manifest FILE` outside git",
            dir.display()
        ));
    }
    Failure::InvalidInput(format!(
        "error: `{rev}` is not a commit of the repository holding {}\nhint: fetch it first (in GitHub Actions, `actions/checkout` with `fetch-depth: 2` makes HEAD^1, the base branch of a pull request, available)",
        dir.display()
    ))
}

/// Splits NUL-separated git output into paths.
fn nul_paths(bytes: &[u8]) -> impl Iterator<Item = String> + '_ {
    bytes
        .split(|b| *b == 0)
        .filter(|p| !p.is_empty())
        .map(|p| String::from_utf8_lossy(p).into_owned())
}

/// Reads the manifest file at `path`.
pub fn manifest_file(path: &Path) -> Result<Manifest, Failure> {
    let bytes = std::fs::read(path).map_err(|e| {
        Failure::InvalidInput(format!("error: cannot read {}: {e}", path.display()))
    })?;
    parse_manifest(&bytes, &path.display().to_string())
}

/// The manifest in the tree at `dir` (empty when there is none).
pub fn tree_manifest(dir: &Path) -> Result<Manifest, Failure> {
    let path = dir.join(MANIFEST_FILE);
    if !path.exists() {
        return Ok(Manifest::default());
    }
    manifest_file(&path)
}

pub(super) fn parse_manifest(bytes: &[u8], shown: &str) -> Result<Manifest, Failure> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| Failure::InvalidInput(format!("error: {shown}: it is not UTF-8 text")))?;
    Manifest::parse(text).map_err(|why| Failure::InvalidInput(format!("error: {shown}: {why}")))
}

/// Paths whose digest differs between two manifests, or that only one of them has.
pub fn manifest_changes(base: &Manifest, head: &Manifest) -> BTreeSet<String> {
    let mut changed = BTreeSet::new();
    for (path, digest) in &head.files {
        if base.files.get(path) != Some(digest) {
            changed.insert(path.clone());
        }
    }
    for path in base.files.keys() {
        if !head.files.contains_key(path) {
            changed.insert(path.clone());
        }
    }
    changed
}

/// The manifest a run of `gen` would write for `files`.
pub fn manifest_of(files: &[crate::render::RenderedFile]) -> Manifest {
    Manifest {
        files: files
            .iter()
            .map(|f| (f.path.clone(), Digest256::of(f.contents.as_bytes())))
            .collect(),
    }
}
