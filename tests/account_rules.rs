//! Rules that make every accepted spec work in a real AWS account (issue 9): what AWS accepts
//! is never refused (regions, AZs, instance classes); what AWS refuses is handled (subnet
//! limits, private subnets without NAT, several accounts). See docs/deployment.md.

mod common;

use std::collections::BTreeMap;

use common::{gen_command, generate_tree, tgforge, write_spec};

/// A minimal valid spec for one environment; `extra` is indented under the environment.
fn spec(region: &str, extra: &str) -> String {
    format!(
        "project: demo\nstate:\n  bucket: demo-terraform-state\n  region: {region}\ntooling:\n  github_actions:\n    enabled: false\nenvironments:\n  production:\n    region: {region}\n    account_id: \"123456789012\"\n    domain: demo.example.com\n    certificate_arn: arn:aws:acm:{region}:123456789012:certificate/11111111-2222-3333-4444-555555555555\n    cloudfront_certificate_arn: arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555\n{extra}"
    )
}

/// Generates `text` into `<tmp>/infra/tree` (where specs with CI put their tree) and returns
/// the tree's files, plus the repository-root files (CI workflow, pre-commit) wherever they
/// were written.
fn generate(text: &str) -> BTreeMap<String, String> {
    let tmp = tempfile::tempdir().unwrap();
    let path = write_spec(tmp.path(), "spec.yaml", text);
    let mut files = generate_tree(&path, &tmp.path().join("infra/tree"));
    for root_file in [
        ".github/workflows/infrastructure.yml",
        ".pre-commit-config.yaml",
    ] {
        if let Ok(bytes) = std::fs::read(tmp.path().join(root_file)) {
            files.insert(root_file.to_string(), bytes);
        }
    }
    files
        .into_iter()
        .map(|(k, v)| (k, String::from_utf8(v).unwrap()))
        .collect()
}

