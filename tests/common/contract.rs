//! The contract between units and modules in a generated tree: every input a unit passes is
//! a variable of its module, every required variable is passed, every dependency output a
//! unit reads exists, and the mock outputs have exactly the keys the real module outputs.

use std::collections::{BTreeMap, BTreeSet};

use super::unit_inputs::{block_attribute, object_key_name, unit_inputs};

type Tree = BTreeMap<String, Vec<u8>>;

fn text(tree: &Tree, path: &str) -> String {
    String::from_utf8(tree[path].clone()).unwrap()
}

/// The parsed `.tf` files directly in `Modules/<module>/`.
fn module_files(tree: &Tree, module: &str) -> Vec<hcl::Body> {
    let prefix = format!("Modules/{module}/");
    tree.iter()
        .filter(|(p, _)| {
            p.starts_with(&prefix) && p.ends_with(".tf") && !p[prefix.len()..].contains('/')
        })
        .map(|(_, bytes)| hcl::parse(std::str::from_utf8(bytes).unwrap()).unwrap())
        .collect()
}

/// Variables of a module: name -> has a default.
fn module_variables(tree: &Tree, module: &str) -> BTreeMap<String, bool> {
    module_files(tree, module)
        .iter()
        .flat_map(|body| body.blocks().filter(|b| b.identifier() == "variable"))
        .map(|block| {
            let has_default = block.body.attributes().any(|a| a.key() == "default");
            (block.labels()[0].as_str().to_string(), has_default)
        })
        .collect()
}

/// Output names of a module.
fn module_outputs(tree: &Tree, module: &str) -> BTreeSet<String> {
    module_files(tree, module)
        .iter()
        .flat_map(|body| body.blocks().filter(|b| b.identifier() == "output"))
        .map(|b| b.labels()[0].as_str().to_string())
        .collect()
}

/// The module a unit folder uses (from its `terraform { source }` line).
fn unit_module(unit_text: &str) -> String {
    let start = unit_text
        .find("/Modules//")
        .expect("unit has a module source")
        + 10;
    unit_text[start..].split('"').next().unwrap().to_string()
}

fn object_keys(expr: &hcl::Expression) -> BTreeSet<String> {
    let hcl::Expression::Object(object) = expr else {
        panic!("expected an object, got {expr:?}");
    };
    object.keys().map(object_key_name).collect()
}

/// `dependency.NAME.outputs.OUTPUT` references in a unit.
fn dependency_reads(unit_text: &str) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    let mut rest = unit_text;
    while let Some(i) = rest.find("dependency.") {
        rest = &rest[i + "dependency.".len()..];
        let ident = |s: &str| -> String {
            s.chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect()
        };
        let name = ident(rest);
        let after = &rest[name.len()..];
        if let Some(output) = after.strip_prefix(".outputs.") {
            out.insert((name, ident(output)));
        }
    }
    out
}

/// Checks the whole tree; returns every broken promise, empty when the contract holds.
pub fn contract_violations(tree: &Tree) -> Vec<String> {
    let mut problems = Vec::new();
    let units: Vec<&String> = tree
        .keys()
        .filter(|p| p.ends_with("/terragrunt.hcl"))
        .collect();
    for path in units {
        let unit_text = text(tree, path);
        let module = unit_module(&unit_text);
        let variables = module_variables(tree, &module);
        if variables.is_empty() {
            problems.push(format!(
                "{path}: module {module} has no variables (missing?)"
            ));
            continue;
        }
        let inputs: BTreeSet<String> = unit_inputs(&unit_text)
            .map(|inputs| inputs.into_keys().collect())
            .unwrap_or_default();
        for input in &inputs {
            if !variables.contains_key(input) {
                problems.push(format!(
                    "{path}: input `{input}` is not a variable of {module}"
                ));
            }
        }
        for (variable, has_default) in &variables {
            if !has_default && !inputs.contains(variable) {
                problems.push(format!(
                    "{path}: required variable `{variable}` of {module} is not passed"
                ));
            }
        }
        let env_dir = path.rsplitn(3, '/').nth(2).unwrap();
        for (dependency, output) in dependency_reads(&unit_text) {
            let dep_unit = format!("{env_dir}/{dependency}/terragrunt.hcl");
            let Some(dep_text) = tree.get(&dep_unit) else {
                problems.push(format!(
                    "{path}: reads unit {dependency}, which is not generated"
                ));
                continue;
            };
            let dep_module = unit_module(std::str::from_utf8(dep_text).unwrap());
            if !module_outputs(tree, &dep_module).contains(&output) {
                problems.push(format!(
                    "{path}: reads {dependency}.{output}, not an output of {dep_module}"
                ));
            }
        }
    }
    // Packer var files set only variables every layer declares, and every variable a layer
    // requires (no default) is set.
    for path in tree.keys().filter(|p| p.ends_with("/packer.pkrvars.hcl")) {
        let body: hcl::Body = hcl::parse(&text(tree, path)).unwrap();
        let set: BTreeSet<String> = body.attributes().map(|a| a.key().to_string()).collect();
        for layer in ["system", "middleware", "application"] {
            let template = format!("Packer/{layer}/{layer}.pkr.hcl");
            let Some(bytes) = tree.get(&template) else {
                problems.push(format!("{path}: {template} is not generated"));
                continue;
            };
            let layer_body: hcl::Body = hcl::parse(std::str::from_utf8(bytes).unwrap()).unwrap();
            let declared: BTreeMap<String, bool> = layer_body
                .blocks()
                .filter(|b| b.identifier() == "variable")
                .map(|b| {
                    let has_default = b.body.attributes().any(|a| a.key() == "default");
                    (b.labels()[0].as_str().to_string(), has_default)
                })
                .collect();
            for key in &set {
                if !declared.contains_key(key) {
                    problems.push(format!("{path}: `{key}` is not a variable of {template}"));
                }
            }
            for (variable, has_default) in &declared {
                if !has_default && !set.contains(variable) {
                    problems.push(format!("{path}: {template} requires `{variable}`"));
                }
            }
        }
    }
    // Mock outputs have exactly the real outputs' keys.
    for path in tree.keys().filter(|p| p.contains("/dependency_blocks/")) {
        let dep = path.rsplit('/').next().unwrap().trim_end_matches(".hcl");
        let env_dir = path.split("/dependency_blocks/").next().unwrap();
        let dep_unit = format!("{env_dir}/{dep}/terragrunt.hcl");
        let Some(dep_text) = tree.get(&dep_unit) else {
            problems.push(format!("{path}: no unit {dep}"));
            continue;
        };
        let dep_module = unit_module(std::str::from_utf8(dep_text).unwrap());
        let body: hcl::Body = hcl::parse(&text(tree, path)).unwrap();
        // A dependency applied before its module gained an output must still plan.
        let strategy = block_attribute(
            &body,
            "dependency",
            "mock_outputs_merge_strategy_with_state",
        )
        .map(|e| e.to_string());
        if strategy.as_deref() != Some("\"shallow\"") {
            problems.push(format!(
                "{path}: mock_outputs_merge_strategy_with_state is {strategy:?}, not \"shallow\""
            ));
        }
        let mocks = block_attribute(&body, "dependency", "mock_outputs")
            .map(object_keys)
            .unwrap_or_default();
        let outputs = module_outputs(tree, &dep_module);
        if mocks != outputs {
            problems.push(format!(
                "{path}: mock outputs {:?} differ from {dep_module} outputs {:?}",
                mocks.symmetric_difference(&outputs).collect::<Vec<_>>(),
                outputs
            ));
        }
    }
    problems
}
