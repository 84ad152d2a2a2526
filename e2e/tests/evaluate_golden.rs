//! The evaluator reads every golden tree exactly as Terragrunt would, with mock outputs.

use std::collections::BTreeMap;
use std::path::PathBuf;

use hcl::Value;
use tgforge_e2e::config::LoadedUnit;
use tgforge_e2e::stack::{self, dependency_outputs};

fn golden(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../generated")
        .join(name)
}

fn get(v: &Value, key: &str) -> Value {
    v.as_object()
        .and_then(|m| m.get(key))
        .cloned()
        .unwrap_or(Value::Null)
}

fn ci_env() -> BTreeMap<String, String> {
    BTreeMap::from([(
        "TGFORGE_AWS_ENV_CREDENTIALS".to_string(),
        "true".to_string(),
    )])
}

#[test]
fn team_task_units_evaluate_like_terragrunt() {
    let stacks = stack::discover(&golden("team-task"), &ci_env()).unwrap();
    assert_eq!(stacks.len(), 1);
    let stack = &stacks[0];
    assert!(stack.dir.ends_with("production/infrastructure"));
    assert_eq!(stack.levels[0], vec!["ecr", "s3_static", "vpc"]);
    assert_eq!(stack.levels[1], vec!["security_groups"]);
    assert_eq!(
        stack.deps_of("ecs_fargate").into_iter().collect::<Vec<_>>(),
        // s3_static: the app receives the static-file bucket's name (issue 9).
        vec![
            "alb",
            "db_instance",
            "ecr",
            "s3_static",
            "security_groups",
            "vpc"
        ]
    );

    let unit = &stack.units["ecs_fargate"];
    let outputs = mock_outputs(unit);
    let cfg = unit.evaluate(&outputs).unwrap();
    let root = std::path::absolute(golden("team-task")).unwrap();
    let root = tgforge_e2e::config::normalize(&root);
    assert_eq!(
        cfg.source.unwrap(),
        format!("{}/Modules//ECS_Fargate", root.display())
    );
    assert_eq!(
        cfg.inputs["image"],
        Value::from("123456789012.dkr.ecr.us-east-1.amazonaws.com/mock-repository:latest")
    );
    // App settings and tags reach Terraform as one JSON string each (issue 16).
    let env: serde_json::Value =
        serde_json::from_str(cfg.inputs["environment_json"].as_str().unwrap()).unwrap();
    assert_eq!(env["DATABASE_PORT"], "5432");
    assert_eq!(
        env["DATABASE_HOST"],
        "mock-postgres.000000000000.us-east-1.rds.amazonaws.com"
    );
    let tags: serde_json::Value =
        serde_json::from_str(cfg.inputs["default_tags_json"].as_str().unwrap()).unwrap();
    assert_eq!(tags["Project"], "team-task");
    let provider = &cfg.generate["provider"];
    assert_eq!(provider.path, "provider.tf");
    assert!(
        provider
            .contents
            .contains("region              = \"us-east-1\""),
        "{}",
        provider.contents
    );
    assert!(
        !provider.contents.contains("profile"),
        "CI credentials: no profile line"
    );
    let rs = cfg.remote_state.unwrap();
    assert_eq!(rs.backend, "s3");
    assert_eq!(rs.generate_path.as_deref(), Some("backend.tf"));
    assert_eq!(
        get(&rs.config, "key"),
        Value::from("team-task/production/infrastructure/ecs_fargate/terraform.tfstate")
    );
}

#[test]
fn local_profile_is_used_without_ci_credentials() {
    let stacks = stack::discover(
        &golden("team-task"),
        &BTreeMap::from([(
            "TGFORGE_AWS_ENV_CREDENTIALS".to_string(),
            "false".to_string(),
        )]),
    )
    .unwrap();
    let cfg = stacks[0].units["vpc"].evaluate(&BTreeMap::new()).unwrap();
    assert!(
        cfg.generate["provider"]
            .contents
            .contains("profile = \"team-task\"")
    );
}

#[test]
fn apply_refuses_mock_outputs() {
    let stacks = stack::discover(&golden("asg-reference"), &ci_env()).unwrap();
    let unit = &stacks[0].units["asg"];
    let dep = &unit.dependencies["aurora"];
    assert!(dependency_outputs(dep, None, "apply").is_err());
}

#[test]
fn every_golden_unit_evaluates_with_mock_outputs_and_names_a_module() {
    for tree in ["team-task", "asg-reference", "shop", "custom"] {
        for stack in stack::discover(&golden(tree), &ci_env()).unwrap() {
            for (name, unit) in &stack.units {
                let outputs = unit
                    .dependencies
                    .iter()
                    .map(|(n, d)| (n.clone(), dependency_outputs(d, None, "plan").unwrap()))
                    .collect();
                let cfg = unit
                    .evaluate(&outputs)
                    .unwrap_or_else(|e| panic!("{tree}/{name}: {e:#}"));
                let source = cfg
                    .source
                    .unwrap_or_else(|| panic!("{tree}/{name}: no source"));
                let module = source.replace("//", "/");
                assert!(
                    PathBuf::from(&module).join("variables.tf").is_file(),
                    "{tree}/{name}: {module}"
                );
                assert!(!cfg.inputs.is_empty());
            }
        }
    }
}

#[test]
fn a_unit_of_the_specs_own_evaluates_with_the_mocks_of_the_unit_it_reads() {
    let stacks = stack::discover(&golden("custom"), &ci_env()).unwrap();
    let stack = &stacks[0];
    // It reads the app's unit, so Terragrunt applies it last.
    assert_eq!(stack.levels.last().unwrap(), &vec!["jobs_queue"]);
    let unit = &stack.units["jobs_queue"];
    let outputs = mock_outputs(unit);
    let cfg = unit.evaluate(&outputs).unwrap();
    assert_eq!(
        cfg.inputs["consumer_role_arn"],
        get(&outputs["ecs_fargate"], "task_role_arn")
    );
    assert_eq!(cfg.inputs["name"], Value::from("custom-production-jobs"));
    assert!(cfg.source.unwrap().ends_with("/Modules//Jobs_Queue"));
}

/// Each dependency's outputs as a plan before anything exists sees them: its mock outputs.
fn mock_outputs(unit: &LoadedUnit) -> BTreeMap<String, Value> {
    unit.dependencies
        .iter()
        .map(|(n, d)| (n.clone(), dependency_outputs(d, None, "plan").unwrap()))
        .collect()
}
