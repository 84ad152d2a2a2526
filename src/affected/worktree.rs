//! The files on disk that differ from the base revision, with one `git cat-file --batch`
//! process: it resolves the revision, lists the base's trees (each file's blob id) and
//! reads the base's manifest. As in `git diff`, git's index ([`super::index`]) spares most of
//! the work: a base folder whose tree the index holds is listed from the index, and a file
//! whose status is the one the index recorded has the index's blob id; any other file the
//! base has is hashed here as git would (`blob <size>\0<bytes>`, SHA-1 or SHA-256). Files
//! are compared by id and mode.
//!
//! A file only the base has was deleted. A file only the disk has counts when it is in the
//! index or when git does not ignore it: for those not in the index, and only then, a second
//! process is started, `git check-ignore --stdin`, so that git's own rules decide
//! (`.gitignore` files, `.git/info/exclude`, `core.excludesFile`). The result is what
//! `git diff REV` plus `git ls-files --others --exclude-standard` give, except that a file
//! removed from the index alone (`git rm --cached`), unchanged on disk and not ignored,
//! is unchanged here (it is on disk as it was at REV, and that is what Terragrunt reads).
//!
//! Where git would not store the bytes on disk as they are (see [`super::repository`]), or
//! for what this path does not model (submodules, names that are not UTF-8 or hold a
//! newline, an index format left to git), it answers [`NeedsGitDiff`] and the caller uses
//! `git diff`.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Component, Path, PathBuf};

use sha1::Digest;

use super::changes::{Answers, Questions, Revision, parse_manifest, resolve_error};
use super::git::{GitError, IgnoreRules, Object, Objects, git_failure};
use super::index::Index;
use super::repository::{NeedsGitDiff, Repository, check_attributes};
use crate::Failure;
use crate::output::manifest::MANIFEST_FILE;

/// Folders Terraform and Terragrunt fill with providers and modules (thousands of files,
/// usually ignored): asked about as a whole before being read.
const CACHES: [&str; 2] = [".terragrunt-cache", ".terraform"];

const TREE: u32 = 0o040000;
const LINK: u32 = 0o120000;
const GITLINK: u32 = 0o160000;
const EXECUTABLE: u32 = 0o100755;
const REGULAR: u32 = 0o100644;

/// One file of the base.
#[derive(Debug, Clone)]
struct BaseFile {
    mode: u32,
    id: String,
}

/// The files and folders of one base tree, by path relative to it (`""` is the tree itself,
/// for a path that was a file).
#[derive(Debug, Default)]
struct Listing {
    files: BTreeMap<String, BaseFile>,
    folders: BTreeSet<String>,
}

/// A path to compare: a folder (DIR) or an `--all-if-changed` path.
struct Target {
    disk: PathBuf,
    /// Relative to the repository's top folder, `/`-separated (`""` for the top).
    in_repo: String,
}

impl Target {
    fn repo_path(&self, rel: &str) -> String {
        join(&self.in_repo, rel)
    }
}

/// What every comparison reads.
struct Context<'a> {
    repo: &'a Repository,
    index: &'a Index,
    hash: Hash,
}

/// What one comparison found, by path relative to its target.
#[derive(Debug, Default)]
struct Found {
    changed: BTreeSet<String>,
    /// Files only on disk: they count if tracked or not ignored.
    new_files: Vec<String>,
    /// Cache folders only on disk: read only if git does not ignore them.
    held_folders: Vec<String>,
}

