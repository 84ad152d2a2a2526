//! Looking at many files of one tree through folders held open (Linux).
//!
//! `lstat` of `DIR/env/infrastructure/unit/terragrunt.hcl` makes the kernel walk every
//! component of the path, DIR's own included, for each of the 8,543 files of a tree with 500
//! environments: that walk (`link_path_walk`, `__d_lookup_rcu`) was a fifth of the no-op
//! rerun's samples (perf). Here each folder is opened once, relative to the folder above it,
//! and each file is looked at relative to its open folder, one component per call. Every
//! folder is opened with `O_NOFOLLOW | O_DIRECTORY`, so a symbolic link (or a file) where a
//! folder should be fails the call, as [`super::paths::Probe`] refuses it.

use std::ffi::CString;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::path::Path;

/// What `statx` says of a file, in the terms of `std::fs::Metadata` on Linux (which is built
/// from `statx` the same way), so that stamps taken either way compare equal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileStatus {
    pub regular: bool,
    pub device: u64,
    pub inode: u64,
    pub size: u64,
    pub modified: (i64, i64),
    pub changed: (i64, i64),
}

/// The folders open on the way to the last file looked at: the root, then each folder
/// below the one before it.
pub struct OpenFolders {
    /// (path relative to the root, `""` for the root; the open folder).
    open: Vec<(String, OwnedFd)>,
}

impl OpenFolders {
    /// Opens `root` (which may be a symbolic link: the user named it).
    pub fn new(root: &Path) -> io::Result<OpenFolders> {
        let root = std::fs::File::open(root)?;
        if !root.metadata()?.is_dir() {
            return Err(io::Error::from(io::ErrorKind::NotADirectory));
        }
        Ok(OpenFolders {
            open: vec![(String::new(), OwnedFd::from(root))],
        })
    }

    /// The status of `rel` (`/`-separated, relative to the root) without following a final
    /// symbolic link; an error if any folder on the way is missing, not a folder, or a link.
    pub fn status(&mut self, rel: &str) -> io::Result<FileStatus> {
        let (folder, name) = rel.rsplit_once('/').unwrap_or(("", rel));
        let at = self.enter(folder)?;
        status_at(at, name)
    }

    /// Whether `rel` exists (as anything, a link included), looked at from the open folder
    /// `from` (relative to the root) with the rest of the path walked by the kernel.
    pub fn exists_below(&mut self, from: &str, rel: &str) -> io::Result<bool> {
        let at = self.enter(from)?;
        match status_at(at, rel) {
            Ok(_) => Ok(true),
            Err(e) if matches!(e.raw_os_error(), Some(libc::ENOENT | libc::ENOTDIR)) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Makes `folder` the innermost open folder, opening what is missing on the way.
    fn enter(&mut self, folder: &str) -> io::Result<&OwnedFd> {
        while let Some((open, _)) = self.open.last() {
            let inside = open.is_empty()
                || folder == open
                || (folder.starts_with(open.as_str())
                    && folder.as_bytes().get(open.len()) == Some(&b'/'));
            if inside {
                break;
            }
            self.open.pop();
        }
        let (open, _) = self.open.last().expect("the root stays open");
        let start = if open.is_empty() { 0 } else { open.len() + 1 };
        if start < folder.len() {
            let rest = folder[start..].to_string();
            for name in rest.split('/') {
                let (above, fd) = self.open.last().expect("the root stays open");
                let path = if above.is_empty() {
                    name.to_string()
                } else {
                    format!("{above}/{name}")
                };
                let name = c_name(name)?;
                // SAFETY: `fd` is an open folder and `name` a NUL-terminated string; the
                // returned descriptor (when not -1) is new and owned by nothing else.
                let child = unsafe {
                    libc::openat(
                        fd.as_raw_fd(),
                        name.as_ptr(),
                        libc::O_RDONLY | libc::O_DIRECTORY | libc::O_NOFOLLOW | libc::O_CLOEXEC,
                    )
                };
                if child < 0 {
                    return Err(io::Error::last_os_error());
                }
                // SAFETY: see above.
                let child = unsafe { OwnedFd::from_raw_fd(child) };
                self.open.push((path, child));
            }
        }
        Ok(&self.open.last().expect("the root stays open").1)
    }
}

fn c_name(name: &str) -> io::Result<CString> {
    if name.is_empty() || name == "." || name == ".." {
        return Err(io::Error::from(io::ErrorKind::InvalidInput));
    }
    CString::new(name).map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))
}

