//! The report of a run: one line per file that changes, unified diffs, the summary line, and
//! what stopped a refused run. Colored only for a terminal, and never when `NO_COLOR` is set.

use std::io::{self, IsTerminal, Write};
use std::path::Path;
use std::time::Duration;

use similar::TextDiff;

use super::changes::{Action, ChangePlan, ConflictKind, Counts, Note};
use super::manifest::MANIFEST_FILE;

/// Whether to color text for `stream`: a terminal, and `NO_COLOR` unset or empty.
pub fn use_color(stream: &impl IsTerminal) -> bool {
    stream.is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// ANSI styling, or none.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
}

const RED: &str = "31";
const GREEN: &str = "32";
const YELLOW: &str = "33";
const CYAN: &str = "36";
const BOLD: &str = "1";

impl Style {
    fn paint(self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
}

/// Whether the report describes a run that wrote, or one that would.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tense {
    Done,
    Planned,
}

/// One line per created, changed or deleted file (and, for a plan, per conflict).
pub fn listing(
    out: &mut impl Write,
    plan: &ChangePlan,
    tense: Tense,
    style: Style,
) -> io::Result<()> {
    for change in plan.actions() {
        let (word, code) = match change.action {
            Action::Create => ("create", GREEN),
            Action::Change => ("change", YELLOW),
            Action::Delete => ("delete", RED),
            Action::Unchanged => continue,
        };
        let note = match (change.note, change.action) {
            (Note::Recreated, _) => "  (generated before, deleted since)",
            (Note::Forced, _) => "  (edited by hand; overwritten because of --force)",
            _ => "",
        };
        writeln!(out, "{}  {}{note}", style.paint(code, word), change.path)?;
    }
    for path in &plan.released {
        writeln!(
            out,
            "{}  {path}  (no longer generated, and not what tgforge wrote: left in place and \
             dropped from the manifest because of --force)",
            style.paint(CYAN, "release")
        )?;
    }
    for path in &plan.ejected {
        writeln!(
            out,
            "{}  {path}  (ejected module: left in place and dropped from the manifest; yours now)",
            style.paint(CYAN, "release")
        )?;
    }
    if tense == Tense::Planned {
        for conflict in &plan.conflicts {
            writeln!(
                out,
                "{}  {}  ({})",
                style.paint(RED, "refuse"),
                conflict.path,
                why(&conflict.kind)
            )?;
        }
    }
    Ok(())
}

/// A unified diff of every generated file that changes but the manifest (and of every
/// generated file edited by hand): old is what is on disk, new what the spec generates.
///
/// Only files tgforge generates now are ever shown: a deleted file, a file tgforge did not
/// write and a path the manifest lists but the spec no longer generates are named, never
/// printed (a tampered manifest must not turn `--check` into a way to print `.git/config` or
/// a secret into CI logs). The plan keeps no contents for them, so this cannot regress here
/// alone. Control characters are shown escaped.
pub fn diffs(out: &mut impl Write, plan: &ChangePlan, style: Style) -> io::Result<()> {
    // The manifest's digests say nothing a reader can check; its line in the listing is enough.
    for change in plan.actions().filter(|c| c.path != MANIFEST_FILE) {
        if change.action == Action::Delete {
            writeln!(
                out,
                "{}\n(deleted: contents not shown)",
                style.paint(BOLD, &format!("--- a/{}\n+++ /dev/null", change.path))
            )?;
            continue;
        }
        unified(
            out,
            &change.path,
            change.old.as_deref(),
            change.action != Action::Create,
            change.new.as_deref(),
            style,
        )?;
    }
    for conflict in &plan.conflicts {
        if let Some(disk) = &conflict.disk {
            unified(out, &conflict.path, Some(disk), true, conflict.new, style)?;
        }
    }
    Ok(())
}

/// `text` with every control character but newline and tab, and every invisible formatting
/// character, written as an escape (`\x1b`, `\u{202e}`): a diff of a file someone else wrote
/// must not drive the reviewer's terminal or hide what a line says.
pub fn escape_controls(text: &str) -> std::borrow::Cow<'_, str> {
    let needs_escape = |c: char| {
        (c.is_control() && c != '\n' && c != '\t') || super::paths::is_invisible_format(c)
    };
    if !text.chars().any(needs_escape) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut escaped = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if !needs_escape(c) {
            escaped.push(c);
        } else if u32::from(c) < 0x80 {
            escaped.push_str(&format!("\\x{:02x}", u32::from(c)));
        } else {
            escaped.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        }
    }
    std::borrow::Cow::Owned(escaped)
}

/// `DIR: 3 created, 1 changed, 2 deleted, 17 unchanged` (or "to create" ... for a plan).
pub fn summary(dir: &Path, plan: &ChangePlan, tense: Tense) -> String {
    summary_of(dir, plan.counts(), plan.conflicts.len(), tense)
}

/// The summary line from counts: also for a folder known to be up to date without a plan.
pub fn summary_of(dir: &Path, counts: Counts, conflicts: usize, tense: Tense) -> String {
    let Counts {
        created,
        changed,
        deleted,
        unchanged,
    } = counts;
    let mut line = match tense {
        Tense::Done => format!(
            "{}: {created} created, {changed} changed, {deleted} deleted, {unchanged} unchanged",
            dir.display()
        ),
        Tense::Planned => format!(
            "{}: {created} to create, {changed} to change, {deleted} to delete, {unchanged} unchanged",
            dir.display()
        ),
    };
    if conflicts > 0 {
        line.push_str(&format!(
            "; {conflicts} file{} in the way (gen refuses to write)",
            if conflicts == 1 { "" } else { "s" }
        ));
    }
    line
}

