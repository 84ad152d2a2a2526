//! Writing the verified tree into the output folder, safely enough to rerun at any time.
//!
//! - [`manifest`]: `.tgforge-manifest.json`, the paths tgforge wrote and their digests;
//! - [`changes`]: the plan of changes (create / change / delete / unchanged, and conflicts:
//!   hand-edited generated files, files tgforge did not write, links), decided before writing;
//! - [`apply`]: carrying out a plan in a crash-safe order;
//! - [`atomic`]: temporary file + flush + rename, all files staged before any rename;
//! - [`lock`]: one writer per folder (`.tgforge.lock`), and the journal of an unfinished run;
//! - [`paths`]: relative paths that never leave the folder or follow a link;
//! - [`report`]: the per-file listing, unified diffs and summary line.
//!
//! [`regenerate`] is `tgforge gen`; [`review`] is `gen --check`, `gen --dry-run` and
//! `tgforge diff`. See docs/regeneration.md for the rules as users see them.

pub mod apply;
pub mod atomic;
pub mod changes;
pub mod fresh;
pub mod lock;
pub mod manifest;
mod new_tree;
#[cfg(target_os = "linux")]
pub mod open_folders;
pub mod paths;
pub mod report;

use std::path::Path;

pub use changes::{Action, ChangePlan, Conflict, ConflictKind, Counts, FileChange, Note};
pub use lock::{DirLock, LOCK_FILE, LockError};
pub use manifest::{MANIFEST_FILE, Manifest};

use crate::render::RenderedFile;
use manifest::Digest256;

/// How `gen` writes.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Overwrite generated files that were edited by hand (and release, never delete, edited
    /// files the spec no longer generates).
    pub force: bool,
    /// The fingerprint of the inputs the files were rendered from ([`fresh::inputs_fingerprint`]):
    /// a run that leaves the folder exactly as generated records it in the no-op fast path's
    /// cache, while still holding the lock; a refused run forgets the folder. `None`: no cache.
    pub fingerprint: Option<Digest256>,
    /// Path prefixes handed over to the user (ejected modules): released, never deleted.
    pub handed_over: Vec<String>,
    /// Test hook: fail with an error after staging this many files, before any rename.
    #[doc(hidden)]
    pub fail_after_staging: Option<usize>,
}

/// Why the output folder was not written (or reviewed).
#[derive(Debug)]
pub enum OutputError {
    /// The output path exists and is not a folder.
    NotAFolder(String),
    /// Another run holds the folder's lock; the text names it when it can.
    Locked(String),
    /// The folder holds something tgforge will not guess about (an unreadable manifest, a
    /// link where its lock file goes); the text says why and what to do.
    Refused(String),
    /// I/O, or a tgforge bug.
    Internal(anyhow::Error),
}

impl std::fmt::Display for OutputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OutputError::NotAFolder(m) | OutputError::Locked(m) | OutputError::Refused(m) => {
                write!(f, "error: {m}")
            }
            OutputError::Internal(e) => write!(f, "error: {e:#}"),
        }
    }
}

impl From<anyhow::Error> for OutputError {
    fn from(e: anyhow::Error) -> Self {
        OutputError::Internal(e)
    }
}

/// Makes `dir` hold `files` (rendered and verified, sorted by path): creates the folder if
/// needed, takes its lock, plans, and applies the plan unless it has conflicts. The returned
/// plan says what was done; when it has conflicts nothing was written. A run that creates
/// `dir` and then fails (or is refused) removes the folders it created, so a failed first
/// run leaves nothing behind.
pub fn regenerate<'a>(
    dir: &Path,
    files: &'a [RenderedFile],
    options: &Options,
) -> Result<ChangePlan<'a>, OutputError> {
    let created = if folder_exists(dir)? {
        Vec::new()
    } else {
        let dir = absolute(dir)?;
        match dir.parent().filter(|_| dir.file_name().is_some()) {
            Some(parent) => {
                let created = create_folders(parent)?;
                match new_tree::write(&dir, files, options) {
                    Ok(Some(plan)) => return Ok(plan),
                    // The folder appeared meanwhile: regenerated as it is now, below.
                    Ok(None) => created,
                    Err(e) => {
                        remove_created(&created);
                        return Err(e);
                    }
                }
            }
            None => create_folders(&dir)?,
        }
    };
    let result = regenerate_existing(dir, files, options);
    if !matches!(&result, Ok(plan) if plan.conflicts.is_empty()) {
        // The lock (and its file) is gone by now; a folder that is not empty stays.
        remove_created(&created);
    }
    result
}

/// Removes the folders a failed run created (outermost first in `created`), where empty.
fn remove_created(created: &[std::path::PathBuf]) {
    for folder in created.iter().rev() {
        let _ = std::fs::remove_dir(folder);
    }
}

