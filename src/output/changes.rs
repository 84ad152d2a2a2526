//! The plan of changes: what a run would do to the output folder, decided before any write.
//!
//! Each path the spec generates, each path tgforge generated before (the manifest, plus the
//! journal of an unfinished run) and the manifest itself gets one [`FileChange`]; whatever
//! tgforge must not touch becomes a [`Conflict`], and a plan with conflicts is never applied.
//!
//! | on disk at a generated path                    | without `--force`  | with `--force` |
//! | ---------------------------------------------- | ------------------ | -------------- |
//! | nothing (never generated, or deleted)          | create             | create         |
//! | exactly the new contents                       | unchanged          | unchanged      |
//! | what tgforge wrote last time (digest matches)  | change             | change         |
//! | a generated file edited by hand                | conflict (edited)  | change         |
//! | a file tgforge never wrote (not shown)         | conflict (foreign) | conflict       |
//! | a symbolic link, folder or special file        | conflict           | conflict       |
//!
//! A path tgforge generated before and no longer generates is deleted when its contents are
//! still what tgforge wrote, is a conflict when edited by hand (with `--force`: released,
//! i.e. left in place and dropped from the manifest, never deleted), and is forgotten when
//! already gone or replaced by something that is not a file.
//!
//! A path under an ejected module (`Known::handed_over`) that tgforge no longer generates is
//! released whatever its contents: left in place and dropped from the manifest, never deleted.
//!
//! Invariants (docs/security.md): a file is deleted only when its digest is one tgforge
//! recorded for that path; the contents of a file are kept for a diff only at a path tgforge
//! generates now and (for an old side) only when tgforge wrote that path before.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::io;
use std::path::Path;

use anyhow::{Context, Result, anyhow};

use super::manifest::{Digest256, MANIFEST_FILE, Manifest};
use super::paths::{Blocker, Folders, Probe, check_relative, join, kind, open_no_follow};
use crate::render::RenderedFile;

/// What happens to one path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Action {
    Create,
    Change,
    Delete,
    Unchanged,
}

/// Why an action happens, when it is worth saying.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Note {
    None,
    /// Generated earlier and deleted since: created again.
    Recreated,
    /// Already on disk with exactly the generated contents, but not in the manifest: from now
    /// on tgforge's.
    Adopted,
    /// Edited by hand, and overwritten or deleted because of `--force`.
    Forced,
}

/// One path of the plan.
#[derive(Debug, Clone)]
pub struct FileChange<'a> {
    /// Relative to the output root, `/`-separated.
    pub path: String,
    pub action: Action,
    pub note: Note,
    /// The contents to write (`None` for a deletion).
    pub new: Option<Cow<'a, str>>,
    /// What is on disk now, kept when it differs from `new` (for the diff).
    pub old: Option<Vec<u8>>,
    /// Permissions of the file being replaced, kept by the replacement.
    pub permissions: Option<std::fs::Permissions>,
}

/// Why a path stops the run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConflictKind {
    /// A generated file edited by hand, which the run would overwrite.
    Edited,
    /// A generated file edited by hand, which the run would delete (no longer generated).
    EditedStale,
    /// A file tgforge did not write, where it now generates one.
    Foreign,
    /// A symbolic link, a folder or a special file where tgforge writes a file, or a link or
    /// file where it needs a folder.
    Blocked(Blocker),
}

/// A path the run must not touch.
#[derive(Debug, Clone)]
pub struct Conflict<'a> {
    pub path: String,
    pub kind: ConflictKind,
    /// What is on disk (edited and foreign files).
    pub disk: Option<Vec<u8>>,
    /// What tgforge would write there (`None` for a deletion).
    pub new: Option<&'a str>,
}

/// What tgforge knows it wrote: the manifest, and the journal of a run that did not finish.
#[derive(Debug, Clone, Default)]
pub struct Known {
    pub manifest: Manifest,
    pub pending: BTreeMap<String, Digest256>,
    /// Path prefixes handed over to the user (ejected modules): a file tgforge wrote there and
    /// no longer generates is released (left in place, dropped from the manifest), never
    /// deleted.
    pub handed_over: Vec<String>,
}

