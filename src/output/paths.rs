//! Paths inside the output folder: relative, `/`-separated, and never leading out of it.
//!
//! Every path tgforge writes, deletes or shows passes [`check_relative`]: only paths tgforge
//! could generate (no `..`, no absolute path, nothing in `.git`, no Windows device name or
//! forbidden character, no invisible formatting character, no name reserved for tgforge's own
//! files). That holds for generated paths and, more to the point, for every path read from
//! the manifest or the journal, which a pull request can edit. Every folder between the
//! output root and the file is looked at with `symlink_metadata` ([`Probe`]): a symbolic
//! link, or a file where a folder is needed, stops the run instead of being followed.

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
    if path.chars().any(is_invisible_format) {
        return Err("the path contains an invisible formatting character".into());
    }
    if path.contains(['<', '>', '"', '|', '?', '*']) {
        return Err("the path contains a character Windows forbids in names".into());
    }
    for part in path.split('/') {
        if part.is_empty() || part == "." || part == ".." {
            return Err("the path has an empty, `.` or `..` component".into());
        }
        // Git's own folder: tgforge never writes it, and a tampered manifest or journal must
        // not make it read, print or delete anything there (`.GIT` too: case-insensitive
        // checkouts).
        if part.eq_ignore_ascii_case(".git") {
            return Err("the path is inside `.git`".into());
        }
        if is_windows_reserved(part) {
            return Err(format!("`{part}` is a name Windows reserves for a device"));
        }
        if part.ends_with('.') || part.ends_with(' ') {
            return Err("a path component ends with `.` or a space".into());
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

/// Whether `name` (one path component) is a device name Windows reserves, with or without an
/// extension (`con`, `nul.txt`, `COM1`...): such a file cannot be checked out on Windows.
pub fn is_windows_reserved(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or(name).trim_end_matches(' ');
    // Every reserved name is 3 to 7 bytes long: most names need no lower-case copy.
    if !(3..=7).contains(&stem.len()) {
        return false;
    }
    let lower = stem.to_ascii_lowercase();
    match lower.as_str() {
        "con" | "prn" | "aux" | "nul" | "conin$" | "conout$" => true,
        _ => {
            // `get`: a name whose third byte is inside a character is simply not reserved.
            let (Some(prefix), Some(digit)) = (lower.get(..3), lower.get(3..)) else {
                return false;
            };
            (prefix == "com" || prefix == "lpt")
                && (matches!(digit.as_bytes(), [b'0'..=b'9'])
                    || matches!(digit, "\u{b9}" | "\u{b2}" | "\u{b3}"))
        }
    }
}

/// Bidirectional and zero-width formatting characters: invisible, and able to make a listed
/// path (or a diff line) read as something else.
pub fn is_invisible_format(c: char) -> bool {
    matches!(
        c,
        '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}'
    )
}

/// The first pair of `paths` that differ only in letter case (they would be one file on a
/// case-insensitive checkout: macOS and Windows by default).
pub fn case_collision<'p>(paths: impl IntoIterator<Item = &'p str>) -> Option<(&'p str, &'p str)> {
    let mut seen: HashMap<String, &'p str> = HashMap::new();
    for path in paths {
        if let Some(other) = seen.insert(path.to_lowercase(), path)
            && other != path
        {
            return Some((other, path));
        }
    }
    None
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

    /// Whether folder `rel` (`""`: the root) and every folder above it exist as real
    /// folders (no symbolic link anywhere on the way).
    pub fn is_real_folder(&mut self, rel: &str) -> io::Result<bool> {
        if rel.is_empty() {
            return Ok(true);
        }
        Ok(matches!(
            self.folders(&format!("{rel}/x"))?,
            Ok(Folders::Exist)
        ))
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

/// Opens `path` for reading without following a final symbolic link (and without blocking
/// on a FIFO); elsewhere than Linux, checks first (the folders were checked already).
pub fn open_no_follow(path: &Path) -> io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::OFlags;
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags((OFlags::NOFOLLOW | OFlags::NONBLOCK).bits() as i32);
    }
    #[cfg(not(target_os = "linux"))]
    if !std::fs::symlink_metadata(path)?.is_file() {
        return Err(io::Error::other("not a regular file"));
    }
    options.open(path)
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
            ".git/HEAD",
            "a/.GIT/config",
            "production/con/x.tf",
            "NUL.json",
            "com1.txt",
            "a/lpt9",
            "a./b",
            "a /b",
            "a\u{202e}b",
            "a|b",
            "a*b",
        ] {
            assert!(check_relative(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn finds_paths_that_differ_only_in_case() {
        assert_eq!(case_collision(["a/B.tf", "a/c.tf"]), None);
        assert_eq!(
            case_collision(["README.md", "x.tf", "readme.MD"]),
            Some(("README.md", "readme.MD"))
        );
        assert!(!is_windows_reserved("console"));
        assert!(!is_windows_reserved("com10"));
        assert!(is_windows_reserved("Aux.tf"));
    }

    #[test]
    fn lists_parent_folders_outermost_first() {
        assert_eq!(parent_folders("a/b/c").collect::<Vec<_>>(), ["a", "a/b"]);
        assert_eq!(parent_folders("c").count(), 0);
        assert_eq!(parent_of("a/b/c"), "a/b");
        assert_eq!(parent_of("c"), "");
    }
}
