//! Atomic writes: every file is written to a temporary file in its own folder, flushed to
//! disk, then renamed over its target, so a reader (or a crash) sees the old contents or the
//! new ones, never a part of either.
//!
//! A run stages *all* of its files before renaming any: an error while writing (a full
//! disk, a permission) drops the staged temporary files and the folders made for them, and
//! leaves the previous tree exactly as it was.
//!
//! Flushing: up to [`PER_FILE_SYNC_LIMIT`] files are flushed one by one (`fsync`, then
//! the folders holding the renamed entries); bigger batches (a first generation of a large
//! tree) flush the whole file system once before the renames and once after (`syncfs`),
//! which costs the same for one file or twenty thousand.

use std::collections::{BTreeSet, HashSet};
use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use tempfile::TempPath;

use super::paths::{join, parent_folders, parent_of};

/// Prefix of tgforge's temporary files; no generated path may use it.
pub const TEMP_PREFIX: &str = ".tgforge-tmp-";

/// Batches up to this size are flushed file by file, bigger ones file system by file system.
pub const PER_FILE_SYNC_LIMIT: usize = 64;

/// Files written to temporary names, waiting for [`Staging::commit`].
pub struct Staging<'r> {
    root: &'r Path,
    sync_each: bool,
    staged: Vec<(TempPath, PathBuf)>,
    /// Folders this run created, outermost first (removed again if the run fails).
    created_folders: Vec<PathBuf>,
    existing_folders: HashSet<String>,
    committed: bool,
}

impl<'r> Staging<'r> {
    /// A staging area for about `count` files under `root`.
    pub fn new(root: &'r Path, count: usize) -> Staging<'r> {
        Staging {
            root,
            sync_each: count <= PER_FILE_SYNC_LIMIT || !cfg!(target_os = "linux"),
            staged: Vec::with_capacity(count),
            created_folders: Vec::new(),
            existing_folders: HashSet::new(),
            committed: false,
        }
    }

    /// Writes `contents` to a temporary file beside `rel`, creating its folders. A file that
    /// replaces another keeps that file's permissions (`permissions`); a new file gets the
    /// usual mode for the process's umask.
    pub fn stage(
        &mut self,
        rel: &str,
        contents: &[u8],
        permissions: Option<std::fs::Permissions>,
    ) -> io::Result<()> {
        self.make_folders(rel)?;
        let folder = join(self.root, parent_of(rel));
        let mut builder = tempfile::Builder::new();
        builder.prefix(TEMP_PREFIX);
        #[cfg(unix)]
        if permissions.is_none() {
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(std::fs::Permissions::from_mode(0o666));
        }
        let mut tmp = builder.tempfile_in(&folder)?;
        tmp.write_all(contents)?;
        if let Some(permissions) = permissions {
            tmp.as_file().set_permissions(permissions)?;
        }
        if self.sync_each {
            tmp.as_file().sync_all()?;
        }
        // Closed now (a big tree would run out of file handles), removed on drop until renamed.
        self.staged
            .push((tmp.into_temp_path(), join(self.root, rel)));
        Ok(())
    }

    /// How many files are staged.
    pub fn len(&self) -> usize {
        self.staged.len()
    }

    pub fn is_empty(&self) -> bool {
        self.staged.is_empty()
    }

    /// Flushes the staged files, renames each over its target, and flushes the renames.
    pub fn commit(mut self) -> io::Result<()> {
        if !self.sync_each {
            sync_file_system(self.root)?;
        }
        let mut folders = BTreeSet::new();
        let staged = std::mem::take(&mut self.staged);
        self.committed = true;
        // On an error, the rest of `staged` is dropped, which removes those temporary files.
        for (tmp, target) in staged {
            tmp.persist(&target).map_err(|e| e.error)?;
            if let Some(folder) = target.parent() {
                folders.insert(folder.to_path_buf());
            }
        }
        if self.sync_each {
            for folder in &folders {
                sync_folder(folder)?;
            }
        } else {
            sync_file_system(self.root)?;
        }
        Ok(())
    }

    fn make_folders(&mut self, rel: &str) -> io::Result<()> {
        for folder in parent_folders(rel) {
            if self.existing_folders.contains(folder) {
                continue;
            }
            let path = join(self.root, folder);
            match std::fs::create_dir(&path) {
                Ok(()) => self.created_folders.push(path),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(e),
            }
            self.existing_folders.insert(folder.to_string());
        }
        Ok(())
    }
}

impl Drop for Staging<'_> {
    fn drop(&mut self) {
        // Uncommitted: the temporary files go first (dropping a TempPath removes it), then
        // the folders made for them, innermost first.
        self.staged.clear();
        if !self.committed {
            for folder in self.created_folders.iter().rev() {
                let _ = std::fs::remove_dir(folder);
            }
        }
    }
}

