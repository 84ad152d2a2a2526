//! Secrets stay references, and mock outputs follow the spec, in every example tree.

mod common;

use std::collections::BTreeMap;

use common::contract::contract_violations;
use common::unit_inputs::{block_attribute, unit_inputs};
use common::{example_specs, generate_example, generate_tree, repo, write_spec};

type Tree = BTreeMap<String, Vec<u8>>;

fn generated_examples() -> Vec<(String, tempfile::TempDir, Tree)> {
    example_specs()
        .into_iter()
        .map(|spec| {
            let tmp = tempfile::tempdir().unwrap();
            let tree = generate_example(&spec, tmp.path());
            let name = spec.file_stem().unwrap().to_string_lossy().into_owned();
            (name, tmp, tree)
        })
        .collect()
}

/// Lines assigning a quoted literal to a key that names a credential. Keys that hold a
/// *name* or *reference* of a secret (a Parameter Store name, an ARN, a JSON key) are fine.
/// The entries of `secrets = { VAR = "parameter name" }` maps are names too; they are checked
/// separately (each must be a parameter of its environment), so they are skipped here.
fn literal_credentials(text: &str) -> Vec<String> {
    let mut in_secrets_map = false;
    text.lines()
        .filter_map(|line| {
            if in_secrets_map {
                in_secrets_map = line.trim() != "}";
                return None;
            }
            if line.trim() == "secrets = {" {
                in_secrets_map = true;
                return None;
            }
            let (key, value) = line.split_once('=')?;
            let key = key.trim().trim_matches('"').to_ascii_lowercase();
            let value = value.trim();
            let names_credential = ["password", "secret", "token", "private_key", "access_key"]
                .iter()
                .any(|w| key.contains(w));
            let holds_a_reference = ["_parameter", "_arn", "_name", "json_key", "description"]
                .iter()
                .any(|suffix| key.ends_with(suffix))
                // IMDSv2's setting, not a credential.
                || key == "http_tokens";
            let is_arn = value.starts_with("\"arn:");
            (names_credential && !holds_a_reference && !is_arn && value.starts_with('"'))
                .then(|| line.trim().to_string())
        })
        .collect()
}

#[test]
fn no_generated_file_holds_a_secret_value() {
    for (name, _tmp, tree) in generated_examples() {
        for (path, bytes) in &tree {
            let text = String::from_utf8_lossy(bytes);
            let found = literal_credentials(&text);
            assert!(found.is_empty(), "{name}/{path}: {found:?}");
            for marker in ["BEGIN RSA PRIVATE KEY", "BEGIN PRIVATE KEY", "AKIA"] {
                assert!(!text.contains(marker), "{name}/{path} contains {marker}");
            }
        }
        // Every secret the app reads is a Parameter Store *name* of this environment.
        for (path, bytes) in tree.iter().filter(|(p, _)| p.ends_with("/terragrunt.hcl")) {
            let Some(inputs) = unit_inputs(std::str::from_utf8(bytes).unwrap()) else {
                continue;
            };
            let env = path.split('/').next().unwrap();
            if let Some(value) = inputs.get("secrets") {
                let hcl::Expression::Object(secrets) = value else {
                    panic!("{path}: secrets is an object")
                };
                for (var, parameter) in secrets {
                    let hcl::Expression::String(parameter) = parameter else {
                        panic!("{path}: secret {var} is not a parameter name")
                    };
                    assert!(
                        parameter.contains(&format!("-{env}_")),
                        "{path}: secret {var} -> {parameter} is not a parameter of {env}"
                    );
                }
            }
        }
        // The bootstrap scripts prompt without echo and pass values on stdin, never as
        // arguments (visible in `ps`) or into a file.
        for (path, bytes) in tree.iter().filter(|(p, _)| p.ends_with("bootstrap.sh")) {
            let text = String::from_utf8_lossy(bytes);
            assert!(text.contains("read -r -s"), "{path}");
            assert!(text.contains("--value file:///dev/stdin"), "{path}");
            assert!(!text.contains("--value \"$value\""), "{path}");
        }
    }
}

#[test]
fn the_credential_scanner_catches_literals() {
    // The scanner above must be able to fail.
    assert_eq!(
        literal_credentials("  password = \"hunter2\"\n  password_parameter = \"x_db\""),
        vec!["password = \"hunter2\"".to_string()]
    );
    assert_eq!(
        literal_credentials("  DJANGO_SECRET_KEY = \"abc\"").len(),
        1
    );
    assert!(literal_credentials("secrets = {\n  KEY = \"p-prod_key\"\n}").is_empty());
}

#[test]
fn example_trees_keep_the_module_contract() {
    for (name, _tmp, tree) in generated_examples() {
        let problems = contract_violations(&tree);
        assert!(problems.is_empty(), "{name}:\n{}", problems.join("\n"));
    }
}

/// Mock outputs of `key` in the vpc dependency block of `env`.
fn vpc_mock_len(tree: &Tree, env: &str, key: &str) -> usize {
    let text =
        String::from_utf8(tree[&format!("{env}/infrastructure/dependency_blocks/vpc.hcl")].clone())
            .unwrap();
    let body: hcl::Body = hcl::parse(&text).unwrap();
    let mocks = block_attribute(&body, "dependency", "mock_outputs").unwrap();
    let value: hcl::Value =
        hcl::eval::Evaluate::evaluate(mocks, &hcl::eval::Context::new()).unwrap();
    value.as_object().unwrap()[key].as_array().unwrap().len()
}

#[test]
fn database_subnet_mocks_follow_the_spec_and_the_database_uses_them() {
    let tmp = tempfile::tempdir().unwrap();
    let base = std::fs::read_to_string(repo().join("specs/asg-reference.yaml")).unwrap();
    for (azs, tier) in [(2, true), (3, true), (3, false)] {
        let spec = base
            .replace("azs: 2", &format!("azs: {azs}"))
            .replace("public_subnets: 2", &format!("public_subnets: {azs}"))
            .replace("private_subnets: 2", &format!("private_subnets: {azs}"))
            .replace(
                "database_subnets: true",
                &format!("database_subnets: {tier}"),
            );
        let path = write_spec(tmp.path(), &format!("db{azs}{tier}.yaml"), &spec);
        let tree = generate_tree(&path, &tmp.path().join(format!("out{azs}{tier}")));
        let expected = if tier { azs } else { 0 };
        assert_eq!(
            vpc_mock_len(&tree, "production", "database_subnet_ids"),
            expected
        );
        let vpc = String::from_utf8(tree["production/infrastructure/vpc/terragrunt.hcl"].clone())
            .unwrap();
        assert_eq!(vpc.contains("database_subnet_cidrs"), tier);
        let aurora =
            String::from_utf8(tree["production/infrastructure/aurora/terragrunt.hcl"].clone())
                .unwrap();
        let source = if tier {
            "database_subnet_ids"
        } else {
            "private_subnet_ids"
        };
        // Alignment follows the longest key of the block, so compare words, not columns.
        let words = aurora.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            words.contains(&format!("subnet_ids = dependency.vpc.outputs.{source}")),
            "{aurora}"
        );
        // NAT per AZ: one public IP per AZ in the mocks too.
        assert_eq!(vpc_mock_len(&tree, "production", "nat_public_ips"), azs);
    }
}
