//! The no-op fast path: knowing, without rendering anything, that a folder already is exactly
//! what the spec generates.
//!
//! A cache entry (in the user cache, `$XDG_CACHE_HOME/tgforge/fresh/<digest of DIR's path>`,
//! never in DIR, so nothing committed churns) says one thing: "the inputs with fingerprint F
//! generate the manifest with digest M". It is a fact about F and M alone, true whatever DIR
//! holds later, and that is what makes it safe:
//!
//! - **Written only from the plan of the run that writes it**, while that run holds DIR's lock
//!   ([`super::regenerate`], [`super::review_recording`]), or, for a new DIR, while the run
//!   writes its staging folder (`new_tree`, which no other run writes): M is the digest of the manifest
//!   text the run rendered from F and wrote (or found unchanged), never a manifest read back
//!   from disk afterwards (another run with another spec may have written DIR by then).
//! - **F covers everything that changes the output**: this build (a hash of tgforge's sources,
//!   templates and lockfile, plus the running executable's identity) and the validated
//!   project, whose debug form holds every value the plan reads, including the text of every
//!   file the spec references (the ECR lifecycle policy file).
//! - **Checked against the disk on every use** ([`known_fresh`]): under DIR's shared lock when
//!   one exists, with no unfinished run's journal, the manifest on disk must have digest M and
//!   every file it lists must be a regular file (no link anywhere on its path) with its
//!   recorded digest. Then rendering F again would give exactly those files: a no-op.
//! - **Contents known from the file's status when it cannot have changed**: the entry also
//!   lists each file (the manifest included, so the manifest is not parsed) with its digest
//!   and, once its contents were verified and it had settled, its [`Stamp`] (device, inode,
//!   size, modification and change time). A file whose stamp is unchanged is not read; any
//!   other is read and hashed (on every core) and restamped. A hand edit moves the change
//!   time, which `touch` cannot set back, even when it keeps the size and modification time.
//!
//! Anything else (a new machine, an edit, a deleted file, a different spec or tgforge) takes
//! the normal path. `TGFORGE_NO_CACHE=1` turns it off.

use std::path::{Path, PathBuf};

use super::lock::DirLock;
use super::manifest::{Digest256, MANIFEST_FILE, Manifest};
use super::paths::{Folders, Probe, join, open_no_follow};
use crate::project::Project;

/// Hash of tgforge's sources, templates and lockfile, computed by build.rs.
pub(crate) const BUILD_FINGERPRINT: &str = env!("TGFORGE_BUILD_FINGERPRINT");

/// Everything the generated tree depends on: this build (its sources and the executable
/// itself) and the validated spec (its debug form holds every value the plan reads,
/// including the spec's file name and the text of any lifecycle policy file).
pub fn inputs_fingerprint(project: &Project) -> Digest256 {
    Digest256::of_fmt(format_args!(
        "{BUILD_FINGERPRINT}\n{}\n{project:?}",
        executable_identity()
    ))
}

/// The running executable, cheaply: its path, size, modification time and (on Unix) inode.
/// Two builds from the same sources with other compiler settings are different files, so
/// they never share cache entries; hashing the whole binary would cost more than the fast
/// path saves.
pub(crate) fn executable_identity() -> String {
    let Ok(exe) = std::env::current_exe() else {
        return "unknown executable".into();
    };
    let Ok(meta) = std::fs::metadata(&exe) else {
        return format!("{}", exe.display());
    };
    let modified = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    #[cfg(unix)]
    let inode = {
        use std::os::unix::fs::MetadataExt;
        (meta.dev(), meta.ino())
    };
    #[cfg(not(unix))]
    let inode = (0u64, 0u64);
    format!("{} {} {modified} {inode:?}", exe.display(), meta.len())
}

/// The cache entry of output folder `dir` (absolute), if there is a cache folder.
fn cache_entry(dir: &Path) -> Option<PathBuf> {
    cache_file(dir, "")
}

