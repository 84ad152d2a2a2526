//! Paths inside the output folder: relative, `/`-separated, and never leading out of it.
//!
//! Every path tgforge writes or deletes passes [`check_relative`] (no `..`, no absolute path,
//! no reserved name), and every folder between the output root and the file is looked at
//! with `symlink_metadata` ([`Probe`]): a symbolic link, or a file where a folder is needed,
//! stops the run instead of being followed.

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};

use super::atomic::TEMP_PREFIX;
use super::lock::LOCK_FILE;
use super::manifest::MANIFEST_FILE;

/// Why a relative path is refused, or `Ok` when tgforge may write it.
pub fn check_relative(path: &str) -> Result<(), String> {
    if path.is_empty() {
        return Err("the path is empty".into());
    }
    if path.starts_with('/') {
        return Err("the path is absolute".into());
    }
    if path.contains('\\') || path.contains(':') {
        return Err("the path contains `\\` or `:`".into());
    }
    if path.chars().any(char::is_control) {
        return Err("the path contains a control character".into());
    }
    for part in path.split('/') {
        if part.is_empty() || part == "." || part == ".." {
            return Err("the path has an empty, `.` or `..` component".into());
        }
        if part.starts_with(TEMP_PREFIX) {
            return Err(format!(
                "`{TEMP_PREFIX}*` names are tgforge's temporary files"
            ));
        }
    }
    if path == MANIFEST_FILE || path == LOCK_FILE {
        return Err("the name is reserved for tgforge's own files".into());
    }
    Ok(())
}

/// `rel` (already checked, or `""` for the root itself) under `root`.
pub fn join(root: &Path, rel: &str) -> PathBuf {
    let mut path = root.to_path_buf();
    if !rel.is_empty() {
        path.extend(rel.split('/'));
    }
    path
}

/// The folders of `rel`, outermost first: `a/b/c.tf` gives `a`, `a/b`.
pub fn parent_folders(rel: &str) -> impl Iterator<Item = &str> {
    rel.match_indices('/').map(move |(i, _)| &rel[..i])
}

/// The parent folder of `rel`, or `""` for a file at the root.
pub fn parent_of(rel: &str) -> &str {
    rel.rfind('/').map_or("", |i| &rel[..i])
}

/// What stands in the way of a path inside the output folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blocker {
    /// The relative path of the offending entry (the file itself or one of its folders).
    pub at: String,
    /// What it is: "a symbolic link", "a file", "a folder", "a special file".
    pub what: &'static str,
}

/// Whether every folder of a path exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Folders {
    /// Every folder exists as a real folder.
    Exist,
    /// One is missing (so the file is missing too, and the folders will be created).
    Missing,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FolderState {
    Folder,
    Missing,
    Blocked(&'static str),
}

/// Looks at the folders of paths under one root, each folder once.
pub struct Probe<'r> {
    root: &'r Path,
    folders: HashMap<String, FolderState>,
}

impl<'r> Probe<'r> {
    pub fn new(root: &'r Path) -> Probe<'r> {
        Probe {
            root,
            folders: HashMap::new(),
        }
    }

    /// Checks every folder between the root and `rel`, never following a symbolic link.
    pub fn folders(&mut self, rel: &str) -> io::Result<Result<Folders, Blocker>> {
        for folder in parent_folders(rel) {
            let state = match self.folders.get(folder) {
                Some(state) => *state,
                None => {
                    let state = match std::fs::symlink_metadata(join(self.root, folder)) {
                        Ok(m) if m.is_dir() => FolderState::Folder,
                        Ok(m) => FolderState::Blocked(kind(&m)),
                        Err(e) if e.kind() == io::ErrorKind::NotFound => FolderState::Missing,
                        Err(e) if e.kind() == io::ErrorKind::NotADirectory => FolderState::Missing,
                        Err(e) => return Err(e),
                    };
                    self.folders.insert(folder.to_string(), state);
                    state
                }
            };
            match state {
                FolderState::Folder => {}
                FolderState::Missing => return Ok(Ok(Folders::Missing)),
                FolderState::Blocked(what) => {
                    return Ok(Err(Blocker {
                        at: folder.to_string(),
                        what,
                    }));
                }
            }
        }
        Ok(Ok(Folders::Exist))
    }
}

/// What a non-folder directory entry is, in words.
pub fn kind(meta: &std::fs::Metadata) -> &'static str {
    let t = meta.file_type();
    if t.is_symlink() {
        "a symbolic link"
    } else if t.is_file() {
        "a file"
    } else if t.is_dir() {
        "a folder"
    } else {
        "a special file"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_paths_that_leave_the_root_or_clash_with_tgforge_files() {
        for good in ["root.hcl", "a/b/c.tf", ".github/workflows/x.yml", "a..b/c"] {
            assert_eq!(check_relative(good), Ok(()), "{good}");
        }
        for bad in [
            "",
            "/etc/passwd",
            "../x",
            "a/../../x",
            "a//b",
            "a/./b",
            "a/",
            "C:/x",
            "a\\b",
            "a\nb",
            MANIFEST_FILE,
            LOCK_FILE,
            "a/.tgforge-tmp-123",
        ] {
            assert!(check_relative(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn lists_parent_folders_outermost_first() {
        assert_eq!(parent_folders("a/b/c").collect::<Vec<_>>(), ["a", "a/b"]);
        assert_eq!(parent_folders("c").count(), 0);
        assert_eq!(parent_of("a/b/c"), "a/b");
        assert_eq!(parent_of("c"), "");
    }
}