/// Answers `questions` about the tree on disk; `Ok(Err(_))` when `git diff` must be asked.
pub fn ask(
    repo: &Repository,
    dir: &Path,
    rev: &str,
    questions: &Questions,
) -> Result<Result<Answers, NeedsGitDiff>, Failure> {
    if rev.contains(['\n', '\r']) {
        return Ok(Err(NeedsGitDiff("a revision holding a newline".into())));
    }
    let mut targets = Vec::new();
    let dir_target = Target {
        disk: dir.to_path_buf(),
        in_repo: match in_repo(repo, dir) {
            Some(p) => p,
            None => return Ok(Err(NeedsGitDiff(format!("{} is unusual", dir.display())))),
        },
    };
    let manifest_name = join(&dir_target.in_repo, MANIFEST_FILE);
    if questions.tree_changes {
        targets.push(dir_target);
    }
    for path in questions.all_if_changed {
        let in_repo = in_repo(repo, Path::new(path)).ok_or_else(|| {
            Failure::InvalidInput(format!(
                "error: --all-if-changed {path}: it is outside the repository holding {}",
                dir.display()
            ))
        })?;
        targets.push(Target {
            disk: PathBuf::from(path),
            in_repo,
        });
    }
    for target in &targets {
        // `.gitattributes` from the top folder down to the target (those inside it are
        // checked while it is read).
        let disk = repo.top.join(&target.in_repo);
        for folder in disk.ancestors().take_while(|a| a.starts_with(&repo.top)) {
            if let Err(e) = check_attributes(&folder.join(".gitattributes")) {
                return Ok(Err(e));
            }
        }
    }

    let mut objects = Objects::start(&repo.top).map_err(|e| resolve_error(dir, rev, e))?;
    let commit = format!("{rev}^{{commit}}");
    let mut names = vec![commit.clone()];
    names.extend(targets.iter().map(|t| format!("{commit}:{}", t.in_repo)));
    if questions.manifest {
        names.push(format!("{commit}:{manifest_name}"));
    }
    let mut first = objects
        .get(&names)
        .map_err(|e| resolve_error(dir, rev, e))?
        .into_iter();
    let Some(resolved) = first.next().flatten() else {
        let _ = objects.close();
        return Err(resolve_error(dir, rev, GitError::Failed(String::new())));
    };
    let hash = Hash::of_id(&resolved.id);
    let base_objects: Vec<Option<Object>> = first.by_ref().take(targets.len()).collect();
    let mut answers = Answers {
        revision: Some(Revision {
            name: rev.to_string(),
            commit: resolved.id.clone(),
        }),
        ..Answers::default()
    };
    // No manifest at the base: every file is new.
    if let Some(Some(manifest)) = first.next() {
        answers.manifest = parse_manifest(&manifest.data, &format!("{MANIFEST_FILE} at {rev}"))?;
    }

    let index = match Index::read(&repo.index, hash.id_bytes()) {
        Ok(index) => index,
        Err(e) => return Ok(Err(e)),
    };
    let context = Context {
        repo,
        index: &index,
        hash,
    };
    let failed = |e| git_failure("comparing with the base revision", e);
    let mut found = Vec::new();
    for (target, base) in targets.iter().zip(base_objects) {
        let listing = match list(&mut objects, &context, &resolved.id, &target.in_repo, base)
            .map_err(failed)?
        {
            Ok(listing) => listing,
            Err(e) => return Ok(Err(e)),
        };
        match compare(&context, target, &listing) {
            Ok(Ok(f)) => found.push(f),
            Ok(Err(e)) => return Ok(Err(e)),
            Err(e) => return Err(io_failure(&target.disk, e)),
        }
    }
    let closed = objects.close();
    let settled = settle_new_files(&context, &targets, &mut found);
    match settled {
        Ok(Ok(())) => {}
        Ok(Err(e)) => return Ok(Err(e)),
        Err(e) => return Err(e),
    }
    closed.map_err(failed)?;

    let mut found = found.into_iter();
    if questions.tree_changes {
        answers.tree_changes = found.next().expect("DIR's comparison").changed;
    }
    let mut all = BTreeSet::new();
    for (path, f) in questions.all_if_changed.iter().zip(found) {
        all.extend(f.changed.iter().map(|rel| shown(path, rel)));
    }
    answers.all_changed = all.into_iter().collect();
    Ok(Ok(answers))
}

