//! The no-op fast path: knowing, without rendering anything, that a folder already is exactly
//! what the spec generates.
//!
//! A cache entry (in the user cache, `$XDG_CACHE_HOME/tgforge/fresh/<digest of DIR's path>`,
//! never in DIR, so nothing committed churns) says one thing: "the inputs with fingerprint F
//! generate the manifest with digest M". It is a fact about F and M alone, true whatever DIR
//! holds later, and that is what makes it safe:
//!
//! - **Written only from the plan of the run that writes it**, while that run holds DIR's lock
//!   ([`super::regenerate`], [`super::review_recording`]): M is the digest of the manifest
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
//!
//! Anything else (a new machine, an edit, a deleted file, a different spec or tgforge) takes
//! the normal path. `TGFORGE_NO_CACHE=1` turns it off.

use std::path::{Path, PathBuf};

use super::lock::DirLock;
use super::manifest::{self, Digest256, Manifest};
use super::paths::{Folders, Probe, join, open_no_follow};
use crate::project::Project;

/// Hash of tgforge's sources, templates and lockfile, computed by build.rs.
const BUILD_FINGERPRINT: &str = env!("TGFORGE_BUILD_FINGERPRINT");

/// Everything the generated tree depends on: this build (its sources and the executable
/// itself) and the validated spec (its debug form holds every value the plan reads,
/// including the spec's file name and the text of any lifecycle policy file).
pub fn inputs_fingerprint(project: &Project) -> Digest256 {
    Digest256::of(
        format!(
            "{BUILD_FINGERPRINT}\n{}\n{project:?}",
            executable_identity()
        )
        .as_bytes(),
    )
}

/// The running executable, cheaply: its path, size, modification time and (on Unix) inode.
/// Two builds from the same sources with other compiler settings are different files, so
/// they never share cache entries; hashing the whole binary would cost more than the fast
/// path saves.
fn executable_identity() -> String {
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
    if std::env::var_os("TGFORGE_NO_CACHE").is_some_and(|v| !v.is_empty() && v != "0") {
        return None;
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
    let key = Digest256::of(dir.as_os_str().as_encoded_bytes()).to_hex();
    Some(base.join("tgforge").join("fresh").join(key))
}

/// If `dir` is known to be exactly what `inputs` generates: the number of files in it that
/// tgforge manages (the manifest included). `None` means "take the normal path".
pub fn known_fresh(dir: &Path, inputs: Digest256) -> Option<usize> {
    let dir = std::path::absolute(dir).ok()?;
    let entry = std::fs::read_to_string(cache_entry(&dir)?).ok()?;
    let (cached_inputs, cached_manifest) = entry.trim_end().split_once(' ')?;
    if cached_inputs != inputs.to_hex() {
        return None;
    }
    // An unfinished or concurrent run, or a lock that is not ours to read: normal path. The
    // shared lock (when a lock file exists) is held until every file is checked.
    let lock = DirLock::shared(&dir).ok()?;
    if lock.as_ref().is_some_and(|l| !l.leftover().is_empty()) {
        return None;
    }
    let (manifest, bytes) = manifest::read(&dir).ok()??;
    if Digest256::of(&bytes).to_hex() != cached_manifest {
        return None;
    }
    let mut probe = Probe::new(&dir);
    for (path, digest) in &manifest.files {
        if !matches!(probe.folders(path).ok()?, Ok(Folders::Exist)) {
            return None;
        }
        // No link followed, no FIFO waited on: only a regular file is read.
        let mut file = open_no_follow(&join(&dir, path)).ok()?;
        if !file.metadata().ok()?.is_file() {
            return None;
        }
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut file, &mut bytes).ok()?;
        if Digest256::of(&bytes) != *digest {
            return None;
        }
    }
    Some(manifest.files.len() + 1)
}

/// Records that `inputs` generate `manifest`, for output folder `dir`. Call it only with the
/// manifest of the plan this run rendered from `inputs`, and only when the run left `dir`
/// exactly as that plan (or found it so), while holding `dir`'s lock. Best effort: a cache
/// that cannot be written only costs the next run its fast path.
pub fn remember(dir: &Path, inputs: Digest256, manifest: &Manifest) {
    let Ok(dir) = std::path::absolute(dir) else {
        return;
    };
    let Some(entry) = cache_entry(&dir) else {
        return;
    };
    let Some(folder) = entry.parent() else {
        return;
    };
    if std::fs::create_dir_all(folder).is_err() {
        return;
    }
    let written = Digest256::of(manifest.to_json().as_bytes());
    let text = format!("{} {}\n", inputs.to_hex(), written.to_hex());
    // Temporary file + rename, so a concurrent reader never sees half an entry.
    if let Ok(mut tmp) = tempfile::NamedTempFile::new_in(folder) {
        use std::io::Write;
        if tmp.write_all(text.as_bytes()).is_ok() {
            let _ = tmp.persist(&entry);
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
