//! The units of a tree, grouped into stacks (the unit folders of one environment, e.g.
//! `production/infrastructure/*`), and ordered by their dependencies as `run-all` does.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use hcl::Value;

use crate::config::{Dependency, LoadedUnit};

/// The units of one environment, in levels: every unit of a level depends only on units of
/// earlier levels, so the units of one level can run in parallel.
#[derive(Debug, Clone)]
pub struct Stack {
    pub dir: PathBuf,
    pub units: BTreeMap<String, LoadedUnit>,
    pub levels: Vec<Vec<String>>,
}

/// Every stack under `tree` (folders holding unit folders with a `terragrunt.hcl`), sorted.
pub fn discover(tree: &Path, env: &BTreeMap<String, String>) -> Result<Vec<Stack>> {
    let mut unit_dirs: BTreeMap<PathBuf, Vec<PathBuf>> = BTreeMap::new();
    collect(tree, &mut unit_dirs)?;
    if unit_dirs.is_empty() {
        bail!("{}: no terragrunt.hcl below this folder", tree.display());
    }
    unit_dirs
        .into_iter()
        .map(|(dir, units)| Stack::load(&dir, &units, env))
        .collect()
}

fn collect(dir: &Path, out: &mut BTreeMap<PathBuf, Vec<PathBuf>>) -> Result<()> {
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        if !path.is_dir() || name.starts_with('.') || name == "Modules" {
            continue;
        }
        if path.join("terragrunt.hcl").is_file() {
            out.entry(dir.to_path_buf()).or_default().push(path.clone());
        }
        collect(&path, out)?;
    }
    Ok(())
}

impl Stack {
    fn load(dir: &Path, unit_dirs: &[PathBuf], env: &BTreeMap<String, String>) -> Result<Stack> {
        let dir = crate::config::normalize(&std::path::absolute(dir)?);
        let mut units = BTreeMap::new();
        for u in unit_dirs {
            let name = u
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            units.insert(name, LoadedUnit::load(u, env)?);
        }
        let levels = levels(&dir, &units)?;
        Ok(Stack { dir, units, levels })
    }

    /// The units `name` depends on (dependency blocks and `dependencies { paths }`), by name.
    pub fn deps_of(&self, name: &str) -> BTreeSet<String> {
        deps_of(&self.units[name])
    }

    /// Every unit in apply order.
    pub fn apply_order(&self) -> Vec<String> {
        self.levels.iter().flatten().cloned().collect()
    }
}

fn deps_of(unit: &LoadedUnit) -> BTreeSet<String> {
    unit.dependencies
        .values()
        .map(|d| d.config_path.clone())
        .chain(unit.ordering_paths.iter().cloned())
        .map(|p| {
            p.file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned()
        })
        .collect()
}

fn levels(dir: &Path, units: &BTreeMap<String, LoadedUnit>) -> Result<Vec<Vec<String>>> {
    for (name, unit) in units {
        for dep in unit.dependencies.values() {
            check_in_stack(dir, name, dep, units)?;
        }
    }
    let mut placed: BTreeSet<String> = BTreeSet::new();
    let mut levels = Vec::new();
    while placed.len() < units.len() {
        let level: Vec<String> = units
            .iter()
            .filter(|(n, u)| !placed.contains(*n) && deps_of(u).iter().all(|d| placed.contains(d)))
            .map(|(n, _)| n.clone())
            .collect();
        if level.is_empty() {
            let rest: Vec<_> = units
                .keys()
                .filter(|n| !placed.contains(*n))
                .cloned()
                .collect();
            bail!(
                "{}: dependency cycle among {}",
                dir.display(),
                rest.join(", ")
            );
        }
        placed.extend(level.iter().cloned());
        levels.push(level);
    }
    Ok(levels)
}

fn check_in_stack(
    dir: &Path,
    unit: &str,
    dep: &Dependency,
    units: &BTreeMap<String, LoadedUnit>,
) -> Result<()> {
    let name = dep
        .config_path
        .file_name()
        .unwrap_or_default()
        .to_string_lossy();
    if dep.config_path.parent() != Some(dir) || !units.contains_key(name.as_ref()) {
        bail!(
            "{}/{unit}: dependency {:?} points at {}, which is not a unit of this stack",
            dir.display(),
            dep.name,
            dep.config_path.display()
        );
    }
    Ok(())
}

/// The outputs Terragrunt gives `dependency.NAME.outputs` for `command`: the applied
/// dependency's real outputs when it has any; otherwise its mock outputs if the command is
/// allowed to use them; otherwise an error, as Terragrunt reports it.
pub fn dependency_outputs(dep: &Dependency, real: Option<&Value>, command: &str) -> Result<Value> {
    let allowed = dep
        .mock_outputs_allowed_terraform_commands
        .as_ref()
        .is_none_or(|cmds| cmds.iter().any(|c| c == command));
    if let Some(Value::Object(m)) = real
        && !m.is_empty()
    {
        // "shallow": mock outputs the state lacks (a module that gained an output after the
        // dependency was applied) fill in, for the commands allowed to use mocks.
        if dep.merge_mocks_with_state.as_deref() == Some("shallow")
            && allowed
            && let Some(Value::Object(mock)) = &dep.mock_outputs
        {
            let mut merged = mock.clone();
            merged.extend(m.clone());
            return Ok(Value::Object(merged));
        }
        return Ok(Value::Object(m.clone()));
    }
    if dep.skip_outputs {
        return Ok(dep
            .mock_outputs
            .clone()
            .unwrap_or(Value::Object(hcl::Map::new())));
    }
    match (&dep.mock_outputs, allowed) {
        (Some(mock), true) => Ok(mock.clone()),
        _ => bail!(
            "dependency {:?} ({}) has no outputs and mock outputs are not allowed for `{command}`",
            dep.name,
            dep.config_path.display()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dep(allowed: Option<Vec<&str>>) -> Dependency {
        Dependency {
            name: "vpc".into(),
            config_path: "/t/vpc".into(),
            mock_outputs: Some(hcl::value!({ vpc_id = "vpc-mock" })),
            mock_outputs_allowed_terraform_commands: allowed
                .map(|v| v.into_iter().map(String::from).collect()),
            merge_mocks_with_state: None,
            skip_outputs: false,
        }
    }

    #[test]
    fn mocks_only_for_allowed_commands_and_never_over_real_outputs() {
        let d = dep(Some(vec!["init", "validate", "plan"]));
        let real = hcl::value!({ vpc_id = "vpc-real" });
        assert_eq!(dependency_outputs(&d, Some(&real), "apply").unwrap(), real);
        assert_eq!(dependency_outputs(&d, Some(&real), "plan").unwrap(), real);
        assert_eq!(
            dependency_outputs(&d, None, "plan").unwrap(),
            hcl::value!({ vpc_id = "vpc-mock" })
        );
        let empty = Value::Object(hcl::Map::new());
        assert_eq!(
            dependency_outputs(&d, Some(&empty), "plan").unwrap(),
            hcl::value!({ vpc_id = "vpc-mock" })
        );
        assert!(
            dependency_outputs(&d, None, "apply")
                .unwrap_err()
                .to_string()
                .contains("not allowed for `apply`")
        );
        assert!(dependency_outputs(&dep(None), None, "apply").is_ok());
    }
}
