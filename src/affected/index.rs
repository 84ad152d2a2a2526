//! git's index (`.git/index`), read as git reads it for `git diff`: each tracked file's blob
//! id with the status of the file when git last saw it, so that a file whose status has not
//! changed since is known without reading it; and the ids of the trees the index holds
//! (the `TREE` extension), so that a folder of the base whose tree is the index's needs no
//! listing from git. Formats 2, 3 and 4; a split or sparse index, a conflict, or an entry
//! marked skip-worktree or intent-to-add is left to `git diff`.

use std::collections::BTreeMap;
use std::path::Path;

use super::repository::NeedsGitDiff;

/// What git recorded of a file's status (seconds and nanoseconds; the low 32 bits of the
/// inode and size, as the index stores them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Status {
    ctime: (u32, u32),
    mtime: (u32, u32),
    ino: u32,
    size: u32,
}

impl Status {
    fn of(meta: &std::fs::Metadata) -> Status {
        use std::os::unix::fs::MetadataExt;
        Status {
            ctime: (meta.ctime() as u32, meta.ctime_nsec() as u32),
            mtime: (meta.mtime() as u32, meta.mtime_nsec() as u32),
            ino: meta.ino() as u32,
            size: meta.size() as u32,
        }
    }
}

/// One tracked file.
#[derive(Debug, Clone)]
pub struct Entry {
    pub mode: u32,
    pub id: String,
    status: Status,
}

/// The index: files by path from the top folder, and valid tree ids by folder path.
#[derive(Debug, Default)]
pub struct Index {
    pub files: BTreeMap<String, Entry>,
    pub trees: BTreeMap<String, String>,
    /// When the index was written: a file changed in the same instant may not show it.
    written: (u32, u32),
}

impl Index {
    /// Reads the index at `path` (none there: an empty index); `id_bytes` is 20 (SHA-1) or 32.
    pub fn read(path: &Path, id_bytes: usize) -> Result<Index, NeedsGitDiff> {
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Index::default()),
            Err(e) => return Err(NeedsGitDiff(format!("{}: {e}", path.display()))),
        };
        let unusual = || NeedsGitDiff(format!("{} is not an index read here", path.display()));
        let mut index = parse(&bytes, id_bytes).ok_or_else(unusual)??;
        let meta = std::fs::metadata(path).map_err(|_| unusual())?;
        let status = Status::of(&meta);
        index.written = status.mtime;
        Ok(index)
    }

    /// Whether the file (with `meta`) is certainly the one the index records: same status,
    /// not changed in the instant the index was written.
    pub fn unchanged(&self, entry: &Entry, meta: &std::fs::Metadata) -> bool {
        entry.status == Status::of(meta) && entry.status.mtime < self.written
    }
}

/// A reader over the index's bytes.
struct Bytes<'a> {
    data: &'a [u8],
    at: usize,
}

impl<'a> Bytes<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let slice = self.data.get(self.at..self.at + n)?;
        self.at += n;
        Some(slice)
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_be_bytes(self.take(4)?.try_into().ok()?))
    }
    fn u16(&mut self) -> Option<u16> {
        Some(u16::from_be_bytes(self.take(2)?.try_into().ok()?))
    }
    fn until_nul(&mut self) -> Option<&'a [u8]> {
        let len = self.data.get(self.at..)?.iter().position(|b| *b == 0)?;
        let slice = self.take(len)?;
        self.at += 1;
        Some(slice)
    }
    /// git's offset varint (index format 4).
    fn varint(&mut self) -> Option<usize> {
        let mut byte = self.take(1)?[0];
        let mut value = usize::from(byte & 127);
        while byte & 128 != 0 {
            byte = self.take(1)?[0];
            value = ((value + 1) << 7) | usize::from(byte & 127);
        }
        Some(value)
    }
}

