//! The units of each environment, the module each one uses and the units whose outputs it
//! reads: from the spec (exactly what tgforge decides) or from the tree on disk (what
//! Terragrunt will run, units of your own included).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::plan::{Module, units_for};
use crate::project::Project;

/// The folder under an environment that holds its units.
pub const INFRASTRUCTURE: &str = "infrastructure";
/// Shared `dependency` blocks, one file per unit others read.
pub const DEPENDENCY_BLOCKS: &str = "dependency_blocks";

/// One unit folder.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnitInfo {
    /// The folder under `Modules/` its `terraform.source` names, if any.
    pub module: Option<String>,
    /// Units of the same environment whose outputs it reads.
    pub dependencies: BTreeSet<String>,
}

/// The units of one environment, by folder name.
pub type EnvUnits = BTreeMap<String, UnitInfo>;

/// Units per environment (only the environments that were asked for).
#[derive(Debug, Clone, Default)]
pub struct Inventory {
    pub environments: BTreeMap<String, EnvUnits>,
}

impl Inventory {
    /// From the validated spec: the units and dependencies tgforge generates.
    pub fn from_project(project: &Project, wanted: &dyn Fn(&str) -> bool) -> Inventory {
        let environments = project
            .environments
            .iter()
            .filter(|env| wanted(&env.name))
            .map(|env| {
                let units = units_for(project, env)
                    .into_iter()
                    .map(|u| {
                        // Only a module in the tree can be touched by a change of the tree.
                        let module = match &u.module {
                            Module::Generated(name) => Some(name.to_string()),
                            Module::Local(path) => path
                                .strip_prefix("Modules/")
                                .filter(|m| !m.contains('/'))
                                .map(str::to_string),
                            Module::Git { .. } | Module::Registry { .. } => None,
                        };
                        let info = UnitInfo {
                            module,
                            dependencies: u.dependencies.into_iter().collect(),
                        };
                        (u.name, info)
                    })
                    .collect();
                (env.name.clone(), units)
            })
            .collect();
        Inventory { environments }
    }

    /// From the tree at `dir`: every `<env>/infrastructure/<unit>/terragrunt.hcl` of the
    /// environments (`names`, from [`environment_names`]) that `wanted` accepts. Unit files
    /// are read (for modules and dependencies) only in the environments `read` accepts;
    /// elsewhere units are only listed.
    pub fn from_tree(
        dir: &Path,
        names: &[String],
        wanted: &dyn Fn(&str) -> bool,
        read: &dyn Fn(&str) -> bool,
    ) -> std::io::Result<Inventory> {
        let mut environments = BTreeMap::new();
        for env in names.iter().filter(|env| wanted(env)) {
            let units = units_on_disk(&dir.join(env).join(INFRASTRUCTURE), read(env))?;
            environments.insert(env.clone(), units);
        }
        Ok(Inventory { environments })
    }
}

/// Top-level folders of `dir` that have an `infrastructure/` folder.
pub fn environment_names(dir: &Path) -> std::io::Result<Vec<String>> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        if name.starts_with('.') || name == "Modules" {
            continue;
        }
        if entry.path().join(INFRASTRUCTURE).is_dir() {
            names.push(name);
        }
    }
    names.sort();
    Ok(names)
}

/// The unit folders of one environment's `infrastructure/` folder and what each reads.
fn units_on_disk(infrastructure: &Path, read: bool) -> std::io::Result<EnvUnits> {
    let mut units = EnvUnits::new();
    let entries = match std::fs::read_dir(infrastructure) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(units),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let entry = entry?;
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        if name == DEPENDENCY_BLOCKS || name.starts_with('.') {
            continue;
        }
        let config = entry.path().join("terragrunt.hcl");
        if !read {
            if config.is_file() {
                units.insert(name, UnitInfo::default());
            }
            continue;
        }
        match std::fs::read_to_string(&config) {
            Ok(text) => {
                units.insert(name, scan_unit(&text));
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotADirectory => {}
            Err(e) => return Err(e),
        }
    }
    // Only dependencies on units that exist here count (a block may name one of another tree).
    let names: BTreeSet<String> = units.keys().cloned().collect();
    for info in units.values_mut() {
        info.dependencies.retain(|d| names.contains(d));
    }
    Ok(units)
}

