//! Real Terraform for the tests: a CLI configuration that installs hashicorp/aws only from a
//! local filesystem mirror, `terraform test` under a mock provider on copies of golden
//! modules, and `terraform console` to read what a module computes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use super::repo;

/// A Terraform CLI configuration that installs providers only from the local mirror (from an
/// unpacked mirror `init` links the provider rather than copying it).
pub struct Terraform {
    pub config: PathBuf,
    _dir: tempfile::TempDir,
}

pub fn terraform() -> Terraform {
    match Command::new("terraform").arg("version").output() {
        Ok(out) if out.status.success() => {}
        _ => panic!(
            "terraform is not installed: these tests run real Terraform (>= 1.7) with the \
             hashicorp/aws provider from a local filesystem mirror"
        ),
    }
    let mirror = provider_mirror();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("terraformrc");
    std::fs::write(
        &config,
        format!(
            "provider_installation {{\n  filesystem_mirror {{\n    path = {:?}\n  }}\n}}\n",
            mirror.display().to_string()
        ),
    )
    .unwrap();
    Terraform { config, _dir: dir }
}

/// The filesystem mirror holding registry.terraform.io/hashicorp/aws.
pub fn provider_mirror() -> PathBuf {
    if let Some(dir) = std::env::var_os("TGFORGE_TF_PLUGIN_MIRROR") {
        return dir.into();
    }
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let roots = [
        Some(PathBuf::from("/opt")),
        home.map(|h| h.join(".terraform.d")),
    ];
    roots
        .into_iter()
        .flatten()
        .find_map(|root| find_mirror(&root, 4))
        .expect(
            "no hashicorp/aws provider mirror under /opt or ~/.terraform.d: set \
             TGFORGE_TF_PLUGIN_MIRROR to a filesystem mirror holding it",
        )
}

pub fn find_mirror(dir: &Path, depth: usize) -> Option<PathBuf> {
    let aws = dir.join("registry.terraform.io/hashicorp/aws");
    if aws.is_dir() && std::fs::read_dir(&aws).ok()?.next().is_some() {
        return Some(dir.to_path_buf());
    }
    if depth == 0 {
        return None;
    }
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs.iter().find_map(|d| find_mirror(d, depth - 1))
}

impl Terraform {
    /// Runs terraform in `dir` with `env` added and `stdin` fed in.
    pub fn run(&self, dir: &Path, args: &[&str], env: &[(String, String)], stdin: &str) -> Output {
        use std::io::Write;
        let mut child = Command::new("terraform")
            .args(args)
            .current_dir(dir)
            .env("TF_CLI_CONFIG_FILE", &self.config)
            .env("TF_IN_AUTOMATION", "1")
            .env("CHECKPOINT_DISABLE", "1")
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("terraform runs");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    }

    pub fn init(&self, dir: &Path) {
        let out = self.run(
            dir,
            &["init", "-backend=false", "-input=false", "-no-color"],
            &[],
            "",
        );
        assert!(
            out.status.success(),
            "terraform init in {}:\n{}",
            dir.display(),
            text(&out)
        );
    }

    /// The value of `expression` in `dir` (initialised), with `env` set, through
    /// `terraform console`. The expression is wrapped in base64encode(jsonencode(...)) so the
    /// console's own string quoting cannot blur the result.
    pub fn console(
        &self,
        dir: &Path,
        expression: &str,
        env: &[(String, String)],
    ) -> Result<serde_json::Value, String> {
        let out = self.run(
            dir,
            &["console", "-no-color"],
            env,
            &format!("base64encode(jsonencode({expression}))\n"),
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        let line = stdout
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("");
        let encoded = line.trim().trim_matches('"');
        match (out.status.success(), base64_decode(encoded)) {
            (true, Some(bytes)) => {
                serde_json::from_slice(&bytes).map_err(|e| format!("{e}: {}", text(&out)))
            }
            _ => Err(text(&out)),
        }
    }
}

pub fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Standard base64 (with padding), as Terraform's base64encode writes it.
pub fn base64_decode(text: &str) -> Option<Vec<u8>> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let text = text.trim_end_matches('=');
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0);
    for c in text.bytes() {
        acc = (acc << 6) | ALPHABET.iter().position(|&a| a == c)? as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Some(out)
}

