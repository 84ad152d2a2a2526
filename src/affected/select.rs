//! From changed files to affected units: what each path touches, then every unit that reads
//! the outputs of an affected unit, in apply order.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::inventory::{DEPENDENCY_BLOCKS, INFRASTRUCTURE, Inventory, apply_steps};

/// What one changed path touches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Touch {
    /// `root.hcl` (or another top-level `.hcl` file units may read): every unit.
    Everything,
    /// A file of `Modules/<module>/`: every unit using that module.
    Module(String),
    /// A file directly in `<env>/infrastructure/` (`common_vars.hcl`): every unit there.
    Environment(String),
    /// `<env>/infrastructure/dependency_blocks/<unit>.hcl`: every unit including it.
    DependencyBlock { env: String, unit: String },
    /// A file in the folder of `<env>/infrastructure/<unit>/`.
    Unit { env: String, unit: String },
    /// Nothing Terragrunt runs (README, bootstrap scripts, Packer, the workflow...).
    Nothing,
}

/// Files Terraform and Terragrunt keep for themselves, never part of a unit's definition.
fn is_cache(path: &str) -> bool {
    path.split('/')
        .any(|part| part == ".terragrunt-cache" || part == ".terraform")
}

/// Decides what `path` (relative to the tree's root) touches.
pub fn touch(path: &str) -> Touch {
    if is_cache(path) {
        return Touch::Nothing;
    }
    let parts: Vec<&str> = path.split('/').collect();
    match parts.as_slice() {
        [file] if file.ends_with(".hcl") => Touch::Everything,
        ["Modules", module, _, ..] => Touch::Module(module.to_string()),
        [env, infra, _file] if *infra == INFRASTRUCTURE => Touch::Environment(env.to_string()),
        [env, infra, blocks, file] if *infra == INFRASTRUCTURE && *blocks == DEPENDENCY_BLOCKS => {
            match file.strip_suffix(".hcl") {
                Some(unit) => Touch::DependencyBlock {
                    env: env.to_string(),
                    unit: unit.to_string(),
                },
                None => Touch::Nothing,
            }
        }
        [env, infra, unit, _, ..] if *infra == INFRASTRUCTURE => Touch::Unit {
            env: env.to_string(),
            unit: unit.to_string(),
        },
        _ => Touch::Nothing,
    }
}

/// The environment a touch is confined to, if any.
pub fn touched_environment(touch: &Touch) -> Option<&str> {
    match touch {
        Touch::Environment(env) | Touch::DependencyBlock { env, .. } | Touch::Unit { env, .. } => {
            Some(env)
        }
        _ => None,
    }
}

/// Why a unit is affected. Serialized as in the JSON output (docs/affected.md).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reason {
    /// A file of the unit's folder changed.
    File { path: String },
    /// A file of the module it uses changed.
    Module { module: String, path: String },
    /// A file every unit of the environment reads changed (`common_vars.hcl`).
    Environment { path: String },
    /// A file every unit reads changed (`root.hcl`).
    Root { path: String },
    /// The dependency block it includes changed (mock outputs, config path).
    DependencyBlock { path: String },
    /// It reads the outputs of this affected unit.
    Dependency { unit: String },
    /// Every unit is planned: this path changed (`--all-if-changed`).
    All { path: String },
}

/// One affected unit.
#[derive(Debug, Clone, Serialize)]
pub struct AffectedUnit {
    pub name: String,
    /// Its folder, relative to the tree's root.
    pub path: String,
    /// Its step in the environment's apply order (1 first), as in `tgforge graph`.
    pub step: usize,
    pub module: Option<String>,
    pub because: Vec<Reason>,
}

/// The affected units of one environment, in apply order.
#[derive(Debug, Clone, Serialize)]
pub struct AffectedEnvironment {
    pub name: String,
    /// How many units the environment has.
    pub total_units: usize,
    pub units: Vec<AffectedUnit>,
}

/// A unit whose folder is gone (its `terragrunt.hcl` was deleted).
#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct RemovedUnit {
    pub environment: String,
    pub name: String,
    pub path: String,
}

/// The result, before formatting.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub environments: Vec<AffectedEnvironment>,
    pub removed_units: Vec<RemovedUnit>,
    /// Changed files that touch no unit.
    pub unassigned_files: Vec<String>,
}