/// `path` (relative to the current folder) relative to the repository's top folder, or
/// `None` outside it (or not UTF-8). The nearest existing folder holding it is resolved
/// (links, `..`), then the rest is added as written: the path may be a link git tracks, or
/// gone with its folders.
fn in_repo(repo: &Repository, path: &Path) -> Option<String> {
    let absolute = std::env::current_dir().ok()?.join(path);
    let (mut resolved, rest) = absolute.ancestors().skip(1).find_map(|folder| {
        Some((
            folder.canonicalize().ok()?,
            absolute.strip_prefix(folder).ok()?,
        ))
    })?;
    for part in rest.components() {
        match part {
            Component::ParentDir => {
                resolved.pop();
            }
            Component::CurDir => {}
            other => resolved.push(other),
        }
    }
    let rel = resolved.strip_prefix(&repo.top).ok()?;
    let parts: Option<Vec<&str>> = rel.components().map(|c| c.as_os_str().to_str()).collect();
    let joined = parts?.join("/");
    (!joined.contains('\n')).then_some(joined)
}

/// How a path under a target is shown: the target as given, then the path under it.
fn shown(target: &str, rel: &str) -> String {
    if rel.is_empty() {
        target.to_string()
    } else {
        format!("{}/{rel}", target.trim_end_matches('/'))
    }
}

fn join(folder: &str, name: &str) -> String {
    match (folder.is_empty(), name.is_empty()) {
        (true, _) => name.to_string(),
        (_, true) => folder.to_string(),
        _ => format!("{folder}/{name}"),
    }
}

fn io_failure(path: &Path, e: std::io::Error) -> Failure {
    Failure::Internal(anyhow::Error::new(e).context(format!("reading {}", path.display())))
}

/// The object id function of the repository (SHA-1, or SHA-256 for `objectFormat=sha256`).
#[derive(Debug, Clone, Copy)]
enum Hash {
    Sha1,
    Sha256,
}

impl Hash {
    fn of_id(id: &str) -> Hash {
        if id.len() == 64 {
            Hash::Sha256
        } else {
            Hash::Sha1
        }
    }

    fn id_bytes(self) -> usize {
        match self {
            Hash::Sha1 => 20,
            Hash::Sha256 => 32,
        }
    }

    /// The id git gives a blob holding `bytes`.
    fn blob_id(self, bytes: &[u8]) -> String {
        let header = format!("blob {}\0", bytes.len());
        match self {
            Hash::Sha1 => hex(&sha1::Sha1::new_with_prefix(header)
                .chain_update(bytes)
                .finalize()),
            Hash::Sha256 => hex(&sha2::Sha256::new_with_prefix(header)
                .chain_update(bytes)
                .finalize()),
        }
    }
}

pub(super) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        text.push(char::from(DIGITS[usize::from(b >> 4)]));
        text.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    text
}

/// Every file under a base object (a tree read level by level, one exchange per level), or
/// the object itself when it is a file (its mode read from the tree holding it); nothing
/// when the base has no such path. A tree the index holds too (same id) is listed from the
/// index: in a checkout of REV, or for a folder a pull request does not touch, git is asked
/// for nothing under it.
fn list(
    objects: &mut Objects,
    context: &Context,
    commit: &str,
    in_repo: &str,
    base: Option<Object>,
) -> Result<Result<Listing, NeedsGitDiff>, GitError> {
    let hash = context.hash;
    let mut listing = Listing::default();
    let Some(base) = base else {
        return Ok(Ok(listing));
    };
    if base.kind == "blob" {
        let (parent, name) = in_repo.rsplit_once('/').unwrap_or(("", in_repo));
        let holder = objects
            .get(&[format!("{commit}:{parent}")])?
            .pop()
            .flatten();
        let entry = holder
            .and_then(|tree| tree_entries(&tree.data, hash))
            .and_then(|entries| entries.into_iter().find(|(_, n, _)| n == name));
        if let Some((mode, _, id)) = entry {
            listing.files.insert(String::new(), BaseFile { mode, id });
        }
        return Ok(Ok(listing));
    }
    if base.kind != "tree" {
        return Ok(Ok(listing));
    }
    if context.index.trees.get(in_repo) == Some(&base.id) {
        listing.add_from_index(context.index, in_repo, "");
        return Ok(Ok(listing));
    }
    let mut level = vec![(String::new(), base.data)];
    while !level.is_empty() {
        let mut folders = Vec::new();
        let mut ids = Vec::new();
        for (folder, data) in &level {
            let Some(entries) = tree_entries(data, hash) else {
                return Ok(Err(NeedsGitDiff(format!("names in {folder} are unusual"))));
            };
            for (mode, name, id) in entries {
                let path = join(folder, &name);
                match mode {
                    TREE => {
                        listing.folders.insert(path.clone());
                        if context.index.trees.get(&join(in_repo, &path)) == Some(&id) {
                            listing.add_from_index(context.index, in_repo, &path);
                        } else {
                            folders.push(path);
                            ids.push(id);
                        }
                    }
                    GITLINK => return Ok(Err(NeedsGitDiff(format!("submodule {path}")))),
                    _ => {
                        listing.files.insert(path, BaseFile { mode, id });
                    }
                }
            }
        }
        let trees = objects.get(&ids)?;
        level = folders
            .into_iter()
            .zip(trees)
            .map(|(folder, tree)| (folder, tree.map(|t| t.data).unwrap_or_default()))
            .collect();
    }
    Ok(Ok(listing))
}