/// A file of the user cache about output folder `dir` (absolute): its entry, or with a
/// `suffix`, another file about it. `None` when there is no cache (or it is turned off).
pub(crate) fn cache_file(dir: &Path, suffix: &str) -> Option<PathBuf> {
    if std::env::var_os("TGFORGE_NO_CACHE").is_some_and(|v| !v.is_empty() && v != "0") {
        return None;
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
    let key = Digest256::of(dir.as_os_str().as_encoded_bytes()).to_hex();
    Some(base.join("tgforge").join("fresh").join(key + suffix))
}

/// Format line of a cache entry; an entry of another format is ignored (normal path).
const ENTRY_FORMAT: &str = "tgforge-fresh 2";

/// How long before a check a file must have last changed for its status (`stat`) to stand in
/// for its contents. File systems stamp changes with a coarse clock (a kernel tick on Linux,
/// one or two seconds on some file systems), so a file changed in the same tick as it was
/// read could change again without its change time moving; one changed longer ago than this
/// cannot (see [`Stamp`]).
const SETTLE: std::time::Duration = std::time::Duration::from_secs(2);

/// What a file's status says about its contents without reading them: device, inode, size,
/// modification and change time (nanoseconds). Every write through the file system moves the
/// change time (`ctime`), which no user can set back (unlike the modification time, which
/// `touch` can), and a file replaced by another has another inode: so a file whose stamp is
/// what it was when its contents were verified, and which had settled ([`SETTLE`]) by then,
/// still has those contents. What a stamp cannot see is written in docs/regeneration.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    device: u64,
    inode: u64,
    size: u64,
    modified: i128,
    changed: i128,
}

impl Stamp {
    /// The stamp of a regular file's metadata (from `lstat` or `fstat`); none elsewhere than
    /// Unix, where every file is read.
    #[cfg(unix)]
    fn of(meta: &std::fs::Metadata) -> Option<Stamp> {
        use std::os::unix::fs::MetadataExt;
        let nanos = |secs: i64, nsecs: i64| i128::from(secs) * 1_000_000_000 + i128::from(nsecs);
        meta.is_file().then(|| Stamp {
            device: meta.dev(),
            inode: meta.ino(),
            size: meta.size(),
            modified: nanos(meta.mtime(), meta.mtime_nsec()),
            changed: nanos(meta.ctime(), meta.ctime_nsec()),
        })
    }

    /// The stamp of a regular file's status from `statx`, equal to [`Stamp::of`] of the same
    /// file's metadata.
    #[cfg(target_os = "linux")]
    fn of_status(status: &super::open_folders::FileStatus) -> Stamp {
        let nanos =
            |(secs, nsecs): (i64, i64)| i128::from(secs) * 1_000_000_000 + i128::from(nsecs);
        Stamp {
            device: status.device,
            inode: status.inode,
            size: status.size,
            modified: nanos(status.modified),
            changed: nanos(status.changed),
        }
    }

    #[cfg(not(unix))]
    fn of(_meta: &std::fs::Metadata) -> Option<Stamp> {
        None
    }

    /// Whether the file last changed at least [`SETTLE`] before `before`.
    fn settled_before(&self, before: std::time::SystemTime) -> bool {
        let Ok(now) = before.duration_since(std::time::UNIX_EPOCH) else {
            return false;
        };
        self.changed + SETTLE.as_nanos() as i128 <= now.as_nanos() as i128
    }

    fn to_text(self) -> String {
        format!(
            "{}.{}.{}.{}.{}",
            self.device, self.inode, self.size, self.modified, self.changed
        )
    }

    fn parse(text: &str) -> Option<Stamp> {
        let mut parts = text.split('.');
        let stamp = Stamp {
            device: parts.next()?.parse().ok()?,
            inode: parts.next()?.parse().ok()?,
            size: parts.next()?.parse().ok()?,
            modified: parts.next()?.parse().ok()?,
            changed: parts.next()?.parse().ok()?,
        };
        parts.next().is_none().then_some(stamp)
    }
}

/// One file of a cache entry: its path, the digest of its contents, and the stamp it had
/// when those contents were verified (none: read it to know).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Record<'a> {
    /// Borrowed from the entry's text, or from the manifest it is made of.
    path: &'a str,
    digest: Digest256,
    stamp: Option<Stamp>,
}

/// A cache entry: "the inputs with fingerprint `inputs` generate these files (the manifest
/// among them, with its digest)", and when each file was last seen with those contents.
#[derive(Debug, PartialEq, Eq)]
struct Entry<'a> {
    inputs: Digest256,
    records: Vec<Record<'a>>,
}

