//! `tgforge import copilot`: fixtures built from Copilot's documented examples
//! (tests/import_fixtures/copilot/README.md) import to specs that validate and generate, with
//! every unsupported field reported; bad input is refused, located, with exit 2 and nothing
//! written.

mod common;

use std::path::{Path, PathBuf};

use common::import::{import_over_existing_spec, import_refused, imported};
use common::{copy_tree, generate_tree, repo, tgforge};

fn fixture(name: &str) -> PathBuf {
    repo().join("tests/import_fixtures/copilot").join(name)
}

/// Imports `workspace` into `spec` with `extra` arguments; returns stdout.
fn import(workspace: &Path, spec: &Path, extra: &[&str]) -> String {
    imported("copilot", workspace, spec, extra)
}

/// Copies a fixture into a scratch folder (to break it).
fn copy_fixture(name: &str, to: &Path) {
    copy_tree(&fixture(name), to);
}

/// Fixture trees keep dot files (`copilot/.workspace`): read_tree must see them.
#[test]
fn fixtures_have_their_workspace_files() {
    for name in ["single", "two-envs", "unsupported"] {
        assert!(fixture(name).join("copilot/.workspace").is_file(), "{name}");
    }
}

#[test]
fn a_single_environment_imports_validates_and_generates() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = tmp.path().join("frontend.yaml");
    let stdout = import(
        &fixture("single"),
        &spec,
        &["--region", "eu-west-1", "--account-id", "123456789012"],
    );
    assert!(stdout.contains("it validates and generates"), "{stdout}");
    assert!(!stdout.contains("not imported"), "{stdout}");
    let text = std::fs::read_to_string(&spec).unwrap();
    for expected in [
        "project: frontend-app\n",
        "  prod-pdx:\n",
        "    region: eu-west-1\n",
        // ${AWS_REGION} and ${AWS_ACCOUNT_ID} substituted as Copilot does.
        "    certificate_arn: arn:aws:acm:eu-west-1:123456789012:certificate/13245665-cf8f-adf3-a7bd-adf876af95\n",
        "      port: 8080\n",
        "      cpu: 256\n",
        "      memory: 512\n",
        "      desired_count: 3\n",
        "      min_count: 3\n",
        "      max_count: 3\n",
        "      health_check_path: /_healthcheck\n",
        "        LOG_LEVEL: info\n",
        "        GITHUB_TOKEN: GITHUB_TOKEN\n",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
    // `image.build`: no image location, so the environment's ECR repository is used.
    assert!(!text.contains("image:"), "{text}");
    assert!(
        stdout.contains("copilot/frontend/manifest.yml:8: the image is built by Copilot"),
        "{stdout}"
    );
    let tree = generate_tree(&spec, &tmp.path().join("out"));
    let ecs = String::from_utf8(tree["prod-pdx/infrastructure/ecs_fargate/terragrunt.hcl"].clone())
        .unwrap();
    assert!(ecs.contains("container_port     = 8080"), "{ecs}");
    // The secret's parameter name (aligned with the other secrets, so spaces vary).
    assert!(
        ecs.lines().any(|l| l.split_whitespace().collect::<Vec<_>>()
            == [
                "GITHUB_TOKEN",
                "=",
                "\"frontend-app-prod-pdx_GITHUB_TOKEN\""
            ]),
        "{ecs}"
    );
    assert!(tree.contains_key("prod-pdx/infrastructure/ecr/terragrunt.hcl"));
}