/// Writes one file atomically (temporary file, flush, rename, flush the folder).
pub fn write_file(root: &Path, rel: &str, contents: &[u8]) -> io::Result<()> {
    let mut staging = Staging::new(root, 1);
    staging.stage(rel, contents, None)?;
    staging.commit()
}

/// Removes `.tgforge-tmp-*` files a killed run left in `folders` (relative to `root`).
pub fn remove_leftover_temps<'a>(
    root: &Path,
    folders: impl IntoIterator<Item = &'a str>,
) -> io::Result<usize> {
    let mut removed = 0;
    let mut probe = super::paths::Probe::new(root);
    for folder in folders {
        // Every folder on the way is checked, not only the last: `a/b` where `a` is a link
        // to a folder elsewhere must not empty `.tgforge-tmp-*` files out there.
        if !probe.is_real_folder(folder)? {
            continue;
        }
        let path = join(root, folder);
        for entry in std::fs::read_dir(&path)? {
            let entry = entry?;
            if entry.file_name().to_string_lossy().starts_with(TEMP_PREFIX)
                && entry.file_type()?.is_file()
            {
                std::fs::remove_file(entry.path())?;
                removed += 1;
            }
        }
    }
    Ok(removed)
}

/// Flushes a folder's entries (new names, removed names) to disk.
pub fn sync_folder(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    File::open(path)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Flushes everything written to the file system holding `root`.
#[cfg(target_os = "linux")]
pub(super) fn sync_file_system(root: &Path) -> io::Result<()> {
    let dir = File::open(root)?;
    rustix::fs::syncfs(&dir).map_err(io::Error::from)
}

#[cfg(not(target_os = "linux"))]
pub(super) fn sync_file_system(_root: &Path) -> io::Result<()> {
    unreachable!("only Linux batches flushes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dropped_staging_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let mut staging = Staging::new(dir.path(), 2);
        staging.stage("a/b/c.tf", b"x\n", None).unwrap();
        staging.stage("top.tf", b"y\n", None).unwrap();
        assert_eq!(staging.len(), 2);
        drop(staging);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn commit_replaces_targets_and_keeps_their_permissions() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("run.sh");
        std::fs::write(&target, "old\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o750)).unwrap();
        }
        let permissions = std::fs::metadata(&target).unwrap().permissions();
        let mut staging = Staging::new(dir.path(), 200);
        staging
            .stage("run.sh", b"new\n", Some(permissions.clone()))
            .unwrap();
        staging.stage("d/new.tf", b"n\n", None).unwrap();
        staging.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new\n");
        assert_eq!(
            std::fs::metadata(&target).unwrap().permissions(),
            permissions
        );
        assert_eq!(
            std::fs::read_to_string(dir.path().join("d/new.tf")).unwrap(),
            "n\n"
        );
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert!(
            names.iter().all(|n| !n.starts_with(TEMP_PREFIX)),
            "{names:?}"
        );
    }

    #[test]
    fn leftover_temporary_files_are_removed_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("a")).unwrap();
        std::fs::write(dir.path().join("a/.tgforge-tmp-x1"), "").unwrap();
        std::fs::write(dir.path().join("a/mine.tf"), "").unwrap();
        assert_eq!(
            remove_leftover_temps(dir.path(), ["a", "missing"]).unwrap(),
            1
        );
        assert!(dir.path().join("a/mine.tf").exists());
    }

    #[cfg(unix)]
    #[test]
    fn leftover_cleanup_never_goes_through_a_link_anywhere_on_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let (root, elsewhere) = (dir.path().join("root"), dir.path().join("elsewhere"));
        std::fs::create_dir_all(elsewhere.join("b")).unwrap();
        std::fs::create_dir_all(&root).unwrap();
        std::fs::write(elsewhere.join("b/.tgforge-tmp-theirs"), "").unwrap();
        std::os::unix::fs::symlink(&elsewhere, root.join("a")).unwrap();
        assert_eq!(remove_leftover_temps(&root, ["a/b", "a"]).unwrap(), 0);
        assert!(elsewhere.join("b/.tgforge-tmp-theirs").exists());
    }
}