impl Known {
    /// What tgforge knows it wrote, from the manifest and the journal an unfinished run left,
    /// for a run that generates `files`. The lock file is not committed, but nothing stops a
    /// pull request from adding one, so a journal entry is trusted only for a path tgforge
    /// generates now or the manifest lists: a journal can never make tgforge delete (or
    /// overwrite) a path that is otherwise none of its business.
    pub fn trusting_journal(
        manifest: Manifest,
        journal: BTreeMap<String, Digest256>,
        files: &[RenderedFile],
    ) -> Known {
        // An empty journal (every new tree) needs no set of the generated paths.
        let pending = if journal.is_empty() {
            BTreeMap::new()
        } else {
            let generated: HashSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
            journal
                .into_iter()
                .filter(|(path, _)| {
                    generated.contains(path.as_str()) || manifest.files.contains_key(path)
                })
                .collect()
        };
        Known {
            manifest,
            pending,
            handed_over: Vec::new(),
        }
    }

    /// Whether `path` is under a prefix handed over to the user.
    pub fn is_handed_over(&self, path: &str) -> bool {
        self.handed_over
            .iter()
            .any(|prefix| path.starts_with(prefix))
    }

    pub fn contains(&self, path: &str) -> bool {
        self.manifest.files.contains_key(path) || self.pending.contains_key(path)
    }

    /// Whether `digest` is what tgforge wrote (or was writing) at `path`.
    pub fn wrote(&self, path: &str, digest: Digest256) -> bool {
        self.manifest.files.get(path) == Some(&digest) || self.pending.get(path) == Some(&digest)
    }

    fn paths(&self) -> BTreeSet<&str> {
        self.manifest
            .files
            .keys()
            .chain(self.pending.keys())
            .map(String::as_str)
            .collect()
    }
}

/// Created / changed / deleted / unchanged file counts (the manifest included).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub created: usize,
    pub changed: usize,
    pub deleted: usize,
    pub unchanged: usize,
}

/// Everything a run would do, and everything that stops it.
#[derive(Debug, Clone)]
pub struct ChangePlan<'a> {
    /// Sorted by path.
    pub changes: Vec<FileChange<'a>>,
    /// Sorted by path; a plan with conflicts writes nothing.
    pub conflicts: Vec<Conflict<'a>>,
    /// Paths tgforge no longer generates whose contents it did not write, released by
    /// `--force`: left on disk as they are and dropped from the manifest (sorted).
    pub released: Vec<String>,
    /// Files of ejected modules tgforge wrote before: left in place, dropped from the
    /// manifest (the user's now), never deleted.
    pub ejected: Vec<String>,
    /// The manifest after the run.
    pub manifest: Manifest,
}

impl ChangePlan<'_> {
    pub fn counts(&self) -> Counts {
        let mut counts = Counts::default();
        for change in &self.changes {
            match change.action {
                Action::Create => counts.created += 1,
                Action::Change => counts.changed += 1,
                Action::Delete => counts.deleted += 1,
                Action::Unchanged => counts.unchanged += 1,
            }
        }
        counts
    }

    /// Whether the folder is exactly what the spec generates (nothing to do, no conflict).
    pub fn is_clean(&self) -> bool {
        self.conflicts.is_empty() && self.changes.iter().all(|c| c.action == Action::Unchanged)
    }

    /// The changes that do something.
    pub fn actions(&self) -> impl Iterator<Item = &FileChange<'_>> {
        self.changes
            .iter()
            .filter(|c| c.action != Action::Unchanged)
    }
}

