//! Helpers for the regeneration tests: spec variants in a temp dir, running `tgforge gen`,
//! and snapshots of a tree with its modification times.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

pub use super::{repo, tgforge, write_spec};

pub const MANIFEST: &str = ".tgforge-manifest.json";

/// The text of `specs/<name>.yaml`.
pub fn example(name: &str) -> String {
    std::fs::read_to_string(repo().join("specs").join(format!("{name}.yaml"))).unwrap()
}

/// `text` with `from` replaced by `to`, which must occur exactly once.
pub fn edit(text: &str, from: &str, to: &str) -> String {
    assert_eq!(text.matches(from).count(), 1, "`{from}` occurs once");
    text.replacen(from, to, 1)
}

/// `text` without the lines from the one starting with `start` up to (not including) the one
/// starting with `end`.
pub fn cut(text: &str, start: &str, end: &str) -> String {
    let a = text
        .find(start)
        .unwrap_or_else(|| panic!("{start:?} in the spec"));
    let b = a + text[a..]
        .find(end)
        .unwrap_or_else(|| panic!("{end:?} after {start:?}"));
    format!("{}{}", &text[..a], &text[b..])
}

/// Runs `tgforge gen SPEC -o OUT ARGS...`.
pub fn gen_cmd(spec: &Path, out: &Path, args: &[&str]) -> assert_cmd::assert::Assert {
    tgforge()
        .arg("gen")
        .arg(spec)
        .arg("-o")
        .arg(out)
        .args(args)
        .assert()
}

/// A temp dir holding `team-task.yaml` (the example spec, under its own name so that the
/// generated headers do not change between variants) and the path of an output folder, `out`.
pub struct TeamTask {
    pub tmp: tempfile::TempDir,
    /// Whether `gen` and `diff` may take the fast path (`TGFORGE_NO_CACHE` unset).
    cache: bool,
}

impl TeamTask {
    /// The example spec written, nothing generated.
    pub fn new() -> TeamTask {
        let t = TeamTask {
            tmp: tempfile::tempdir().unwrap(),
            cache: true,
        };
        t.write_spec(&example("team-task"));
        t
    }

    /// As [`TeamTask::new`], with the fast path off for every run (`TGFORGE_NO_CACHE=1`).
    pub fn uncached() -> TeamTask {
        TeamTask {
            cache: false,
            ..TeamTask::new()
        }
    }

    /// Generated into `out`, then every file aged (so a rewrite shows in [`touched`]).
    pub fn generated_and_aged() -> TeamTask {
        let t = TeamTask::new();
        t.run(&[]).success();
        age_all(&t.out());
        t
    }

    pub fn spec(&self) -> PathBuf {
        self.tmp.path().join("team-task.yaml")
    }

    pub fn out(&self) -> PathBuf {
        self.tmp.path().join("out")
    }

    /// Replaces the spec's text.
    pub fn write_spec(&self, text: &str) {
        write_spec(self.tmp.path(), "team-task.yaml", text);
    }

    /// `tgforge gen SPEC -o OUT ARGS...`.
    pub fn run(&self, args: &[&str]) -> assert_cmd::assert::Assert {
        self.tgforge("gen", args)
    }

    /// `tgforge diff SPEC -o OUT ARGS...`.
    pub fn diff(&self, args: &[&str]) -> assert_cmd::assert::Assert {
        self.tgforge("diff", args)
    }

    fn tgforge(&self, command: &str, args: &[&str]) -> assert_cmd::assert::Assert {
        let mut tgforge = tgforge();
        if !self.cache {
            tgforge.env("TGFORGE_NO_CACHE", "1");
        }
        tgforge
            .arg(command)
            .arg(self.spec())
            .arg("-o")
            .arg(self.out())
            .args(args)
            .assert()
    }
}

/// One file of a tree: contents and modification time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub bytes: Vec<u8>,
    pub modified: SystemTime,
}

/// Every file and folder under `root` (relative `/`-separated path); folders map to `None`.
pub fn snapshot(root: &Path) -> BTreeMap<String, Option<Entry>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Option<Entry>>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let rel = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let meta = std::fs::symlink_metadata(&path).unwrap();
            if meta.is_dir() {
                out.insert(rel, None);
                walk(root, &path, out);
            } else {
                out.insert(
                    rel,
                    Some(Entry {
                        bytes: std::fs::read(&path).unwrap_or_default(),
                        modified: meta.modified().unwrap(),
                    }),
                );
            }
        }
    }
    let mut out = BTreeMap::new();
    if root.exists() {
        walk(root, root, &mut out);
    }
    out
}

/// The files of a snapshot (paths -> bytes).
pub fn files(snapshot: &BTreeMap<String, Option<Entry>>) -> BTreeMap<String, Vec<u8>> {
    snapshot
        .iter()
        .filter_map(|(p, e)| e.as_ref().map(|e| (p.clone(), e.bytes.clone())))
        .collect()
}

/// A fixed time long ago, so that "not rewritten" never depends on timing.
pub fn long_ago() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000)
}

/// Sets every file under `root` to [`long_ago`].
pub fn age_all(root: &Path) {
    for (rel, entry) in snapshot(root) {
        if entry.is_some() {
            std::fs::File::options()
                .write(true)
                .open(root.join(&rel))
                .unwrap()
                .set_modified(long_ago())
                .unwrap();
        }
    }
}

/// The files under `root` rewritten since [`age_all`].
pub fn touched(root: &Path) -> Vec<String> {
    snapshot(root)
        .into_iter()
        .filter_map(|(p, e)| e.filter(|e| e.modified != long_ago()).map(|_| p))
        .collect()
}

/// Temporary files or a lock file anywhere under `root`.
pub fn leftovers(root: &Path) -> Vec<String> {
    snapshot(root)
        .into_keys()
        .filter(|p| {
            let name = p.rsplit('/').next().unwrap();
            name.starts_with(".tgforge-tmp-") || name == ".tgforge.lock"
        })
        .collect()
}
