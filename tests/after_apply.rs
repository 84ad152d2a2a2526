//! Issue 9, "Works after apply": the rules of `common::after_apply` hold for every golden tree
//! and for the spec shapes the combinations do not cover (RDS with the master password in
//! Parameter Store plus migrations, one certificate for both ALB and CloudFront, the ECS
//! steady-state opt-out). `tests/combinations.rs` applies the same rules to all 40
//! architecture combinations.

mod common;

use common::after_apply::after_apply_violations;
use common::{example_specs, generate_tree, read_tree, repo, write_spec};

#[test]
fn every_golden_tree_works_after_apply() {
    let mut problems = Vec::new();
    for spec in example_specs() {
        let name = spec.file_stem().unwrap().to_string_lossy().to_string();
        let tree = read_tree(&repo().join("generated").join(&name));
        assert!(!tree.is_empty(), "generated/{name} exists");
        problems.extend(
            after_apply_violations(&tree)
                .into_iter()
                .map(|p| format!("{name}: {p}")),
        );
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

const PARAMETER_SPEC: &str = "project: param
tooling:
  github_actions:
    enabled: false
state:
  bucket: param-state
  region: us-east-1
environments:
  prod:
    region: us-east-1
    account_id: \"123456789012\"
    domain: app.example.com
    certificate_arn: arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555
    cloudfront_certificate_arn: arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555
    compute:
      wait_for_steady_state: false
    app:
      environment:
        DJANGO_ALLOWED_HOSTS: app.example.com
    database:
      engine_version: \"16.4\"
    migrations:
      enabled: true
";

#[test]
fn parameter_password_migrations_and_one_certificate_work_after_apply() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = write_spec(tmp.path(), "param.yaml", PARAMETER_SPEC);
    let tree = generate_tree(&spec, &tmp.path().join("out"));
    let problems = after_apply_violations(&tree);
    assert!(problems.is_empty(), "{}", problems.join("\n"));

    let unit = |name: &str| {
        String::from_utf8(tree[&format!("prod/infrastructure/{name}/terragrunt.hcl")].clone())
            .unwrap()
    };
    // The one certificate covers the domain, so CloudFront talks HTTPS to the ALB, whose
    // port 443 only CloudFront may reach, while port 80 only redirects.
    assert!(unit("cloudfront").contains("alb_origin_protocol_policy = \"https-only\""));
    assert!(unit("security_groups").contains("cloudfront_origin_port = 443"));
    assert!(unit("alb").contains("http_listener_action = \"redirect\""));
    // The migrations job logs in with the parameters.
    assert!(unit("migrations").contains("DATABASE_PASSWORD = \"param-prod_database_password\""));
    // The spec's opt-out reaches the module; the pinned minor turns automatic upgrades off.
    assert!(unit("ecs_fargate").contains("wait_for_steady_state = false"));
    assert!(unit("db_instance").contains("auto_minor_version_upgrade = false"));
}

#[test]
fn the_steady_state_wait_is_the_default() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = write_spec(
        tmp.path(),
        "param.yaml",
        &PARAMETER_SPEC.replace("    compute:\n      wait_for_steady_state: false\n", ""),
    );
    let tree = generate_tree(&spec, &tmp.path().join("out"));
    let ecs =
        String::from_utf8(tree["prod/infrastructure/ecs_fargate/terragrunt.hcl"].clone()).unwrap();
    assert!(!ecs.contains("wait_for_steady_state"), "{ecs}");
    let module = String::from_utf8(tree["Modules/ECS_Fargate/variables.tf"].clone()).unwrap();
    assert!(
        module
            .contains("variable \"wait_for_steady_state\" {\n  type        = bool\n  description")
    );
    assert!(module.contains(
        "  default     = true\n  nullable    = false\n}\n\nvariable \"refresh_on_secret_rotation\""
    ));
}
