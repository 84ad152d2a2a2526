//! Carrying out a plan of changes, in an order that survives an error or a crash at any step:
//!
//! 1. the journal (the digests about to be written) goes into the lock file, flushed;
//! 2. every new or changed file is staged beside its target (an error here removes the
//!    staged files and new folders: the tree is untouched);
//! 3. the staged files are flushed and renamed over their targets, and the renames flushed;
//! 4. files tgforge no longer generates are deleted, then the folders they leave empty;
//! 5. the manifest is replaced, atomically, last.
//!
//! A run stopped between 3 and 5 leaves files whose digests are in the journal but not yet in
//! the manifest; the next run reads the journal and treats them as tgforge's own.

use std::collections::BTreeSet;
use std::path::Path;

use anyhow::{Context, Result, bail};

use super::Options;
use super::atomic::{self, Staging};
use super::changes::{Action, ChangePlan, FileChange};
use super::lock::DirLock;
use super::manifest::MANIFEST_FILE;
use super::paths::{join, parent_folders, parent_of};

/// Applies a conflict-free `plan` to `root` under `lock`.
pub fn apply(root: &Path, plan: &ChangePlan, lock: &mut DirLock, options: &Options) -> Result<()> {
    assert!(
        plan.conflicts.is_empty(),
        "a plan with conflicts is never applied"
    );
    if plan.is_clean() {
        return Ok(());
    }
    let writes: Vec<_> = plan
        .changes
        .iter()
        .filter(|c| matches!(c.action, Action::Create | Action::Change) && c.path != MANIFEST_FILE)
        .collect();

    let pending = writes
        .iter()
        .map(|c| (c.path.clone(), plan.manifest.files[&c.path]))
        .collect();
    lock.write_journal(&pending)
        .context("writing the journal into the lock file")?;

    let staging = match stage(root, &writes, options) {
        Ok(staging) => staging,
        Err(e) => {
            // Dropping the staging area removed its files and folders: nothing changed.
            lock.journal_unused();
            return Err(e);
        }
    };
    staging
        .commit()
        .with_context(|| format!("renaming the new files into {}", root.display()))?;

    delete_stale(root, plan)?;

    if let Some(manifest) = plan
        .changes
        .iter()
        .find(|c| c.path == MANIFEST_FILE && c.action != Action::Unchanged)
    {
        let text = manifest.new.as_deref().unwrap_or_default();
        atomic::write_file(root, MANIFEST_FILE, text.as_bytes())
            .with_context(|| format!("writing {}", root.join(MANIFEST_FILE).display()))?;
    }
    Ok(())
}

/// Writes every new or changed file to a temporary file beside its target.
fn stage<'r>(root: &'r Path, writes: &[&FileChange], options: &Options) -> Result<Staging<'r>> {
    let mut staging = Staging::new(root, writes.len());
    for (i, change) in writes.iter().enumerate() {
        if options.fail_after_staging == Some(i) {
            bail!("injected failure after staging {i} files (test hook)");
        }
        let contents = change.new.as_deref().unwrap_or_default();
        staging
            .stage(
                &change.path,
                contents.as_bytes(),
                change.permissions.clone(),
            )
            .with_context(|| format!("writing {}", join(root, &change.path).display()))?;
    }
    Ok(staging)
}

/// Deletes the files tgforge no longer generates, then every folder they leave empty (a folder
/// holding anything else, a person's file for one, stays).
fn delete_stale(root: &Path, plan: &ChangePlan) -> Result<()> {
    let mut folders = BTreeSet::new();
    for change in plan.changes.iter().filter(|c| c.action == Action::Delete) {
        let path = join(root, &change.path);
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).with_context(|| format!("deleting {}", path.display())),
        }
        folders.extend(parent_folders(&change.path));
    }
    if folders.is_empty() {
        return Ok(());
    }
    // A folder sorts before everything inside it: in reverse, children go first.
    let mut touched = BTreeSet::from([String::new()]);
    for folder in folders.iter().rev() {
        if std::fs::remove_dir(join(root, folder)).is_ok() {
            touched.insert(parent_of(folder).to_string());
        } else {
            touched.insert(folder.to_string());
        }
    }
    for folder in touched {
        // Folders removed since (a parent of an already removed one) are skipped.
        let path = join(root, &folder);
        if path.is_dir() {
            atomic::sync_folder(&path).with_context(|| format!("flushing {}", path.display()))?;
        }
    }
    Ok(())
}
