//! A first generation: the output folder does not exist yet, so the whole tree is written into
//! a hidden staging folder beside it and renamed into place in one step.
//!
//! Nothing can be in the way and nothing is overwritten, so there is no per-file staging: each
//! file is written once, straight into the staging folder, by every core at once (a large
//! tree's cost is its system calls, which run in parallel). The folder's rename is atomic: a
//! reader sees no tree or the whole tree with its manifest, never a part. An error removes the
//! staging folder (and the parent folders this run created); only a killed process can leave
//! a `.tgforge-tmp-NAME-*` folder beside the output, never a partial output folder.
//!
//! When the output folder appears while the tree is being written (another run, a person),
//! the staging folder is dropped and the caller falls back to the ordinary regeneration,
//! which takes the folder's lock and plans against what is there.

use std::collections::HashSet;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Context, anyhow};

use super::atomic::{PER_FILE_SYNC_LIMIT, TEMP_PREFIX, sync_file_system, sync_folder};
use super::changes::{self, Action, ChangePlan, Known};
use super::manifest::MANIFEST_FILE;
use super::paths::{join, parent_folders};
use super::{Options, OutputError};
use crate::render::RenderedFile;

/// Writes `files` as the new folder `dir` (absolute, not existing, its parent existing).
/// `Ok(None)`: `dir` appeared meanwhile, nothing was written; regenerate it as it is now.
pub fn write<'a>(
    dir: &Path,
    files: &'a [RenderedFile],
    options: &Options,
) -> Result<Option<ChangePlan<'a>>, OutputError> {
    let started = std::time::SystemTime::now();
    let (Some(parent), Some(name)) = (dir.parent(), dir.file_name()) else {
        return Ok(None);
    };
    let known = Known::trusting_journal(Default::default(), Default::default(), files);
    // Every path's form is checked before anything is written (the plan checks them again,
    // and refuses a path generated twice).
    changes::check_paths(files)?;
    // The files and the manifest: flushed one by one, or by one flush of the whole file
    // system before the rename.
    let sync_each = files.len() < PER_FILE_SYNC_LIMIT || !cfg!(target_os = "linux");
    let staging = StagingFolder::create(parent, &name.to_string_lossy())
        .with_context(|| format!("creating a staging folder in {}", parent.display()))?;
    if let Some(after) = options.fail_after_staging {
        let some = &files[..after.min(files.len())];
        write_all(&staging.path, dir, some, sync_each, || ()).0?;
        return Err(anyhow!("injected failure after staging {after} files (test hook)").into());
    }
    // Nothing is in the way, so every file is created: the files are written while one
    // thread plans (the manifest's digests) and records the no-op fast path's entry, which
    // would otherwise each hold up every core (0.5 and 0.35 ms at 10 environments). The
    // record is a fact about the inputs and this plan's manifest alone, true whatever the
    // folder holds later, and every use checks it against the disk (fresh.rs). A new folder
    // has no lock to take: no other run can be writing into this staging folder.
    let plan_and_remember = || -> Result<ChangePlan<'a>, OutputError> {
        let plan = changes::plan(dir, false, files, &known, None, options.force)?;
        let created = plan
            .changes
            .iter()
            .filter(|c| c.action == Action::Create)
            .count();
        if created != files.len() + 1 || !plan.conflicts.is_empty() {
            return Err(anyhow!("internal error: a new tree's plan must create every file").into());
        }
        if let Some(fingerprint) = options.fingerprint {
            super::remember(dir, fingerprint, &plan, started);
        }
        Ok(plan)
    };
    let (written, plan) = write_all(&staging.path, dir, files, sync_each, plan_and_remember);
    // The plan's refusal first: a path generated twice also fails its second write.
    let plan = plan?;
    written?;
    let manifest = plan
        .changes
        .iter()
        .find(|c| c.path == MANIFEST_FILE)
        .and_then(|c| c.new.as_deref())
        .unwrap_or_default();
    write_one(
        &staging.path,
        &mut FolderMaker::default(),
        MANIFEST_FILE,
        manifest.as_bytes(),
        sync_each,
    )
    .with_context(|| format!("writing {}", join(dir, MANIFEST_FILE).display()))?;
    if !sync_each {
        sync_file_system(&staging.path).context("flushing the new files")?;
    }
    match std::fs::rename(&staging.path, dir) {
        Ok(()) => staging.keep(),
        Err(e) if appeared(&e) => return Ok(None),
        Err(e) => {
            return Err(anyhow::Error::new(e)
                .context(format!("renaming the new tree into {}", dir.display()))
                .into());
        }
    }
    if sync_each {
        sync_folder(parent)
    } else {
        sync_file_system(dir)
    }
    .with_context(|| format!("flushing {}", parent.display()))?;
    Ok(Some(plan))
}

