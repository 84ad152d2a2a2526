//! Verification: every rendered file is parsed back before anything is written.
//!
//! HCL goes through hcl-rs, JSON through serde_json, YAML through serde_yaml. A failure here is
//! a bug in tgforge (a template or filter produced something broken), reported as internal.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Result, bail};

use crate::render::{RenderedFile, is_hcl, worker_threads};

/// The language a file is checked in, decided by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Language {
    Hcl,
    Json,
    Yaml,
    /// Anything else: only the line endings are checked.
    Text,
}

fn language(path: &str) -> Language {
    if is_hcl(path) {
        Language::Hcl
    } else if path.ends_with(".json") {
        Language::Json
    } else if path.ends_with(".yaml") || path.ends_with(".yml") {
        Language::Yaml
    } else {
        Language::Text
    }
}

mod skeleton;

/// Checks that every file parses in its language and has one trailing newline.
///
/// Every file is checked, but identical work is done once: files with the same language and
/// the same bytes (the same dependency block in every environment, say) get the same answer,
/// so each distinct (language, text) pair is checked once. Distinct HCL texts with the same
/// [`skeleton`] (the same text but for the plain words inside quoted strings and `#` comments:
/// one unit's `terragrunt.hcl` in every environment) parse alike, so hcl-edit parses one of
/// them and its answer stands for all; should it fail, each is parsed on its own, so the
/// report is the same as if every text had been parsed. The work runs on every core. The
/// report lists every failing file, in the order of `files`, whatever the threads did.
pub fn verify(files: &[RenderedFile]) -> Result<()> {
    // Static files are checked once by the test suite (see `RenderedFile::verbatim`).
    let mut seen = HashSet::with_capacity(files.len());
    let distinct: Vec<(Language, &str)> = files
        .iter()
        .filter(|f| !f.verbatim)
        .map(|f| (language(&f.path), f.contents.as_str()))
        .filter(|key| seen.insert(*key))
        .collect();
    let failed = check_distinct(&distinct);
    if failed.is_empty() {
        return Ok(());
    }
    let problems: Vec<String> = files
        .iter()
        .filter(|f| !f.verbatim)
        .filter_map(|f| {
            let why = failed
                .iter()
                .find(|(key, _)| *key == (language(&f.path), f.contents.as_str()))?;
            Some(format!("{}: {}", f.path, why.1))
        })
        .collect();
    bail!(
        "internal error: generated files failed verification (a tgforge bug):\n  {}",
        problems.join("\n  ")
    )
}

/// A distinct text after its cheap checks: the reason it failed them, or (HCL only) its
/// skeleton, when it has one.
enum Scanned {
    Failed(String),
    Skeleton(Option<String>),
}

/// Checks each distinct text; the failures, in no particular order.
fn check_distinct<'a>(texts: &[(Language, &'a str)]) -> Vec<((Language, &'a str), String)> {
    let scanned = in_parallel(texts, |&(language, text)| match check_lines(text) {
        Err(e) => Scanned::Failed(e.to_string()),
        Ok(()) if language == Language::Hcl => Scanned::Skeleton(skeleton::skeleton(text)),
        Ok(()) => Scanned::Skeleton(None),
    });
    let mut failed = Vec::new();
    // The texts to parse: the first of each skeleton, and every text without one.
    let mut parse = Vec::new();
    // For each skeleton, the text parsed for it and the texts it answers for.
    let mut groups: HashMap<&str, (usize, Vec<usize>)> = HashMap::new();
    for (i, scan) in scanned.iter().enumerate() {
        match scan {
            Scanned::Failed(why) => failed.push((texts[i], why.clone())),
            Scanned::Skeleton(None) => parse.push(i),
            Scanned::Skeleton(Some(skeleton)) => match groups.get_mut(skeleton.as_str()) {
                Some((_, others)) => others.push(i),
                None => {
                    groups.insert(skeleton, (i, Vec::new()));
                    parse.push(i);
                }
            },
        }
    }
    let verdicts = in_parallel(&parse, |&i| parse_back(texts[i].0, texts[i].1).err());
    let mut broken = HashSet::new();
    for (&i, verdict) in parse.iter().zip(verdicts) {
        if let Some(e) = verdict {
            broken.insert(i);
            failed.push((texts[i], e.to_string()));
        }
    }
    // A failed skeleton (a tgforge bug): every text of it is parsed, for its own message.
    let others: Vec<usize> = groups
        .values()
        .filter(|(first, _)| broken.contains(first))
        .flat_map(|(_, others)| others.iter().copied())
        .collect();
    let verdicts = in_parallel(&others, |&i| parse_back(texts[i].0, texts[i].1).err());
    for (&i, verdict) in others.iter().zip(verdicts) {
        if let Some(e) = verdict {
            failed.push((texts[i], e.to_string()));
        }
    }
    failed
}

/// `work` applied to each of `items`, several at a time; the results in the order of `items`.
fn in_parallel<T: Sync, R: Send>(items: &[T], work: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let worker = || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(i) else {
                break;
            };
            done.push((i, work(item)));
        }
        done
    };
    let helpers = worker_threads(items.len()) - 1;
    let mut done = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..helpers).map(|_| scope.spawn(worker)).collect();
        let mut done = worker();
        for handle in handles {
            done.extend(handle.join().expect("a verification thread panicked"));
        }
        done
    });
    done.sort_unstable_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