/// Plans the run that makes `root` hold `files` (sorted by path, as rendered), given what
/// tgforge `known`ly wrote there and the manifest's current bytes. Reads, never writes.
/// `root_exists: false` plans a first generation without looking at the disk.
pub fn plan<'a>(
    root: &Path,
    root_exists: bool,
    files: &'a [RenderedFile],
    known: &Known,
    manifest_bytes: Option<&[u8]>,
    force: bool,
) -> Result<ChangePlan<'a>> {
    let mut changes = Vec::with_capacity(files.len() + 1);
    let mut conflicts = Vec::new();
    let mut released = Vec::new();
    let mut ejected = Vec::new();
    let mut manifest = Manifest::default();
    // Every path by its lower-case form, in one pass: a path generated twice, and two paths
    // one case-insensitive checkout would take for one file, are found here, and the
    // deletions below ask it too. Each path's own form is checked (on every core) before
    // anything is looked up at it (`inspect_all`).
    let generated = by_lower_case(files)?;
    let inspected = inspect_all(root, root_exists, files)?;
    for (file, (digest, found)) in files.iter().zip(inspected) {
        let path = file.path.as_str();
        manifest.files.insert(path.to_string(), digest);
        let mut change = FileChange {
            path: path.to_string(),
            action: Action::Create,
            note: if known.contains(path) {
                Note::Recreated
            } else {
                Note::None
            },
            new: Some(Cow::Borrowed(&file.contents)),
            old: None,
            permissions: None,
        };
        match found {
            Found::Missing => {}
            Found::Blocked(blocker) => {
                conflicts.push(conflict(path, ConflictKind::Blocked(blocker), None, file));
                continue;
            }
            Found::Same => {
                change.action = Action::Unchanged;
                change.note = if known.contains(path) {
                    Note::None
                } else {
                    Note::Adopted
                };
            }
            Found::Differs {
                disk,
                digest,
                permissions,
            } => {
                if known.wrote(path, digest) {
                    change.note = Note::None;
                } else if !known.contains(path) {
                    // Not tgforge's: its contents are never shown (it may hold anything).
                    conflicts.push(conflict(path, ConflictKind::Foreign, None, file));
                    continue;
                } else if force {
                    change.note = Note::Forced;
                } else {
                    conflicts.push(conflict(path, ConflictKind::Edited, Some(disk), file));
                    continue;
                }
                change.action = Action::Change;
                change.old = Some(disk);
                change.permissions = Some(permissions);
            }
        }
        changes.push(change);
    }

    if root_exists {
        let mut probe = Probe::new(root);
        for path in known.paths() {
            // A path that differs only in case from one it generates is the same file on a
            // case-insensitive checkout: deleting it would delete the new one.
            if generated.contains_key(&path.to_lowercase()) {
                continue;
            }
            // Gone already, or replaced by something that is not a file: not tgforge's.
            let Found::Differs { disk, digest, .. } = look(&mut probe, root, path, None)? else {
                continue;
            };
            if known.is_handed_over(path) {
                drop(disk);
                ejected.push(path.to_string());
                continue;
            }
            // Only contents tgforge wrote are ever deleted. Anything else at a path it no longer
            // generates was edited by hand, or was never tgforge's (a manifest can be edited in
            // a pull request): a conflict, and with `--force` it is released (left in place
            // and dropped from the manifest), never deleted. Its contents are never kept for
            // a diff: only files tgforge generates are shown.
            drop(disk);
            if !known.wrote(path, digest) {
                if force {
                    released.push(path.to_string());
                } else {
                    conflicts.push(Conflict {
                        path: path.to_string(),
                        kind: ConflictKind::EditedStale,
                        disk: None,
                        new: None,
                    });
                }
                continue;
            }
            changes.push(FileChange {
                path: path.to_string(),
                action: Action::Delete,
                note: Note::None,
                new: None,
                old: None,
                permissions: None,
            });
        }
    }

    let text = manifest.to_json();
    let action = match manifest_bytes {
        None => Action::Create,
        Some(old) if old == text.as_bytes() => Action::Unchanged,
        Some(_) => Action::Change,
    };
    changes.push(FileChange {
        path: MANIFEST_FILE.to_string(),
        action,
        note: Note::None,
        old: (action == Action::Change).then(|| manifest_bytes.unwrap_or_default().to_vec()),
        new: Some(Cow::Owned(text)),
        permissions: None,
    });

    changes.sort_by(|a, b| a.path.cmp(&b.path));
    conflicts.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(ChangePlan {
        changes,
        conflicts,
        released,
        ejected,
        manifest,
    })
}

