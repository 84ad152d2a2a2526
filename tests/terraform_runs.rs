//! Real Terraform over the generated modules, for two failures no parser or schema check sees:
//! - issue 16.1: `terraform test` plans (mock AWS provider) of the modules whose resources
//!   depend on optional inputs, with and without them (EFS for the Auto Scaling group and
//!   Fargate, a source repository for the migrations); `coalesce(null, "")` made every EC2
//!   plan without EFS fail;
//! - issue 16.2: spec strings holding `${`, `%{`, quotes, backslashes and newlines, passed to
//!   Terraform exactly as Terragrunt passes inputs (`TF_VAR_name`: a string as it is, any other
//!   value as JSON that Terraform parses as an HCL expression), then read back from Terraform.
//!
//! They need `terraform` (>= 1.7, for mock providers) on PATH and hashicorp/aws in a filesystem
//! plugin mirror: `TGFORGE_TF_PLUGIN_MIRROR`, else the first one found under /opt or
//! ~/.terraform.d (as `scripts/oracles.sh` does). Without either they fail; they never skip.

mod common;

use std::path::{Path, PathBuf};

use common::terraform::{
    ASG_TEST_VARIABLES, copy_module, fargate_test_variables, plan_module, terraform,
    variables_block,
};
use common::unit_inputs::spec_environment;
use common::{generate_tree, repo, write_spec};
use hcl::eval::{Context, Evaluate};

/// Spec strings that mean something to HCL, JSON, or both.
const HOSTILE: [&str; 8] = [
    "${x}",
    "%{y}",
    r#""hi" ${x} %{y}"#,
    r#"quote " and backslash \ end \"#,
    "first line\nsecond line\r\n\ttab",
    "%{ if true }x%{ endif }",
    "$${already} %%{doubled} $ alone { }",
    "unicode é ✓ <&>",
];

/// `terraform test` runs planning a compute module without EFS and with a file system and
/// access point: `without` (an HCL condition and its error message) must hold in the first run,
/// `with` in the second.
fn efs_runs(without: (&str, &str), with: (&str, &str)) -> String {
    let run = |name: &str, variables: &str, (condition, error_message): (&str, &str)| {
        format!(
            r#"
run "{name}" {{
  command = plan
{variables}
  assert {{
    condition     = {condition}
    error_message = "{error_message}"
  }}
}}
"#
        )
    };
    let efs = r#"
  variables {
    efs_file_system_id  = "fs-0123456789abcdef0"
    efs_access_point_id = "fsap-0123456789abcdef0"
  }
"#;
    run("without_efs", "", without) + &run("with_efs", efs, with)
}

