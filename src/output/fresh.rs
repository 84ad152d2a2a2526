//! The no-op fast path: knowing, without rendering anything, that a folder already is exactly
//! what the spec generates.
//!
//! After a run that leaves DIR exactly as generated, tgforge records in its user cache
//! (`$XDG_CACHE_HOME/tgforge/`, never in DIR, so nothing committed churns) a fingerprint of
//! everything the output depends on (this build of tgforge and the validated spec) and the
//! digest of the manifest it left. A later run with the same fingerprint, the same manifest,
//! every manifest file on disk with its recorded digest (regular files, no links), and no
//! unfinished run, is a no-op: rendering the same inputs with the same build gives the same
//! files, which are the ones on disk. Anything else (a new machine, an edit, a deleted file,
//! a different spec or tgforge) takes the normal path. `TGFORGE_NO_CACHE=1` turns it off.

use std::path::{Path, PathBuf};

use super::lock::DirLock;
use super::manifest::{self, Digest256};
use super::paths::{Folders, Probe, join};
use crate::project::Project;

/// Hash of tgforge's sources, templates and lockfile, computed by build.rs.
const BUILD_FINGERPRINT: &str = env!("TGFORGE_BUILD_FINGERPRINT");

/// Everything the generated tree depends on: this build and the validated spec (its debug
/// form holds every value the plan reads, including the spec's file name and any lifecycle
/// policy text).
pub fn inputs_fingerprint(project: &Project) -> Digest256 {
    Digest256::of(format!("{BUILD_FINGERPRINT}\n{project:?}").as_bytes())
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
    // An unfinished or concurrent run, or a lock that is not ours to read: normal path.
    if DirLock::shared(&dir)
        .ok()?
        .is_some_and(|l| !l.leftover().is_empty())
    {
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
        let full = join(&dir, path);
        if !std::fs::symlink_metadata(&full).ok()?.is_file() {
            return None;
        }
        if Digest256::of(&std::fs::read(&full).ok()?) != *digest {
            return None;
        }
    }
    Some(manifest.files.len() + 1)
}

/// Records that `dir` now is exactly what `inputs` generates. Best effort: a cache that
/// cannot be written only costs the next run its fast path.
pub fn remember(dir: &Path, inputs: Digest256) {
    let Ok(dir) = std::path::absolute(dir) else {
        return;
    };
    let Some(entry) = cache_entry(&dir) else {
        return;
    };
    let Ok(Some((_, bytes))) = manifest::read(&dir) else {
        return;
    };
    let Some(folder) = entry.parent() else {
        return;
    };
    if std::fs::create_dir_all(folder).is_err() {
        return;
    }
    let text = format!("{} {}\n", inputs.to_hex(), Digest256::of(&bytes).to_hex());
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
