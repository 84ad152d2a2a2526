//! The lock on an output folder, and the journal of a run that is writing it.
//!
//! A writing run holds an exclusive advisory lock (`flock` on Unix, `LockFileEx` on Windows,
//! through `std::fs::File::try_lock`) on `DIR/.tgforge.lock`; `--check` and `diff` hold a
//! shared one when the file exists. The operating system drops the lock when the process
//! ends, however it ends, so a lock is never stale: a second run never waits and never has to
//! guess whether the holder is alive; it fails at once with the holder's process id.
//!
//! The file is removed when a run finishes, so it is not part of the tree. Removing a locked
//! file races with a run that opened it just before: after locking, a run checks that the
//! path still names the file it locked (same device and inode) and starts over if not.
//!
//! Before its first write a run records in the lock file the digest of every file it is
//! about to write (the journal). A file that outlives its run (the machine lost power, or
//! the process was killed) therefore tells the next run that the previous one may have
//! stopped between its renames and its manifest: files whose contents match the journal are
//! recognised as tgforge's own, and `.tgforge-tmp-*` leftovers are removed.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions, TryLockError};
use std::io::{self, Read, Seek, Write};
use std::path::{Path, PathBuf};

use super::manifest::Digest256;

/// The lock file's name in the output root.
pub const LOCK_FILE: &str = ".tgforge.lock";

/// Why a lock could not be taken.
#[derive(Debug)]
pub enum LockError {
    /// Another run holds it; `holder` describes that run when it said who it is.
    Held {
        holder: Option<String>,
    },
    /// The lock path is a symbolic link or a folder.
    NotAFile(&'static str),
    Io(io::Error),
}

impl From<io::Error> for LockError {
    fn from(e: io::Error) -> Self {
        LockError::Io(e)
    }
}

/// A held lock on an output folder; dropping it releases the lock.
#[derive(Debug)]
pub struct DirLock {
    file: File,
    path: PathBuf,
    exclusive: bool,
    /// The journal left by a run that did not finish (empty when there was none).
    leftover: BTreeMap<String, Digest256>,
    /// Whether the lock file must stay (it holds a journal still needed by the next run).
    keep_file: bool,
}

impl DirLock {
    /// Takes the exclusive lock for writing `root` (which must exist).
    ///
    /// The lock file tgforge writes is always one it created itself: a lock file found on
    /// disk (left by a killed run, or added by anyone, possibly as a hard link to a file
    /// elsewhere) is only opened read-only, locked, and read for its journal (when it has a
    /// single link), then replaced by a new file renamed over it. So no write ever goes
    /// through a name tgforge did not create.
    pub fn exclusive(root: &Path) -> Result<DirLock, LockError> {
        let path = root.join(LOCK_FILE);
        for _ in 0..100 {
            check_not_link(&path)?;
            let (file, created) = match open_existing(&path)? {
                Some(file) => (file, false),
                None => match OpenOptions::new()
                    .read(true)
                    .write(true)
                    .create_new(true)
                    .open(&path)
                {
                    Ok(file) => (file, true),
                    Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                    Err(e) => return Err(e.into()),
                },
            };
            let mut file = file;
            match file.try_lock() {
                Ok(()) => {}
                Err(TryLockError::WouldBlock) => {
                    return Err(LockError::Held {
                        holder: holder(&mut file),
                    });
                }
                Err(TryLockError::Error(e)) => return Err(e.into()),
            }
            if !still_named(&file, &path)? {
                continue; // the previous holder removed it between our open and our lock
            }
            let (file, leftover) = if created {
                (file, BTreeMap::new())
            } else {
                let leftover = read_journal(&mut file)?;
                // Still holding the found file's lock, so no other run can take over between
                // the rename and our lock on the new file.
                (replace_with_fresh(root, &path)?, leftover)
            };
            let mut lock = DirLock {
                file,
                path,
                exclusive: true,
                keep_file: !leftover.is_empty(),
                leftover,
            };
            // Who holds it now (for the message of a run that finds it locked), keeping any
            // leftover journal.
            lock.write_contents(&BTreeMap::new())?;
            return Ok(lock);
        }
        Err(LockError::Io(io::Error::other(format!(
            "{} keeps being replaced",
            path.display()
        ))))
    }