#[test]
fn asg_module_plans_with_and_without_efs() {
    let user_data = "base64decode(aws_launch_template.this.user_data)";
    plan_module(
        "asg-reference",
        "AWS_ASG",
        &(variables_block(ASG_TEST_VARIABLES)
            + &efs_runs(
                (
                    &format!(r#"!strcontains({user_data}, "mount -t efs")"#),
                    "user data mounts EFS although no file system is given",
                ),
                (
                    &format!(
                        r#"strcontains({user_data}, "accesspoint=fsap-0123456789abcdef0 'fs-0123456789abcdef0:/'")"#
                    ),
                    "user data does not mount the EFS access point",
                ),
            )),
        2,
    );
}

#[test]
fn fargate_module_plans_with_and_without_efs() {
    let mounts_efs = r#"strcontains(aws_ecs_task_definition.this.container_definitions, "\"sourceVolume\":\"efs\"")"#;
    plan_module(
        "team-task",
        "ECS_Fargate",
        &(variables_block(&fargate_test_variables(r#"{"DEBUG":"False"}"#))
            + &efs_runs(
                (&format!("!{mounts_efs}"), "an EFS mount without EFS"),
                (mounts_efs, "no EFS mount"),
            )),
        2,
    );
}

#[test]
fn migrations_module_plans_with_and_without_a_repository() {
    plan_module(
        "asg-reference",
        "AWS_CodeBuild_Migrations",
        r#"variables {
  name               = "combo-test-migrations"
  vpc_id             = "vpc-0123456789abcdef0"
  subnet_ids         = ["subnet-0123456789abcdef0"]
  security_group_ids = ["sg-0123456789abcdef0"]
}

run "app_image_without_repository" {
  command = plan

  variables {
    image                       = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/combo:latest"
    image_pull_credentials_type = "SERVICE_ROLE"
    ecr_repository_arn          = "arn:aws:ecr:eu-west-1:123456789012:repository/combo"
  }

  assert {
    condition     = aws_codebuild_project.this.source[0].type == "NO_SOURCE"
    error_message = "a source without a repository"
  }
}

run "github_repository" {
  command = plan

  variables {
    source_repository = "https://github.com/example/app"
    source_branch     = "main"
  }

  assert {
    condition     = aws_codebuild_project.this.source[0].type == "GITHUB"
    error_message = "not a GitHub source"
  }
}
"#,
        2,
    );
}

/// A spec with every HOSTILE string as an app setting and as a tag value (and in a tag key).
fn hostile_spec(dir: &Path, spec: &str) -> PathBuf {
    let mut text = std::fs::read_to_string(repo().join("specs").join(spec)).unwrap();
    let mut settings = String::from("      environment:\n");
    let mut tags = String::from("    tags:\n");
    for (i, value) in HOSTILE.iter().enumerate() {
        let yaml = serde_json::to_string(value).unwrap(); // a JSON string is a YAML string
        settings.push_str(&format!("        HOSTILE_{i}: {yaml}\n"));
        tags.push_str(&format!("      \"Tag {i} ${{x}} %{{y}}\": {yaml}\n"));
    }
    assert!(text.contains("      environment:\n") && text.contains("    tags:\n"));
    text = text.replacen("      environment:\n", &settings, 1);
    text = text.replacen("    tags:\n", &tags, 1);
    write_spec(dir, spec, &text)
}

fn body(text: &str) -> hcl::Body {
    hcl::parse(text).expect("generated HCL parses")
}

fn attribute(body: &hcl::Body, key: &str) -> hcl::Expression {
    body.attributes()
        .find(|a| a.key() == key)
        .unwrap_or_else(|| panic!("attribute {key}"))
        .expr()
        .clone()
}

/// The JSON Terragrunt would pass for a unit's `environment_json`: its spec part (the first
/// argument of `jsonencode(merge(SPEC, ENDPOINTS))`, evaluated as Terragrunt evaluates HCL; the
/// endpoints are other units' outputs, values from AWS rather than from the spec).
fn environment_json(unit: &str) -> serde_json::Value {
    serde_json::to_value(spec_environment(unit)).unwrap()
}

/// provider.tf as root.hcl's `generate "provider"` writes it (its heredoc evaluated with the
/// environment's locals; the CI form without a named profile).
fn provider_tf(root_hcl: &str, common_vars: &hcl::Value) -> String {
    let root = body(root_hcl);
    let generate = root
        .blocks()
        .find(|b| b.identifier() == "generate")
        .expect("generate \"provider\"");
    let contents = attribute(&generate.body, "contents");
    let mut ctx = Context::new();
    let mut local = hcl::Map::new();
    local.insert("common".to_string(), common_vars.clone());
    local.insert("profile_setting".to_string(), hcl::Value::from(""));
    ctx.declare_var("local", hcl::Value::Object(local));
    match contents.evaluate(&ctx).expect("provider contents evaluate") {
        hcl::Value::String(s) => s,
        other => panic!("provider contents: {other:?}"),
    }
}

/// Terragrunt's TF_VAR_ value for an input: a string as it is, anything else as JSON.
fn tf_var(name: &str, value: &serde_json::Value) -> (String, String) {
    let text = match value {
        serde_json::Value::String(s) => s.clone(),
        other => serde_json::to_string(other).unwrap(),
    };
    (format!("TF_VAR_{name}"), text)
}

#[test]
fn spec_strings_reach_terraform_verbatim_through_tf_var() {
    let tf = terraform();
    let tmp = tempfile::tempdir().unwrap();
    // team-task runs the app on Fargate; asg-reference on EC2, with CodeBuild migrations.
    let cases = [
        ("team-task.yaml", "ecs_fargate", "ECS_Fargate"),
        ("asg-reference.yaml", "asg", "AWS_ASG"),
        (
            "asg-reference.yaml",
            "migrations",
            "AWS_CodeBuild_Migrations",
        ),
    ];
    let mut maps = Vec::new();
    for (spec, unit, module) in cases {
        let out = tmp.path().join(spec.trim_end_matches(".yaml"));
        if !out.exists() {
            generate_tree(&hostile_spec(tmp.path(), spec), &out);
        }
        let env_dir = out.join("production/infrastructure");
        let read = |path: PathBuf| std::fs::read_to_string(path).unwrap();

        let environment = environment_json(&read(env_dir.join(unit).join("terragrunt.hcl")));
        let locals = literal_locals(&read(env_dir.join("common_vars.hcl")));
        let tags = serde_json::to_value(&locals["tags"]).unwrap();
        // The spec's own strings, not only what the HCL parser read back.
        for (i, value) in HOSTILE.iter().enumerate() {
            assert_eq!(
                environment[format!("HOSTILE_{i}")],
                *value,
                "{unit}: setting {i}"
            );
            assert_eq!(
                tags[format!("Tag {i} ${{x}} %{{y}}")],
                *value,
                "{unit}: tag {i}"
            );
        }

        // The unit's module with the provider.tf root.hcl generates, as Terragrunt runs it.
        let dir = copy_module(&out.join("Modules").join(module));
        std::fs::write(
            dir.path().join("provider.tf"),
            provider_tf(&read(out.join("root.hcl")), &hcl::Value::Object(locals)),
        )
        .unwrap();
        tf.init(dir.path());
        // Terragrunt's jsonencode() output, passed as the string input it is.
        let inputs = [
            tf_var("environment_json", &environment.to_string().into()),
            tf_var("default_tags_json", &tags.to_string().into()),
        ];
        let seen = tf
            .console(
                dir.path(),
                "{ environment = local.environment, tags = jsondecode(var.default_tags_json) }",
                &inputs,
            )
            .unwrap_or_else(|e| panic!("{unit}: terraform console failed:\n{e}"));
        assert_eq!(
            seen["environment"], environment,
            "{unit}: settings as Terraform sees them"
        );
        assert_eq!(seen["tags"], tags, "{unit}: tags as the provider sees them");
        maps.push(environment);
    }
    assert_eq!(maps.len(), 3);

    // Control: the same settings passed as a map, the way Terragrunt passes a map input (what
    // the modules took before), do not reach Terraform intact: this test exercises the path
    // where the bug was.
    let scratch = tempfile::tempdir().unwrap();
    std::fs::write(
        scratch.path().join("main.tf"),
        "variable \"environment\" {\n  type = map(string)\n}\n",
    )
    .unwrap();
    tf.init(scratch.path());
    let as_map = tf.console(
        scratch.path(),
        "var.environment",
        &[tf_var("environment", &maps[0])],
    );
    assert_ne!(
        as_map.as_ref().ok(),
        Some(&maps[0]),
        "a map input survived TF_VAR_ parsing"
    );
}

/// The `locals` of a common_vars.hcl, all literal values.
fn literal_locals(text: &str) -> hcl::Map<String, hcl::Value> {
    let body = body(text);
    let locals = body
        .blocks()
        .find(|b| b.identifier() == "locals")
        .expect("locals block");
    locals
        .body
        .attributes()
        .map(|a| {
            let value = a.expr().evaluate(&Context::new()).expect("literal local");
            (a.key().to_string(), value)
        })
        .collect()
}