/// `None` when the bytes are not an index; `Some(Err)` for what is left to `git diff`.
fn parse(data: &[u8], id_bytes: usize) -> Option<Result<Index, NeedsGitDiff>> {
    let mut r = Bytes { data, at: 0 };
    if r.take(4)? != b"DIRC" {
        return None;
    }
    let version = r.u32()?;
    if !(2..=4).contains(&version) {
        return Some(Err(NeedsGitDiff(format!("index format {version}"))));
    }
    let count = r.u32()?;
    let mut index = Index::default();
    let mut previous: Vec<u8> = Vec::new();
    for _ in 0..count {
        let start = r.at;
        let ctime = (r.u32()?, r.u32()?);
        let mtime = (r.u32()?, r.u32()?);
        let _dev = r.u32()?;
        let ino = r.u32()?;
        let mode = r.u32()?;
        let _uid = r.u32()?;
        let _gid = r.u32()?;
        let size = r.u32()?;
        let id = super::worktree::hex(r.take(id_bytes)?);
        let flags = r.u16()?;
        if flags & 0x4000 != 0 {
            let extended = r.u16()?;
            // skip-worktree, intent-to-add: git diff treats them apart.
            if extended & 0x6000 != 0 {
                return Some(Err(NeedsGitDiff("skip-worktree or intent-to-add".into())));
            }
        }
        if flags & 0x3000 != 0 {
            return Some(Err(NeedsGitDiff("a conflict in the index".into())));
        }
        let path = if version == 4 {
            let strip = r.varint()?;
            let suffix = r.until_nul()?;
            previous.truncate(previous.len().checked_sub(strip)?);
            previous.extend_from_slice(suffix);
            previous.clone()
        } else {
            let name = r.until_nul()?.to_vec();
            // Entries are padded with NULs to a multiple of 8 bytes (the name's NUL included).
            let len = r.at - start;
            r.at = start + len.div_ceil(8) * 8;
            name
        };
        let Ok(path) = String::from_utf8(path) else {
            return Some(Err(NeedsGitDiff("a name that is not UTF-8".into())));
        };
        if mode & 0o170000 == 0o040000 {
            return Some(Err(NeedsGitDiff("a sparse index".into())));
        }
        let status = Status {
            ctime,
            mtime,
            ino,
            size,
        };
        index.files.insert(path, Entry { mode, id, status });
    }
    // Extensions, up to the checksum at the end.
    while r.at + 8 + id_bytes <= data.len() {
        let signature = r.take(4)?;
        let size = r.u32()? as usize;
        let body = r.take(size)?;
        match signature {
            b"TREE" => read_trees(body, id_bytes, &mut index.trees)?,
            b"link" | b"sdir" => {
                return Some(Err(NeedsGitDiff("a split or sparse index".into())));
            }
            _ => {}
        }
    }
    Some(Ok(index))
}

/// The `TREE` extension: folders in depth-first order, each `name\0<entries> <subtrees>\n`
/// then its id when valid (`<entries>` is -1 for a folder changed since).
fn read_trees(body: &[u8], id_bytes: usize, trees: &mut BTreeMap<String, String>) -> Option<()> {
    let mut r = Bytes { data: body, at: 0 };
    // (path, subtrees still to read) of the folders above.
    let mut stack: Vec<(String, usize)> = Vec::new();
    while r.at < body.len() {
        let name = String::from_utf8(r.until_nul()?.to_vec()).ok()?;
        let line_end = body.get(r.at..)?.iter().position(|b| *b == b'\n')?;
        let line = std::str::from_utf8(r.take(line_end)?).ok()?;
        r.at += 1;
        let (entries, subtrees) = line.split_once(' ')?;
        let entries: i64 = entries.parse().ok()?;
        let subtrees: usize = subtrees.parse().ok()?;
        while stack.last().is_some_and(|(_, left)| *left == 0) {
            stack.pop();
        }
        let path = match stack.last_mut() {
            Some((parent, left)) => {
                *left -= 1;
                if parent.is_empty() {
                    name
                } else {
                    format!("{parent}/{name}")
                }
            }
            None => String::new(),
        };
        if entries >= 0 {
            trees.insert(path.clone(), super::worktree::hex(r.take(id_bytes)?));
        }
        stack.push((path, subtrees));
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    fn git(dir: &Path, args: &[&str]) -> String {
        let out = Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {out:?}");
        String::from_utf8(out.stdout).unwrap()
    }

    /// The index of a real repository, in formats 2, 3 and 4, is read as `git ls-files -s`
    /// and `git ls-tree` show it.
    #[test]
    fn reads_what_git_wrote() {
        for version in ["2", "3", "4"] {
            let tmp = tempfile::tempdir().unwrap();
            let dir = tmp.path();
            git(dir, &["init", "-q"]);
            std::fs::create_dir_all(dir.join("a/b")).unwrap();
            std::fs::write(dir.join("a/b/one.txt"), "one\n").unwrap();
            std::fs::write(dir.join("a/two.txt"), "two\n").unwrap();
            std::fs::write(dir.join("a/b/three-with-a-longer-name.txt"), "3\n").unwrap();
            std::fs::write(dir.join("top"), "top\n").unwrap();
            git(dir, &["add", "-A"]);
            git(dir, &["update-index", "--index-version", version]);
            git(dir, &["write-tree"]);
            let index = Index::read(&dir.join(".git/index"), 20).unwrap();
            let listed: Vec<String> = index
                .files
                .iter()
                .map(|(path, e)| format!("{:o} {} 0\t{path}", e.mode, e.id))
                .collect();
            let expected: Vec<String> = git(dir, &["ls-files", "-s"])
                .lines()
                .map(String::from)
                .collect();
            assert_eq!(listed, expected, "index format {version}");
            assert_eq!(index.trees[""], git(dir, &["write-tree"]).trim());
            assert_eq!(
                index.trees["a/b"],
                git(dir, &["write-tree", "--prefix=a/b/"]).trim()
            );
            assert_eq!(index.trees.len(), 3);
            // A folder changed since is not valid any more.
            std::fs::write(dir.join("a/b/one.txt"), "changed\n").unwrap();
            git(dir, &["add", "a/b/one.txt"]);
            let index = Index::read(&dir.join(".git/index"), 20).unwrap();
            assert!(!index.trees.contains_key("a/b") && !index.trees.contains_key(""));
        }
    }
}
