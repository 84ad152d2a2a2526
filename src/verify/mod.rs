//! Verification: every rendered file is parsed back before anything is written.
//!
//! HCL goes through hcl-rs, JSON through serde_json, YAML through serde_yaml. A failure here is
//! a bug in tgforge (a template or filter produced something broken), reported as internal.

mod string_shape;

use std::hash::{Hash as _, Hasher as _};

use anyhow::{Result, bail};

use crate::render::{RenderedFile, is_hcl};

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
    report(problems(files))
}

/// Fails with every problem listed (each a path and what is wrong with it), if there is one.
pub fn report(problems: Vec<(String, String)>) -> Result<()> {
    if problems.is_empty() {
        return Ok(());
    }
    let lines: Vec<String> = problems
        .into_iter()
        .map(|(path, why)| format!("{path}: {why}"))
        .collect();
    bail!(
        "internal error: generated files failed verification (a tgforge bug):\n  {}",
        lines.join("\n  ")
    )
}

/// What [`verify`] finds wrong: each failing file's path and why, in the order of `files`.
pub fn problems(files: &[RenderedFile]) -> Vec<(String, String)> {
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
        return Vec::new();
    }
    files
        .iter()
        .filter(|f| !f.verbatim)
        .filter_map(|f| {
            let why = failed
                .iter()
                .find(|(key, _)| *key == (language(&f.path), f.contents.as_str()))?;
            Some((f.path.clone(), why.1.clone()))
        })
        .collect()
}

/// Checks each text, several at a time; the failures, in no particular order.
///
/// HCL texts are grouped by [`string_shape`]: a group's first text is parsed, and when the
/// parse confirms the shape, the others of the group are accepted by comparing their shapes
/// with it; otherwise each is parsed. At 500 environments this parses a few dozen texts
/// instead of 4,500 (the unit files of two environments differ only in names in quotes).
fn check_all<'a>(texts: &[(Language, &'a str)]) -> Vec<((Language, &'a str), String)> {
    let hashes = crate::cores::each_in_order(texts.len(), |i, shape: &mut string_shape::Shape| {
        let (language, text) = texts[i];
        (language == Language::Hcl && string_shape::shape_into(text, shape)).then(|| {
            let mut hasher = rustc_hash::FxHasher::default();
            shape.bytes.hash(&mut hasher);
            hasher.finish()
        })
    });
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut group_of = rustc_hash::FxHashMap::default();
    for (i, hash) in hashes.into_iter().enumerate() {
        match hash {
            Some(hash) => {
                let at = *group_of.entry(hash).or_insert_with(|| {
                    groups.push(Vec::new());
                    groups.len() - 1
                });
                groups[at].push(i);
            }
            None => groups.push(vec![i]),
        }
    }
    crate::cores::each_in_order(groups.len(), |g, shape: &mut string_shape::Shape| {
        check_group(texts, &groups[g], shape)
    })
    .into_iter()
    .flatten()
    .collect()
}

/// Checks the texts of one group (indexes into `texts`, the first its representative).
fn check_group<'a>(
    texts: &[(Language, &'a str)],
    group: &[usize],
    shape: &mut string_shape::Shape,
) -> Vec<((Language, &'a str), String)> {
    let mut failed = Vec::new();
    let alone = |i: usize| {
        let (language, text) = texts[i];
        check(language, text)
            .err()
            .map(|e| ((language, text), e.to_string()))
    };
    let (&first, others) = group.split_first().expect("groups are never empty");
    let (language, text) = texts[first];
    if others.is_empty() || language != Language::Hcl {
        return group.iter().filter_map(|&i| alone(i)).collect();
    }
    let confirmed = check_layout(text)
        .and_then(|()| parse_hcl(text))
        .map(|body| {
            string_shape::shape_into(text, shape) && string_shape::confirm(text, &body, shape)
        });
    match confirmed {
        Ok(true) => {
            let first_shape = std::mem::take(&mut shape.bytes);
            for &i in others {
                let (_, other) = texts[i];
                // Equal hashes, equal shapes but for a collision; the layout rules are
                // checked on each text (a masked content holds no line break).
                if !(string_shape::shape_into(other, shape) && shape.bytes == first_shape) {
                    failed.extend(alone(i));
                } else if let Err(e) = check_layout(other) {
                    failed.push(((Language::Hcl, other), e.to_string()));
                }
            }
        }
        Ok(false) => failed.extend(others.iter().filter_map(|&i| alone(i))),
        Err(e) => {
            failed.push(((language, text), e.to_string()));
            failed.extend(others.iter().filter_map(|&i| alone(i)));
        }
    }
    failed
}

/// The rules every text follows: one trailing newline, no carriage return.
fn check_layout(text: &str) -> Result<()> {
    if !text.ends_with('\n') || text.ends_with("\n\n") {
        bail!("must end with exactly one newline");
    }
    if text.contains('\r') {
        bail!("contains a carriage return");
    }
    Ok(())
}

// hcl-rs parses with hcl-edit, then converts the syntax tree into its own value types, which
// cannot fail; the parse is the check, so it stops there.
fn parse_hcl(text: &str) -> Result<hcl_edit::structure::Body> {
    hcl_edit::parser::parse_body(text).map_err(|e| anyhow::anyhow!("not valid HCL: {e}"))
}

fn check(language: Language, text: &str) -> Result<()> {
    check_layout(text)?;
    match language {
        Language::Hcl => {
            parse_hcl(text)?;
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

    /// Texts of one shape share the first one's parse only when it succeeds: a broken
    /// representative leaves every text of its shape parsed (and reported) on its own, and a
    /// hostile value (not plain) makes a shape of its own.
    #[test]
    fn texts_of_one_shape_are_judged_together_only_when_sound() {
        let mut files: Vec<RenderedFile> = (0..30)
            .map(|i| {
                file(
                    &format!("e{i:02}/unit.hcl"),
                    &format!("name = \"env-{i}\"\nb = {{\n  c = \"x{i}\"\n}}\n"),
                )
            })
            .collect();
        files.push(file(
            "hostile/unit.hcl",
            "name = \"a\"b\"\nb = {\n  c = \"x\"\n}\n",
        ));
        let err = verify(&files).unwrap_err().to_string();
        assert!(err.contains("hostile/unit.hcl: not valid HCL"), "{err}");
        assert_eq!(err.matches("not valid HCL").count(), 1, "{err}");

        let broken: Vec<RenderedFile> = (0..30)
            .map(|i| {
                file(
                    &format!("e{i:02}/unit.hcl"),
                    &format!("name = \"env-{i}\"\nb = {{\n"),
                )
            })
            .collect();
        let err = verify(&broken).unwrap_err().to_string();
        assert_eq!(err.matches("not valid HCL").count(), 30, "{err}");
    }
}
