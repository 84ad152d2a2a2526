//! User-owned override files: read, never written.
//!
//! Every generated unit includes `overrides.hcl` beside it when it exists (its dependency
//! blocks join the unit's) and merges the `inputs` of `<env>/infrastructure/overrides.hcl`
//! and then of its own `overrides.hcl` over the generated inputs (see the unit header
//! template). tgforge never writes, deletes or diffs these files: they are not in the plan, so
//! the output stage never sees them. What tgforge does do is read them to catch a typo: an
//! override input that is not a variable of the unit's module would otherwise be passed to
//! Terraform as an unused `TF_VAR_` and silently ignored.

use std::collections::BTreeSet;
use std::fmt;
use std::path::Path;

use crate::diagnostic::did_you_mean;
use crate::module_interface::{Declaration, ModuleInterface, declarations, tf_file_names};
use crate::plan::{Module, units_for};
use crate::project::Project;
use crate::render::{RenderedFile, embedded_text};

/// The file name of a unit's (and an environment's) overrides.
pub const OVERRIDES_FILE: &str = "overrides.hcl";

/// Whether `path` (relative to the output root, `/`-separated) is a file that belongs to the
/// user by its name: an overrides file, or a Terraform override file (`*_override.tf`,
/// `override.tf`, and their `.tf.json` forms), which Terraform merges into the module.
pub fn is_user_owned(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name == OVERRIDES_FILE
        || ["override.tf", "override.tf.json"].contains(&name)
        || name.ends_with("_override.tf")
        || name.ends_with("_override.tf.json")
}

/// One problem found in an override file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverrideProblem {
    /// Path relative to the output root, `/`-separated.
    pub file: String,
    /// 1-based line, when the problem has one.
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for OverrideProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.file, line, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

/// The variables a module declares, from its `variables.tf` (any `variable` block in it).
pub fn variables_in(text: &str) -> BTreeSet<String> {
    let Ok(body) = hcl::parse(text) else {
        return BTreeSet::new();
    };
    declarations(&body)
        .filter_map(|d| match d {
            Declaration::Variable { name, .. } => Some(name),
            Declaration::Output { .. } => None,
        })
        .collect()
}

/// The variables of the embedded module `module`.
fn embedded_module_variables(module: &str) -> BTreeSet<String> {
    embedded_text(&format!("modules/{module}/variables.tf"))
        .map(|text| variables_in(&text))
        .unwrap_or_default()
}

/// The override files an environment may hold: its name and, for each unit, the unit's
/// name and where its variables are read (what [`check_targets`] needs, without the rest of
/// the project; the spec memo keeps it as text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Targets {
    pub environment: String,
    /// (unit, module key): a generated module's name, `local:PATH` for a module of the tree,
    /// `remote:SOURCE` for a git or registry module (whose variables are not known here).
    pub units: Vec<(String, String)>,
}

const LOCAL: &str = "local:";
const REMOTE: &str = "remote:";

/// The key [`Targets`] keeps for a unit's module.
fn module_key(module: &Module) -> String {
    match module {
        Module::Generated(name) => name.to_string(),
        Module::Local(path) => format!("{LOCAL}{path}"),
        Module::Git { .. } | Module::Registry { .. } => {
            format!("{REMOTE}{}", module.display().replace(' ', "@"))
        }
    }
}

/// The override files of every environment of `project`.
pub fn targets(project: &Project) -> Vec<Targets> {
    project
        .environments
        .iter()
        .map(|env| Targets {
            environment: env.name.clone(),
            units: units_for(project, env)
                .iter()
                .map(|u| (u.name.to_string(), module_key(&u.module)))
                .collect(),
        })
        .collect()
}

/// Checks every override file under `out` against the modules of the units that read it.
pub fn check(project: &Project, out: &Path) -> Vec<OverrideProblem> {
    // Before the targets are worked out (every environment's units): see `check_targets`.
    if !is_folder(out) {
        return Vec::new();
    }
    check_targets(&targets(project), out)
}

fn is_folder(out: &Path) -> bool {
    std::fs::metadata(out).is_ok_and(|m| m.is_dir())
}