/// [`regenerate`] into an existing folder.
fn regenerate_existing<'a>(
    dir: &Path,
    files: &'a [RenderedFile],
    options: &Options,
) -> Result<ChangePlan<'a>, OutputError> {
    let shown = dir;
    // Before any file is read: what this run finds unchanged had these contents since then.
    let started = std::time::SystemTime::now();
    // Absolute once, so that no file operation has to look up the working folder again.
    let dir = &absolute(dir)?;
    let mut lock = match DirLock::exclusive(dir) {
        Ok(lock) => lock,
        Err(LockError::Io(e)) if cannot_write(&e) => {
            return up_to_date_read_only(dir, shown, files, options, &e);
        }
        Err(e) => return Err(lock_error(shown, e)),
    };
    let (manifest, manifest_bytes) = read_manifest(dir, shown)?;
    let mut known = changes::Known::trusting_journal(manifest, lock.leftover().clone(), files);
    known.handed_over = options.handed_over.clone();
    if !known.pending.is_empty() {
        let folders: std::collections::BTreeSet<&str> =
            known.pending.keys().map(|p| paths::parent_of(p)).collect();
        atomic::remove_leftover_temps(dir, folders).map_err(|e| {
            OutputError::Internal(
                anyhow::Error::new(e).context("removing temporary files of an unfinished run"),
            )
        })?;
    }
    let plan = changes::plan(
        dir,
        true,
        files,
        &known,
        manifest_bytes.as_deref(),
        options.force,
    )?;
    if plan.conflicts.is_empty() {
        apply::apply(dir, &plan, &mut lock, options)?;
        lock.tree_settled();
        // Still under the lock, and from this run's own plan: see fresh.rs.
        if let Some(fingerprint) = options.fingerprint {
            remember(dir, fingerprint, &plan, started);
        }
    } else if options.fingerprint.is_some() {
        fresh::forget(dir);
    }
    Ok(plan)
}

/// Records `plan` (applied, or found clean) in the fast path's cache: the files it found
/// unchanged were verified by this run, which started at `started`.
fn remember(dir: &Path, fingerprint: Digest256, plan: &ChangePlan, started: std::time::SystemTime) {
    let unchanged: std::collections::HashSet<&str> = plan
        .changes
        .iter()
        .filter(|c| c.action == Action::Unchanged)
        .map(|c| c.path.as_str())
        .collect();
    let verified = |path: &str| unchanged.contains(path);
    fresh::remember(dir, fingerprint, &plan.manifest, &verified, started);
}

/// Whether an error creating the lock file means the folder cannot be written at all (a
/// read-only mount, a folder of another user).
fn cannot_write(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::ReadOnlyFilesystem | std::io::ErrorKind::PermissionDenied
    )
}

/// `gen` on a folder it cannot write (a read-only mount): fine when there is nothing to
/// write, else refused with the reason.
fn up_to_date_read_only<'a>(
    dir: &Path,
    shown: &Path,
    files: &'a [RenderedFile],
    options: &Options,
    why: &std::io::Error,
) -> Result<ChangePlan<'a>, OutputError> {
    let plan = review_existing(
        dir,
        shown,
        files,
        options.force,
        options.fingerprint,
        &options.handed_over,
    )?;
    if plan.is_clean() {
        return Ok(plan);
    }
    let counts = plan.counts();
    Err(OutputError::Refused(format!(
        "{} cannot be written ({why}), and it is not what the spec generates ({} to create, \
         {} to change, {} to delete, {} in the way); nothing was written. Run `tgforge gen` \
         where the folder is writable; `tgforge diff` shows the differences.",
        shown.display(),
        counts.created,
        counts.changed,
        counts.deleted,
        plan.conflicts.len()
    )))
}

/// What [`regenerate`] would do to `dir`, writing nothing (not even the folder or a lock).
pub fn review<'a>(
    dir: &Path,
    files: &'a [RenderedFile],
    force: bool,
) -> Result<ChangePlan<'a>, OutputError> {
    review_recording(dir, files, force, None, &[])
}

/// [`review`], recording a clean folder in the fast path's cache under `fingerprint` (the
/// inputs `files` were rendered from) while holding the folder's shared lock, if it has a
/// lock file. Without one no run is writing; and an entry holds only what this review
/// rendered, so a run that writes the folder afterwards cannot make it lie (fresh.rs).
pub fn review_recording<'a>(
    dir: &Path,
    files: &'a [RenderedFile],
    force: bool,
    fingerprint: Option<Digest256>,
    handed_over: &[String],
) -> Result<ChangePlan<'a>, OutputError> {
    if !folder_exists(dir)? {
        let known = changes::Known::default();
        return Ok(changes::plan(dir, false, files, &known, None, force)?);
    }
    review_existing(&absolute(dir)?, dir, files, force, fingerprint, handed_over)
}