#[test]
fn two_environments_with_overrides_import_validate_and_generate() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = tmp.path().join("frontend.yaml");
    let stdout = import(
        &fixture("two-envs"),
        &spec,
        &["--account-id", "123456789012"],
    );
    assert!(!stdout.contains("not imported"), "{stdout}");
    let text = std::fs::read_to_string(&spec).unwrap();
    // Shared values (base manifest, no override) are said once in `defaults`.
    let defaults = &text
        [text.find("\ndefaults:\n").expect("defaults")..text.find("\nenvironments:\n").unwrap()];
    for shared in [
        "  region: us-east-2\n",
        "    image: aws_account_id.dkr.ecr.us-west-2.amazonaws.com/frontend:latest\n",
        "    port: 80\n",
        "    cpu: 512\n",
        "    memory: 1024\n",
    ] {
        assert!(
            defaults.contains(shared),
            "missing {shared:?} in defaults:\n{text}"
        );
    }
    let environments = &text[text.find("\nenvironments:\n").unwrap()..];
    let prod = &environments
        [environments.find("  prod:\n").unwrap()..environments.find("  qa:\n").unwrap()];
    let qa = &environments[environments.find("  qa:\n").unwrap()..];
    // prod: the `environments.prod` override (count range 2-20 at 60% CPU, LOG_LEVEL warn),
    // the base alias with the environment's certificate, and the CDN with its certificate.
    for expected in [
        "    domain: example.com\n",
        "    certificate_arn: arn:aws:acm:us-east-2:123456789012:certificate/13245665-cf8f-adf3-a7bd-adf876af95\n",
        "    cloudfront_certificate_arn: arn:aws:acm:us-east-1:123456789012:certificate/e5a6e114-b022-45b1-9339-38fbfd6db3e2\n",
        "      vpc_cidr: 10.1.0.0/16\n",
        "      azs: 3\n",
        "      min_count: 2\n",
        "      max_count: 20\n",
        "      cpu_target: 60\n",
        "        LOG_LEVEL: warn\n",
        "      enabled: true\n",
    ] {
        assert!(
            prod.contains(expected),
            "missing {expected:?} in prod:\n{text}"
        );
    }
    // qa: the overridden alias with its hosted zone (certificates provisioned), the base count.
    for expected in [
        "    domain: qa.example.com\n",
        "    route53_zone_id: Z0873220N255IR3MTNR4\n",
        "      vpc_cidr: 10.0.0.0/16\n",
        "      azs: 2\n",
        "      min_count: 1\n",
        "      max_count: 10\n",
        "      cpu_target: 70\n",
        "        LOG_LEVEL: info\n",
    ] {
        assert!(qa.contains(expected), "missing {expected:?} in qa:\n{text}");
    }
    assert!(!qa.contains("certificate_arn"), "{qa}");
    // The subnet CIDRs Copilot had are reported: tgforge computes its own.
    assert!(
        stdout.contains("copilot/environments/qa/manifest.yml:13: the private subnet CIDRs are computed by tgforge"),
        "{stdout}"
    );

    let tree = generate_tree(&spec, &tmp.path().join("out"));
    assert!(tree.contains_key("qa/infrastructure/acm_alb/terragrunt.hcl"));
    assert!(tree.contains_key("prod/infrastructure/cloudfront/terragrunt.hcl"));
    assert!(!tree.contains_key("qa/infrastructure/cloudfront/terragrunt.hcl"));
    let vpc = String::from_utf8(tree["qa/infrastructure/vpc/terragrunt.hcl"].clone()).unwrap();
    assert!(
        vpc.contains("azs                  = [\"us-east-2a\", \"us-east-2b\"]"),
        "{vpc}"
    );
}

#[test]
fn every_unsupported_feature_is_listed_in_the_report_and_the_spec() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = tmp.path().join("frontend.yaml");
    let stdout = import(&fixture("unsupported"), &spec, &[]);
    let text = std::fs::read_to_string(&spec).unwrap();
    let dropped = [
        "copilot/api/manifest.yml:4: Backend Service `api`",
        "copilot/environments/prod/manifest.yml:5: `observability`",
        "copilot/frontend/addons/ddb.yml: addon CloudFormation template",
        "copilot/frontend/manifest.yml:16: `http.target_container`",
        "copilot/frontend/manifest.yml:21: `exec`",
        "copilot/frontend/manifest.yml:27: secret `DB_SECRET`",
        "copilot/frontend/manifest.yml:30: `storage`",
        "copilot/frontend/manifest.yml:37: `sidecars`",
        "copilot/pipelines/main/manifest.yml: Copilot pipeline",
    ];
    assert!(
        stdout.contains(&format!(
            "not imported, no tgforge equivalent ({};",
            dropped.len()
        )),
        "{stdout}"
    );
    for item in dropped {
        assert!(
            stdout.contains(&format!("  {item}")),
            "report lacks {item:?}:\n{stdout}"
        );
        assert!(
            text.contains(&format!("#   {item}")),
            "spec lacks {item:?}:\n{text}"
        );
    }
    // `network.vpc.placement: private` is what tgforge does: not listed.
    assert!(!stdout.contains("network.vpc"), "{stdout}");
    // What does map is there.
    assert!(
        text.contains("      health_check_path: /_health\n"),
        "{text}"
    );
    assert!(text.contains("    domain: example.com\n"), "{text}");
    generate_tree(&spec, &tmp.path().join("out"));
}

/// Runs an import expected to fail with exit 2; returns stderr. Nothing may be written.
fn refused(workspace: &Path, spec: &Path, extra: &[&str]) -> String {
    import_refused("copilot", workspace, spec, extra)
}