impl<'a> Entry<'a> {
    /// One line per file, `digest stamp path` (`-` for no stamp), after the format line and
    /// the fingerprint.
    fn to_text(&self) -> String {
        let mut text = format!("{ENTRY_FORMAT}\n{}\n", self.inputs.to_hex());
        for record in &self.records {
            let stamp = record.stamp.map_or_else(|| "-".to_string(), Stamp::to_text);
            text.push_str(&format!(
                "{} {stamp} {}\n",
                record.digest.to_hex(),
                record.path
            ));
        }
        text
    }

    /// The entry in `text`; `None` for anything else (an entry of an older format, a torn or
    /// foreign file): the normal path. Every path must be one tgforge could generate, and the
    /// manifest must be among them.
    fn parse(text: &'a str) -> Option<Entry<'a>> {
        let mut lines = text.lines();
        if lines.next()? != ENTRY_FORMAT {
            return None;
        }
        let inputs = Digest256::from_hex(lines.next()?)?;
        let mut records = Vec::new();
        for line in lines {
            let (digest, rest) = line.split_once(' ')?;
            let (stamp, path) = rest.split_once(' ')?;
            // The entry was made from a manifest whose every path was checked; this only
            // keeps a damaged entry from naming anything outside DIR.
            if path.starts_with('/')
                || path
                    .split('/')
                    .any(|part| part.is_empty() || part == "." || part == "..")
            {
                return None;
            }
            records.push(Record {
                path,
                digest: Digest256::from_hex(digest)?,
                stamp: match stamp {
                    "-" => None,
                    stamp => Some(Stamp::parse(stamp)?),
                },
            });
        }
        records
            .iter()
            .any(|r| r.path == MANIFEST_FILE)
            .then_some(Entry { inputs, records })
    }
}

/// A folder the fast path found exactly as generated.
#[derive(Debug, Clone, Copy)]
pub struct Fresh {
    /// Files tgforge manages in it, the manifest included.
    pub files: usize,
    /// How many of them had to be read (the others' status was what it was when their
    /// contents were last verified).
    pub read: usize,
}

/// If `dir` is known to be exactly what `inputs` generates: how many files tgforge manages
/// in it, and how many were read to know. `None` means "take the normal path".
///
/// Every file of the entry (the manifest included) must be a regular file with no link on
/// its path, and either still carry the stamp it had when its contents were verified, or be
/// read and have the recorded digest. A file read here that has settled gets its new stamp
/// recorded (so a file that was only touched is read once, not on every run).
pub fn known_fresh(dir: &Path, inputs: Digest256) -> Option<Fresh> {
    // Before any file is looked at: a file that changed after this can never count as
    // settled in this run.
    let started = std::time::SystemTime::now();
    let dir = std::path::absolute(dir).ok()?;
    // A folder that is not there (a first `gen`) is not up to date: its entry, 8,500 records
    // at 500 environments, is not read.
    if !std::fs::metadata(&dir).is_ok_and(|m| m.is_dir()) {
        return None;
    }
    let entry_path = cache_entry(&dir)?;
    let text = std::fs::read_to_string(&entry_path).ok()?;
    let mut entry = Entry::parse(&text)?;
    if entry.inputs != inputs {
        return None;
    }
    // An unfinished or concurrent run, or a lock that is not ours to read: normal path. The
    // shared lock (when a lock file exists) is held until every file is checked.
    let lock = DirLock::shared(&dir).ok()?;
    if lock.as_ref().is_some_and(|l| !l.leftover().is_empty()) {
        return None;
    }
    let unknown = in_parallel(&entry.records, |first, part| {
        unstamped(&dir, part).map(|found| found.into_iter().map(|i| first + i).collect())
    })?;
    let verified = read_all(&dir, &entry.records, &unknown, started)?;
    let mut restamped = false;
    for (index, stamp) in unknown.iter().zip(verified) {
        let record = &mut entry.records[*index];
        restamped |= stamp.is_some() && stamp != record.stamp;
        record.stamp = stamp;
    }
    if restamped {
        // Still under the lock; every stamp in the entry is one whose contents were verified.
        write_entry(&entry_path, &entry);
    }
    drop(lock);
    Some(Fresh {
        files: entry.records.len(),
        read: unknown.len(),
    })
}

/// Of `records`, the indices of those whose stamp is unknown or not what it was; `None` as
/// soon as one is not a regular file with real folders (no link) on its path.
fn unstamped(dir: &Path, records: &[Record]) -> Option<Vec<usize>> {
    let mut stamp_of = stamp_reader(dir);
    let mut unknown = Vec::new();
    for (index, record) in records.iter().enumerate() {
        let stamp = stamp_of(record.path)?;
        if record.stamp.is_none() || stamp != record.stamp {
            unknown.push(index);
        }
    }
    Some(unknown)
}

type StampReader<'d> = dyn FnMut(&str) -> Option<Option<Stamp>> + 'd;

/// What [`unstamped`] looks at each file with: its stamp (`Some(None)` where stamps are not
/// kept), or `None` when it is not a regular file with real folders (no link) on its path.
/// On Linux through open folders (see `super::open_folders`: a third of the system time of
/// `lstat` by full path); else, or if DIR cannot be opened so, `lstat` of each file's and
/// folder's full path.
fn stamp_reader(dir: &Path) -> Box<StampReader<'_>> {
    #[cfg(target_os = "linux")]
    if let Ok(mut open) = super::open_folders::OpenFolders::new(dir) {
        return Box::new(move |path| {
            let status = open.status(path).ok()?;
            status.regular.then(|| Some(Stamp::of_status(&status)))
        });
    }
    let mut probe = Probe::new(dir);
    Box::new(move |path| {
        if !matches!(probe.folders(path).ok()?, Ok(Folders::Exist)) {
            return None;
        }
        let meta = std::fs::symlink_metadata(join(dir, path)).ok()?;
        meta.is_file().then(|| Stamp::of(&meta))
    })
}

