//! The spec's own units (`units:`): each becomes a [`Unit`] like the built-in ones, once
//! its module, inputs, output references and dependencies are known to fit.
//!
//! A module in the tree (`module.path`) is read from the tree (`gen -o DIR`): its variables
//! bound the inputs, its outputs bound what other units read and give the mocks. A remote
//! module (`git` + `ref`, `registry` + `version`) is not fetched: its mocks come from the
//! spec, and are the outputs other units may read. Every problem is located at the spec line.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;

use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::module_interface::ModuleInterface;
use crate::project::Project;
use crate::spec::LoadedSpec;
use crate::spec::model::{UnitInputSpec, UnitModuleSpec, UnitSpec};
use crate::unit::{Input, InputValue, Inputs, Module, Unit};

/// Names a unit of the spec's own may not take: the folders of an environment tgforge uses.
const RESERVED_NAMES: [&str; 2] = ["dependency_blocks", "custom"];

/// The names of every built-in unit tgforge can generate (one template each).
fn built_in_names() -> BTreeSet<String> {
    crate::render::embedded_files_under("units")
        .iter()
        .filter_map(|p| p.strip_prefix("units/")?.strip_suffix(".hcl.tera"))
        .filter(|n| *n != "custom")
        .map(str::to_string)
        .collect()
}

