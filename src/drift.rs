//! Drift explained: what `gen --check`, `gen --dry-run` and `tgforge diff` say about each file
//! that differs from what the spec generates, and why it differs.
//!
//! | label | the file |
//! | --- | --- |
//! | changed by the spec | is what tgforge wrote last time; the spec now generates other contents (or a new file) |
//! | edited by hand | was generated, and its contents are no longer what tgforge wrote |
//! | generated but missing | was generated (it is in the manifest) and has been deleted |
//! | stale | was generated, is unchanged since, and the spec no longer generates it |
//! | not written by tgforge | is in the way of a generated file (no manifest entry, or a link or folder) |
//!
//! The labels come from the plan of changes ([`crate::output::ChangePlan`]), which already
//! tells these cases apart; this module only names them, counts them and prints them (a
//! listing line per file, the summary line, GitHub workflow annotations).

use std::io::{self, Write};
use std::path::Path;
use std::time::Duration;

use similar::{DiffTag, TextDiff};

use crate::output::report::Style;
use crate::output::{Action, ChangePlan, ConflictKind, MANIFEST_FILE, Note};

/// Why a file differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Spec,
    Edited,
    Missing,
    Stale,
    Foreign,
}

impl Kind {
    pub const ALL: [Kind; 5] = [
        Kind::Spec,
        Kind::Edited,
        Kind::Missing,
        Kind::Stale,
        Kind::Foreign,
    ];

    /// The label printed beside the file.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Spec => "changed by the spec",
            Kind::Edited => "edited by hand",
            Kind::Missing => "generated but missing",
            Kind::Stale => "stale",
            Kind::Foreign => "not written by tgforge",
        }
    }

    /// What to do about it, for annotations.
    fn remedy(self) -> &'static str {
        match self {
            Kind::Spec => "run `tgforge gen` and commit the result",
            Kind::Edited => {
                "move the change into the spec or a file of your own (`*_override.tf`), then run `tgforge gen --force`"
            }
            Kind::Missing => "run `tgforge gen` to write it again",
            Kind::Stale => "run `tgforge gen` to delete it",
            Kind::Foreign => {
                "move or delete it: tgforge generates a file here and never overwrites one it did not write"
            }
        }
    }
}

/// One differing file.
#[derive(Debug, Clone)]
pub struct Drift<'p> {
    pub path: &'p str,
    pub kind: Kind,
    /// `create`, `change`, `delete`, or `refuse` (gen will not touch it).
    pub verb: &'static str,
    /// More about the case, after the label.
    pub detail: String,
    /// What is on disk, when it is a readable file.
    pub disk: Option<&'p [u8]>,
    /// What the spec generates there, if anything.
    pub new: Option<&'p str>,
}

