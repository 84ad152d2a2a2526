//! The files that differ between the base and the head, as paths relative to the tree's root.
//!
//! - Base `--base REV`, head the tree on disk: `git diff REV` (the working tree as git sees
//!   it: committed, staged and unstaged changes, deletions) plus untracked files that are not
//!   ignored. Files of your own count, hand edits count.
//! - Base `--base REV`, head a spec: the manifest committed at REV against the digests of what
//!   the spec generates now (generated files only).
//! - Base `--base-manifest FILE`: that manifest against the head's manifest (the tree's
//!   `.tgforge-manifest.json`, or the digests of what the spec generates).

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

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

/// Runs git in `cwd` and returns its standard output; a failure names the command.
fn git(cwd: &Path, args: &[&str]) -> Result<Vec<u8>, GitError> {
    let output = Command::new("git")
        .arg("-C")
        .arg(cwd)
        .args(args)
        .output()
        .map_err(|e| GitError::Spawn(e.to_string()))?;
    if output.status.success() {
        Ok(output.stdout)
    } else {
        Err(GitError::Failed(
            String::from_utf8_lossy(&output.stderr).trim().to_string(),
        ))
    }
}

enum GitError {
    Spawn(String),
    Failed(String),
}

fn git_failure(what: &str, e: GitError) -> Failure {
    match e {
        GitError::Spawn(e) => Failure::InvalidInput(format!(
            "error: cannot run git ({e})\nhint: `tgforge affected --base` needs the git command on PATH"
        )),
        GitError::Failed(stderr) => {
            Failure::InvalidInput(format!("error: git failed while {what}: {stderr}"))
        }
    }
}

/// Resolves `rev` to a commit of the repository holding `dir`.
pub fn resolve(dir: &Path, rev: &str) -> Result<Revision, Failure> {
    if rev.starts_with('-') {
        return Err(Failure::InvalidInput(format!(
            "error: --base `{rev}` is not a revision"
        )));
    }
    let spec = format!("{rev}^{{commit}}");
    let out = git(dir, &["rev-parse", "--verify", "--quiet", &spec]).map_err(|e| {
        if let GitError::Spawn(_) = e {
            return git_failure("resolving --base", e);
        }
        // Only when it failed: one git process less on the common path.
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
    })?;
    Ok(Revision {
        name: rev.to_string(),
        commit: String::from_utf8_lossy(&out).trim().to_string(),
    })
}

/// Splits NUL-separated git output into paths.
fn nul_paths(bytes: &[u8]) -> impl Iterator<Item = String> + '_ {
    bytes
        .split(|b| *b == 0)
        .filter(|p| !p.is_empty())
        .map(|p| String::from_utf8_lossy(p).into_owned())
}

/// Files under `dir` that differ between `base` and the working tree (relative to `dir`).
pub fn git_changes(dir: &Path, base: &Revision) -> Result<BTreeSet<String>, Failure> {
    let diff = git(
        dir,
        &[
            "diff",
            "--name-only",
            "--no-renames",
            "--relative",
            "-z",
            &base.commit,
            "--",
            ".",
        ],
    )
    .map_err(|e| git_failure("comparing with the base revision", e))?;
    let untracked = git(
        dir,
        &[
            "ls-files",
            "--others",
            "--exclude-standard",
            "-z",
            "--",
            ".",
        ],
    )
    .map_err(|e| git_failure("listing untracked files", e))?;
    Ok(nul_paths(&diff).chain(nul_paths(&untracked)).collect())
}

/// Which of `paths` (relative to the current folder) differ between `base` and the working
/// tree, untracked files included.
pub fn changed_among(paths: &[String], base: &Revision) -> Result<Vec<String>, Failure> {
    if paths.is_empty() {
        return Ok(Vec::new());
    }
    let here = Path::new(".");
    let mut args = vec![
        "diff",
        "--name-only",
        "--no-renames",
        "-z",
        &base.commit,
        "--",
    ];
    args.extend(paths.iter().map(String::as_str));
    let diff = git(here, &args).map_err(|e| git_failure("checking --all-if-changed paths", e))?;
    let mut args = vec!["ls-files", "--others", "--exclude-standard", "-z", "--"];
    args.extend(paths.iter().map(String::as_str));
    let untracked =
        git(here, &args).map_err(|e| git_failure("checking --all-if-changed paths", e))?;
    let mut changed: Vec<String> = nul_paths(&diff).chain(nul_paths(&untracked)).collect();
    changed.sort();
    changed.dedup();
    Ok(changed)
}

/// The manifest committed at `base` in `dir` (empty when there was none).
pub fn manifest_at(dir: &Path, base: &Revision) -> Result<Manifest, Failure> {
    let object = format!("{}:./{MANIFEST_FILE}", base.commit);
    // `cat-file -e` tells "no such file at REV" (an empty base) from a real failure.
    if git(dir, &["cat-file", "-e", &object]).is_err() {
        return Ok(Manifest::default());
    }
    let bytes =
        git(dir, &["show", &object]).map_err(|e| git_failure("reading the base manifest", e))?;
    parse_manifest(&bytes, &format!("{MANIFEST_FILE} at {}", base.name))
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

fn parse_manifest(bytes: &[u8], shown: &str) -> Result<Manifest, Failure> {
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