/// Every path of `files` by its lower-case form; an error for a path generated twice or two
/// paths one case-insensitive checkout would take for one file.
fn by_lower_case(files: &[RenderedFile]) -> Result<HashMap<String, &str>> {
    let mut generated: HashMap<String, &str> = HashMap::with_capacity(files.len());
    for file in files {
        let path = file.path.as_str();
        if let Some(other) = generated.insert(path.to_lowercase(), path) {
            return Err(if other == path {
                anyhow!("internal error: tgforge generated `{path}` twice")
            } else {
                anyhow!(
                    "internal error: tgforge generated `{other}` and `{path}`, one file on a case-insensitive checkout"
                )
            });
        }
    }
    Ok(generated)
}

/// The check [`plan`] makes of each path's form, for a writer that starts before the plan is
/// made (a new tree: nothing on disk to look at). Paths generated twice, which the plan
/// refuses too, cannot be written outside the folder.
pub fn check_paths(files: &[RenderedFile]) -> Result<()> {
    // About 0.4 us a path; the first error in path order.
    in_runs(files, |run| {
        run.iter().try_for_each(|f| checked_path(&f.path))
    })
    .into_iter()
    .collect()
}

/// `job` of runs of consecutive files, in order: taken in turn by every core from
/// [`PARALLEL_FROM`] files, a single run on this thread below.
fn in_runs<T: Send>(files: &[RenderedFile], job: impl Fn(&[RenderedFile]) -> T + Sync) -> Vec<T> {
    if files.len() < PARALLEL_FROM {
        return vec![job(files)];
    }
    let runs: Vec<&[RenderedFile]> = files
        .chunks(files.len().div_ceil(4 * crate::cores::available()))
        .collect();
    crate::cores::each_in_order(runs.len(), |i, _: &mut ()| job(runs[i]))
}

/// An error for a path tgforge must not write.
fn checked_path(path: &str) -> Result<()> {
    check_relative(path).map_err(|e| {
        anyhow!("internal error: tgforge generated the path `{path}`, which it must not write: {e}")
    })
}

/// What is on disk at a path, compared with the contents tgforge would write there.
enum Found {
    Missing,
    Blocked(Blocker),
    /// Exactly the new contents.
    Same,
    /// A regular file with other contents.
    Differs {
        disk: Vec<u8>,
        digest: Digest256,
        permissions: std::fs::Permissions,
    },
}

/// Files at least this many are looked at by every core (reading many small files is bound
/// by system calls, which run in parallel; hashing a new tree's files is the rest).
const PARALLEL_FROM: usize = 64;

/// Each file's digest and what is on disk at its path.
type Inspected = Vec<(Digest256, Found)>;

/// The digest of each file's new contents and what is on disk at its path, in order; an error
/// for a path tgforge must not write (checked before anything is looked up there).
fn inspect_all(root: &Path, root_exists: bool, files: &[RenderedFile]) -> Result<Inspected> {
    let inspect = |files: &[RenderedFile]| -> Result<Inspected> {
        let mut probe = Probe::new(root);
        files
            .iter()
            .map(|file| {
                checked_path(&file.path)?;
                let new = file.contents.as_bytes();
                let found = if root_exists {
                    look(&mut probe, root, &file.path, Some(new))?
                } else {
                    Found::Missing
                };
                Ok((Digest256::of(new), found))
            })
            .collect()
    };
    let mut all = Vec::with_capacity(files.len());
    for run in in_runs(files, inspect) {
        all.extend(run?);
    }
    Ok(all)
}