    /// Takes a shared lock for reading `root`, when a lock file exists (`None` otherwise: no
    /// run is writing, and a reader must not create files).
    pub fn shared(root: &Path) -> Result<Option<DirLock>, LockError> {
        let path = root.join(LOCK_FILE);
        check_not_link(&path)?;
        let Some(mut file) = open_existing(&path)? else {
            return Ok(None);
        };
        match file.try_lock_shared() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                return Err(LockError::Held {
                    holder: holder(&mut file),
                });
            }
            Err(TryLockError::Error(e)) => return Err(e.into()),
        }
        if !still_named(&file, &path)? {
            return Ok(None); // a writer just finished and removed it
        }
        let leftover = read_journal(&mut file)?;
        Ok(Some(DirLock {
            file,
            path,
            exclusive: false,
            keep_file: true,
            leftover,
        }))
    }

    /// The journal of an earlier run that did not finish.
    pub fn leftover(&self) -> &BTreeMap<String, Digest256> {
        &self.leftover
    }

    /// Records the digests of the files this run is about to write (with any leftover
    /// journal, still needed until a manifest is written) and flushes them to disk.
    pub fn write_journal(&mut self, pending: &BTreeMap<String, Digest256>) -> io::Result<()> {
        self.write_contents(pending)?;
        self.file.sync_data()?;
        self.keep_file = true;
        Ok(())
    }

    /// Replaces the lock file's contents: who holds it, then the journal.
    fn write_contents(&mut self, pending: &BTreeMap<String, Digest256>) -> io::Result<()> {
        debug_assert!(self.exclusive);
        let mut text = format!("{}\n", whoami());
        for (path, digest) in self.leftover.iter().chain(pending) {
            text.push_str(&format!("pending {} {path}\n", digest.to_hex()));
        }
        self.file.set_len(0)?;
        self.file.rewind()?;
        self.file.write_all(text.as_bytes())
    }

    /// The journal was written but nothing was renamed (the run failed while staging): it is
    /// needed only if an earlier unfinished run left one.
    pub fn journal_unused(&mut self) {
        if self.exclusive {
            self.keep_file = !self.leftover.is_empty();
        }
    }

    /// The tree and its manifest agree again: the journal is no longer needed, and the lock
    /// file goes when the lock is released.
    pub fn tree_settled(&mut self) {
        if self.exclusive {
            self.keep_file = false;
        }
    }
}

