//! Units of the spec's own (`units:`, issue 12): a module in the tree, a git module and a
//! registry module generate with their dependency blocks and mocks; a wrong reference, an
//! input the module does not have and a cycle are refused at the spec line, nothing written;
//! `tgforge eject module` hands a generated module over. Real binary, real temp trees.

mod common;

use std::path::{Path, PathBuf};

use common::unit_inputs::block_attribute;
use common::{gen_command, read_tree, repo, tgforge};

/// The team-task spec with `units` (indented for the production environment) appended.
fn spec_with_units(dir: &Path, units: &str) -> PathBuf {
    let base = std::fs::read_to_string(repo().join("specs/team-task.yaml")).unwrap();
    let path = dir.join("spec.yaml");
    std::fs::write(&path, format!("{base}    units:\n{units}")).unwrap();
    path
}

/// A module of the team's own in the tree at `out/Modules/Jobs_Queue`.
fn write_local_module(out: &Path) {
    let module = out.join("Modules/Jobs_Queue");
    std::fs::create_dir_all(&module).unwrap();
    std::fs::write(
        module.join("variables.tf"),
        "variable \"name\" {\n  type = string\n}\n\nvariable \"subnet_ids\" {\n  type = list(string)\n}\n\nvariable \"retention\" {\n  type    = number\n  default = 345600\n}\n",
    )
    .unwrap();
    std::fs::write(
        module.join("outputs.tf"),
        "output \"queue_url\" {\n  value = aws_sqs_queue.this.url\n}\n\noutput \"queue_arns\" {\n  value = aws_sqs_queue.this[*].arn\n}\n\noutput \"limits\" {\n  value = { max = 10, name = var.name }\n}\n",
    )
    .unwrap();
}

/// One unit of each kind: `jobs` (a module in the tree, reading the VPC), `worker` (git,
/// reading `jobs` and the app's unit) and `topic` (registry, reading `worker`, and after the
/// ALB by an explicit dependency).
const THREE_UNITS: &str = r#"      jobs:
        module:
          path: Modules/Jobs_Queue
        inputs:
          name: "jobs-${not-an-interpolation}"
          subnet_ids: { from: vpc, output: private_subnet_ids }
      worker:
        description: Background worker from the platform team's modules.
        module:
          git: https://github.com/acme/terraform-modules.git
          ref: v1.4.0
          subdir: modules/worker
        inputs:
          queue_url: { from: jobs, output: queue_url }
          role: { from: ecs_fargate, output: task_role_arn }
          settings: { retries: 3, queues: [a, b] }
        mock_outputs:
          role_arn: arn:aws:iam::123456789012:role/mock-worker
          ports: [8080]
      topic:
        module:
          registry: terraform-aws-modules/sns/aws
          version: 6.1.2
        inputs:
          name: jobs-done
          publisher: { from: worker, output: role_arn }
        dependencies: [alb]
"#;

fn run_gen(spec: &Path, out: &Path) -> assert_cmd::assert::Assert {
    gen_command(spec, out).assert()
}

fn text(tree: &std::collections::BTreeMap<String, Vec<u8>>, path: &str) -> hcl::Body {
    let bytes = tree
        .get(path)
        .unwrap_or_else(|| panic!("{path} is generated"));
    hcl::parse(std::str::from_utf8(bytes).unwrap()).unwrap()
}

/// The paths a unit includes (its root, dependency blocks, overrides).
fn includes(body: &hcl::Body) -> Vec<String> {
    body.blocks()
        .filter(|b| b.identifier() == "include")
        .map(|b| b.labels()[0].as_str().to_string())
        .collect()
}

fn source(body: &hcl::Body) -> String {
    hcl::format::to_string(block_attribute(body, "terraform", "source").unwrap()).unwrap()
}

fn inputs(body: &hcl::Body) -> String {
    hcl::format::to_string(&common::generated_inputs(body).unwrap()).unwrap()
}

fn mocks(tree: &std::collections::BTreeMap<String, Vec<u8>>, unit: &str) -> serde_json::Value {
    let body = text(
        tree,
        &format!("production/infrastructure/dependency_blocks/{unit}.hcl"),
    );
    let mocks = block_attribute(&body, "dependency", "mock_outputs").unwrap();
    let value: hcl::Value =
        hcl::from_str(&format!("x = {}", hcl::format::to_string(mocks).unwrap())).unwrap();
    serde_json::to_value(&value).unwrap()["x"].clone()
}