/// Every file of `plan` that differs, labeled, in the order of the listing (changes by path,
/// then the files gen refuses to touch, by path).
pub fn label<'p>(plan: &'p ChangePlan) -> Vec<Drift<'p>> {
    let tree_exists = plan.changes.iter().any(|c| c.action != Action::Create);
    let mut drifts = Vec::new();
    for change in plan.actions() {
        let (kind, verb, detail) = match (change.action, change.note) {
            (Action::Create, Note::Recreated) => (Kind::Missing, "create", ""),
            (Action::Create, _) if change.path == MANIFEST_FILE && tree_exists => {
                (Kind::Missing, "create", "")
            }
            (Action::Create, _) => (Kind::Spec, "create", "new file"),
            (Action::Change, Note::Forced) => (Kind::Edited, "change", "--force overwrites it"),
            (Action::Change, _) => (Kind::Spec, "change", ""),
            (Action::Delete, Note::Forced) => (
                Kind::Edited,
                "delete",
                "and no longer generated; --force deletes it",
            ),
            (Action::Delete, _) => (Kind::Stale, "delete", "no longer generated"),
            (Action::Unchanged, _) => continue,
        };
        drifts.push(Drift {
            path: &change.path,
            kind,
            verb,
            detail: detail.to_string(),
            disk: change.old.as_deref(),
            new: change.new.as_deref(),
        });
    }
    // Files gen leaves in place and stops tracking: an edited file the spec no longer
    // generates (with --force; never deleted), and the files of an ejected module.
    for path in &plan.released {
        drifts.push(Drift {
            path,
            kind: Kind::Edited,
            verb: "release",
            detail: "and no longer generated; --force leaves it in place, untracked".to_string(),
            disk: None,
            new: None,
        });
    }
    for path in &plan.ejected {
        drifts.push(Drift {
            path,
            kind: Kind::Spec,
            verb: "release",
            detail: "ejected module: left in place, yours now".to_string(),
            disk: None,
            new: None,
        });
    }
    for conflict in &plan.conflicts {
        let (kind, detail) = match &conflict.kind {
            ConflictKind::Edited => (Kind::Edited, "gen refuses to overwrite it".to_string()),
            ConflictKind::EditedStale => (
                Kind::Edited,
                "and no longer generated; gen refuses to delete it".to_string(),
            ),
            ConflictKind::Foreign => (Kind::Foreign, "gen refuses to overwrite it".to_string()),
            ConflictKind::Blocked(b) => (
                Kind::Foreign,
                format!("`{}` is {}; gen refuses to replace it", b.at, b.what),
            ),
        };
        drifts.push(Drift {
            path: &conflict.path,
            kind,
            verb: "refuse",
            detail,
            disk: conflict.disk.as_deref(),
            new: conflict.new,
        });
    }
    drifts
}

/// How many files of each kind.
pub fn counts(drifts: &[Drift]) -> Vec<(Kind, usize)> {
    Kind::ALL
        .iter()
        .map(|k| (*k, drifts.iter().filter(|d| d.kind == *k).count()))
        .filter(|(_, n)| *n > 0)
        .collect()
}

/// `; drift: 2 changed by the spec, 1 edited by hand` for the summary line (empty when the
/// folder is clean).
pub fn summary_suffix(drifts: &[Drift]) -> String {
    let counts = counts(drifts);
    if counts.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = counts
        .iter()
        .map(|(kind, n)| format!("{n} {}", kind.label()))
        .collect();
    format!("; drift: {}", parts.join(", "))
}

/// One line per differing file: `change  PATH  (changed by the spec)`.
pub fn listing(out: &mut impl Write, drifts: &[Drift], style: Style) -> io::Result<()> {
    for drift in drifts {
        let code = match drift.verb {
            "create" => "32",
            "change" => "33",
            _ => "31",
        };
        let verb = if style.color {
            format!("\x1b[{code}m{}\x1b[0m", drift.verb)
        } else {
            drift.verb.to_string()
        };
        let sep = if drift.detail.starts_with("and ") {
            ", "
        } else {
            ": "
        };
        let why = if drift.detail.is_empty() {
            drift.kind.label().to_string()
        } else {
            format!("{}{sep}{}", drift.kind.label(), drift.detail)
        };
        writeln!(out, "{verb}  {}  ({why})", drift.path)?;
    }
    Ok(())
}

/// Whether annotations fail the check or only warn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Error,
    Warning,
}