fn validate_stderr(text: &str) -> (Option<i32>, String) {
    let tmp = tempfile::tempdir().unwrap();
    let path = write_spec(tmp.path(), "spec.yaml", text);
    let out = tgforge().arg("validate").arg(&path).output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

// ---------------------------------------------------------------------------------------------
// Never reject what AWS accepts
// ---------------------------------------------------------------------------------------------

#[test]
fn every_commercial_region_generates_with_its_own_az_names() {
    for (region, letters) in tgforge::network::REGIONS {
        let azs = letters.len().min(3);
        let tree = generate(&spec(region, &format!("    network:\n      azs: {azs}\n")));
        let vpc = &tree["production/infrastructure/vpc/terragrunt.hcl"];
        let expected: Vec<String> = letters
            .chars()
            .take(azs)
            .map(|l| format!("\"{region}{l}\""))
            .collect();
        assert!(
            vpc.contains(&expected.join(", ")),
            "{region}: AZs {expected:?} in\n{vpc}"
        );
    }
}

#[test]
fn us_west_2_is_accepted_with_four_azs() {
    let tree = generate(&spec(
        "us-west-2",
        "    network:\n      azs: 4\n      public_subnets: 4\n      private_subnets: 4\n",
    ));
    let vpc = &tree["production/infrastructure/vpc/terragrunt.hcl"];
    assert!(
        vpc.contains(r#"["us-west-2a", "us-west-2b", "us-west-2c", "us-west-2d"]"#),
        "{vpc}"
    );
}

#[test]
fn current_rds_families_are_accepted_and_reach_the_database_unit() {
    for class in [
        "db.r7g.large",
        "db.r7i.xlarge",
        "db.r8g.large",
        "db.m7g.large",
        "db.m7i.2xlarge",
        "db.m8g.medium",
        "db.x2g.large",
        "db.t4g.micro",
        "db.r6gd.large",
        "db.m6id.large",
    ] {
        let tree = generate(&spec(
            "eu-west-1",
            &format!("    database:\n      instance_class: {class}\n"),
        ));
        let db = &tree["production/infrastructure/db_instance/terragrunt.hcl"];
        assert!(db.contains(&format!("\"{class}\"")), "{class}:\n{db}");
    }
}

#[test]
fn a_malformed_instance_class_is_refused_with_the_reason() {
    let (code, stderr) = validate_stderr(&spec(
        "eu-west-1",
        "    database:\n      instance_class: db.r7g.huge\n",
    ));
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("database.instance_class: `db.r7g.huge` is not an RDS Postgres instance class: `huge` is not an instance size"),
        "{stderr}"
    );
}

// ---------------------------------------------------------------------------------------------
// Refuse or handle what AWS refuses: subnet counts
// ---------------------------------------------------------------------------------------------

/// The `subnet_ids = ...` expression of a unit.
fn subnet_ids(tree: &BTreeMap<String, String>, unit: &str) -> String {
    let text = &tree[&format!("production/infrastructure/{unit}/terragrunt.hcl")];
    text.lines()
        .find_map(|l| l.trim().strip_prefix("subnet_ids"))
        .unwrap_or_else(|| panic!("{unit} has subnet_ids:\n{text}"))
        .trim_start_matches([' ', '='])
        .to_string()
}

#[test]
fn many_subnets_are_taken_per_az_within_each_resource_limit() {
    let network =
        "    network:\n      azs: 3\n      public_subnets: 7\n      private_subnets: 40\n";
    let rest =
        "    migrations:\n      enabled: true\n    addons:\n      redis: {}\n      memcached: {}\n";
    let tree = generate(&spec("eu-west-1", &format!("{network}{rest}")));
    // One public subnet per AZ for the ALB, whatever the public count.
    assert_eq!(
        subnet_ids(&tree, "alb"),
        "slice(dependency.vpc.outputs.public_subnet_ids, 0, 3)"
    );
    // ECS service and CodeBuild: at most 16.
    for unit in ["ecs_fargate", "migrations"] {
        assert_eq!(
            subnet_ids(&tree, unit),
            "slice(dependency.vpc.outputs.private_subnet_ids, 0, 16)",
            "{unit}"
        );
    }
    // RDS and ElastiCache subnet groups: at most 20.
    for unit in ["db_instance", "redis", "memcached"] {
        assert_eq!(
            subnet_ids(&tree, unit),
            "slice(dependency.vpc.outputs.private_subnet_ids, 0, 20)",
            "{unit}"
        );
    }
}

#[test]
fn within_the_limits_every_subnet_is_used() {
    let tree = generate(&spec("eu-west-1", "    network:\n      azs: 3\n"));
    assert_eq!(
        subnet_ids(&tree, "alb"),
        "dependency.vpc.outputs.public_subnet_ids"
    );
    assert_eq!(
        subnet_ids(&tree, "ecs_fargate"),
        "dependency.vpc.outputs.private_subnet_ids"
    );
}

// ---------------------------------------------------------------------------------------------
// Refuse or handle what AWS refuses: private subnets without NAT
// ---------------------------------------------------------------------------------------------

/// The `interface_endpoints` and `gateway_endpoints` lines of the VPC unit.
fn endpoints(tree: &BTreeMap<String, String>) -> (String, String) {
    let vpc = &tree["production/infrastructure/vpc/terragrunt.hcl"];
    let value = |key: &str| {
        vpc.lines()
            .find_map(|l| l.trim().strip_prefix(key))
            .map(|v| v.trim_start_matches([' ', '=']).to_string())
            .unwrap_or_default()
    };
    (value("interface_endpoints"), value("gateway_endpoints"))
}

#[test]
fn fargate_without_nat_gets_the_endpoints_to_pull_its_image_log_and_read_secrets() {
    let tree = generate(&spec(
        "eu-west-1",
        "    network:\n      nat_gateways: none\n    migrations:\n      enabled: true\n    app:\n      secrets:\n        DJANGO_SECRET_KEY: django_secret_key\n",
    ));
    assert_eq!(
        endpoints(&tree),
        (
            r#"["ecr.api", "ecr.dkr", "logs", "ssm"]"#.to_string(),
            r#"["s3"]"#.to_string()
        )
    );
    // The module creates them: interface endpoints in one private subnet per AZ behind a
    // security group open to the VPC on 443, S3 on the private route tables.
    let module = &tree["Modules/AWS_VPC/endpoints.tf"];
    for needle in [
        "resource \"aws_vpc_endpoint\" \"interface\"",
        "resource \"aws_vpc_endpoint\" \"gateway\"",
        "cidr_ipv4         = aws_vpc.this.cidr_block",
        "private_dns_enabled = true",
        "route_table_ids   = aws_route_table.private[*].id",
    ] {
        assert!(module.contains(needle), "{needle}");
    }
}

#[test]
fn managed_passwords_and_ec2_without_nat_get_secrets_manager_and_session_manager() {
    let tree = generate(&spec(
        "eu-west-1",
        "    network:\n      nat_gateways: none\n      database_subnets: true\n    compute:\n      platform: asg\n    packer:\n      app_repository: https://github.com/example/app\n    database:\n      engine: aurora_serverless\n",
    ));
    assert_eq!(
        endpoints(&tree).0,
        r#"["ec2messages", "logs", "monitoring", "secretsmanager", "ssm", "ssmmessages"]"#
    );
}

#[test]
fn with_nat_no_endpoint_is_added() {
    let tree = generate(&spec("eu-west-1", ""));
    assert_eq!(endpoints(&tree), (String::new(), String::new()));
}

#[test]
fn without_nat_what_needs_the_internet_is_refused_at_its_field() {
    let (code, stderr) = validate_stderr(&spec(
        "eu-west-1",
        "    network:\n      nat_gateways: none\n    app:\n      image: nginx:1.27\n    migrations:\n      repository: https://github.com/example/app\n",
    ));
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("environments.production.app.image: `nginx:1.27` cannot be pulled with `nat_gateways: none`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("environments.production.migrations.repository: the migrations job clones"),
        "{stderr}"
    );
    assert!(stderr.contains("hint: remove `app.image`"), "{stderr}");
    // An ECR image of the environment's own region is reachable through the endpoints.
    let (code, stderr) = validate_stderr(&spec(
        "eu-west-1",
        "    network:\n      nat_gateways: none\n    app:\n      image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1.0\n",
    ));
    assert_eq!(code, Some(0), "{stderr}");
}

// ---------------------------------------------------------------------------------------------
// Several accounts, one state bucket name
// ---------------------------------------------------------------------------------------------

#[test]
fn several_accounts_get_a_state_bucket_each_and_one_account_keeps_one() {
    let tree = generate(&std::fs::read_to_string(common::repo().join("specs/shop.yaml")).unwrap());
    let root = &tree["root.hcl"];
    assert!(
        root.contains("bucket       = local.common.state_bucket"),
        "{root}"
    );
    for (env, account) in [("staging", "210987654321"), ("production", "345678901234")] {
        let bucket = format!("\"shop-terraform-state-eu-{account}\"");
        let vars = &tree[&format!("{env}/infrastructure/common_vars.hcl")];
        assert!(vars.contains(&format!("state_bucket = {bucket}")), "{vars}");
        let bootstrap = &tree[&format!("{env}/bootstrap.sh")];
        assert!(
            bootstrap.contains(&format!("state_bucket='shop-terraform-state-eu-{account}'")),
            "{bootstrap}"
        );
    }
    // One account: the spec's bucket as written.
    let tree = generate(&spec("eu-west-1", ""));
    assert!(tree["root.hcl"].contains("bucket         = \"demo-terraform-state\""));
    assert!(!tree["production/infrastructure/common_vars.hcl"].contains("state_bucket"));
}

#[test]
fn a_state_bucket_name_too_long_for_per_account_buckets_is_refused() {
    let text = std::fs::read_to_string(common::repo().join("specs/shop.yaml"))
        .unwrap()
        .replace(
            "bucket: shop-terraform-state-eu",
            "bucket: shop-terraform-state-bucket-for-all-the-accounts-in-eu",
        );
    let (code, stderr) = validate_stderr(&text);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("state.bucket: `shop-terraform-state-bucket-for-all-the-accounts-in-eu` is too long to name one bucket per account"),
        "{stderr}"
    );
}