/// What is at `rel` compared with `new` (`None`: any contents differ), without following a
/// symbolic link anywhere on the way. Only differing contents are kept.
fn look(probe: &mut Probe, root: &Path, rel: &str, new: Option<&[u8]>) -> Result<Found> {
    let full = join(root, rel);
    let folders = probe
        .folders(rel)
        .with_context(|| format!("reading {}", full.display()))?;
    match folders {
        Err(blocker) => return Ok(Found::Blocked(blocker)),
        Ok(Folders::Missing) => return Ok(Found::Missing),
        Ok(Folders::Exist) => {}
    }
    let blocked = |meta: &std::fs::Metadata| {
        Found::Blocked(Blocker {
            at: rel.to_string(),
            what: kind(meta),
        })
    };
    let mut file = match open_no_follow(&full) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Found::Missing),
        // A link (refused by O_NOFOLLOW), a socket...: say what it is. A file that cannot
        // be opened is an error.
        Err(e) => {
            return match std::fs::symlink_metadata(&full) {
                Ok(m) if !m.is_file() => Ok(blocked(&m)),
                _ => Err(e).with_context(|| format!("reading {}", full.display())),
            };
        }
    };
    let meta = file
        .metadata()
        .with_context(|| format!("reading {}", full.display()))?;
    if !meta.is_file() {
        return Ok(blocked(&meta));
    }
    let mut disk = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0) + 1);
    io::Read::read_to_end(&mut file, &mut disk)
        .with_context(|| format!("reading {}", full.display()))?;
    if new == Some(disk.as_slice()) {
        return Ok(Found::Same);
    }
    Ok(Found::Differs {
        digest: Digest256::of(&disk),
        disk,
        permissions: meta.permissions(),
    })
}