/// [`check`] of the environments and units in `targets`. Most folders have no override
/// file, so a module's variables are read (a generated module's from its embedded
/// `variables.tf`, a tree module's from its folder; once per module) only when a file is
/// there to check. A remote module's variables are not known: its overrides go unchecked.
pub fn check_targets(targets: &[Targets], out: &Path) -> Vec<OverrideProblem> {
    let mut problems = Vec::new();
    // A first `gen` into a new folder: nothing below it can be found, so no path is probed
    // (one per unit, thousands at 500 environments).
    if !is_folder(out) {
        return problems;
    }
    let mut known = std::collections::HashMap::<String, Option<BTreeSet<String>>>::new();
    let mut variables_of = |module: &str| -> Option<BTreeSet<String>> {
        known
            .entry(module.to_string())
            .or_insert_with(|| {
                if let Some(path) = module.strip_prefix(LOCAL) {
                    ModuleInterface::read_folder(&out.join(path))
                        .ok()
                        .map(|interface| interface.variables.into_keys().collect())
                } else if module.starts_with(REMOTE) {
                    None
                } else {
                    Some(embedded_module_variables(module))
                }
            })
            .clone()
    };
    let mut absent = AbsentProbe::new(out);
    for env in targets {
        let base = format!("{}/infrastructure", env.environment);
        for (unit, module) in &env.units {
            if absent.surely_absent(&base, &format!("{unit}/{OVERRIDES_FILE}")) {
                continue;
            }
            let file = format!("{base}/{unit}/{OVERRIDES_FILE}");
            if let Some(found) = user_file(out, &file, &mut problems)
                && let Some(variables) = variables_of(module)
            {
                let owner = module.strip_prefix(LOCAL).unwrap_or(module);
                check_text(&found, &file, &variables, owner, &mut problems);
            }
        }
        if absent.surely_absent(&base, OVERRIDES_FILE) {
            continue;
        }
        let file = format!("{base}/{OVERRIDES_FILE}");
        if let Some(found) = user_file(out, &file, &mut problems) {
            let every_variable: BTreeSet<String> = env
                .units
                .iter()
                .filter_map(|(_, module)| variables_of(module))
                .flatten()
                .collect();
            let owner = format!("any unit of {}", env.environment);
            check_text(&found, &file, &every_variable, &owner, &mut problems);
        }
    }
    problems
}

/// Tells quickly that most override files are not there (one is probed in every unit
/// folder, 4,500 at 500 environments): looked up from the environment's open
/// `infrastructure` folder (see `crate::output::open_folders`) instead of by full path.
/// Anything else (a file there, a folder that cannot be opened that way) is left to
/// [`user_file`], which reports what it finds.
struct AbsentProbe {
    #[cfg(target_os = "linux")]
    open: Option<crate::output::open_folders::OpenFolders>,
}

impl AbsentProbe {
    fn new(_out: &Path) -> AbsentProbe {
        AbsentProbe {
            #[cfg(target_os = "linux")]
            open: crate::output::open_folders::OpenFolders::new(_out).ok(),
        }
    }

    /// Whether `rel` below folder `from` (both relative to `out`) surely does not exist.
    fn surely_absent(&mut self, _from: &str, _rel: &str) -> bool {
        #[cfg(target_os = "linux")]
        if let Some(open) = &mut self.open {
            return matches!(open.exists_below(_from, _rel), Ok(false));
        }
        false
    }
}

/// The text of override file `file` (relative to `out`), if there is one: a regular file (a
/// link or folder there is reported, never followed) that reads as UTF-8.
fn user_file(out: &Path, file: &str, problems: &mut Vec<OverrideProblem>) -> Option<String> {
    let path = out.join(file);
    let meta = std::fs::symlink_metadata(&path).ok()?;
    let problem = |message: &str| OverrideProblem {
        file: file.to_string(),
        line: None,
        message: message.into(),
    };
    if !meta.is_file() {
        problems.push(problem("not a regular file; not read"));
        return None;
    }
    match std::fs::read(&path).map(String::from_utf8) {
        Ok(Ok(text)) => Some(text),
        _ => {
            problems.push(problem("cannot be read as UTF-8 text"));
            None
        }
    }
}