/// Whether `name` is an identifier HCL, Terragrunt and a folder name all take as it is.
fn is_identifier(name: &str) -> bool {
    name.len() <= 64
        && name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// A unit name: a lowercase identifier (it names a folder, a dependency and Mermaid node).
fn is_unit_name(name: &str) -> bool {
    name.len() <= 48
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// A `/`-separated relative folder whose parts are identifiers (so never `..`, never absolute).
fn is_folder(path: &str) -> bool {
    !path.is_empty() && path.split('/').all(is_identifier)
}

/// Text of a remote source (URL, ref, registry address): plain characters only, so it reads
/// the same in HCL, the README and the diagram.
fn is_plain_source(text: &str) -> bool {
    !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-._~/:@+".contains(c))
}

/// An exact version (`4.2.1`, `1.0.0-beta.1`): a constraint would let the module change.
fn is_exact_version(version: &str) -> bool {
    let (core, pre) = version.split_once('-').unwrap_or((version, ""));
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
        && pre.chars().all(|c| c.is_ascii_alphanumeric() || c == '.')
}

/// One unit as read from the spec, before its references are checked.
struct Pending {
    unit: Unit,
    /// Its outputs, when known (`None`: a module in the tree that was not read).
    outputs: Option<BTreeSet<String>>,
    /// Whether its outputs are the spec's `mock_outputs` (a remote module).
    remote: bool,
}

/// Checks and resolves the `units` of every environment of `project` into
/// `Environment::units`. Local modules are read under `tree` when given.
pub(crate) fn resolve_all(
    spec: &LoadedSpec,
    project: &mut Project,
    tree: Option<&Path>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let specs: BTreeMap<&str, &BTreeMap<String, UnitSpec>> = spec
        .merged_environments
        .iter()
        .filter_map(|(name, env)| Some((name.as_str(), env.units.as_ref()?)))
        .collect();
    let mut resolved = Vec::new();
    for env in &project.environments {
        let Some(units) = specs.get(env.name.as_str()) else {
            continue;
        };
        let mut check = UnitCheck {
            spec,
            env: &env.name,
            diagnostics,
        };
        let built_in = crate::plan::units_for(project, env);
        resolved.push((
            env.name.clone(),
            check.resolve(project, &built_in, units, tree),
        ));
    }
    for (name, units) in resolved {
        if let Some(env) = project.environments.iter_mut().find(|e| e.name == name) {
            env.units = units;
        }
    }
}

struct UnitCheck<'a> {
    spec: &'a LoadedSpec,
    env: &'a str,
    diagnostics: &'a mut Vec<Diagnostic>,
}

impl UnitCheck<'_> {
    fn error(&mut self, field: &str, message: impl Into<String>, hint: impl Into<String>) {
        let d = self
            .spec
            .env_diagnostic(self.env, field, message)
            .with_hint(hint);
        self.diagnostics.push(d);
    }

    /// The units of one environment, in apply order.
    fn resolve(
        &mut self,
        project: &Project,
        built_in: &[Unit],
        specs: &BTreeMap<String, UnitSpec>,
        tree: Option<&Path>,
    ) -> Vec<Unit> {
        let before = self.diagnostics.len();
        let built_in_names = built_in_names();
        let present: BTreeMap<&str, &Unit> =
            built_in.iter().map(|u| (u.name.as_str(), u)).collect();
        let known: Vec<&str> = present
            .keys()
            .copied()
            .chain(specs.keys().map(String::as_str))
            .collect();
        let mut pending = BTreeMap::new();
        for (name, unit_spec) in specs {
            let field = format!("units.{name}");
            if !is_unit_name(name) {
                self.error(
                    &field,
                    format!("`{}` is not a valid unit name", name.escape_debug()),
                    "use 1-48 lowercase letters, digits and `_`, starting with a letter; it names the unit's folder",
                );
                continue;
            }
            if built_in_names.contains(name) || RESERVED_NAMES.contains(&name.as_str()) {
                self.error(
                    &field,
                    format!("`{name}` is the name of a unit tgforge generates"),
                    format!("pick another name, e.g. `{name}_extra`; tgforge's own units are configured in their sections"),
                );
                continue;
            }
            if let Some(p) = self.unit(project, name, unit_spec, &known, tree) {
                pending.insert(name.clone(), p);
            }
        }
        self.check_outputs(&present, &pending);
        let ordered = self.apply_order(pending);
        if self.diagnostics.len() > before {
            return Vec::new();
        }
        ordered
    }

    /// One unit: its module, mocks, inputs and dependencies (references not yet checked).
    fn unit(
        &mut self,
        project: &Project,
        name: &str,
        spec: &UnitSpec,
        known: &[&str],
        tree: Option<&Path>,
    ) -> Option<Pending> {
        let field = format!("units.{name}");
        let Some(module_spec) = &spec.module else {
            self.error(
                &format!("{field}.module"),
                "missing required field",
                "set `module:` with `path` (a folder of the tree), `git` and `ref`, or `registry` and `version`",
            );
            return None;
        };
        let module = self.module(&format!("{field}.module"), module_spec)?;
        let (interface, remote) = match &module {
            Module::Local(path) => (self.local_interface(project, &field, path, tree), false),
            _ => (None, true),
        };
        if spec.mock_outputs.is_some() && !remote {
            self.error(
                &format!("{field}.mock_outputs"),
                "a module in the tree has its mock outputs derived from its outputs.tf",
                "remove `mock_outputs` (they are only for `git` and `registry` modules)",
            );
        }
        let given_mocks: BTreeMap<String, Value> = spec.mock_outputs.clone().unwrap_or_default();
        for key in given_mocks.keys() {
            if !is_identifier(key) {
                self.error(
                    &format!("{field}.mock_outputs.{key}"),
                    format!("`{}` is not a valid output name", key.escape_debug()),
                    "output names are identifiers: letters, digits, `_` and `-`",
                );
            }
        }
        let (mock_outputs, outputs) = match (&interface, remote) {
            (Some(i), _) => (i.mock_outputs(), Some(i.outputs.keys().cloned().collect())),
            (None, true) => (
                Value::Object(given_mocks.clone().into_iter().collect()),
                Some(given_mocks.keys().cloned().collect()),
            ),
            (None, false) => (Value::Object(Default::default()), None),
        };

        let mut dependencies: Vec<String> = Vec::new();
        for (i, dependency) in spec.dependencies.iter().flatten().enumerate() {
            if self.known_unit(
                &format!("{field}.dependencies[{i}]"),
                name,
                dependency,
                known,
            ) {
                dependencies.push(dependency.clone());
            }
        }
        let mut inputs = Vec::new();
        for (input, value) in spec.inputs.iter().flatten() {
            let input_field = format!("{field}.inputs.{input}");
            if !is_identifier(input) {
                self.error(
                    &input_field,
                    format!("`{}` is not a valid variable name", input.escape_debug()),
                    "variable names are identifiers: letters, digits, `_` and `-`",
                );
                continue;
            }
            if let Some(interface) = &interface
                && !interface.variables.contains_key(input)
            {
                let hint = match did_you_mean(input, interface.variables.keys().map(String::as_str))
                {
                    Some(close) => format!("did you mean `{close}`?"),
                    None => format!(
                        "its variables are: {}",
                        interface
                            .variables
                            .keys()
                            .cloned()
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                };
                self.error(
                    &input_field,
                    format!("`{input}` is not a variable of module {}", module.display()),
                    hint,
                );
                continue;
            }
            let value = match value {
                UnitInputSpec::Output(reference) => {
                    if !self.known_unit(
                        &format!("{input_field}.from"),
                        name,
                        &reference.from,
                        known,
                    ) {
                        continue;
                    }
                    if !is_identifier(&reference.output) {
                        self.error(
                            &format!("{input_field}.output"),
                            format!(
                                "`{}` is not a valid output name",
                                reference.output.escape_debug()
                            ),
                            "output names are identifiers: letters, digits, `_` and `-`",
                        );
                        continue;
                    }
                    if !dependencies.contains(&reference.from) {
                        dependencies.push(reference.from.clone());
                    }
                    InputValue::Output {
                        unit: reference.from.clone(),
                        output: reference.output.clone(),
                    }
                }
                UnitInputSpec::Literal(Value::Object(object)) if object.contains_key("from") => {
                    self.error(
                        &input_field,
                        "a mapping with `from` that is not an output reference",
                        "an output reference has exactly `from: UNIT` and `output: NAME`",
                    );
                    continue;
                }
                UnitInputSpec::Literal(value) => InputValue::Literal(value.clone()),
            };
            inputs.push(Input {
                name: input.clone(),
                value,
            });
        }
        let description = spec
            .description
            .clone()
            .unwrap_or_else(|| format!("{name}: module {}.", module.display()));
        Some(Pending {
            unit: Unit {
                name: name.to_string(),
                module,
                description,
                dependencies,
                mock_outputs,
                inputs: Inputs::Listed(inputs),
            },
            outputs,
            remote,
        })
    }

    /// Whether `target` is a unit of the environment other than `name` itself (else reported).
    fn known_unit(&mut self, field: &str, name: &str, target: &str, known: &[&str]) -> bool {
        if target == name {
            self.error(
                field,
                format!("unit `{name}` cannot depend on itself"),
                "name another unit of the environment",
            );
            return false;
        }
        if known.contains(&target) {
            return true;
        }
        let hint = match did_you_mean(target, known.iter().copied()) {
            Some(close) => format!("did you mean `{close}`?"),
            None => format!("the units of {} are: {}", self.env, known.join(", ")),
        };
        self.error(
            field,
            format!(
                "`{}` is not a unit of environment {}",
                target.escape_debug(),
                self.env
            ),
            hint,
        );
        false
    }

    /// The module of a unit: exactly one source kind, pinned.
    fn module(&mut self, field: &str, spec: &UnitModuleSpec) -> Option<Module> {
        let kinds = [
            spec.path.is_some(),
            spec.git.is_some(),
            spec.registry.is_some(),
        ];
        if kinds.iter().filter(|k| **k).count() != 1 {
            self.error(
                field,
                "a unit's module needs exactly one of `path`, `git` or `registry`",
                "`path: Modules/My_Module` (a folder of the tree), `git: URL` with `ref: TAG`, or `registry: NAMESPACE/NAME/PROVIDER` with `version: X.Y.Z`",
            );
            return None;
        }
        // A field of another kind of module (`ref` with a registry module, say).
        let stray = [
            ("ref", spec.git_ref.is_some() && spec.git.is_none(), "git"),
            ("subdir", spec.subdir.is_some() && spec.git.is_none(), "git"),
            (
                "version",
                spec.version.is_some() && spec.registry.is_none(),
                "registry",
            ),
        ]
        .into_iter()
        .find(|(_, set, _)| *set);
        if let Some((key, _, owner)) = stray {
            self.error(
                &format!("{field}.{key}"),
                format!("`{key}` goes with `{owner}`"),
                format!("remove `{key}`, or use a `{owner}` module"),
            );
            return None;
        }
        if let Some(path) = &spec.path {
            if !is_folder(path) {
                self.error(
                    &format!("{field}.path"),
                    format!("`{}` is not a folder of the tree", path.escape_debug()),
                    "a relative path from the tree's root of `/`-separated names (letters, digits, `_`, `-`), e.g. `Modules/Jobs_Queue`",
                );
                return None;
            }
            return Some(Module::Local(path.clone()));
        }
        if let Some(url) = &spec.git {
            // After the scheme, no `//` (the module's folder goes in `subdir`) and no query.
            let rest = ["git::https://", "git::ssh://", "https://", "ssh://", "git@"]
                .iter()
                .find_map(|scheme| url.strip_prefix(scheme));
            if !rest.is_some_and(|rest| !rest.is_empty() && !rest.contains("//"))
                || !is_plain_source(url)
            {
                self.error(
                    &format!("{field}.git"),
                    format!("`{}` is not a git repository URL tgforge accepts", url.escape_debug()),
                    "`https://host/org/repo.git` or `git@host:org/repo.git`; the folder goes in `subdir` and the version in `ref`",
                );
                return None;
            }
            let Some(git_ref) = &spec.git_ref else {
                self.error(
                    &format!("{field}.git"),
                    "the git module is not pinned: `ref` is missing",
                    "add `ref:` with a tag or a commit (e.g. `ref: v1.4.0`); an unpinned module changes under the tree without a review",
                );
                return None;
            };
            if !is_plain_source(git_ref) || git_ref.contains("..") {
                self.error(
                    &format!("{field}.ref"),
                    format!("`{}` is not a valid git ref", git_ref.escape_debug()),
                    "a tag or a commit: letters, digits, `.`, `-`, `_` and `/`",
                );
                return None;
            }
            if let Some(subdir) = &spec.subdir
                && !is_folder(subdir)
            {
                self.error(
                    &format!("{field}.subdir"),
                    format!(
                        "`{}` is not a folder of the repository",
                        subdir.escape_debug()
                    ),
                    "`/`-separated names (letters, digits, `_`, `-`), e.g. `modules/queue`",
                );
                return None;
            }
            return Some(Module::Git {
                url: url.clone(),
                git_ref: git_ref.clone(),
                subdir: spec.subdir.clone(),
            });
        }
        let address = spec.registry.as_deref().unwrap_or_default();
        let parts: Vec<&str> = address.split('/').collect();
        if !(3..=4).contains(&parts.len())
            || !parts
                .iter()
                .all(|p| !p.is_empty() && is_plain_source(p) && !p.contains(':'))
        {
            self.error(
                &format!("{field}.registry"),
                format!("`{}` is not a registry module address", address.escape_debug()),
                "`NAMESPACE/NAME/PROVIDER`, e.g. `terraform-aws-modules/sqs/aws`, or with a host in front",
            );
            return None;
        }
        match &spec.version {
            Some(version) if is_exact_version(version) => Some(Module::Registry {
                address: address.to_string(),
                version: version.clone(),
            }),
            Some(version) => {
                self.error(
                    &format!("{field}.version"),
                    format!("`{}` is not an exact version", version.escape_debug()),
                    "pin the module to one version, e.g. `4.2.1` (a constraint would let it change under the tree)",
                );
                None
            }
            None => {
                self.error(
                    &format!("{field}.registry"),
                    "the registry module is not pinned: `version` is missing",
                    "add `version:` with an exact version, e.g. `version: 4.2.1`",
                );
                None
            }
        }
    }

    /// What a module of the tree declares: the embedded module for one tgforge writes, else
    /// read under `tree` (`None` without a tree, or when it cannot be read: then reported).
    fn local_interface(
        &mut self,
        project: &Project,
        field: &str,
        path: &str,
        tree: Option<&Path>,
    ) -> Option<ModuleInterface> {
        if let Some(module) = path.strip_prefix("Modules/")
            && crate::plan::module_names().contains(module)
            && !project.ejected_modules.contains(module)
        {
            return Some(ModuleInterface::embedded(module));
        }
        let tree = tree?;
        match ModuleInterface::read_folder(&tree.join(path)) {
            Ok(interface) => Some(interface),
            Err(why) => {
                self.error(
                    &format!("{field}.module.path"),
                    format!("cannot read module {path} in {}: {why}", tree.display()),
                    "the path is relative to the tree's root (the folder given with -o); put the module there first",
                );
                None
            }
        }
    }

    /// Every output reference names an output its unit has (and can mock).
    fn check_outputs(
        &mut self,
        built_in: &BTreeMap<&str, &Unit>,
        pending: &BTreeMap<String, Pending>,
    ) {
        for (name, p) in pending {
            let Inputs::Listed(inputs) = &p.unit.inputs else {
                continue;
            };
            for input in inputs {
                let InputValue::Output { unit, output } = &input.value else {
                    continue;
                };
                let (outputs, remote): (Option<BTreeSet<String>>, bool) =
                    match (built_in.get(unit.as_str()), pending.get(unit)) {
                        (Some(b), _) => (
                            b.mock_outputs
                                .as_object()
                                .map(|o| o.keys().cloned().collect()),
                            false,
                        ),
                        (None, Some(target)) => (target.outputs.clone(), target.remote),
                        // A unit reported already (invalid name or module).
                        (None, None) => continue,
                    };
                let Some(outputs) = outputs else { continue };
                if outputs.contains(output) {
                    continue;
                }
                let field = format!("units.{name}.inputs.{}.output", input.name);
                let mut hint = match did_you_mean(output, outputs.iter().map(String::as_str)) {
                    Some(close) => format!("did you mean `{close}`? "),
                    None => String::new(),
                };
                if remote {
                    hint.push_str(&format!(
                        "a git or registry module's outputs are the ones its `mock_outputs` list: add `{output}` to `units.{unit}.mock_outputs`"
                    ));
                } else {
                    hint.push_str(&format!(
                        "the outputs of {unit} are: {}",
                        outputs.iter().cloned().collect::<Vec<_>>().join(", ")
                    ));
                }
                self.error(
                    &field,
                    format!("unit `{unit}` has no output `{output}`"),
                    hint,
                );
            }
        }
    }

    /// The units in an order where each comes after its dependencies (name order among the
    /// ready ones); a cycle is reported at each of its units.
    fn apply_order(&mut self, mut pending: BTreeMap<String, Pending>) -> Vec<Unit> {
        let names: BTreeSet<String> = pending.keys().cloned().collect();
        let mut done: BTreeSet<String> = BTreeSet::new();
        let mut ordered = Vec::new();
        loop {
            let ready: Vec<String> = pending
                .iter()
                .filter(|(_, p)| {
                    p.unit
                        .dependencies
                        .iter()
                        .all(|d| !names.contains(d) || done.contains(d))
                })
                .map(|(n, _)| n.clone())
                .collect();
            if ready.is_empty() {
                break;
            }
            for name in ready {
                let p = pending.remove(&name).expect("ready units are pending");
                done.insert(name);
                ordered.push(p.unit);
            }
        }
        let stuck: Vec<String> = pending.keys().cloned().collect();
        for name in &stuck {
            let cycle = self.cycle_from(name, &pending);
            self.error(
                &format!("units.{name}"),
                format!("units depend on each other in a cycle: {}", cycle.join(" -> ")),
                "Terragrunt applies a unit after the units it reads: remove one of these references or dependencies",
            );
        }
        ordered
    }

    /// A cycle through the stuck units, starting at `start` (following first dependencies).
    fn cycle_from(&self, start: &str, stuck: &BTreeMap<String, Pending>) -> Vec<String> {
        let mut path = vec![start.to_string()];
        let mut current = start.to_string();
        loop {
            let Some(next) = stuck[&current]
                .unit
                .dependencies
                .iter()
                .find(|d| stuck.contains_key(*d))
            else {
                return path;
            };
            if let Some(at) = path.iter().position(|n| n == next) {
                let mut cycle = path[at..].to_vec();
                cycle.push(next.clone());
                return cycle;
            }
            path.push(next.clone());
            current = next.clone();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_versions_and_folders() {
        assert!(is_unit_name("jobs_queue") && !is_unit_name("Jobs") && !is_unit_name("a-b"));
        assert!(is_exact_version("4.2.1") && is_exact_version("1.0.0-beta.1"));
        assert!(!is_exact_version("~> 4.0") && !is_exact_version("4.2"));
        assert!(is_folder("Modules/Jobs_Queue"));
        assert!(!is_folder("../x") && !is_folder("/abs") && !is_folder("a//b") && !is_folder(""));
        assert!(built_in_names().contains("vpc") && !built_in_names().contains("custom"));
    }
}