/// Reads the files `indices` of `records` (on every core when there are many) and checks
/// each has its recorded digest; returns for each the stamp to record (when it had settled
/// before `started`), or `None` at the first file that differs or cannot be read.
fn read_all(
    dir: &Path,
    records: &[Record],
    indices: &[usize],
    started: std::time::SystemTime,
) -> Option<Vec<Option<Stamp>>> {
    in_parallel(indices, |_, part| {
        part.iter()
            .map(|i| read_one(dir, &records[*i], started))
            .collect()
    })
}

/// `work(first index, part)` over `items` cut in one part per core (up to 4) when there are
/// enough to be worth a thread, results joined in order; `None` if any part gives `None`.
fn in_parallel<T: Sync, R: Send>(
    items: &[T],
    work: impl Fn(usize, &[T]) -> Option<Vec<R>> + Sync,
) -> Option<Vec<R>> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
    if items.len() < 256 || threads < 2 {
        return work(0, items);
    }
    let chunk = items.len().div_ceil(threads);
    let work = &work;
    std::thread::scope(|scope| {
        let parts: Vec<_> = items
            .chunks(chunk)
            .enumerate()
            .map(|(n, part)| scope.spawn(move || work(n * chunk, part)))
            .collect();
        let mut joined = Vec::with_capacity(items.len());
        for part in parts {
            joined.extend(part.join().ok()??);
        }
        Some(joined)
    })
}