impl Drop for DirLock {
    fn drop(&mut self) {
        // Removed while still locked; the lock itself goes with the file handle.
        if self.exclusive && !self.keep_file {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Opens an existing lock file read-only, without following a link or blocking on a FIFO;
/// `None` when there is none. Anything but a regular file is refused.
fn open_existing(path: &Path) -> Result<Option<File>, LockError> {
    match super::paths::open_no_follow(path) {
        Ok(file) => {
            let meta = file.metadata()?;
            if !meta.is_file() {
                return Err(LockError::NotAFile(super::paths::kind(&meta)));
            }
            Ok(Some(file))
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => match std::fs::symlink_metadata(path) {
            Ok(m) if !m.is_file() => Err(LockError::NotAFile(super::paths::kind(&m))),
            _ => Err(e.into()),
        },
    }
}

/// A new lock file, created and locked under a temporary name, then renamed over `path`.
fn replace_with_fresh(root: &Path, path: &Path) -> Result<File, LockError> {
    let tmp = tempfile::Builder::new()
        .prefix(super::atomic::TEMP_PREFIX)
        .tempfile_in(root)?;
    match tmp.as_file().try_lock() {
        Ok(()) => {}
        // Nobody else knows the name yet.
        Err(TryLockError::WouldBlock) => {
            return Err(LockError::Io(io::Error::other(
                "a fresh lock file is locked",
            )));
        }
        Err(TryLockError::Error(e)) => return Err(e.into()),
    }
    tmp.persist(path).map_err(|e| LockError::Io(e.error))
}

/// How many links a file has (a lock file found with more than one is not tgforge's: its
/// journal is ignored, and it is never written).
#[cfg(unix)]
fn link_count(file: &File) -> io::Result<u64> {
    use std::os::unix::fs::MetadataExt;
    Ok(file.metadata()?.nlink())
}

#[cfg(not(unix))]
fn link_count(_file: &File) -> io::Result<u64> {
    Ok(1)
}

/// The longest journal read back (a generated tree of 100 000 files needs about 10 MB).
const MAX_JOURNAL_BYTES: u64 = 64 * 1024 * 1024;

fn whoami() -> String {
    format!("tgforge gen, pid {}", std::process::id())
}

fn check_not_link(path: &Path) -> Result<(), LockError> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if !m.is_file() => Err(LockError::NotAFile(super::paths::kind(&m))),
        _ => Ok(()),
    }
}

/// The first line of a held lock file (who holds it), if readable.
fn holder(file: &mut File) -> Option<String> {
    let mut text = String::new();
    file.read_to_string(&mut text).ok()?;
    text.lines()
        .next()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
}

/// The `pending` lines of a lock file; a line cut short by a crash is skipped.
fn read_journal(file: &mut File) -> io::Result<BTreeMap<String, Digest256>> {
    if link_count(file)? != 1 {
        return Ok(BTreeMap::new());
    }
    let mut text = String::new();
    file.rewind()?;
    // A journal that is not UTF-8 (or is cut at the limit) was not written by tgforge: treat
    // it as empty.
    if file
        .take(MAX_JOURNAL_BYTES)
        .read_to_string(&mut text)
        .is_err()
    {
        return Ok(BTreeMap::new());
    }
    let mut pending = BTreeMap::new();
    for line in text.lines() {
        let mut parts = line.splitn(3, ' ');
        if let (Some("pending"), Some(hex), Some(path)) = (parts.next(), parts.next(), parts.next())
            && let Some(digest) = Digest256::from_hex(hex)
            && super::paths::check_relative(path).is_ok()
        {
            pending.insert(path.to_string(), digest);
        }
    }
    Ok(pending)
}

/// Whether `path` still names the open `file`.
#[cfg(unix)]
fn still_named(file: &File, path: &Path) -> io::Result<bool> {
    use std::os::unix::fs::MetadataExt;
    let open = file.metadata()?;
    match std::fs::symlink_metadata(path) {
        Ok(named) => Ok(named.dev() == open.dev() && named.ino() == open.ino()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

/// Windows cannot remove an open file, so the path always names it.
#[cfg(not(unix))]
fn still_named(_file: &File, path: &Path) -> io::Result<bool> {
    Ok(path.exists())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_writer_or_reader_is_refused_while_the_lock_is_held() {
        let dir = tempfile::tempdir().unwrap();
        let lock = DirLock::exclusive(dir.path()).unwrap();
        let Err(LockError::Held { holder }) = DirLock::exclusive(dir.path()) else {
            panic!("second exclusive lock taken");
        };
        assert_eq!(
            holder.as_deref(),
            Some(format!("tgforge gen, pid {}", std::process::id()).as_str())
        );
        assert!(matches!(
            DirLock::shared(dir.path()),
            Err(LockError::Held { .. })
        ));
        drop(lock);
        assert!(!dir.path().join(LOCK_FILE).exists(), "lock file removed");
        assert!(DirLock::shared(dir.path()).unwrap().is_none());
        drop(DirLock::exclusive(dir.path()).unwrap());
    }

    #[test]
    fn readers_share_and_keep_writers_out() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(LOCK_FILE), "").unwrap();
        let a = DirLock::shared(dir.path()).unwrap().unwrap();
        let b = DirLock::shared(dir.path()).unwrap().unwrap();
        assert!(matches!(
            DirLock::exclusive(dir.path()),
            Err(LockError::Held { holder: None })
        ));
        drop((a, b));
        assert!(
            dir.path().join(LOCK_FILE).exists(),
            "readers never remove it"
        );
    }

    #[test]
    fn a_journal_left_by_an_unfinished_run_is_read_back_and_kept_until_settled() {
        let dir = tempfile::tempdir().unwrap();
        let digest = Digest256::of(b"x");
        let mut lock = DirLock::exclusive(dir.path()).unwrap();
        lock.write_journal(&BTreeMap::from([("a/b.tf".to_string(), digest)]))
            .unwrap();
        // As if the process died: the lock goes with the process, the file stays.
        lock.file.unlock().unwrap();
        std::mem::forget(lock);
        let next = DirLock::exclusive(dir.path()).unwrap();
        assert_eq!(
            next.leftover(),
            &BTreeMap::from([("a/b.tf".to_string(), digest)])
        );
        drop(next);
        assert!(
            dir.path().join(LOCK_FILE).exists(),
            "kept until a run settles"
        );
        let mut next = DirLock::exclusive(dir.path()).unwrap();
        assert_eq!(next.leftover().len(), 1);
        next.tree_settled();
        drop(next);
        assert!(!dir.path().join(LOCK_FILE).exists());
    }

    /// A lock file found with several links (here, a hard link to a file outside the
    /// folder) is neither read for a journal nor written: the lock is a new file.
    #[cfg(unix)]
    #[test]
    fn a_found_lock_file_is_replaced_never_written_and_a_linked_journal_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("root");
        std::fs::create_dir(&root).unwrap();
        let outside = dir.path().join("outside");
        let digest = Digest256::of(b"x").to_hex();
        let text = format!(
            "tgforge gen, pid 1
pending {digest} a.tf
"
        );
        std::fs::write(&outside, &text).unwrap();
        std::fs::hard_link(&outside, root.join(LOCK_FILE)).unwrap();
        let mut lock = DirLock::exclusive(&root).unwrap();
        assert!(
            lock.leftover().is_empty(),
            "a linked journal is not tgforge's"
        );
        lock.write_journal(&BTreeMap::from([("b.tf".to_string(), Digest256::of(b"y"))]))
            .unwrap();
        assert_eq!(std::fs::read_to_string(&outside).unwrap(), text);
        drop(lock);
        assert_eq!(std::fs::read_to_string(&outside).unwrap(), text);

        // A single-link leftover is read, and replaced by a new file (another inode).
        std::fs::write(root.join(LOCK_FILE), &text).unwrap();
        use std::os::unix::fs::MetadataExt;
        let before = std::fs::metadata(root.join(LOCK_FILE)).unwrap().ino();
        let lock = DirLock::exclusive(&root).unwrap();
        assert_eq!(lock.leftover().keys().collect::<Vec<_>>(), ["a.tf"]);
        assert_ne!(
            std::fs::metadata(root.join(LOCK_FILE)).unwrap().ino(),
            before
        );
    }

    #[test]
    fn journal_lines_cut_short_or_unsafe_are_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let digest = Digest256::of(b"x").to_hex();
        std::fs::write(
            dir.path().join(LOCK_FILE),
            format!(
                "tgforge gen, pid 1\npending {digest} ok.tf\npending {digest} ../evil\npending {digest} .git/HEAD\npending 12"
            ),
        )
        .unwrap();
        let mut lock = DirLock::exclusive(dir.path()).unwrap();
        assert_eq!(lock.leftover().keys().collect::<Vec<_>>(), ["ok.tf"]);
        lock.tree_settled();
        drop(lock);
        assert!(!dir.path().join(LOCK_FILE).exists());
    }
}
