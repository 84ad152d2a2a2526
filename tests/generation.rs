//! Behaviour of generated trees: defaults merging, mock outputs that follow the spec, and
//! hostile strings that are escaped rather than injected.

mod common;

use std::path::Path;

use common::unit_inputs::{spec_environment, unit_input};
use common::{generate_tree, repo, write_spec};
use hcl::eval::{Context, Evaluate};

fn base_spec() -> String {
    std::fs::read_to_string(repo().join("specs/team-task.yaml")).unwrap()
}

/// The expression of attribute `path` (blocks, then the attribute) in an HCL file.
fn expression(text: &str, path: &[&str]) -> hcl::Expression {
    let body: hcl::Body = hcl::parse(text).expect("generated HCL parses");
    let mut body = &body;
    for block in &path[..path.len() - 1] {
        body = &body
            .blocks()
            .find(|b| b.identifier() == *block)
            .unwrap_or_else(|| panic!("block {block}"))
            .body;
    }
    body.attributes()
        .find(|a| a.key() == path[path.len() - 1])
        .unwrap_or_else(|| panic!("attribute {path:?}"))
        .expr()
        .clone()
}

/// Evaluates a literal expression with no variables or functions: a string that still held
/// an interpolation or template directive would fail here or come out different.
fn literal(expr: &hcl::Expression) -> hcl::Value {
    expr.evaluate(&Context::new()).expect("a literal value")
}

/// The literal value of attribute `path`.
fn attribute(text: &str, path: &[&str]) -> hcl::Value {
    literal(&expression(text, path))
}

/// The literal value of key `key` of the `inputs` object of a unit.
fn input(text: &str, key: &str) -> hcl::Value {
    literal(&unit_input(text, key))
}

fn file(tree: &std::collections::BTreeMap<String, Vec<u8>>, path: &str) -> String {
    String::from_utf8(
        tree.get(path)
            .unwrap_or_else(|| panic!("{path} generated"))
            .clone(),
    )
    .unwrap()
}

#[test]
fn defaults_are_merged_under_each_environment_and_overridable() {
    let tmp = tempfile::tempdir().unwrap();
    let tree = generate_tree(&repo().join("specs/shop.yaml"), tmp.path());
    // `defaults.app.cpu` is 512; production overrides it to 1024, staging inherits it.
    let staging = file(&tree, "staging/infrastructure/ecs_fargate/terragrunt.hcl");
    let production = file(
        &tree,
        "production/infrastructure/ecs_fargate/terragrunt.hcl",
    );
    assert_eq!(input(&staging, "cpu"), hcl::Value::from(512));
    assert_eq!(input(&production, "cpu"), hcl::Value::from(1024));
    // Maps merge key by key: the default DEBUG stays, each environment adds its own host.
    let env = spec_environment(&production);
    assert_eq!(env["DEBUG"], hcl::Value::from("False"));
    assert_eq!(
        env["DJANGO_ALLOWED_HOSTS"],
        hcl::Value::from("shop.example.com")
    );
    // Tags: the default CostCenter plus production's own Criticality.
    let vars = file(&tree, "production/infrastructure/common_vars.hcl");
    let tags = attribute(&vars, &["locals", "tags"]);
    assert_eq!(
        tags.as_object().unwrap()["CostCenter"],
        hcl::Value::from("web-shop")
    );
    assert_eq!(
        tags.as_object().unwrap()["Criticality"],
        hcl::Value::from("high")
    );
    let staging_tags = attribute(
        &file(&tree, "staging/infrastructure/common_vars.hcl"),
        &["locals", "tags"],
    );
    assert!(
        !staging_tags
            .as_object()
            .unwrap()
            .contains_key("Criticality")
    );
}

fn mock_list_len(
    tree: &std::collections::BTreeMap<String, Vec<u8>>,
    env: &str,
    key: &str,
) -> usize {
    let text = file(
        tree,
        &format!("{env}/infrastructure/dependency_blocks/vpc.hcl"),
    );
    let mocks = attribute(&text, &["dependency", "mock_outputs"]);
    mocks.as_object().unwrap()[key].as_array().unwrap().len()
}