/// Whether a rename failed because the target folder exists now.
fn appeared(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::AlreadyExists | io::ErrorKind::DirectoryNotEmpty
    )
}

/// Writes every file into `staging` (shown as under `dir` in messages; each flushed when
/// `sync_each`), on every core, and runs `beside` on the first thread to start (the others
/// write meanwhile): each thread takes a run of consecutive paths, so it mostly creates its
/// own folders.
fn write_all<R: Send>(
    staging: &Path,
    dir: &Path,
    files: &[RenderedFile],
    sync_each: bool,
    beside: impl FnOnce() -> R + Send,
) -> (anyhow::Result<()>, R) {
    let write_run = |run: &[RenderedFile]| -> anyhow::Result<()> {
        let mut folders = FolderMaker::default();
        for file in run {
            write_one(
                staging,
                &mut folders,
                &file.path,
                file.contents.as_bytes(),
                sync_each,
            )
            .with_context(|| format!("writing {}", join(dir, &file.path).display()))?;
        }
        if sync_each {
            for folder in &folders.made {
                sync_folder(&join(staging, folder))?;
            }
        }
        Ok(())
    };
    // Runs of consecutive paths, taken in turn by every core: a few per thread, so that
    // one finishing early takes another.
    let runs: Vec<&[RenderedFile]> = files
        .chunks(files.len().div_ceil(4 * crate::cores::available()).max(32))
        .collect();
    let next = AtomicUsize::new(0);
    let beside = Mutex::new(Some(beside));
    let beside_result = Mutex::new(None);
    let results = crate::cores::on_every_core(&|| -> anyhow::Result<()> {
        let job = beside.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(job) = job {
            let result = job();
            *beside_result.lock().unwrap_or_else(|e| e.into_inner()) = Some(result);
        }
        while let Some(run) = runs.get(next.fetch_add(1, Ordering::Relaxed)) {
            write_run(run)?;
        }
        Ok(())
    });
    let beside_result = beside_result
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .expect("the first thread runs `beside`");
    (results.into_iter().collect(), beside_result)
}

/// Writes one new file (which must not exist) under `root`, creating its folders.
fn write_one(
    root: &Path,
    folders: &mut FolderMaker,
    rel: &str,
    contents: &[u8],
    sync: bool,
) -> io::Result<()> {
    folders.make(root, rel)?;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(join(root, rel))?;
    file.write_all(contents)?;
    if sync {
        file.sync_all()?;
    }
    Ok(())
}

/// The folders a writing thread made or found (another thread may make a shared one first).
#[derive(Default)]
struct FolderMaker {
    seen: HashSet<String>,
    made: Vec<String>,
}

impl FolderMaker {
    fn make(&mut self, root: &Path, rel: &str) -> io::Result<()> {
        for folder in parent_folders(rel) {
            if self.seen.contains(folder) {
                continue;
            }
            match std::fs::create_dir(join(root, folder)) {
                Ok(()) => self.made.push(folder.to_string()),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(e),
            }
            self.seen.insert(folder.to_string());
        }
        Ok(())
    }
}

/// A new, empty folder `.tgforge-tmp-NAME-ID` beside the output, removed with everything in it
/// when dropped, unless kept.
struct StagingFolder {
    path: PathBuf,
    keep: bool,
}

impl StagingFolder {
    fn create(parent: &Path, name: &str) -> io::Result<StagingFolder> {
        let id = std::process::id();
        for attempt in 0u32.. {
            let path = parent.join(format!("{TEMP_PREFIX}{name}-{id}-{attempt}"));
            // Made by create_dir, never reused: a folder of that name belongs to someone else.
            match std::fs::create_dir(&path) {
                Ok(()) => return Ok(StagingFolder { path, keep: false }),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempt < 1000 => {}
                Err(e) => return Err(e),
            }
        }
        unreachable!("the loop returns")
    }

    fn keep(mut self) {
        self.keep = true;
    }
}

impl Drop for StagingFolder {
    fn drop(&mut self) {
        if !self.keep {
            // Never follows a link: only what this run made is removed.
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}
