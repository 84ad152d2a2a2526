//! Verification: every rendered file is parsed back before anything is written.
//!
//! HCL goes through hcl-rs, JSON through serde_json, YAML through serde_yaml. A failure here is
//! a bug in tgforge (a template or filter produced something broken), reported as internal.

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

/// Checks that every file parses in its language and has one trailing newline.
///
/// Every file is checked, but identical work is done once: files with the same language and
/// the same bytes (the same dependency block in every environment, say) get the same answer,
/// so each distinct (language, text) pair is parsed once, and the distinct pairs are parsed
/// on every core. The report lists every failing file, in the order of `files`, whatever the
/// threads did.
pub fn verify(files: &[RenderedFile]) -> Result<()> {
    // Static files are checked once by the test suite (see `RenderedFile::verbatim`).
    // FxHash: the keys are our own output, 18 MiB at 500 environments, which SipHash took
    // 10 ms (on one core) to hash; no one chooses them to collide.
    let mut seen = rustc_hash::FxHashSet::with_capacity_and_hasher(files.len(), Default::default());
    let distinct: Vec<(Language, &str)> = files
        .iter()
        .filter(|f| !f.verbatim)
        .map(|f| (language(&f.path), f.contents.as_str()))
        .filter(|key| seen.insert(*key))
        .collect();
    let failed = check_all(&distinct);
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

/// Checks each text, several at a time; the failures, in no particular order.
fn check_all<'a>(texts: &[(Language, &'a str)]) -> Vec<((Language, &'a str), String)> {
    let next = AtomicUsize::new(0);
    let work = || {
        let mut failed = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(&(language, text)) = texts.get(i) else {
                break;
            };
            if let Err(e) = check(language, text) {
                failed.push(((language, text), e.to_string()));
            }
        }
        failed
    };
    let helpers = worker_threads(texts.len()) - 1;
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..helpers).map(|_| scope.spawn(work)).collect();
        let mut failed = work();
        for handle in handles {
            failed.extend(handle.join().expect("a verification thread panicked"));
        }
        failed
    })
}

fn check(language: Language, text: &str) -> Result<()> {
    if !text.ends_with('\n') || text.ends_with("\n\n") {
        bail!("must end with exactly one newline");
    }
    if text.contains('\r') {
        bail!("contains a carriage return");
    }
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
}