fn conflict<'a>(
    path: &str,
    kind: ConflictKind,
    disk: Option<Vec<u8>>,
    file: &'a RenderedFile,
) -> Conflict<'a> {
    Conflict {
        path: path.to_string(),
        kind,
        disk,
        new: Some(&file.contents),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rendered(path: &str, contents: &str) -> RenderedFile {
        RenderedFile {
            path: path.into(),
            contents: contents.into(),
            verbatim: false,
        }
    }

    /// Enough files to be looked at by several threads, in every state a path can be in.
    #[test]
    fn classifies_every_path_the_same_with_many_files_as_with_few() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let mut files = Vec::new();
        let mut known = Known::default();
        let count = 600;
        assert!(count >= PARALLEL_FROM && count % 5 == 0);
        for i in 0..count {
            let path = format!("env-{:02}/unit-{i:04}/terragrunt.hcl", i / 40);
            let contents = format!("n = {i}\n");
            let on_disk = root.join(&path);
            std::fs::create_dir_all(on_disk.parent().unwrap()).unwrap();
            match i % 5 {
                0 => {}                                            // missing
                1 => std::fs::write(&on_disk, &contents).unwrap(), // the same
                2 => {
                    // what tgforge wrote last time
                    std::fs::write(&on_disk, "old\n").unwrap();
                    known
                        .manifest
                        .files
                        .insert(path.clone(), Digest256::of(b"old\n"));
                }
                3 => {
                    // edited by hand
                    std::fs::write(&on_disk, "edited\n").unwrap();
                    known
                        .manifest
                        .files
                        .insert(path.clone(), Digest256::of(b"old\n"));
                }
                _ => std::fs::write(&on_disk, "foreign\n").unwrap(),
            }
            files.push(rendered(&path, &contents));
        }
        let many = plan(root, true, &files, &known, None, false).unwrap();
        let n = files.len() / 5;
        assert_eq!(
            many.counts(),
            Counts {
                created: n + 1, // and the manifest
                changed: n,
                deleted: 0,
                unchanged: n,
            }
        );
        let edited = many
            .conflicts
            .iter()
            .filter(|c| c.kind == ConflictKind::Edited)
            .count();
        let foreign = many
            .conflicts
            .iter()
            .filter(|c| c.kind == ConflictKind::Foreign)
            .count();
        assert_eq!((edited, foreign), (n, n));
        // File by file, the plan of a small batch agrees with the big one.
        for file in files.iter().step_by(37) {
            let one = plan(root, true, std::slice::from_ref(file), &known, None, false).unwrap();
            let in_many = many.changes.iter().find(|c| c.path == file.path);
            let in_one = one.changes.iter().find(|c| c.path == file.path);
            assert_eq!(
                in_many.map(|c| (c.action, c.note)),
                in_one.map(|c| (c.action, c.note)),
                "{}",
                file.path
            );
        }
    }

    /// Only contents tgforge wrote are deleted, and only generated files keep contents for
    /// a diff: a stale path whose digest differs is a conflict (released with `--force`), a
    /// foreign file is a conflict, and neither keeps what is on disk.
    #[test]
    fn never_deletes_or_keeps_contents_tgforge_did_not_write() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(
            root.join("stale.tf"),
            "theirs
",
        )
        .unwrap();
        std::fs::write(
            root.join("gone.tf"),
            "ours
",
        )
        .unwrap();
        std::fs::write(
            root.join("foreign.tf"),
            "secret
",
        )
        .unwrap();
        let mut known = Known::default();
        known.manifest.files.insert(
            "stale.tf".into(),
            Digest256::of(
                b"ours
",
            ),
        );
        known.manifest.files.insert(
            "gone.tf".into(),
            Digest256::of(
                b"ours
",
            ),
        );
        let files = [rendered(
            "foreign.tf",
            "x
",
        )];
        for force in [false, true] {
            let p = plan(root, true, &files, &known, None, force).unwrap();
            assert!(p.conflicts.iter().all(|c| c.disk.is_none()), "{force}");
            let deleted: Vec<_> = p
                .changes
                .iter()
                .filter(|c| c.action == Action::Delete)
                .map(|c| (c.path.as_str(), c.old.is_none()))
                .collect();
            assert_eq!(deleted, [("gone.tf", true)], "{force}");
            let stale_conflict = p.conflicts.iter().any(|c| c.path == "stale.tf");
            assert_eq!(stale_conflict, !force);
            assert_eq!(p.released, if force { vec!["stale.tf"] } else { vec![] });
        }
    }

    /// A journal entry counts only for a path generated now or listed in the manifest.
    #[test]
    fn a_journal_is_trusted_only_for_generated_or_manifest_paths() {
        let digest = Digest256::of(b"x");
        let mut manifest = Manifest::default();
        manifest.files.insert("old.tf".into(), digest);
        let journal = BTreeMap::from([
            ("new.tf".to_string(), digest),
            ("old.tf".to_string(), digest),
            ("notes.md".to_string(), digest),
        ]);
        let known = Known::trusting_journal(manifest, journal, &[rendered("new.tf", "x")]);
        assert_eq!(
            known.pending.keys().collect::<Vec<_>>(),
            ["new.tf", "old.tf"]
        );
    }

    #[test]
    fn refuses_to_plan_an_unsafe_or_duplicate_generated_path() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("tree");
        std::fs::create_dir(&root).unwrap();
        std::fs::write(dir.path().join("outside.tf"), "x").unwrap();
        let known = Known::default();
        // Alone, and among enough other files to be looked at on every core: each path's form
        // is checked before anything is read there.
        for count in [0, 2 * PARALLEL_FROM] {
            let with = |extra: &[&str]| -> Vec<RenderedFile> {
                let mut files: Vec<RenderedFile> = (0..count)
                    .map(|i| rendered(&format!("env/u{i:04}.tf"), "x\n"))
                    .collect();
                files.extend(extra.iter().map(|p| rendered(p, "x\n")));
                files
            };
            for (extra, expected) in [
                (vec!["../outside.tf"], "must not write"),
                (vec!["/x.tf"], "must not write"),
                (vec![".tgforge-manifest.json"], "must not write"),
                (vec![".git/config"], "must not write"),
                (vec!["z/.git/config"], "must not write"),
                (vec!["prod/con/x.tf"], "must not write"),
                (vec!["a.tf", "a.tf"], "twice"),
                (vec!["A.tf", "a.tf"], "case-insensitive checkout"),
            ] {
                let err = plan(&root, true, &with(&extra), &known, None, false)
                    .err()
                    .unwrap_or_else(|| panic!("{extra:?} was accepted"));
                assert!(err.to_string().contains(expected), "{extra:?}: {err}");
            }
            assert!(plan(&root, true, &with(&[]), &known, None, false).is_ok());
        }
    }
}