#[test]
fn one_state_profile_is_refused_for_several_accounts_and_kept_for_one() {
    let shop = std::fs::read_to_string(common::repo().join("specs/shop.yaml")).unwrap();
    let with_profile = shop.replace(
        "bucket: shop-terraform-state-eu\n",
        "bucket: shop-terraform-state-eu\n  profile: shop-state\n",
    );
    assert_ne!(shop, with_profile);
    let (code, stderr) = validate_stderr(&with_profile);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains(
            "state.profile: one state profile (`shop-state`) for environments in 2 AWS accounts"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("hint: remove `state.profile`"), "{stderr}");
    // One account: the named profile reaches the one bucket, as before.
    let tree = generate(&spec("eu-west-1", "").replace(
        "  region: eu-west-1\ntooling:",
        "  region: eu-west-1\n  profile: demo-state\ntooling:",
    ));
    assert!(
        tree["root.hcl"].contains("local.env_credentials ? {} : { profile = \"demo-state\" }"),
        "{}",
        tree["root.hcl"]
    );
}

#[test]
fn bootstrap_succeeds_for_every_environment_of_a_multi_account_spec() {
    let Some(moto) = common::moto::start_moto() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    generate_tree(&common::repo().join("specs/shop.yaml"), &out);
    // Each environment's profile assumes a role in its own account (moto ties the credentials
    // to that account), as a real AWS CLI profile would.
    std::fs::write(
        tmp.path().join("config"),
        "[profile base]\nregion = eu-central-1\n\
         [profile shop-staging]\nrole_arn = arn:aws:iam::210987654321:role/admin\nsource_profile = base\nregion = eu-central-1\n\
         [profile shop-production]\nrole_arn = arn:aws:iam::345678901234:role/admin\nsource_profile = base\nregion = eu-central-1\n",
    )
    .unwrap();
    std::fs::write(
        tmp.path().join("credentials"),
        "[base]\naws_access_key_id = testing\naws_secret_access_key = testing\n",
    )
    .unwrap();
    let aws = |args: &[&str]| {
        let output = std::process::Command::new("aws")
            .args(args)
            .env("AWS_CONFIG_FILE", tmp.path().join("config"))
            .env(
                "AWS_SHARED_CREDENTIALS_FILE",
                tmp.path().join("credentials"),
            )
            .env("AWS_ENDPOINT_URL", &moto.url)
            .output()
            .unwrap();
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    for (env, account) in [("staging", "210987654321"), ("production", "345678901234")] {
        let mut child = std::process::Command::new("bash")
            .arg(out.join(env).join("bootstrap.sh"))
            .args(["--github-repository", "example/shop-infra"])
            .env("AWS_CONFIG_FILE", tmp.path().join("config"))
            .env(
                "AWS_SHARED_CREDENTIALS_FILE",
                tmp.path().join("credentials"),
            )
            .env("AWS_ENDPOINT_URL", &moto.url)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        {
            use std::io::Write;
            let mut stdin = child.stdin.take().unwrap();
            for _ in 0..10 {
                writeln!(stdin, "value-{env}").unwrap();
            }
        }
        let result = child.wait_with_output().unwrap();
        assert!(
            result.status.success(),
            "{env}/bootstrap.sh failed:\n{}\n{}",
            String::from_utf8_lossy(&result.stdout),
            String::from_utf8_lossy(&result.stderr)
        );
        // The bucket belongs to the environment's own account, so its credentials reach it.
        let profile = format!("shop-{env}");
        let buckets = aws(&[
            "--profile",
            &profile,
            "s3api",
            "list-buckets",
            "--query",
            "Buckets[].Name",
            "--output",
            "text",
        ]);
        assert!(
            buckets.contains(&format!("shop-terraform-state-eu-{account}")),
            "{env}: buckets of account {account}: {buckets}"
        );
        let parameter = aws(&[
            "--profile",
            &profile,
            "ssm",
            "get-parameter",
            "--name",
            &format!("shop-{env}_django_secret_key"),
            "--with-decryption",
            "--query",
            "Parameter.Value",
            "--output",
            "text",
        ]);
        assert_eq!(parameter.trim(), format!("value-{env}"));
        // CI can plan a fresh account: the OIDC provider and the plan role exist there, the
        // role trusted by pull requests of the one repository.
        let providers = aws(&[
            "--profile",
            &profile,
            "iam",
            "list-open-id-connect-providers",
            "--output",
            "text",
        ]);
        // (moto writes its default account id into OIDC provider ARNs, so only the name is
        // compared.)
        assert!(
            providers.contains(":oidc-provider/token.actions.githubusercontent.com"),
            "{providers}"
        );
        let trust = aws(&[
            "--profile",
            &profile,
            "iam",
            "get-role",
            "--role-name",
            "shop-infra-plan",
            "--query",
            "Role.AssumeRolePolicyDocument",
            "--output",
            "json",
        ]);
        assert!(
            trust.contains("repo:example/shop-infra:pull_request"),
            "{trust}"
        );
        let policy = aws(&[
            "--profile",
            &profile,
            "iam",
            "get-role-policy",
            "--role-name",
            "shop-infra-plan",
            "--policy-name",
            "tgforge-plan-state",
            "--output",
            "json",
        ]);
        assert!(
            policy.contains(&format!("shop-terraform-state-eu-{account}/shop/{env}/*")),
            "{policy}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The repository: pinned tools, commands that match them
// ---------------------------------------------------------------------------------------------

/// A pinned git source of tgforge, indented under `tooling.github_actions`.
const GIT_SOURCE: &str = "    tgforge_source:\n      git: https://github.com/example/tgforge\n      rev: 0123456789abcdef0123456789abcdef01234567\n";

/// `spec` with the CI workflow on and no tgforge source; `github` is indented under
/// `tooling.github_actions`.
fn spec_with_ci_settings(github: &str) -> String {
    spec("eu-west-1", "    ci_role_arn: arn:aws:iam::123456789012:role/plan\n").replace(
        "tooling:\n  github_actions:\n    enabled: false\n",
        &format!("tooling:\n  github_actions:\n    spec_path: infra/demo.yaml\n    tree_path: infra/tree\n{github}"),
    )
}

/// `spec` with the CI workflow on, installing tgforge from [`GIT_SOURCE`].
fn spec_with_ci(github: &str) -> String {
    spec_with_ci_settings(&format!("{GIT_SOURCE}{github}"))
}

/// The `run:` of every "Install tgforge" step of a workflow.
fn install_steps(workflow: &str) -> Vec<String> {
    let yaml: serde_yaml::Value = serde_yaml::from_str(workflow).unwrap();
    let mut runs = Vec::new();
    for (_, job) in yaml["jobs"].as_mapping().unwrap() {
        for step in job["steps"].as_sequence().unwrap() {
            if step["name"].as_str() == Some("Install tgforge") {
                runs.push(step["run"].as_str().unwrap().to_string());
            }
        }
    }
    runs
}

#[test]
fn the_workflow_installs_exactly_the_pinned_tgforge_source() {
    // A git repository and commit: built with cargo at that commit, in both jobs.
    let tree = generate(&spec_with_ci(""));
    let workflow = &tree[".github/workflows/infrastructure.yml"];
    let git = "cargo install --locked --git 'https://github.com/example/tgforge' --rev 0123456789abcdef0123456789abcdef01234567 tgforge";
    assert_eq!(install_steps(workflow), [git, git], "{workflow}");
    // A release archive: downloaded, checked against its SHA-256, installed.
    let sha256 = "ab".repeat(32);
    let tree = generate(&spec_with_ci_settings(&format!(
        "    tgforge_source:\n      release_url: https://example.com/tgforge-0.1.0.tar.gz\n      sha256: {sha256}\n"
    )));
    let release = format!(
        "curl -fsSL -o /tmp/tgforge.tar.gz 'https://example.com/tgforge-0.1.0.tar.gz' && echo '{sha256}  /tmp/tgforge.tar.gz' | sha256sum -c - && tar -xzf /tmp/tgforge.tar.gz -C /tmp tgforge && sudo install -m 0755 /tmp/tgforge /usr/local/bin/tgforge"
    );
    let workflow = &tree[".github/workflows/infrastructure.yml"];
    assert_eq!(
        install_steps(workflow),
        [release.as_str(), release.as_str()]
    );
    // Never an install from crates.io the spec did not ask for.
    assert!(!workflow.contains("cargo install tgforge"), "{workflow}");
}

#[test]
fn a_workflow_without_a_tgforge_source_is_refused_with_the_lines_to_add() {
    let tmp = tempfile::tempdir().unwrap();
    let path = write_spec(tmp.path(), "spec.yaml", &spec_with_ci_settings(""));
    let out = gen_command(&path, &tmp.path().join("infra/tree"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    // Located at the CI settings (line 6: `  github_actions:`), with the exact lines to add.
    assert!(
        stderr.contains(&format!(
            "error: {}:6:3: tooling.github_actions.tgforge_source: missing: ",
            path.display()
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains("      tooling:\n        github_actions:\n          tgforge_source:\n            git: https://github.com/OWNER/tgforge"),
        "{stderr}"
    );
    assert!(
        stderr.contains("or `release_url:` and `sha256:`"),
        "{stderr}"
    );
    assert!(!tmp.path().join("infra").exists(), "nothing is written");
    // CI is on by default: a spec without `tooling` is refused too, at its first key.
    let text = spec_with_ci_settings("").replace(
        "tooling:\n  github_actions:\n    spec_path: infra/demo.yaml\n    tree_path: infra/tree\n",
        "",
    );
    assert!(!text.contains("tooling"));
    let (code, stderr) = validate_stderr(&text);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains(":1:1: tooling.github_actions.tgforge_source: missing: "),
        "{stderr}"
    );
    // A command the spec gives itself must still pin what it installs.
    let (code, stderr) = validate_stderr(&spec_with_ci_settings(
        "    tgforge_install: cargo install tgforge --locked\n",
    ));
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("installs an unpinned tgforge"), "{stderr}");
}

#[test]
fn terragrunt_commands_match_the_pinned_terragrunt() {
    for (version, run_all, constraint) in [
        ("0.77.22", "run --all", ">= 0.77.0"),
        ("0.72.6", "run-all", ">= 0.67.0"),
    ] {
        let tree = generate(&spec_with_ci(&format!(
            "    terragrunt_version: {version}\n"
        )));
        let other = if run_all == "run-all" {
            "run --all"
        } else {
            "run-all"
        };
        // The workflow plans unit by unit (only the affected ones), so only the README
        // runs every unit at once; neither may use the other version's syntax.
        for file in [".github/workflows/infrastructure.yml", "README.md"] {
            let text = &tree[file];
            assert!(
                file != "README.md" || text.contains(&format!("terragrunt {run_all} ")),
                "{version} {file}"
            );
            assert!(
                !text.contains(&format!("terragrunt {other} ")),
                "{version} {file}"
            );
        }
        assert!(
            tree["root.hcl"].contains(&format!("terragrunt_version_constraint = \"{constraint}\"")),
            "{version}"
        );
    }
}

#[test]
fn the_readme_regenerates_from_the_real_spec_path() {
    let tree = generate(&spec_with_ci(""));
    assert!(
        tree["README.md"].contains("tgforge gen 'infra/demo.yaml' -o 'infra/tree'"),
        "{}",
        tree["README.md"]
    );
}

#[test]
fn the_readme_says_how_ci_plans_a_fresh_account_and_what_waits_for_manual_steps() {
    let tree = generate(&spec_with_ci(""));
    let readme = &tree["README.md"];
    assert!(
        readme.contains("bash production/bootstrap.sh --github-repository OWNER/REPO"),
        "{readme}"
    );
    assert!(
        readme.contains(
            "except: `db_instance`, which needs the database Parameter Store entries (bootstrap)."
        ),
        "{readme}"
    );
    let bootstrap = &tree["production/bootstrap.sh"];
    for needle in [
        "ci_role_name='plan'",
        "token.actions.githubusercontent.com:sub\":\"repo:%s:pull_request",
        "arn:aws:iam::aws:policy/ReadOnlyAccess",
        "ensure_lock_table",
    ] {
        assert!(bootstrap.contains(needle), "{needle}");
    }
}

#[test]
fn ci_files_land_at_the_repository_root_when_the_tree_is_below_it_and_check_stays_clean() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    std::fs::create_dir_all(repo.join("infra")).unwrap();
    write_spec(&repo.join("infra"), "demo.yaml", &spec_with_ci(""));
    let run = |args: &[&str]| tgforge().current_dir(&repo).args(args).output().unwrap();
    let result = run(&["gen", "infra/demo.yaml", "-o", "infra/tree"]);
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    for file in [
        ".github/workflows/infrastructure.yml",
        ".pre-commit-config.yaml",
    ] {
        assert!(repo.join(file).is_file(), "{file} at the repository root");
        assert!(
            !repo.join("infra/tree").join(file).exists(),
            "{file} not in the tree"
        );
    }
    assert!(repo.join("infra/tree/root.hcl").is_file());
    // The workflow's own check command, run where GitHub runs it, finds nothing to change.
    let result = run(&["gen", "infra/demo.yaml", "-o", "infra/tree", "--check"]);
    assert_eq!(
        result.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&result.stdout),
        String::from_utf8_lossy(&result.stderr)
    );
    // A hand edit of a root file is a difference --check reports.
    let workflow = repo.join(".github/workflows/infrastructure.yml");
    let text = std::fs::read_to_string(&workflow).unwrap();
    std::fs::write(
        &workflow,
        text.replace("pull_request:", "workflow_dispatch:"),
    )
    .unwrap();
    let result = run(&["gen", "infra/demo.yaml", "-o", "infra/tree", "--check"]);
    assert_eq!(result.status.code(), Some(1));
    // An output folder that is not tree_path cannot say where the root is.
    let result = run(&["gen", "infra/demo.yaml", "-o", "elsewhere"]);
    assert_eq!(result.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&result.stderr).contains("tree_path"));
    assert!(!repo.join("elsewhere").exists());
}