/// [`review_recording`] of an existing folder (`dir` absolute, `shown` as given).
fn review_existing<'a>(
    dir: &Path,
    shown: &Path,
    files: &'a [RenderedFile],
    force: bool,
    fingerprint: Option<Digest256>,
    handed_over: &[String],
) -> Result<ChangePlan<'a>, OutputError> {
    let started = std::time::SystemTime::now();
    let lock = DirLock::shared(dir).map_err(|e| lock_error(shown, e))?;
    let journal = lock
        .as_ref()
        .map(|l| l.leftover().clone())
        .unwrap_or_default();
    let (manifest, manifest_bytes) = read_manifest(dir, shown)?;
    let mut known = changes::Known::trusting_journal(manifest, journal, files);
    known.handed_over = handed_over.to_vec();
    let plan = changes::plan(dir, true, files, &known, manifest_bytes.as_deref(), force)?;
    if let Some(fingerprint) = fingerprint
        && plan.is_clean()
    {
        remember(dir, fingerprint, &plan, started);
    }
    drop(lock);
    Ok(plan)
}

/// Whether `dir` is a folder (following a link: the user named it); an error if it exists as
/// anything else, or is a link to nothing.
fn folder_exists(dir: &Path) -> Result<bool, OutputError> {
    match std::fs::metadata(dir) {
        Ok(m) if m.is_dir() => Ok(true),
        Ok(_) => Err(OutputError::NotAFolder(format!(
            "{} exists and is not a folder; pass a folder to -o",
            dir.display()
        ))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if let Ok(target) = std::fs::read_link(dir) {
                return Err(OutputError::NotAFolder(format!(
                    "{} is a symbolic link to {}, which does not exist; create that folder, or \
                     pass -o a folder (or a path that does not exist yet)",
                    dir.display(),
                    target.display()
                )));
            }
            Ok(false)
        }
        Err(e) => Err(OutputError::Internal(
            anyhow::Error::new(e).context(format!("reading {}", dir.display())),
        )),
    }
}

/// Creates `dir` (absolute) and any missing parents; returns the folders created, outermost
/// first.
fn create_folders(dir: &Path) -> Result<Vec<std::path::PathBuf>, OutputError> {
    let mut missing = Vec::new();
    for folder in dir.ancestors() {
        match std::fs::symlink_metadata(folder) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => missing.push(folder),
            _ => break,
        }
    }
    let mut created = Vec::new();
    for folder in missing.into_iter().rev() {
        match std::fs::create_dir(folder) {
            Ok(()) => created.push(folder.to_path_buf()),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => {
                for made in created.iter().rev() {
                    let _ = std::fs::remove_dir(made);
                }
                return Err(OutputError::Internal(
                    anyhow::Error::new(e).context(format!("creating {}", folder.display())),
                ));
            }
        }
    }
    Ok(created)
}

fn absolute(dir: &Path) -> Result<std::path::PathBuf, OutputError> {
    std::path::absolute(dir).map_err(|e| {
        OutputError::Internal(anyhow::Error::new(e).context(format!("resolving {}", dir.display())))
    })
}

/// The manifest of `dir` (shown as `shown` in messages).
fn read_manifest(dir: &Path, shown: &Path) -> Result<(Manifest, Option<Vec<u8>>), OutputError> {
    match manifest::read(dir) {
        Ok(Some((manifest, bytes))) => Ok((manifest, Some(bytes))),
        Ok(None) => Ok((Manifest::default(), None)),
        Err(manifest::ReadError::Invalid(why)) => Err(OutputError::Refused(format!(
            "{}: {why}; nothing was written.\n\
             The manifest records which files tgforge wrote, so tgforge will not guess. If this \
             is a merge conflict, take either side (or delete the file): the next `tgforge gen` \
             rewrites it, adopts every file whose contents are exactly what the spec generates, \
             and reports any other file at a generated path instead of overwriting it.",
            shown.join(MANIFEST_FILE).display()
        ))),
        Err(manifest::ReadError::Io(e)) => Err(OutputError::Internal(
            anyhow::Error::new(e)
                .context(format!("reading {}", shown.join(MANIFEST_FILE).display())),
        )),
    }
}

fn lock_error(dir: &Path, e: LockError) -> OutputError {
    let lock_path = dir.join(LOCK_FILE);
    match e {
        LockError::Held { holder } => OutputError::Locked(format!(
            "{} is locked by another tgforge run ({}); nothing was written. Wait for it to \
             finish, then run again.",
            dir.display(),
            holder.unwrap_or_else(|| format!("it holds {}", lock_path.display()))
        )),
        LockError::NotAFile(what) => OutputError::Refused(format!(
            "{} is {what}; tgforge uses that name for its lock file. Remove it, then run again.",
            lock_path.display()
        )),
        LockError::Io(e) => OutputError::Internal(
            anyhow::Error::new(e).context(format!("locking {}", lock_path.display())),
        ),
    }
}
