//! The no-op fast path's first half: knowing a spec's fingerprint without loading it.
//!
//! Loading and validating a large spec costs far more than checking that a folder is as
//! generated (YAML parsed, positions indexed, every key checked against the schema, every
//! environment resolved). Validation is a function of the spec's bytes, its path and this
//! build, plus any file the spec names; so for a spec that names no other file, "these bytes,
//! at this path, with this build, give the project with fingerprint F, whose environments have
//! these units" is a fact, recorded once in the user cache (`fresh/<digest of DIR's path>.spec`,
//! beside the fast path's entry, see src/output/fresh.rs) and true whatever happens later.
//!
//! The next `gen` (or `--check`, `--dry-run`) of the same bytes reads F from there, checks
//! the user's override files against the recorded units, and asks the fast path whether DIR
//! is exactly what F generates; anything else (other bytes, another build, an entry it cannot
//! read) loads the spec as usual. A spec that names a lifecycle policy file, ejects a module
//! or puts the tree below a repository root is never recorded: it always loads.

use std::path::Path;

use crate::output::fresh::{self, BUILD_FINGERPRINT, executable_identity};
use crate::output::manifest::Digest256;
use crate::overrides::Targets;
use crate::project::{Ecr, Project};

/// Format line of a memo; another format is ignored.
const MEMO_FORMAT: &str = "tgforge-spec 1";

/// What the memo says about a spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Known {
    /// The fingerprint of the validated project ([`fresh::inputs_fingerprint`]).
    pub inputs: Digest256,
    /// Its environments and their units, for the override check.
    pub targets: Vec<Targets>,
}

/// The key of spec `bytes` read from `spec` (as given on the command line): this build, the
/// spec's path (as given, and its folder made absolute: relative paths in it resolve there)
/// and its bytes.
fn key(spec: &Path, bytes: &[u8]) -> Option<Digest256> {
    let folder = match spec.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => std::path::absolute(parent).ok()?,
        _ => std::env::current_dir().ok()?,
    };
    let head = format!(
        "{MEMO_FORMAT}\n{BUILD_FINGERPRINT}\n{}\n{}\n{}\n",
        executable_identity(),
        spec.display(),
        folder.display()
    );
    Some(Digest256::of_parts(&[head.as_bytes(), bytes]))
}

/// What is known about spec `bytes` (read from `spec`) for output folder `dir`, if the memo
/// of `dir` records exactly these bytes, at this path, with this build.
pub fn recall(dir: &Path, spec: &Path, bytes: &[u8]) -> Option<Known> {
    let dir = std::path::absolute(dir).ok()?;
    let text = std::fs::read_to_string(fresh::cache_file(&dir, ".spec")?).ok()?;
    let mut lines = text.lines();
    if lines.next()? != MEMO_FORMAT || Digest256::from_hex(lines.next()?)? != key(spec, bytes)? {
        return None;
    }
    let inputs = Digest256::from_hex(lines.next()?)?;
    let mut targets: Vec<Targets> = Vec::new();
    for line in lines {
        let mut words = line.split(' ');
        match (words.next()?, words.next()?, words.next(), words.next()) {
            ("env", name, None, None) => targets.push(Targets {
                environment: name.to_string(),
                units: Vec::new(),
            }),
            ("unit", name, Some(module), None) => targets
                .last_mut()?
                .units
                .push((name.to_string(), module.to_string())),
            _ => return None,
        }
    }
    Some(Known { inputs, targets })
}

/// Records what `project` (validated from `bytes`, read from `spec`, with fingerprint
/// `inputs`: [`fresh::inputs_fingerprint`]) is, for output folder `dir`, when the spec can be
/// known from its bytes alone. Best effort.
pub fn remember(dir: &Path, spec: &Path, bytes: &[u8], project: &Project, inputs: Digest256) {
    let names_a_file = project
        .environments
        .iter()
        .any(|env| matches!(env.ecr, Ecr::PolicyFile { .. }));
    let below_root = project
        .tooling
        .github_actions
        .as_ref()
        .is_some_and(|g| g.tree_path != ".");
    // A unit of the spec's own running a module of the tree: its mocks and checks come from
    // that module's files, which the spec's bytes do not cover.
    let reads_tree_module = project
        .environments
        .iter()
        .flat_map(|env| &env.units)
        .any(|unit| matches!(unit.module, crate::unit::Module::Local(_)));
    if names_a_file || below_root || reads_tree_module || !project.ejected_modules.is_empty() {
        return;
    }
    let (Ok(dir), Some(key)) = (std::path::absolute(dir), key(spec, bytes)) else {
        return;
    };
    let Some(path) = fresh::cache_file(&dir, ".spec") else {
        return;
    };
    let mut text = format!("{MEMO_FORMAT}\n{}\n{}\n", key.to_hex(), inputs.to_hex());
    for env in crate::overrides::targets(project) {
        text.push_str(&format!("env {}\n", env.environment));
        for (unit, module) in &env.units {
            text.push_str(&format!("unit {unit} {module}\n"));
        }
    }
    fresh::write_cache_file(&path, &text);
}
