//! The committed list of emulator gaps (e2e/emulator-gaps.txt): places where moto does not
//! implement an AWS API or behaves differently from AWS. One line per gap:
//! `resource or call | exact moto error | why it is moto's and not ours`.
//! A failure is on the list only when Terraform's output names the resource or call AND
//! contains the exact error text.

use std::path::Path;

use anyhow::{Context, Result, bail};

#[derive(Debug, Clone, Default)]
pub struct Gaps {
    entries: Vec<Gap>,
}

#[derive(Debug, Clone)]
struct Gap {
    what: String,
    error: String,
    line: String,
}

impl Gaps {
    pub fn load(path: &Path) -> Result<Gaps> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        Gaps::parse(&text).with_context(|| path.display().to_string())
    }

    pub fn parse(text: &str) -> Result<Gaps> {
        let mut entries = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let parts: Vec<&str> = line.split(" | ").map(str::trim).collect();
            if parts.len() != 3 || parts.iter().any(|p| p.is_empty()) {
                bail!(
                    "line {}: expected `resource or call | exact moto error | why`",
                    i + 1
                );
            }
            // The first word of the first field names the resource or call; the rest is a note.
            let what = parts[0]
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .to_string();
            entries.push(Gap {
                what,
                error: parts[1].to_string(),
                line: line.to_string(),
            });
        }
        Ok(Gaps { entries })
    }

    /// For a plan that should have had no changes: the gaps that explain every change, when
    /// each changed resource's header names a gap's resource and each of its changed lines
    /// contains that gap's text.
    pub fn explains_diff(&self, plan: &str) -> Option<String> {
        let mut used = Vec::new();
        let mut blocks = 0;
        let mut lines = plan.lines().map(str::trim).peekable();
        while let Some(line) = lines.next() {
            if !(line.starts_with("# ")
                && (line.contains(" will be ") || line.contains(" must be ")))
            {
                continue;
            }
            blocks += 1;
            let mut changes = Vec::new();
            while let Some(next) = lines.peek() {
                if next.starts_with("# ")
                    && (next.contains(" will be ") || next.contains(" must be "))
                    || next.starts_with("Plan:")
                {
                    break;
                }
                let l = lines.next().unwrap_or_default();
                let is_change = ["+ ", "- ", "~ "].iter().any(|p| l.starts_with(p))
                    && !l.contains(" resource \"");
                if is_change {
                    changes.push(l);
                }
            }
            let gap = self.entries.iter().find(|g| {
                line.contains(&g.what)
                    && !changes.is_empty()
                    && changes.iter().all(|c| c.contains(&g.error))
            })?;
            if !used.contains(&gap.line) {
                used.push(gap.line.clone());
            }
        }
        (blocks > 0).then(|| used.join("; "))
    }

    /// The gap this Terraform output is explained by, if any.
    pub fn matching(&self, output: &str) -> Option<String> {
        self.entries
            .iter()
            .find(|g| output.contains(&g.what) && output.contains(&g.error))
            .map(|g| g.line.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_gap_needs_both_the_resource_and_the_exact_error() {
        let gaps =
            Gaps::parse("# comment\naws_x.this | NotImplemented: y | moto has no y\n").unwrap();
        assert!(
            gaps.matching("Error: NotImplemented: y\n with aws_x.this,")
                .is_some()
        );
        assert!(
            gaps.matching("Error: NotImplemented: y\n with aws_z.this,")
                .is_none()
        );
        assert!(gaps.matching("Error: other\n with aws_x.this,").is_none());
        assert!(Gaps::parse("only | two").is_err());
    }

    #[test]
    fn a_diff_is_a_gap_only_when_every_change_is() {
        let gaps = Gaps::parse("aws_rule (re-plan) | + description | moto drops it\n").unwrap();
        let only_gap = "  # aws_rule.a will be updated in-place\n  ~ resource \"aws_rule\" \"a\" {\n      + description = \"x\"\n        id = \"1\"\n    }\n\nPlan: 0 to add, 1 to change";
        assert!(gaps.explains_diff(only_gap).is_some());
        let more = only_gap.replace(
            "+ description = \"x\"",
            "+ description = \"x\"\n      ~ port = 1 -> 2",
        );
        assert!(gaps.explains_diff(&more).is_none());
        let other = only_gap.replace("aws_rule.a", "aws_other.a");
        assert!(gaps.explains_diff(&other).is_none());
    }
}
