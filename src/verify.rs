//! Verification: every rendered file is parsed back before anything is written.
//!
//! HCL goes through hcl-rs, JSON through serde_json, YAML through serde_yaml. A failure here is
//! a bug in tgforge (a template or filter produced something broken), reported as internal.

use anyhow::{Result, bail};

use crate::render::{RenderedFile, is_hcl};

/// Checks that every file parses in its language and has one trailing newline.
pub fn verify(files: &[RenderedFile]) -> Result<()> {
    let mut problems = Vec::new();
    // Static files are checked once by the test suite (see `RenderedFile::verbatim`).
    for file in files.iter().filter(|f| !f.verbatim) {
        if let Err(e) = verify_one(file) {
            problems.push(format!("{}: {e}", file.path));
        }
    }
    if !problems.is_empty() {
        bail!(
            "internal error: generated files failed verification (a tgforge bug):\n  {}",
            problems.join("\n  ")
        );
    }
    Ok(())
}

fn verify_one(file: &RenderedFile) -> Result<()> {
    if !file.contents.ends_with('\n') || file.contents.ends_with("\n\n") {
        bail!("must end with exactly one newline");
    }
    if file.contents.contains('\r') {
        bail!("contains a carriage return");
    }
    let path = file.path.as_str();
    if is_hcl(path) {
        hcl::parse(&file.contents).map_err(|e| anyhow::anyhow!("not valid HCL: {e}"))?;
    } else if path.ends_with(".json") {
        serde_json::from_str::<serde_json::Value>(&file.contents)
            .map_err(|e| anyhow::anyhow!("not valid JSON: {e}"))?;
    } else if path.ends_with(".yaml") || path.ends_with(".yml") {
        serde_yaml::from_str::<serde_yaml::Value>(&file.contents)
            .map_err(|e| anyhow::anyhow!("not valid YAML: {e}"))?;
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
}