/// Why gen refused: each file in the way, the diffs of edited files, and what to do.
pub fn refusal(
    out: &mut impl Write,
    dir: &Path,
    plan: &ChangePlan,
    style: Style,
) -> io::Result<()> {
    let n = plan.conflicts.len();
    writeln!(
        out,
        "{} {}: nothing was written: {n} file{} tgforge must not overwrite or delete:",
        style.paint(RED, "error:"),
        dir.display(),
        if n == 1 { "" } else { "s" }
    )?;
    for conflict in &plan.conflicts {
        writeln!(out, "  {}  ({})", conflict.path, why(&conflict.kind))?;
    }
    // Only generated files have their contents kept (see `diffs`).
    let edited = plan
        .conflicts
        .iter()
        .filter(|c| c.kind == ConflictKind::Edited && c.disk.is_some());
    let mut any_edited = false;
    for conflict in edited {
        if !any_edited {
            writeln!(out, "\nHand edits (on disk -> what the spec generates):")?;
            any_edited = true;
        }
        unified(
            out,
            &conflict.path,
            conflict.disk.as_deref(),
            true,
            conflict.new,
            style,
        )?;
    }
    if plan
        .conflicts
        .iter()
        .any(|c| matches!(c.kind, ConflictKind::Edited | ConflictKind::EditedStale))
    {
        writeln!(
            out,
            "{} put the change in the spec, or in a file of your own beside the generated ones \
             (`*_override.tf`, an extra `.tf` file; see docs/regeneration.md), then rerun; \
             `--force` overwrites edited files the spec generates, and leaves in place (no \
             longer tgforge's) edited files it no longer generates: it never deletes a file \
             whose contents tgforge did not write",
            style.paint(BOLD, "hint:")
        )?;
    }
    if plan
        .conflicts
        .iter()
        .any(|c| matches!(c.kind, ConflictKind::Foreign | ConflictKind::Blocked(_)))
    {
        writeln!(
            out,
            "{} move or delete what tgforge did not write; `--force` never touches it",
            style.paint(BOLD, "hint:")
        )?;
    }
    Ok(())
}

fn why(kind: &ConflictKind) -> String {
    match kind {
        ConflictKind::Edited => "a generated file, edited by hand".into(),
        ConflictKind::EditedStale => "listed in the manifest, not what tgforge wrote there (a \
             generated file, edited by hand?), and a file that the spec no longer generates"
            .into(),
        ConflictKind::Foreign => "not written by tgforge, where it now generates a file".into(),
        ConflictKind::Blocked(b) => format!(
            "`{}` is {}; tgforge {}",
            b.at,
            b.what,
            if b.what == "a symbolic link" {
                "never follows links"
            } else if b.what == "a file" {
                "needs a folder there"
            } else {
                "writes only regular files"
            }
        ),
    }
}

/// One file's unified diff; `None` sides are `/dev/null` (a created or deleted file). Also
/// used by `tgforge import terragrunt` to show how a hand-written tree differs.
pub fn unified(
    out: &mut impl Write,
    path: &str,
    old: Option<&[u8]>,
    old_exists: bool,
    new: Option<&str>,
    style: Style,
) -> io::Result<()> {
    let old_text = old.map(String::from_utf8_lossy).unwrap_or_default();
    let old_text = escape_controls(&old_text);
    let new_text = escape_controls(new.unwrap_or(""));
    let a = if old_exists {
        format!("a/{path}")
    } else {
        "/dev/null".into()
    };
    let b = if new.is_some() {
        format!("b/{path}")
    } else {
        "/dev/null".into()
    };
    let diff = TextDiff::configure()
        .timeout(Duration::from_secs(5))
        .diff_lines(old_text.as_ref(), new_text.as_ref());
    let text = diff
        .unified_diff()
        .context_radius(3)
        .header(&a, &b)
        .to_string();
    if !style.color {
        return out.write_all(text.as_bytes());
    }
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let body = line.strip_suffix('\n').unwrap_or(line);
        let code = if i < 2 {
            BOLD
        } else if body.starts_with("@@") {
            CYAN
        } else if body.starts_with('+') {
            GREEN
        } else if body.starts_with('-') {
            RED
        } else {
            ""
        };
        if code.is_empty() {
            out.write_all(line.as_bytes())?;
        } else {
            writeln!(out, "{}", style.paint(code, body))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_and_invisible_characters_are_escaped() {
        assert_eq!(escape_controls("a\tb\n"), "a\tb\n");
        assert_eq!(
            escape_controls("x\x1b]0;t\x07\r\u{202e}\u{9b}\n"),
            "x\\x1b]0;t\\x07\\x0d\\u{202e}\\u{9b}\n"
        );
    }

    #[test]
    fn diffs_name_both_sides_and_color_only_when_asked() {
        let mut plain = Vec::new();
        unified(
            &mut plain,
            "x.tf",
            Some(b"a\nb\n"),
            true,
            Some("a\nc\n"),
            Style { color: false },
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(plain).unwrap(),
            "--- a/x.tf\n+++ b/x.tf\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n"
        );
        let mut colored = Vec::new();
        unified(
            &mut colored,
            "x.tf",
            None,
            false,
            Some("a\n"),
            Style { color: true },
        )
        .unwrap();
        let colored = String::from_utf8(colored).unwrap();
        assert!(colored.contains("\x1b[1m--- /dev/null\x1b[0m"), "{colored}");
        assert!(colored.contains("\x1b[32m+a\x1b[0m"), "{colored}");
    }
}