/// Checks the `inputs` keys of one override file against the variables of its units.
fn check_text(
    text: &str,
    file: &str,
    variables: &BTreeSet<String>,
    owner: &str,
    problems: &mut Vec<OverrideProblem>,
) {
    let problem = |line, message: String| OverrideProblem {
        file: file.to_string(),
        line,
        message,
    };
    let body = match hcl::parse(text) {
        Ok(body) => body,
        Err(e) => {
            problems.push(problem(None, format!("is not valid HCL: {e}")));
            return;
        }
    };
    let Some(inputs) = body.attributes().find(|a| a.key() == "inputs") else {
        return;
    };
    let hcl::Expression::Object(object) = inputs.expr() else {
        problems.push(problem(
            line_of_attribute(text, "inputs"),
            "`inputs` is not an object literal; its keys cannot be checked".into(),
        ));
        return;
    };
    let inputs_line = line_of_attribute(text, "inputs").unwrap_or(1);
    for key in object.keys() {
        let name = match key {
            hcl::ObjectKey::Identifier(id) => id.as_str().to_string(),
            hcl::ObjectKey::Expression(hcl::Expression::String(s)) => s.clone(),
            _ => continue,
        };
        if variables.contains(&name) {
            continue;
        }
        let hint = did_you_mean(&name, variables.iter().map(String::as_str))
            .map(|close| format!(" (did you mean `{close}`?)"))
            .unwrap_or_default();
        problems.push(problem(
            line_of_key(text, &name, inputs_line),
            format!("input `{name}` is not a variable of {owner}{hint}; Terraform would ignore it"),
        ));
    }
}

/// The 1-based line where top-level attribute `key` is assigned.
fn line_of_attribute(text: &str, key: &str) -> Option<usize> {
    text.lines()
        .position(|line| assigns(line, key))
        .map(|i| i + 1)
}

/// The first line at or after `from` (1-based) that assigns `key` (bare or quoted).
fn line_of_key(text: &str, key: &str, from: usize) -> Option<usize> {
    text.lines()
        .enumerate()
        .skip(from.saturating_sub(1))
        .find(|(_, line)| assigns(line, key) || assigns(line, &format!("\"{key}\"")))
        .map(|(i, _)| i + 1)
}

/// Whether `line` starts (after indentation) with `key` followed by `=` or `:`.
fn assigns(line: &str, key: &str) -> bool {
    line.trim_start()
        .strip_prefix(key)
        .map(|rest| {
            let rest = rest.trim_start();
            (rest.starts_with('=') && !rest.starts_with("==")) || rest.starts_with(':')
        })
        .unwrap_or(false)
}

/// What a module folder on disk declares.
#[derive(Debug, Default)]
struct Declared {
    /// Variable -> (file, line of its block, whether it has a default).
    variables: std::collections::BTreeMap<String, (String, Option<usize>, bool)>,
    outputs: BTreeSet<String>,
}

/// Reads the `variable` and `output` blocks of every `*.tf` file in `folder` (relative to
/// `out`). `None` when the folder is not there; links are never followed (the folder could
/// come from a pull request), so a linked folder or file counts as absent.
fn read_module(out: &Path, folder: &str) -> Option<Declared> {
    let path = out.join(folder);
    if !std::fs::symlink_metadata(&path).ok()?.is_dir() {
        return None;
    }
    let names = tf_file_names(&path).ok()?;
    let mut declared = Declared::default();
    for name in names {
        let Ok(text) = std::fs::read_to_string(path.join(&name)) else {
            continue;
        };
        let Ok(body) = hcl::parse(&text) else {
            continue;
        };
        let file = format!("{folder}/{name}");
        for declaration in declarations(&body) {
            match declaration {
                Declaration::Variable { name, has_default } => {
                    let line = text
                        .lines()
                        .position(|l| l.trim_start().starts_with(&format!("variable \"{name}\"")))
                        .map(|i| i + 1);
                    declared
                        .variables
                        .insert(name, (file.clone(), line, has_default));
                }
                Declaration::Output { name, .. } => {
                    declared.outputs.insert(name);
                }
            }
        }
    }
    Some(declared)
}

/// The keys of a unit's generated inputs (`inputs = merge({...}, overrides...)`).
fn generated_input_keys(text: &str) -> Vec<String> {
    let Ok(body) = hcl::parse(text) else {
        return Vec::new();
    };
    let Some(inputs) = body.attributes().find(|a| a.key() == "inputs") else {
        return Vec::new();
    };
    let object = match inputs.expr() {
        hcl::Expression::FuncCall(call) => match call.args.first() {
            Some(hcl::Expression::Object(o)) => o.clone(),
            _ => return Vec::new(),
        },
        hcl::Expression::Object(o) => o.clone(),
        _ => return Vec::new(),
    };
    object
        .keys()
        .filter_map(|k| match k {
            hcl::ObjectKey::Identifier(id) => Some(id.as_str().to_string()),
            hcl::ObjectKey::Expression(hcl::Expression::String(s)) => Some(s.clone()),
            _ => None,
        })
        .collect()
}