/// `statx` of `rel` in folder `at`, not following a final link.
fn status_at(at: &OwnedFd, rel: &str) -> io::Result<FileStatus> {
    if rel.split('/').any(|part| part == "..") {
        return Err(io::Error::from(io::ErrorKind::InvalidInput));
    }
    let name = CString::new(rel).map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))?;
    // SAFETY: an all-zero `statx` is a valid value of a plain C struct.
    let mut buf: libc::statx = unsafe { std::mem::zeroed() };
    // SAFETY: `at` is open, `name` NUL-terminated, `buf` a writable `statx`.
    let done = unsafe {
        libc::statx(
            at.as_raw_fd(),
            name.as_ptr(),
            libc::AT_SYMLINK_NOFOLLOW | libc::AT_STATX_SYNC_AS_STAT,
            libc::STATX_BASIC_STATS,
            &mut buf,
        )
    };
    if done != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(FileStatus {
        regular: u32::from(buf.stx_mode) & libc::S_IFMT == libc::S_IFREG,
        device: libc::makedev(buf.stx_dev_major, buf.stx_dev_minor),
        inode: buf.stx_ino,
        size: buf.stx_size,
        modified: (buf.stx_mtime.tv_sec, i64::from(buf.stx_mtime.tv_nsec)),
        changed: (buf.stx_ctime.tv_sec, i64::from(buf.stx_ctime.tv_nsec)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::MetadataExt;

    #[test]
    fn statuses_match_std_and_links_on_the_way_are_refused() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path();
        std::fs::create_dir_all(dir.join("a/b")).unwrap();
        std::fs::create_dir_all(dir.join("c")).unwrap();
        std::fs::write(dir.join("a/b/x.tf"), "x\n").unwrap();
        std::fs::write(dir.join("a/y.tf"), "yy\n").unwrap();
        std::fs::write(dir.join("c/z.tf"), "z\n").unwrap();
        std::os::unix::fs::symlink(dir.join("a"), dir.join("link")).unwrap();
        std::os::unix::fs::symlink(dir.join("a/y.tf"), dir.join("c/l.tf")).unwrap();
        let mut open = OpenFolders::new(dir).unwrap();
        for rel in ["a/b/x.tf", "a/y.tf", "c/z.tf", "a/b/x.tf"] {
            let status = open.status(rel).unwrap();
            let meta = std::fs::symlink_metadata(dir.join(rel)).unwrap();
            assert!(status.regular, "{rel}");
            assert_eq!(
                (status.device, status.inode, status.size),
                (meta.dev(), meta.ino(), meta.size()),
                "{rel}"
            );
            assert_eq!(status.modified, (meta.mtime(), meta.mtime_nsec()), "{rel}");
            assert_eq!(status.changed, (meta.ctime(), meta.ctime_nsec()), "{rel}");
        }
        // A link as the file: seen, not followed. A link as a folder: refused.
        assert!(!open.status("c/l.tf").unwrap().regular);
        assert!(open.status("link/y.tf").is_err());
        assert!(open.status("a/missing/x.tf").is_err());
        assert!(open.status("a/../c/z.tf").is_err());
        assert!(open.exists_below("a", "b/x.tf").unwrap());
        assert!(!open.exists_below("a", "b/none.tf").unwrap());
        assert!(!open.exists_below("c", "z.tf/under").unwrap());
    }
}