impl Listing {
    /// Adds the index's files under `folder` (relative to the target at `in_repo`), and the
    /// folders on their way.
    fn add_from_index(&mut self, index: &Index, in_repo: &str, folder: &str) {
        let from = join(in_repo, folder);
        let prefix = if from.is_empty() {
            String::new()
        } else {
            format!("{from}/")
        };
        let skip = if in_repo.is_empty() {
            0
        } else {
            in_repo.len() + 1
        };
        for (path, entry) in index.files.range(prefix.clone()..) {
            if !path.starts_with(&prefix) {
                break;
            }
            let rel = &path[skip..];
            let mut at = rel.len();
            while let Some(slash) = rel[..at].rfind('/') {
                if rel[..slash].len() <= folder.len()
                    || !self.folders.insert(rel[..slash].to_string())
                {
                    break;
                }
                at = slash;
            }
            let file = BaseFile {
                mode: entry.mode,
                id: entry.id.clone(),
            };
            self.files.insert(rel.to_string(), file);
        }
    }
}

/// The entries of a tree object: `<octal mode> <name>\0<id bytes>` each; `None` when a
/// name is not UTF-8 or holds a newline (the batch protocol is line-based).
fn tree_entries(data: &[u8], hash: Hash) -> Option<Vec<(u32, String, String)>> {
    let mut entries = Vec::new();
    let mut rest = data;
    while !rest.is_empty() {
        let space = rest.iter().position(|b| *b == b' ')?;
        let mode = u32::from_str_radix(std::str::from_utf8(&rest[..space]).ok()?, 8).ok()?;
        rest = &rest[space + 1..];
        let nul = rest.iter().position(|b| *b == 0)?;
        let name = std::str::from_utf8(&rest[..nul]).ok()?;
        if name.contains('\n') {
            return None;
        }
        let id = rest.get(nul + 1..nul + 1 + hash.id_bytes())?;
        entries.push((mode, name.to_string(), hex(id)));
        rest = &rest[nul + 1 + hash.id_bytes()..];
    }
    Some(entries)
}

/// Compares one target on disk with its base listing.
fn compare(
    context: &Context,
    target: &Target,
    base: &Listing,
) -> std::io::Result<Result<Found, NeedsGitDiff>> {
    let mut walk = Walk::new(context, &target.in_repo, base);
    if let Err(e) = walk.visit("", &target.disk, None)? {
        return Ok(Err(e));
    }
    // What the base has and the disk does not: deleted (or replaced by a folder).
    let seen = std::mem::take(&mut walk.seen);
    for path in base.files.keys() {
        if !seen.contains(path.as_str()) {
            walk.found.changed.insert(path.clone());
        }
    }
    Ok(Ok(walk.found))
}