/// Checks each ejected module on disk against the generated units: every input a unit passes
/// must be a variable, every variable without a default must be passed, and every output
/// another unit reads must be declared. Problems point at the line that needs it.
pub fn check_ejected(
    project: &Project,
    out: &Path,
    files: &[RenderedFile],
) -> Vec<OverrideProblem> {
    let mut problems = BTreeSet::new();
    for module in &project.ejected_modules {
        let folder = format!("Modules/{module}");
        let Some(declared) = read_module(out, &folder) else {
            problems.insert((
                folder.clone(),
                None,
                format!(
                    "ejected module {module} is missing (or a link): the units still use it; restore it, or remove it from ejected_modules for tgforge to write it again"
                ),
            ));
            continue;
        };
        let source = format!("/Modules//{module}\"");
        for unit in files
            .iter()
            .filter(|f| f.path.ends_with("/terragrunt.hcl") && f.contents.contains(&source))
        {
            let keys = generated_input_keys(&unit.contents);
            let inputs_line = line_of_attribute(&unit.contents, "inputs").unwrap_or(1);
            for key in &keys {
                if !declared.variables.contains_key(key) {
                    problems.insert((
                        unit.path.clone(),
                        line_of_key(&unit.contents, key, inputs_line),
                        format!(
                            "input `{key}` is not a variable of ejected module {module} ({folder})"
                        ),
                    ));
                }
            }
            for (variable, (file, line, has_default)) in &declared.variables {
                if !has_default && !keys.contains(variable) {
                    problems.insert((
                        file.clone(),
                        *line,
                        format!(
                            "variable `{variable}` has no default and {} does not pass it",
                            unit.path
                        ),
                    ));
                }
            }
            // Outputs other units of the environment read from this one.
            let mut parts = unit.path.rsplitn(3, '/');
            let (_, unit_name, env_dir) = (parts.next(), parts.next(), parts.next());
            let (Some(unit_name), Some(env_dir)) = (unit_name, env_dir) else {
                continue;
            };
            let needle = format!("dependency.{unit_name}.outputs.");
            for reader in files
                .iter()
                .filter(|f| f.path.starts_with(&format!("{env_dir}/")))
            {
                for (i, line) in reader.contents.lines().enumerate() {
                    for (at, _) in line.match_indices(&needle) {
                        let output: String = line[at + needle.len()..]
                            .chars()
                            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
                            .collect();
                        if !output.is_empty() && !declared.outputs.contains(&output) {
                            problems.insert((
                                reader.path.clone(),
                                Some(i + 1),
                                format!(
                                    "reads output `{output}` of unit {unit_name}, which ejected module {module} does not declare"
                                ),
                            ));
                        }
                    }
                }
            }
        }
    }
    problems
        .into_iter()
        .map(|(file, line, message)| OverrideProblem {
            file,
            line,
            message,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_owned_files_by_name() {
        for owned in [
            "production/infrastructure/vpc/overrides.hcl",
            "production/infrastructure/overrides.hcl",
            "Modules/AWS_VPC/tags_override.tf",
            "Modules/AWS_VPC/override.tf",
            "Modules/AWS_VPC/x_override.tf.json",
        ] {
            assert!(is_user_owned(owned), "{owned}");
        }
        for generated in [
            "production/infrastructure/vpc/terragrunt.hcl",
            "production/infrastructure/no_overrides.hcl",
            "Modules/AWS_VPC/main.tf",
            "Modules/AWS_VPC/overrides.tf",
        ] {
            assert!(!is_user_owned(generated), "{generated}");
        }
    }

    #[test]
    fn finds_the_line_of_a_key_after_inputs() {
        let text = "locals {\n  cidr = 1\n}\n\ninputs = {\n  cidr = \"x\"\n  \"name\" = 2\n}\n";
        assert_eq!(line_of_attribute(text, "inputs"), Some(5));
        assert_eq!(line_of_key(text, "cidr", 5), Some(6));
        assert_eq!(line_of_key(text, "name", 5), Some(7));
        assert!(!assigns("  cidr == 1", "cidr"));
        assert!(!assigns("  cidr_block = 1", "cidr"));
    }

    #[test]
    fn reads_variable_names() {
        let vars = variables_in("variable \"a\" {}\nvariable \"b\" {\n  type = string\n}\n");
        assert_eq!(vars, BTreeSet::from(["a".to_string(), "b".to_string()]));
    }
}