/// What a unit's `terragrunt.hcl` reads, by a line scan (cheap, and enough for the shapes
/// Terragrunt accepts): `include` of `dependency_blocks/NAME.hcl` (the generated units),
/// `config_path = ".../NAME"` (a `dependency` block written inline), and
/// `source = ".../Modules//NAME"`.
pub fn scan_unit(text: &str) -> UnitInfo {
    let mut info = UnitInfo::default();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') || line.starts_with("//") {
            continue;
        }
        if let Some(at) = line.find("dependency_blocks/") {
            let rest = &line[at + "dependency_blocks/".len()..];
            if let Some(name) = rest.split(".hcl").next().filter(|n| is_name(n)) {
                info.dependencies.insert(name.to_string());
            }
        }
        if let Some(value) = assigned(line, "config_path") {
            let name = value.trim_end_matches('/').rsplit('/').next().unwrap_or("");
            if is_name(name) {
                info.dependencies.insert(name.to_string());
            }
        }
        if let Some(value) = assigned(line, "source")
            && let Some(at) = value.find("Modules//")
        {
            let name = value[at + "Modules//".len()..]
                .split(['/', '?'])
                .next()
                .unwrap_or("");
            if is_name(name) {
                info.module = Some(name.to_string());
            }
        }
    }
    info
}

/// The quoted value of `key = "..."` on this line.
fn assigned<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let rest = line
        .strip_prefix(key)?
        .trim_start()
        .strip_prefix('=')?
        .trim();
    let rest = rest.strip_prefix('"')?;
    Some(rest.rsplit_once('"').map_or(rest, |(v, _)| v))
}

fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// Apply order of `units`: every unit of a step reads only units of earlier steps; a cycle
/// (possible in hand-written units) ends in one last step of whatever is left.
pub fn apply_steps(units: &EnvUnits) -> BTreeMap<String, usize> {
    let mut step_of = BTreeMap::new();
    let mut step = 0;
    while step_of.len() < units.len() {
        step += 1;
        let ready: Vec<&String> = units
            .iter()
            .filter(|(name, info)| {
                !step_of.contains_key(*name)
                    && info.dependencies.iter().all(|d| step_of.contains_key(d))
            })
            .map(|(name, _)| name)
            .collect();
        if ready.is_empty() {
            for name in units.keys() {
                step_of.entry(name.clone()).or_insert(step);
            }
            break;
        }
        for name in ready {
            step_of.insert(name.clone(), step);
        }
    }
    step_of
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scans_generated_and_hand_written_units() {
        let generated = r#"
include "root" {
  path = find_in_parent_folders("root.hcl")
}
include "vpc" {
  path = "${get_terragrunt_dir()}/../dependency_blocks/vpc.hcl"
}
terraform {
  source = "${dirname(find_in_parent_folders("root.hcl"))}/Modules//ECS_Fargate"
}
"#;
        let info = scan_unit(generated);
        assert_eq!(info.module.as_deref(), Some("ECS_Fargate"));
        assert_eq!(info.dependencies, BTreeSet::from(["vpc".to_string()]));
        let mine = "dependency \"db\" {\n  config_path = \"../db_instance\"\n}\n# config_path = \"../nope\"\nterraform {\n  source = \"git::https://example.com/m.git\"\n}\n";
        let info = scan_unit(mine);
        assert_eq!(info.module, None);
        assert_eq!(
            info.dependencies,
            BTreeSet::from(["db_instance".to_string()])
        );
    }

    #[test]
    fn steps_follow_dependencies_and_survive_a_cycle() {
        let unit = |deps: &[&str]| UnitInfo {
            module: None,
            dependencies: deps.iter().map(|d| d.to_string()).collect(),
        };
        let mut units = EnvUnits::new();
        units.insert("a".into(), unit(&[]));
        units.insert("b".into(), unit(&["a"]));
        units.insert("c".into(), unit(&["a", "b"]));
        let steps = apply_steps(&units);
        assert_eq!(steps["a"], 1);
        assert_eq!(steps["b"], 2);
        assert_eq!(steps["c"], 3);
        units.insert("x".into(), unit(&["y"]));
        units.insert("y".into(), unit(&["x"]));
        let steps = apply_steps(&units);
        assert_eq!((steps["x"], steps["y"]), (4, 4));
    }
}