#[test]
fn bad_workspaces_are_refused_at_their_file_and_line_and_nothing_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = tmp.path().join("out/spec.yaml");

    // Not a workspace.
    let err = refused(tmp.path(), &spec, &[]);
    assert!(err.contains("copilot/.workspace: not found"), "{err}");

    // Region and account unknown: the environment manifest, with the flag to pass.
    let err = refused(&fixture("single"), &spec, &[]);
    assert!(
        err.contains("single/copilot/environments/prod-pdx/manifest.yml")
            && err.contains("region of environment `prod-pdx`")
            && err.contains("--region"),
        "{err}"
    );

    // The documentation's own certificate id (not hexadecimal): located at its line.
    let ws = tmp.path().join("bad-cert");
    copy_fixture("single", &ws);
    let env = ws.join("copilot/environments/prod-pdx/manifest.yml");
    let text = std::fs::read_to_string(&env).unwrap();
    std::fs::write(&env, text.replace("cf8f-adf3-a7bd", "cv8f-adf3-j7gd")).unwrap();
    let err = refused(
        &ws,
        &spec,
        &["--region", "eu-west-1", "--account-id", "123456789012"],
    );
    assert!(
        err.contains("copilot/environments/prod-pdx/manifest.yml:10:")
            && err.contains("is not an ACM certificate ARN"),
        "{err}"
    );

    // Invalid YAML: the line of the error.
    let ws = tmp.path().join("bad-yaml");
    copy_fixture("single", &ws);
    let svc = ws.join("copilot/frontend/manifest.yml");
    let mut text = std::fs::read_to_string(&svc).unwrap();
    text.push_str("cpu: [\n");
    std::fs::write(&svc, text).unwrap();
    let err = refused(
        &ws,
        &spec,
        &["--region", "eu-west-1", "--account-id", "123456789012"],
    );
    assert!(
        err.contains("copilot/frontend/manifest.yml:") && err.contains("is not valid YAML"),
        "{err}"
    );

    // Hostile nesting is refused before libyaml sees it.
    let ws = tmp.path().join("deep");
    copy_fixture("single", &ws);
    std::fs::write(
        ws.join("copilot/frontend/manifest.yml"),
        format!("name: x\ntype: {}\n", "[".repeat(100_000)),
    )
    .unwrap();
    let err = refused(
        &ws,
        &spec,
        &["--region", "eu-west-1", "--account-id", "123456789012"],
    );
    assert!(
        err.contains("copilot/frontend/manifest.yml:2: nests deeper than"),
        "{err}"
    );

    // Two web services and no --service; then a --service that is not a web service.
    let ws = tmp.path().join("two-services");
    copy_fixture("single", &ws);
    std::fs::create_dir_all(ws.join("copilot/admin")).unwrap();
    std::fs::write(
        ws.join("copilot/admin/manifest.yml"),
        "name: admin\ntype: 'Load Balanced Web Service'\nimage:\n  build: Dockerfile\n  port: 80\n",
    )
    .unwrap();
    std::fs::create_dir_all(ws.join("copilot/worker")).unwrap();
    std::fs::write(
        ws.join("copilot/worker/manifest.yml"),
        "name: worker\ntype: Worker Service\n",
    )
    .unwrap();
    let flags = ["--region", "eu-west-1", "--account-id", "123456789012"];
    let err = refused(&ws, &spec, &flags);
    assert!(
        err.contains("2 Load Balanced Web Services: admin, frontend") && err.contains("--service"),
        "{err}"
    );
    let err = refused(&ws, &spec, &[&flags[..], &["--service", "worker"]].concat());
    assert!(
        err.contains("copilot/worker/manifest.yml:2: service `worker` is a Worker Service"),
        "{err}"
    );
    // With --service, the other web service is listed as not imported.
    let stdout = import(
        &ws,
        &spec,
        &[&flags[..], &["--service", "frontend"]].concat(),
    );
    assert!(
        stdout.contains("Load Balanced Web Service `admin`: not the one imported"),
        "{stdout}"
    );
    assert!(stdout.contains("Worker Service `worker`"), "{stdout}");
}

#[test]
fn an_existing_spec_is_never_overwritten_without_force() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = tmp.path().join("frontend.yaml");
    let text = import_over_existing_spec("copilot", &fixture("unsupported"), &spec);
    assert!(text.contains("project: frontend-app"), "{text}");
}

#[test]
fn help_shows_examples() {
    let run = tgforge().args(["import", "--help"]).assert().success();
    let help = String::from_utf8(run.get_output().stdout.clone()).unwrap();
    assert!(
        help.contains("Examples:") && help.contains("tgforge import terragrunt"),
        "{help}"
    );
    for source in ["copilot", "terragrunt"] {
        let run = tgforge()
            .args(["import", source, "--help"])
            .assert()
            .success();
        let help = String::from_utf8(run.get_output().stdout.clone()).unwrap();
        assert!(help.contains("Examples:"), "{help}");
        assert!(
            help.contains(&format!("tgforge import {source} ")),
            "{help}"
        );
    }
}