/// GitHub workflow annotations, one per differing file (the manifest excepted: its line
/// changes whenever a file does), each on the line of the tree where the difference starts,
/// so that a pull request shows it on its changed lines.
pub fn annotations(
    out: &mut impl Write,
    dir: &Path,
    spec: &Path,
    drifts: &[Drift],
    level: Level,
) -> io::Result<()> {
    let command = match level {
        Level::Error => "error",
        Level::Warning => "warning",
    };
    let manifest_text = std::fs::read_to_string(dir.join(MANIFEST_FILE)).unwrap_or_default();
    for drift in drifts.iter().filter(|d| d.path != MANIFEST_FILE) {
        let in_tree = tree_path(dir, drift.path);
        // Where the reviewer will see it.
        let (file, line) = match drift.kind {
            // Not on disk: the manifest's line names it; a new file is the spec's doing.
            Kind::Missing => match manifest_line(&manifest_text, drift.path) {
                Some(line) => (tree_path(dir, MANIFEST_FILE), Some(line)),
                None => (in_tree.clone(), None),
            },
            Kind::Spec if drift.disk.is_none() => (plain(spec), None),
            // A stale file's contents are never read (only files tgforge generates are
            // shown): the whole file goes, so its first line carries the note.
            Kind::Stale if drift.disk.is_none() => (in_tree.clone(), Some(1)),
            _ => (
                in_tree.clone(),
                drift.disk.map(|disk| first_difference(disk, drift.new)),
            ),
        };
        let mut properties = format!("file={}", property(&file));
        if let Some(line) = line {
            properties.push_str(&format!(",line={line}"));
        }
        properties.push_str(&format!(
            ",title={}",
            property(&format!("tgforge: {}", drift.kind.label()))
        ));
        let detail = if drift.detail.is_empty() || matches!(drift.kind, Kind::Spec | Kind::Stale) {
            String::new()
        } else {
            format!(" ({})", drift.detail)
        };
        let message = format!(
            "{in_tree} is {}{detail}: {}.",
            match drift.kind {
                Kind::Spec if drift.disk.is_none() => "generated by the spec and not in the tree",
                Kind::Spec => "not what the spec generates",
                Kind::Edited => "a generated file edited by hand",
                Kind::Missing => "generated but missing",
                Kind::Stale => "stale (the spec no longer generates it)",
                Kind::Foreign => "not written by tgforge, at a path the spec generates",
            },
            drift.kind.remedy()
        );
        writeln!(out, "::{command} {properties}::{}", data(&message))?;
    }
    Ok(())
}

/// `dir/path` as a path from the current folder (the repository root in a workflow).
fn tree_path(dir: &Path, path: &str) -> String {
    let dir = plain(dir);
    let dir = dir.trim_end_matches('/');
    if dir.is_empty() || dir == "." {
        path.to_string()
    } else {
        format!("{dir}/{path}")
    }
}

fn plain(path: &Path) -> String {
    let text = path.display().to_string();
    text.strip_prefix("./").map(String::from).unwrap_or(text)
}

/// The 1-based line of the manifest that lists `path`.
fn manifest_line(manifest: &str, path: &str) -> Option<usize> {
    let key = serde_json::to_string(path).ok()?;
    manifest
        .lines()
        .position(|l| l.trim_start().starts_with(&format!("{key}:")))
        .map(|i| i + 1)
}

/// The 1-based line of `disk` where it starts to differ from `new` (1 for a file to delete).
fn first_difference(disk: &[u8], new: Option<&str>) -> usize {
    let Some(new) = new else { return 1 };
    let old = String::from_utf8_lossy(disk);
    let diff = TextDiff::configure()
        .timeout(Duration::from_secs(5))
        .diff_lines(old.as_ref(), new);
    let lines = old.lines().count().max(1);
    diff.ops()
        .iter()
        .find(|op| op.tag() != DiffTag::Equal)
        .map_or(1, |op| (op.old_range().start + 1).min(lines))
}

/// Escapes an annotation property value (GitHub's workflow-command rules).
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

/// Escapes an annotation message.
fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_difference_is_the_line_on_disk_where_the_files_part() {
        assert_eq!(first_difference(b"a\nb\nc\n", Some("a\nB\nc\n")), 2);
        assert_eq!(first_difference(b"a\nb\n", Some("a\nb\nc\n")), 2);
        assert_eq!(first_difference(b"a\n", None), 1);
        assert_eq!(first_difference(b"", Some("x\n")), 1);
    }

    #[test]
    fn annotation_values_are_escaped() {
        assert_eq!(property("a,b:c%\n"), "a%2Cb%3Ac%25%0A");
        assert_eq!(data("50%: x\ny"), "50%25: x%0Ay");
    }
}