/// Reads one file (its folders were checked: no link followed, no FIFO waited on) and checks
/// its digest. The stamp is taken before reading, so a write during the read moves it.
fn read_one(dir: &Path, record: &Record, started: std::time::SystemTime) -> Option<Option<Stamp>> {
    let mut file = open_no_follow(&join(dir, record.path)).ok()?;
    let meta = file.metadata().ok()?;
    if !meta.is_file() {
        return None;
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    std::io::Read::read_to_end(&mut file, &mut bytes).ok()?;
    if Digest256::of(&bytes) != record.digest {
        return None;
    }
    Some(Stamp::of(&meta).filter(|s| s.settled_before(started)))
}

/// Records that `inputs` generate `manifest`, for output folder `dir`. Call it only with the
/// manifest of the plan this run rendered from `inputs`, and only when the run left `dir`
/// exactly as that plan (or found it so), while holding `dir`'s lock. `verified` says which
/// paths (the manifest's own name included) this run found on disk with exactly the
/// generated contents, having started at `started`, before it read any of them: those that
/// had settled by then get their stamps; files this run wrote are read by the next check.
/// Best effort: a cache that cannot be written only costs the next run its fast path.
pub fn remember(
    dir: &Path,
    inputs: Digest256,
    manifest: &Manifest,
    verified: &dyn Fn(&str) -> bool,
    started: std::time::SystemTime,
) {
    let Ok(dir) = std::path::absolute(dir) else {
        return;
    };
    let Some(entry_path) = cache_entry(&dir) else {
        return;
    };
    let manifest_digest = Digest256::of(manifest.to_json().as_bytes());
    let mut probe = Probe::new(&dir);
    let mut stamp_of = |path: &str| -> Option<Stamp> {
        if !verified(path) || !matches!(probe.folders(path).ok()?, Ok(Folders::Exist)) {
            return None;
        }
        let meta = std::fs::symlink_metadata(join(&dir, path)).ok()?;
        Stamp::of(&meta).filter(|s| s.settled_before(started))
    };
    let mut records: Vec<Record> = manifest
        .files
        .iter()
        .map(|(path, digest)| Record {
            path,
            digest: *digest,
            stamp: stamp_of(path),
        })
        .collect();
    records.push(Record {
        path: MANIFEST_FILE,
        digest: manifest_digest,
        stamp: stamp_of(MANIFEST_FILE),
    });
    write_entry(&entry_path, &Entry { inputs, records });
}

/// Writes a cache entry. Best effort.
fn write_entry(entry_path: &Path, entry: &Entry) {
    write_cache_file(entry_path, &entry.to_text());
}

/// Writes a file of the user cache: temporary file + rename, so a concurrent reader never
/// sees half of it. Best effort.
pub(crate) fn write_cache_file(path: &Path, text: &str) {
    let Some(folder) = path.parent() else {
        return;
    };
    if std::fs::create_dir_all(folder).is_err() {
        return;
    }
    if let Ok(mut tmp) = tempfile::NamedTempFile::new_in(folder) {
        use std::io::Write;
        if tmp.write_all(text.as_bytes()).is_ok() {
            let _ = tmp.persist(path);
        }
    }
}

/// Forgets `dir` (after a run that did not leave it exactly as generated).
pub fn forget(dir: &Path) {
    if let Ok(dir) = std::path::absolute(dir)
        && let Some(entry) = cache_entry(&dir)
    {
        let _ = std::fs::remove_file(entry);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> Entry<'static> {
        Entry {
            inputs: Digest256::of(b"inputs"),
            records: vec![
                Record {
                    path: "a b/c.hcl",
                    digest: Digest256::of(b"c"),
                    stamp: Some(Stamp {
                        device: 1,
                        inode: 2,
                        size: 3,
                        modified: -4,
                        changed: 1_700_000_000_123_456_789,
                    }),
                },
                Record {
                    path: MANIFEST_FILE,
                    digest: Digest256::of(b"m"),
                    stamp: None,
                },
            ],
        }
    }

    #[test]
    fn an_entry_reads_back_as_written() {
        assert_eq!(Entry::parse(&entry().to_text()), Some(entry()));
    }

    #[test]
    fn an_entry_of_another_format_or_with_a_path_outside_is_not_used() {
        let text = entry().to_text();
        assert_eq!(
            Entry::parse(&text.replace(ENTRY_FORMAT, "tgforge-fresh 1")),
            None
        );
        assert_eq!(Entry::parse(&text.replace("a b/c.hcl", "../c.hcl")), None);
        let without_manifest: String = text
            .lines()
            .filter(|l| !l.ends_with(MANIFEST_FILE))
            .map(|l| format!("{l}\n"))
            .collect();
        assert_eq!(Entry::parse(&without_manifest), None);
    }

    #[test]
    fn a_file_changed_less_than_the_settling_time_ago_is_not_settled() {
        let stamp = entry().records[0].stamp.unwrap();
        let changed = std::time::UNIX_EPOCH + std::time::Duration::from_nanos(stamp.changed as u64);
        assert!(!stamp.settled_before(changed + SETTLE / 2));
        assert!(stamp.settled_before(changed + SETTLE));
    }
}
