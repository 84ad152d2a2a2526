//! The files that make the generated tree a team's repository: README with its Mermaid
//! diagram, bootstrap scripts, the CI workflow, pre-commit config, and the OpenTofu switch.

mod common;

use std::collections::BTreeMap;

use common::{example_specs, generate_tree, repo};

fn text(tree: &BTreeMap<String, Vec<u8>>, path: &str) -> String {
    String::from_utf8(
        tree.get(path)
            .unwrap_or_else(|| panic!("{path} is generated"))
            .clone(),
    )
    .unwrap()
}

/// `(environment, unit)`.
type UnitRef = (String, String);
/// `(environment, unit, dependency)`.
type Edge = (String, String, String);

/// Units and dependency edges as the tree itself declares them: every
/// `<env>/infrastructure/<unit>/terragrunt.hcl` and its `include "<dependency>"` blocks.
fn units_and_edges(tree: &BTreeMap<String, Vec<u8>>) -> (Vec<UnitRef>, Vec<Edge>) {
    let mut units = Vec::new();
    let mut edges = Vec::new();
    for (path, bytes) in tree {
        let parts: Vec<&str> = path.split('/').collect();
        if parts.len() == 4 && parts[1] == "infrastructure" && parts[3] == "terragrunt.hcl" {
            let (env, unit) = (parts[0].to_string(), parts[2].to_string());
            let body: hcl::Body = hcl::parse(std::str::from_utf8(bytes).unwrap()).unwrap();
            for block in body.blocks().filter(|b| b.identifier() == "include") {
                let label = block.labels()[0].as_str().to_string();
                // `overrides` is the optional include of the user's overrides.hcl, not a unit.
                if label != "root" && label != "overrides" {
                    edges.push((env.clone(), unit.clone(), label));
                }
            }
            units.push((env, unit));
        }
    }
    (units, edges)
}

#[test]
fn the_mermaid_diagram_shows_every_unit_and_every_dependency_edge_of_the_tree() {
    for spec in example_specs() {
        let tmp = tempfile::tempdir().unwrap();
        let tree = generate_tree(&spec, tmp.path());
        let readme = text(&tree, "README.md");
        let start = readme
            .find("```mermaid\n")
            .expect("README has a Mermaid block")
            + "```mermaid\n".len();
        let mermaid = &readme[start..start + readme[start..].find("```").unwrap()];
        let (units, edges) = units_and_edges(&tree);
        assert!(units.len() >= 8 && !edges.is_empty(), "{}", spec.display());
        let id = |env: &str, unit: &str| format!("{}_{unit}", env.replace('-', "_"));
        for (env, unit) in &units {
            assert!(
                mermaid.contains(&format!("    {}[\"", id(env, unit))),
                "{}: node {env}/{unit} missing",
                spec.display()
            );
        }
        for (env, unit, dependency) in &edges {
            let edge = format!("  {} --> {}\n", id(env, unit), id(env, dependency));
            assert!(
                mermaid.contains(&edge),
                "{}: edge {env}/{unit} -> {dependency} missing",
                spec.display()
            );
        }
        // And nothing that is not in the tree.
        assert_eq!(
            mermaid.matches(" --> ").count(),
            edges.len(),
            "{}",
            spec.display()
        );
    }
}

#[test]
fn bootstrap_scripts_are_valid_bash_and_never_take_values_as_arguments() {
    for spec in example_specs() {
        let tmp = tempfile::tempdir().unwrap();
        let tree = generate_tree(&spec, tmp.path());
        let scripts: Vec<&String> = tree
            .keys()
            .filter(|p| p.ends_with("/bootstrap.sh"))
            .collect();
        assert!(!scripts.is_empty());
        for script in scripts {
            let status = std::process::Command::new("bash")
                .arg("-n")
                .arg(tmp.path().join(script))
                .status()
                .unwrap();
            assert!(status.success(), "bash -n {script}");
            let body = text(&tree, script);
            assert!(body.contains("read -r -s"), "values are read without echo");
            assert!(
                body.contains("--value file:///dev/stdin"),
                "values go through stdin, not argv"
            );
            assert!(
                body.contains("--overwrite)"),
                "overwriting needs an explicit flag"
            );
        }
    }
}

#[test]
fn the_workflow_plans_every_environment_with_oidc_and_no_keys() {
    let tmp = tempfile::tempdir().unwrap();
    let tree = generate_tree(&repo().join("specs/shop.yaml"), tmp.path());
    let workflow_text = text(&tree, ".github/workflows/infrastructure.yml");
    let workflow: serde_yaml::Value = serde_yaml::from_str(&workflow_text).unwrap();
    let plan = &workflow["jobs"]["plan"];
    assert_eq!(
        plan["permissions"]["id-token"],
        serde_yaml::Value::from("write")
    );
    let matrix = plan["strategy"]["matrix"]["include"].as_sequence().unwrap();
    let envs: Vec<&str> = matrix
        .iter()
        .map(|m| m["environment"].as_str().unwrap())
        .collect();
    assert_eq!(envs, ["production", "staging"]);
    assert!(
        matrix
            .iter()
            .all(|m| m["role"].as_str().unwrap().starts_with("arn:aws:iam::"))
    );
    assert!(
        !workflow_text.contains("aws-access-key-id")
            && !workflow_text.contains("AWS_SECRET_ACCESS_KEY")
    );
    let check_steps = workflow["jobs"]["check"]["steps"].as_sequence().unwrap();
    assert!(check_steps.iter().any(
        |s| s["run"].as_str() == Some("tgforge gen 'shop.yaml' -o '.' --check --format github")
    ));

    let pre_commit: serde_yaml::Value =
        serde_yaml::from_str(&text(&tree, ".pre-commit-config.yaml")).unwrap();
    let hooks: Vec<&str> = pre_commit["repos"]
        .as_sequence()
        .unwrap()
        .iter()
        .flat_map(|r| {
            r["hooks"]
                .as_sequence()
                .unwrap()
                .iter()
                .map(|h| h["id"].as_str().unwrap())
        })
        .collect();
    for hook in ["terraform_fmt", "terragrunt_fmt", "tgforge-check"] {
        assert!(hooks.contains(&hook), "{hook}");
    }
}

#[test]
fn opentofu_switch_makes_terragrunt_run_tofu() {
    let tmp = tempfile::tempdir().unwrap();
    let shop = generate_tree(&repo().join("specs/shop.yaml"), &tmp.path().join("shop"));
    let root: hcl::Body = hcl::parse(&text(&shop, "root.hcl")).unwrap();
    let binary = root
        .attributes()
        .find(|a| a.key() == "terraform_binary")
        .expect("terraform_binary");
    assert_eq!(binary.expr(), &hcl::Expression::from("tofu"));
    let team = generate_tree(
        &repo().join("specs/team-task.yaml"),
        &tmp.path().join("team"),
    );
    assert!(!text(&team, "root.hcl").contains("terraform_binary"));
}

#[test]
fn ci_can_be_left_out() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = std::fs::read_to_string(repo().join("specs/team-task.yaml"))
        .unwrap()
        .replace(
            "  github_actions:\n",
            "  pre_commit: false\n  github_actions:\n    enabled: false\n",
        )
        .replace(
            "    ci_role_arn: arn:aws:iam::123456789012:role/team-task-infra-ci\n",
            "",
        );
    let path = common::write_spec(tmp.path(), "no-ci.yaml", &spec);
    let tree = generate_tree(&path, &tmp.path().join("out"));
    assert!(!tree.contains_key(".github/workflows/infrastructure.yml"));
    assert!(!tree.contains_key(".pre-commit-config.yaml"));
}