struct Walk<'a> {
    repo: &'a Repository,
    index: &'a Index,
    hash: Hash,
    /// The target's path from the repository's top folder.
    in_repo: &'a str,
    base: &'a Listing,
    /// The base's files found on disk.
    seen: HashSet<&'a str>,
    found: Found,
}

/// The listing of a folder the base does not have.
static NO_BASE: Listing = Listing {
    files: BTreeMap::new(),
    folders: BTreeSet::new(),
};

impl<'a> Walk<'a> {
    fn new(context: &Context<'a>, in_repo: &'a str, base: &'a Listing) -> Walk<'a> {
        Walk {
            repo: context.repo,
            index: context.index,
            hash: context.hash,
            in_repo,
            base,
            seen: HashSet::new(),
            found: Found::default(),
        }
    }

    /// Compares `path` (at `rel` under the target) and what is under it with the base.
    /// `entry` is the folder entry that led here (its status is read relative to the
    /// folder, cheaper than through the whole path).
    fn visit(
        &mut self,
        rel: &str,
        path: &Path,
        entry: Option<&std::fs::DirEntry>,
    ) -> std::io::Result<Result<(), NeedsGitDiff>> {
        let kind = match entry {
            Some(entry) => entry.file_type()?,
            None => match std::fs::symlink_metadata(path) {
                Ok(meta) => meta.file_type(),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Ok(())),
                Err(e) => return Err(e),
            },
        };
        if kind.is_dir() {
            if !rel.is_empty() && !self.base.folders.contains(rel) {
                return self.new_folder(rel, path);
            }
            return self.visit_children(rel, path);
        } else if kind.is_file() || kind.is_symlink() {
            if path.file_name().is_some_and(|n| n == ".gitattributes")
                && let Err(e) = check_attributes(path)
            {
                return Ok(Err(e));
            }
            match self.base.files.get_key_value(rel) {
                Some((key, base)) => {
                    self.seen.insert(key);
                    let meta = match entry {
                        Some(entry) => entry.metadata()?,
                        None => std::fs::symlink_metadata(path)?,
                    };
                    if self.differs(base, rel, path, &meta)? {
                        self.found.changed.insert(rel.to_string());
                    }
                }
                None => self.found.new_files.push(rel.to_string()),
            }
        }
        Ok(Ok(()))
    }

    /// Visits what the folder at `path` (at `rel`) holds, but `.git`.
    fn visit_children(
        &mut self,
        rel: &str,
        path: &Path,
    ) -> std::io::Result<Result<(), NeedsGitDiff>> {
        for entry in std::fs::read_dir(path)? {
            let entry = entry?;
            let Ok(name) = entry.file_name().into_string() else {
                return Ok(Err(NeedsGitDiff("a name that is not UTF-8".into())));
            };
            if name == ".git" {
                continue;
            }
            if name.contains('\n') {
                return Ok(Err(NeedsGitDiff("a name holding a newline".into())));
            }
            if let Err(e) = self.visit(&join(rel, &name), &entry.path(), Some(&entry))? {
                return Ok(Err(e));
            }
        }
        Ok(Ok(()))
    }

    /// A folder the base does not have: every file under it is new; a cache folder is held
    /// until git says whether it is ignored.
    fn new_folder(&mut self, rel: &str, path: &Path) -> std::io::Result<Result<(), NeedsGitDiff>> {
        let name = rel.rsplit('/').next().unwrap_or(rel);
        if CACHES.contains(&name) {
            self.found.held_folders.push(rel.to_string());
            return Ok(Ok(()));
        }
        self.new_folder_contents(rel, path)
    }

    /// Every file under the folder at `path` (at `rel`) is new, but cache folders are held.
    fn new_folder_contents(
        &mut self,
        rel: &str,
        path: &Path,
    ) -> std::io::Result<Result<(), NeedsGitDiff>> {
        let context = Context {
            repo: self.repo,
            index: self.index,
            hash: self.hash,
        };
        let in_repo = join(self.in_repo, rel);
        let mut inner = Walk::new(&context, &in_repo, &NO_BASE);
        if let Err(e) = inner.visit_children("", path)? {
            return Ok(Err(e));
        }
        let prefix = |p: String| join(rel, &p);
        self.found
            .new_files
            .extend(inner.found.new_files.into_iter().map(prefix));
        self.found
            .held_folders
            .extend(inner.found.held_folders.into_iter().map(prefix));
        Ok(Ok(()))
    }