/// A copy of `src` (a module folder) in a new temp dir, so nothing is written into a tree.
pub fn copy_module(src: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(src).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
        }
    }
    dir
}

/// Mock AWS provider for `terraform test`. The provider still validates arguments (ARNs,
/// policy JSON) under a mock, so the values that build them are realistic.
pub const MOCK_PROVIDER: &str = r#"mock_provider "aws" {
  mock_data "aws_partition" {
    defaults = {
      partition  = "aws"
      dns_suffix = "amazonaws.com"
    }
  }
  mock_data "aws_region" {
    defaults = {
      id = "eu-west-1"
    }
  }
  mock_data "aws_caller_identity" {
    defaults = {
      account_id = "123456789012"
    }
  }
  mock_data "aws_iam_policy_document" {
    defaults = {
      json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
    }
  }
}
"#;

/// Runs `terraform test` (plans only) on a copy of golden `tree`'s `module` with `runs` (HCL:
/// `variables` and `run` blocks) and asserts every run passed.
pub fn plan_module(tree: &str, module: &str, runs: &str, expected_runs: usize) {
    test_module(tree, module, MOCK_PROVIDER, runs, expected_runs);
}

/// `terraform test` of a copy of golden `tree`'s `module` under the mock `provider` block.
pub fn test_module(tree: &str, module: &str, provider: &str, runs: &str, expected_runs: usize) {
    let tf = terraform();
    let dir = copy_module(
        &repo()
            .join("generated")
            .join(tree)
            .join("Modules")
            .join(module),
    );
    std::fs::create_dir(dir.path().join("tests")).unwrap();
    std::fs::write(
        dir.path().join("tests/plan.tftest.hcl"),
        format!("{provider}\n{runs}"),
    )
    .unwrap();
    tf.init(dir.path());
    let out = tf.run(dir.path(), &["test", "-no-color"], &[], "");
    let log = text(&out);
    assert!(out.status.success(), "terraform test of {module}:\n{log}");
    assert!(
        log.contains(&format!("{expected_runs} passed, 0 failed")),
        "{module}:\n{log}"
    );
}

/// `terraform test` variables (the lines of a `variables` block) for the golden `AWS_ASG`
/// module: one app's Auto Scaling group behind a target group, without EFS.
pub const ASG_TEST_VARIABLES: &str = r#"  name               = "combo-test-app"
  instance_type      = "t3.small"
  ami_name_pattern   = "combo-test-application-*"
  subnet_ids         = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
  security_group_ids = ["sg-0123456789abcdef0"]
  target_group_arns  = ["arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/combo/0123456789abcdef"]
  min_size           = 1
  max_size           = 2
  desired_capacity   = 1
  cpu_target         = 60
"#;

/// `terraform test` variables (the lines of a `variables` block) for the golden `ECS_Fargate`
/// module: one app's service behind a target group, without EFS, with `environment_json` (the
/// container's settings as JSON text) written as an HCL string.
pub fn fargate_test_variables(environment_json: &str) -> String {
    let environment_json =
        hcl::format::to_string(&hcl::Expression::from(environment_json)).expect("a string formats");
    format!(
        r#"  cluster_name       = "combo-test"
  service_name       = "combo-test-app"
  image              = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/combo:latest"
  cpu                = 256
  memory             = 512
  container_port     = 8000
  desired_count      = 1
  min_count          = 1
  max_count          = 2
  cpu_target         = 60
  log_retention_days = 30
  subnet_ids         = ["subnet-0123456789abcdef0"]
  security_group_ids = ["sg-0123456789abcdef0"]
  target_group_arn   = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/combo/0123456789abcdef"
  environment_json   = {environment_json}
"#
    )
}

/// A `variables` block of a `terraform test` file holding `lines`.
pub fn variables_block(lines: &str) -> String {
    format!("variables {{\n{lines}}}\n")
}