#[test]
fn local_git_and_registry_units_generate_with_dependency_blocks_and_mocks() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    write_local_module(&out);
    let spec = spec_with_units(tmp.path(), THREE_UNITS);
    run_gen(&spec, &out).success();
    let tree = read_tree(&out);
    // tgforge reads the team's module, never writes it.
    let manifest = String::from_utf8(tree[".tgforge-manifest.json"].clone()).unwrap();
    assert!(!manifest.contains("Modules/Jobs_Queue"));

    let jobs = text(&tree, "production/infrastructure/jobs/terragrunt.hcl");
    assert_eq!(includes(&jobs), ["root", "vpc", "overrides"]);
    assert_eq!(
        source(&jobs),
        "\"${dirname(find_in_parent_folders(\"root.hcl\"))}/Modules//Jobs_Queue\""
    );
    let jobs_inputs = inputs(&jobs);
    // A literal goes through the HCL escaping: `${` is written `$${`, never interpolated.
    assert!(
        jobs_inputs.contains("name = \"jobs-$${not-an-interpolation}\""),
        "{jobs_inputs}"
    );
    assert!(jobs_inputs.contains("subnet_ids = dependency.vpc.outputs.private_subnet_ids"));

    let worker = text(&tree, "production/infrastructure/worker/terragrunt.hcl");
    assert_eq!(
        includes(&worker),
        ["root", "jobs", "ecs_fargate", "overrides"]
    );
    assert_eq!(
        source(&worker),
        "\"git::https://github.com/acme/terraform-modules.git//modules/worker?ref=v1.4.0\""
    );
    let worker_inputs = inputs(&worker);
    assert!(worker_inputs.contains("queue_url = dependency.jobs.outputs.queue_url"));
    assert!(worker_inputs.contains("role = dependency.ecs_fargate.outputs.task_role_arn"));
    assert!(worker_inputs.contains("retries = 3"), "{worker_inputs}");

    let topic = text(&tree, "production/infrastructure/topic/terragrunt.hcl");
    assert_eq!(includes(&topic), ["root", "alb", "worker", "overrides"]);
    assert_eq!(
        source(&topic),
        "\"tfr:///terraform-aws-modules/sns/aws?version=6.1.2\""
    );

    // Mocks: the local module's from its outputs.tf (shapes where the expression shows
    // them), the git module's from the spec, a built-in unit's from its module.
    assert_eq!(
        mocks(&tree, "jobs"),
        serde_json::json!({
            "queue_url": "mock-queue_url",
            "queue_arns": ["mock-queue_arns"],
            "limits": { "max": 10, "name": "mock-name" },
        })
    );
    assert_eq!(
        mocks(&tree, "worker"),
        serde_json::json!({ "role_arn": "arn:aws:iam::123456789012:role/mock-worker", "ports": [8080] })
    );
    assert!(mocks(&tree, "ecs_fargate")["task_role_arn"].is_string());
    // Nothing reads the topic: it has no dependency block.
    assert!(!tree.contains_key("production/infrastructure/dependency_blocks/topic.hcl"));

    // The graph and the README's apply order include the units, after what they read.
    let graph = tgforge().arg("graph").arg(&spec).output().unwrap();
    let graph = String::from_utf8(graph.stdout).unwrap();
    for edge in [
        "production_jobs --> production_vpc",
        "production_worker --> production_jobs",
        "production_topic --> production_alb",
        "production_topic --> production_worker",
    ] {
        assert!(graph.contains(edge), "no {edge} in\n{graph}");
    }
    let readme = String::from_utf8(tree["README.md"].clone()).unwrap();
    let step = |unit: &str| {
        readme
            .lines()
            .find(|l| l.contains(&format!("`{unit}`")) && l.starts_with(char::is_numeric))
            .and_then(|l| l.split('.').next()?.parse::<u32>().ok())
            .unwrap_or_else(|| panic!("{unit} has an apply step in the README"))
    };
    assert!(step("jobs") > step("vpc"));
    assert!(step("worker") > step("ecs_fargate") && step("worker") > step("jobs"));
    assert!(step("topic") > step("worker"));

    // `affected` (what CI plans) sees them: a change to the team's module affects the unit
    // running it and every unit reading it.
    // The tree checks clean.
    gen_command(&spec, &out).arg("--check").assert().success();

    let git = |args: &[&str]| {
        let identity = ["-c", "user.email=t@example.com", "-c", "user.name=t"];
        common::git(&out, &[&identity[..], args].concat());
    };
    git(&["init", "-q"]);
    git(&["add", "-A"]);
    git(&["commit", "-qm", "base"]);
    let outputs = out.join("Modules/Jobs_Queue/outputs.tf");
    let mut edited = std::fs::read_to_string(&outputs).unwrap();
    edited.push_str("\noutput \"queue_name\" {\n  value = var.name\n}\n");
    std::fs::write(&outputs, edited).unwrap();
    let affected = tgforge()
        .args(["affected", "--base", "HEAD", "--format", "paths", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(affected.status.success(), "{affected:?}");
    let affected = String::from_utf8(affected.stdout).unwrap();
    for unit in ["jobs", "worker", "topic"] {
        assert!(
            affected.contains(&format!("production/infrastructure/{unit}")),
            "{unit} not in\n{affected}"
        );
    }
    assert!(
        !affected.contains("production/infrastructure/vpc"),
        "{affected}"
    );
}

/// Runs gen on `units` and expects a refusal naming `field` at `line_text`'s line with
/// `message`; nothing may be written.
fn refused(units: &str, field: &str, line_text: &str, message: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    write_local_module(&out);
    let spec = spec_with_units(tmp.path(), units);
    let output = gen_command(&spec, &out).output().unwrap();
    assert_eq!(output.status.code(), Some(2), "{units}");
    let stderr = String::from_utf8(output.stderr).unwrap();
    let spec_text = std::fs::read_to_string(&spec).unwrap();
    // Searched in the appended `units:` section only (the base spec may hold the same text,
    // e.g. a `git:` source of its own).
    let units_start = spec_text.lines().position(|l| l == "    units:").unwrap();
    let line = units_start
        + spec_text
            .lines()
            .skip(units_start)
            .position(|l| l.contains(line_text))
            .unwrap()
        + 1;
    assert!(
        stderr.contains(&format!("spec.yaml:{line}:")) && stderr.contains(field),
        "expected {field} at line {line}:\n{stderr}"
    );
    assert!(stderr.contains(message), "expected `{message}`:\n{stderr}");
    // Only the team's module is there: nothing was written.
    let written: Vec<String> = read_tree(&out).into_keys().collect();
    assert_eq!(
        written,
        [
            "Modules/Jobs_Queue/outputs.tf",
            "Modules/Jobs_Queue/variables.tf"
        ]
    );
}

#[test]
fn a_reference_to_a_missing_output_is_refused_at_its_line() {
    // Of a module in the tree.
    refused(
        "      jobs:\n        module:\n          path: Modules/Jobs_Queue\n        inputs:\n          name: a\n          subnet_ids: { from: vpc, output: private_subnet_ids }\n      reader:\n        module:\n          registry: acme/reader/aws\n          version: 1.0.0\n        inputs:\n          url: { from: jobs, output: queue_uri }\n",
        "units.reader.inputs.url.output",
        "queue_uri",
        "unit `jobs` has no output `queue_uri`",
    );
    // Of a built-in unit.
    refused(
        "      reader:\n        module:\n          registry: acme/reader/aws\n          version: 1.0.0\n        inputs:\n          subnets: { from: vpc, output: private_subnets }\n",
        "units.reader.inputs.subnets.output",
        "private_subnets }",
        "unit `vpc` has no output `private_subnets`",
    );
    // Of a remote module: its outputs are its declared mocks.
    refused(
        "      worker:\n        module:\n          git: https://github.com/acme/modules.git\n          ref: 0123abc\n        mock_outputs:\n          role_arn: x\n      reader:\n        module:\n          registry: acme/reader/aws\n          version: 1.0.0\n        inputs:\n          role: { from: worker, output: role_name }\n",
        "units.reader.inputs.role.output",
        "role_name",
        "add `role_name` to `units.worker.mock_outputs`",
    );
    // Of a unit that does not exist.
    refused(
        "      reader:\n        module:\n          registry: acme/reader/aws\n          version: 1.0.0\n        inputs:\n          role: { from: wroker, output: role_name }\n",
        "units.reader.inputs.role.from",
        "wroker",
        "`wroker` is not a unit of environment production",
    );
}

#[test]
fn an_input_that_is_not_a_variable_of_the_local_module_is_refused() {
    refused(
        "      jobs:\n        module:\n          path: Modules/Jobs_Queue\n        inputs:\n          nmae: a\n",
        "units.jobs.inputs.nmae",
        "nmae",
        "did you mean `name`?",
    );
}

#[test]
fn a_dependency_cycle_is_refused() {
    refused(
        "      first:\n        module:\n          registry: acme/first/aws\n          version: 1.0.0\n        mock_outputs:\n          id: x\n        inputs:\n          other: { from: second, output: id }\n      second:\n        module:\n          registry: acme/second/aws\n          version: 1.0.0\n        mock_outputs:\n          id: y\n        dependencies: [first]\n",
        "units.first",
        "first:",
        "units depend on each other in a cycle: first -> second -> first",
    );
}

#[test]
fn unpinned_modules_and_built_in_names_are_refused() {
    refused(
        "      worker:\n        module:\n          git: https://github.com/acme/modules.git\n",
        "units.worker.module.git",
        "git: https",
        "the git module is not pinned: `ref` is missing",
    );
    refused(
        "      topic:\n        module:\n          registry: terraform-aws-modules/sns/aws\n          version: \"~> 6.0\"\n",
        "units.topic.module.version",
        "version: \"~> 6.0\"",
        "is not an exact version",
    );
    refused(
        "      redis:\n        module:\n          path: Modules/Jobs_Queue\n",
        "units.redis",
        "redis:",
        "`redis` is the name of a unit tgforge generates",
    );
    refused(
        "      jobs:\n        module:\n          path: Modules/Missing\n",
        "units.jobs.module.path",
        "Modules/Missing",
        "cannot read module Modules/Missing",
    );
}

#[test]
fn eject_module_edits_the_spec_by_one_line_and_gen_then_keeps_and_checks_the_module() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let spec = tmp.path().join("spec.yaml");
    let original = std::fs::read_to_string(repo().join("specs/team-task.yaml")).unwrap();
    std::fs::write(&spec, &original).unwrap();
    run_gen(&spec, &out).success();
    let eject = |name: &str| {
        tgforge()
            .args(["eject", "module", name, "--spec"])
            .arg(&spec)
            .arg("-o")
            .arg(&out)
            .output()
            .unwrap()
    };

    // Not a module this spec generates: refused, the spec untouched.
    let typo = eject("AWS_VCP");
    assert_eq!(typo.status.code(), Some(2));
    assert!(
        String::from_utf8(typo.stderr)
            .unwrap()
            .contains("did you mean `AWS_VPC`?")
    );
    let unused = eject("AWS_Aurora_Serverless");
    assert_eq!(unused.status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(&spec).unwrap(), original);

    assert!(eject("AWS_VPC").status.success());
    let edited = std::fs::read_to_string(&spec).unwrap();
    // One block inserted before `environments:`; every other line (comments included) kept.
    assert_eq!(
        edited,
        original.replacen(
            "\nenvironments:\n",
            "\nejected_modules:\n  - AWS_VPC\n\nenvironments:\n",
            1
        )
    );
    // A second module joins the list by one line.
    assert!(eject("AWS_ECR").status.success());
    assert!(
        std::fs::read_to_string(&spec)
            .unwrap()
            .contains("ejected_modules:\n  - AWS_VPC\n  - AWS_ECR\n")
    );
    // Already ejected: nothing to do.
    assert!(eject("AWS_VPC").status.success());

    // The team edits its module: gen keeps the edit and reports the output a unit reads
    // that the module no longer declares, with file and line.
    let outputs = out.join("Modules/AWS_VPC/outputs.tf");
    let text = std::fs::read_to_string(&outputs).unwrap();
    let renamed = text.replace("output \"vpc_id\"", "output \"id\"");
    assert_ne!(renamed, text);
    std::fs::write(&outputs, &renamed).unwrap();
    let run = gen_command(&spec, &out).output().unwrap();
    assert!(run.status.success());
    let stderr = String::from_utf8(run.stderr).unwrap();
    let security_groups = "production/infrastructure/security_groups/terragrunt.hcl";
    let line = std::fs::read_to_string(out.join(security_groups))
        .unwrap()
        .lines()
        .position(|l| l.contains("dependency.vpc.outputs.vpc_id"))
        .unwrap()
        + 1;
    assert!(
        stderr.contains(&format!(
            "{security_groups}:{line}: reads output `vpc_id` of unit vpc"
        )),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&outputs).unwrap(), renamed);
}