#[test]
fn mock_outputs_have_one_subnet_id_per_subnet_in_the_spec() {
    let tmp = tempfile::tempdir().unwrap();
    for (public, private) in [(2, 2), (3, 5), (4, 3)] {
        let spec = base_spec()
            .replace("public_subnets: 2", &format!("public_subnets: {public}"))
            .replace("private_subnets: 2", &format!("private_subnets: {private}"));
        let path = write_spec(tmp.path(), &format!("s{public}{private}.yaml"), &spec);
        let out = tmp.path().join(format!("out{public}{private}"));
        let tree = generate_tree(&path, &out);
        assert_eq!(
            mock_list_len(&tree, "production", "public_subnet_ids"),
            public
        );
        assert_eq!(
            mock_list_len(&tree, "production", "private_subnet_ids"),
            private
        );
        let vpc = file(&tree, "production/infrastructure/vpc/terragrunt.hcl");
        assert_eq!(
            input(&vpc, "public_subnet_cidrs").as_array().unwrap().len(),
            public
        );
        assert_eq!(
            input(&vpc, "private_subnet_cidrs")
                .as_array()
                .unwrap()
                .len(),
            private
        );
    }
}

#[test]
fn hostile_strings_are_escaped_not_injected() {
    let hostile = [
        r#"quote " and backslash \ end"#,
        r#"${file("/etc/passwd")}"#,
        r#"%{ if true }x%{ endif }"#,
        "new\nline } resource \"aws_iam_user\" \"x\" {",
        r#"$${already} and $ alone { }"#,
    ];
    let tmp = tempfile::tempdir().unwrap();
    let mut spec = base_spec();
    let mut env_block = String::from("      environment:\n");
    let mut tags_block = String::from("    tags:\n");
    for (i, value) in hostile.iter().enumerate() {
        let yaml_value = serde_json::to_string(value).unwrap(); // JSON strings are YAML strings
        env_block.push_str(&format!("        HOSTILE_{i}: {yaml_value}\n"));
        tags_block.push_str(&format!("      \"Tag {i} ${{x}}\": {yaml_value}\n"));
    }
    spec = spec.replace("    tags:\n      Team: team-task\n", &tags_block);
    let start = spec.find("      environment:\n").unwrap();
    let end = spec.find("      secrets:").unwrap();
    spec.replace_range(start..end, &env_block);
    let path = write_spec(tmp.path(), "hostile.yaml", &spec);
    let tree = generate_tree(&path, &tmp.path().join("out"));

    let ecs = file(
        &tree,
        "production/infrastructure/ecs_fargate/terragrunt.hcl",
    );
    let environment = spec_environment(&ecs);
    for (i, value) in hostile.iter().enumerate() {
        assert_eq!(
            environment[&format!("HOSTILE_{i}")],
            hcl::Value::from(*value),
            "environment value {i}"
        );
    }
    let vars = file(&tree, "production/infrastructure/common_vars.hcl");
    let tags = attribute(&vars, &["locals", "tags"]);
    for (i, value) in hostile.iter().enumerate() {
        assert_eq!(
            tags.as_object().unwrap()[&format!("Tag {i} ${{x}}")],
            hcl::Value::from(*value),
            "tag {i}"
        );
    }
    // Nothing outside the expected blocks appeared: root + six dependencies, the module, the
    // user's optional overrides (include and locals).
    let body: hcl::Body = hcl::parse(&ecs).unwrap();
    let blocks: Vec<&str> = body.blocks().map(|b| b.identifier()).collect();
    assert_eq!(
        blocks,
        [
            "include",
            "include",
            "include",
            "include",
            "include",
            "include",
            "include",
            "terraform",
            "include",
            "locals"
        ]
    );
}

#[test]
fn secret_values_never_appear_in_generated_files() {
    // Parameter names are written; values never are (the spec cannot even hold them).
    let tmp = tempfile::tempdir().unwrap();
    let tree = generate_tree(&repo().join("specs/team-task.yaml"), tmp.path());
    let ecs = file(
        &tree,
        "production/infrastructure/ecs_fargate/terragrunt.hcl",
    );
    assert!(ecs.contains("\"team-task-production_database_url\""));
    let rds = file(
        &tree,
        "production/infrastructure/db_instance/terragrunt.hcl",
    );
    assert!(rds.contains("\"team-task-production_database_password\""));
    assert!(
        Path::new(tmp.path())
            .join("production/infrastructure/db_instance/terragrunt.hcl")
            .exists()
    );
}