/// One trailing newline, no carriage return.
fn check_lines(text: &str) -> Result<()> {
    if !text.ends_with('\n') || text.ends_with("\n\n") {
        bail!("must end with exactly one newline");
    }
    if text.contains('\r') {
        bail!("contains a carriage return");
    }
    Ok(())
}

/// Parses `text` in `language`.
fn parse_back(language: Language, text: &str) -> Result<()> {
    match language {
        // hcl-rs parses with hcl-edit, then converts the syntax tree into its own value
        // types, which cannot fail; the parse is the check, so it stops there.
        Language::Hcl => {
            hcl_edit::parser::parse_body(text)
                .map_err(|e| anyhow::anyhow!("not valid HCL: {e}"))?;
        }
        Language::Json => {
            serde_json::from_str::<serde::de::IgnoredAny>(text)
                .map_err(|e| anyhow::anyhow!("not valid JSON: {e}"))?;
        }
        Language::Yaml => {
            serde_yaml::from_str::<serde_yaml::Value>(text)
                .map_err(|e| anyhow::anyhow!("not valid YAML: {e}"))?;
        }
        Language::Text => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, contents: &str) -> RenderedFile {
        RenderedFile {
            path: path.into(),
            contents: contents.into(),
            verbatim: false,
        }
    }

    #[test]
    fn accepts_valid_and_rejects_broken_files() {
        assert!(verify(&[file("a.hcl", "a = 1\n"), file("b.json", "{}\n")]).is_ok());
        let err = verify(&[file("a.hcl", "a = \"x\n"), file("b.json", "{\n")])
            .unwrap_err()
            .to_string();
        assert!(err.contains("a.hcl: not valid HCL"), "{err}");
        assert!(err.contains("b.json: not valid JSON"), "{err}");
        assert!(verify(&[file("c.tf", "a = 1")]).is_err());
    }

    /// Identical texts are parsed once, yet every failing file is reported, in order, and
    /// the same text is judged by the language of each file's name.
    #[test]
    fn every_copy_of_a_broken_text_is_reported() {
        let mut files = Vec::new();
        for i in 0..40 {
            files.push(file(&format!("e{i:02}/ok.hcl"), "a = 1\n"));
            files.push(file(&format!("e{i:02}/bad.hcl"), "a = {\n"));
        }
        // Valid as text, broken as HCL: the same bytes under another name.
        files.push(file("notes.txt", "a = {\n"));
        let err = verify(&files).unwrap_err().to_string();
        let reported: Vec<&str> = err
            .lines()
            .filter_map(|l| Some(l.trim().split_once(": not valid HCL")?.0))
            .collect();
        let expected: Vec<String> = (0..40).map(|i| format!("e{i:02}/bad.hcl")).collect();
        assert_eq!(reported, expected);
    }

    /// Texts of one skeleton that fail are each parsed and reported with their own message.
    #[test]
    fn every_text_of_a_failing_skeleton_is_reported() {
        let files = [
            file("a/x.hcl", "a = \"env-1\" b\n"),
            file("b/x.hcl", "a = \"env-22\" b\n"),
            file("c/x.hcl", "a = \"env-3\"\n"),
        ];
        let err = verify(&files).unwrap_err().to_string();
        assert!(err.contains("a/x.hcl: not valid HCL"), "{err}");
        assert!(err.contains("b/x.hcl: not valid HCL"), "{err}");
        assert!(!err.contains("c/x.hcl"), "{err}");
    }

    /// The claim behind skeletons, tried on every golden HCL file: whatever plain text fills
    /// the blotted runs, the skeleton is the same and hcl-edit still parses the text.
    #[test]
    fn blotted_runs_of_golden_files_can_hold_any_plain_text() {
        let mut files = Vec::new();
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/generated");
        collect_hcl(std::path::Path::new(root), &mut files);
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut checked = 0;
        for path in &files {
            let text = std::fs::read_to_string(path).unwrap();
            let Some(skeleton) = skeleton::skeleton(&text) else {
                continue;
            };
            for _ in 0..3 {
                let mut changed = String::new();
                let mut kept = 0;
                skeleton::scan(&text, |kind, from, to| {
                    changed.push_str(&text[kept..from]);
                    let safe = match kind {
                        skeleton::Run::Str => skeleton::string_safe,
                        skeleton::Run::Comment => skeleton::comment_safe,
                    };
                    let len = 1 + next() % 12;
                    let mut added = 0;
                    while added < len {
                        let b = (0x20 + next() % 0x5f) as u8;
                        if safe(b) {
                            changed.push(b as char);
                            added += 1;
                        }
                    }
                    kept = to;
                })
                .unwrap();
                changed.push_str(&text[kept..]);
                assert_eq!(
                    skeleton::skeleton(&changed).as_ref(),
                    Some(&skeleton),
                    "{path:?}"
                );
                hcl_edit::parser::parse_body(&changed)
                    .unwrap_or_else(|e| panic!("{path:?} with {changed:?}: {e}"));
            }
            checked += 1;
        }
        assert!(
            checked > 100,
            "only {checked} of {} golden HCL files have a skeleton",
            files.len()
        );
    }

    fn collect_hcl(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                collect_hcl(&path, out);
            } else if is_hcl(&path.to_string_lossy()) {
                out.push(path);
            }
        }
    }
}