/// Selects the affected units of `inventory` from the `changed` paths. With `all`, every unit
/// is affected because of those paths.
pub fn select(changed: &BTreeSet<String>, inventory: &Inventory, all: &[String]) -> Selection {
    let mut direct: BTreeMap<(&str, &str), BTreeSet<Reason>> = BTreeMap::new();
    let mut removed = BTreeSet::new();
    let mut unassigned = Vec::new();
    let envs = &inventory.environments;
    for path in changed {
        let mut any = false;
        match touch(path) {
            Touch::Everything => {
                for (env, units) in envs {
                    for unit in units.keys() {
                        direct
                            .entry((env, unit))
                            .or_default()
                            .insert(Reason::Root { path: path.clone() });
                        any = true;
                    }
                }
            }
            Touch::Module(module) => {
                for (env, units) in envs {
                    for (unit, info) in units {
                        if info.module.as_deref() == Some(module.as_str()) {
                            direct
                                .entry((env, unit))
                                .or_default()
                                .insert(Reason::Module {
                                    module: module.clone(),
                                    path: path.clone(),
                                });
                            any = true;
                        }
                    }
                }
            }
            Touch::Environment(env) => {
                if let Some((env, units)) = envs.get_key_value(&env) {
                    for unit in units.keys() {
                        direct
                            .entry((env, unit))
                            .or_default()
                            .insert(Reason::Environment { path: path.clone() });
                        any = true;
                    }
                }
            }
            Touch::DependencyBlock { env, unit: read } => {
                if let Some((env, units)) = envs.get_key_value(&env) {
                    for (unit, info) in units {
                        if info.dependencies.contains(&read) {
                            direct
                                .entry((env, unit))
                                .or_default()
                                .insert(Reason::DependencyBlock { path: path.clone() });
                            any = true;
                        }
                    }
                }
            }
            Touch::Unit { env, unit } => {
                let here = envs.get_key_value(&env);
                if let Some((env, (unit, _))) =
                    here.and_then(|(env, units)| Some((env, units.get_key_value(&unit)?)))
                {
                    direct
                        .entry((env, unit))
                        .or_default()
                        .insert(Reason::File { path: path.clone() });
                    any = true;
                } else if path.ends_with("/terragrunt.hcl") && path.matches('/').count() == 3 {
                    // Its folder (or its whole environment) is gone.
                    removed.insert(RemovedUnit {
                        path: format!("{env}/{INFRASTRUCTURE}/{unit}"),
                        environment: env,
                        name: unit,
                    });
                    any = true;
                }
            }
            Touch::Nothing => {}
        }
        if !any {
            unassigned.push(path.clone());
        }
    }
    if !all.is_empty() {
        for (env, units) in envs {
            for unit in units.keys() {
                let reasons = direct.entry((env, unit)).or_default();
                reasons.clear();
                reasons.extend(all.iter().map(|p| Reason::All { path: p.clone() }));
            }
        }
    }

    let mut environments = Vec::new();
    for (env, units) in envs {
        // Who reads whom, backwards: from an affected unit to the units reading its outputs.
        let mut readers: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (unit, info) in units {
            for dependency in &info.dependencies {
                readers.entry(dependency).or_default().push(unit);
            }
        }
        let mut because: BTreeMap<&str, BTreeSet<Reason>> = units
            .keys()
            .filter_map(|u| {
                direct
                    .get(&(env.as_str(), u.as_str()))
                    .map(|r| (u.as_str(), r.clone()))
            })
            .collect();
        let mut queue: Vec<&str> = because.keys().copied().collect();
        while let Some(unit) = queue.pop() {
            for reader in readers.get(unit).into_iter().flatten() {
                let reasons = because.entry(reader).or_default();
                let new = reasons.is_empty();
                reasons.insert(Reason::Dependency {
                    unit: unit.to_string(),
                });
                if new {
                    queue.push(reader);
                }
            }
        }
        let steps = apply_steps(units);
        let mut affected: Vec<AffectedUnit> = because
            .into_iter()
            .map(|(unit, reasons)| AffectedUnit {
                name: unit.to_string(),
                path: format!("{env}/{INFRASTRUCTURE}/{unit}"),
                step: steps[unit],
                module: units[unit].module.clone(),
                because: reasons.into_iter().collect(),
            })
            .collect();
        affected.sort_by(|a, b| (a.step, &a.name).cmp(&(b.step, &b.name)));
        environments.push(AffectedEnvironment {
            name: env.clone(),
            total_units: units.len(),
            units: affected,
        });
    }
    Selection {
        environments,
        removed_units: removed.into_iter().collect(),
        unassigned_files: unassigned,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_touch_what_terragrunt_reads() {
        assert_eq!(touch("root.hcl"), Touch::Everything);
        assert_eq!(touch("README.md"), Touch::Nothing);
        assert_eq!(
            touch("Modules/AWS_VPC/main.tf"),
            Touch::Module("AWS_VPC".into())
        );
        assert_eq!(
            touch("prod/infrastructure/common_vars.hcl"),
            Touch::Environment("prod".into())
        );
        assert_eq!(
            touch("prod/infrastructure/dependency_blocks/vpc.hcl"),
            Touch::DependencyBlock {
                env: "prod".into(),
                unit: "vpc".into()
            }
        );
        assert_eq!(
            touch("prod/infrastructure/alb/terragrunt.hcl"),
            Touch::Unit {
                env: "prod".into(),
                unit: "alb".into()
            }
        );
        assert_eq!(touch("prod/bootstrap.sh"), Touch::Nothing);
        assert_eq!(
            touch("prod/infrastructure/alb/.terragrunt-cache/x/main.tf"),
            Touch::Nothing
        );
        assert_eq!(touch("Packer/system/system.pkr.hcl"), Touch::Nothing);
    }
}