    /// Whether the file at `path` (at `rel`) differs from the base's: its kind, executable
    /// bit (unless `core.fileMode` is false) or blob id. The file is read only when the index
    /// does not vouch for it (same id as the base, same status as when git last saw it).
    fn differs(
        &self,
        base: &BaseFile,
        rel: &str,
        path: &Path,
        meta: &std::fs::Metadata,
    ) -> std::io::Result<bool> {
        use std::os::unix::fs::PermissionsExt;
        let mode = if meta.file_type().is_symlink() {
            LINK
        } else if self.repo.file_mode && meta.permissions().mode() & 0o100 != 0 {
            EXECUTABLE
        } else {
            REGULAR
        };
        let base_mode = match base.mode {
            EXECUTABLE if !self.repo.file_mode => REGULAR,
            other => other,
        };
        if mode != base_mode {
            return Ok(true);
        }
        let repo_path = join(self.in_repo, rel);
        if let Some(entry) = self.index.files.get(&repo_path)
            && entry.id == base.id
            && self.index.unchanged(entry, meta)
        {
            return Ok(false);
        }
        let bytes = if mode == LINK {
            use std::os::unix::ffi::OsStrExt;
            std::fs::read_link(path)?.as_os_str().as_bytes().to_vec()
        } else {
            std::fs::read(path)?
        };
        Ok(self.hash.blob_id(&bytes) != base.id)
    }
}

/// Decides the files only on disk: those in the index count, the others count unless git
/// ignores them (asked of a `check-ignore` process, started only if there are such files).
/// A cache folder git does not ignore is read then, and its files decided the same way.
fn settle_new_files(
    context: &Context,
    targets: &[Target],
    found: &mut [Found],
) -> Result<Result<(), NeedsGitDiff>, Failure> {
    let failed = |e| git_failure("listing untracked files", e);
    let mut rules: Option<IgnoreRules> = None;
    loop {
        let mut untracked: Vec<(usize, String, bool)> = Vec::new();
        for (at, (target, f)) in targets.iter().zip(found.iter_mut()).enumerate() {
            for rel in std::mem::take(&mut f.new_files) {
                if context.index.files.contains_key(&target.repo_path(&rel)) {
                    f.changed.insert(rel);
                } else {
                    untracked.push((at, rel, false));
                }
            }
            untracked.extend(f.held_folders.drain(..).map(|rel| (at, rel, true)));
        }
        if untracked.is_empty() {
            break;
        }
        if rules.is_none() {
            rules = Some(IgnoreRules::start(&context.repo.top).map_err(failed)?);
        }
        let paths: Vec<String> = untracked
            .iter()
            .map(|(at, rel, _)| targets[*at].repo_path(rel))
            .collect();
        let ignored = rules
            .as_mut()
            .expect("started")
            .ignored(&paths)
            .map_err(failed)?;
        for ((at, rel, folder), ignored) in untracked.into_iter().zip(ignored) {
            if ignored {
                continue;
            }
            if !folder {
                found[at].changed.insert(rel);
                continue;
            }
            // A cache folder git does not ignore: all of it is new.
            let target = &targets[at];
            let mut walk = Walk::new(context, &target.in_repo, &NO_BASE);
            let path = target.disk.join(&rel);
            match walk.new_folder_contents(&rel, &path) {
                Ok(Ok(())) => {}
                Ok(Err(e)) => return Ok(Err(e)),
                Err(e) => return Err(io_failure(&path, e)),
            }
            found[at].new_files.extend(walk.found.new_files);
            found[at].held_folders.extend(walk.found.held_folders);
        }
    }
    if let Some(rules) = rules {
        rules.close().map_err(failed)?;
    }
    Ok(Ok(()))
}
