//! Plants mistakes in copies of a golden tree and shows the end-to-end harness catches each:
//! a wrong dependency output name (present in the mock outputs, so only real outputs reveal
//! it), an input of the wrong type, and a resource AWS and moto both reject (a subnet outside
//! its VPC's range).
//!
//! Needs terraform, the provider mirror and a moto server (AWS_ENDPOINT_URL), so it is ignored
//! by `cargo test`; scripts/e2e.sh (run by .ci/run) runs it with `--ignored`.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use tgforge_e2e::gaps::Gaps;
use tgforge_e2e::moto::Moto;
use tgforge_e2e::run::{self, Options, Outcome, Report};
use tgforge_e2e::stack;
use tgforge_e2e::tfvars::InputEncoding;

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dst = to.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &dst);
        } else {
            fs::copy(e.path(), dst).unwrap();
        }
    }
}

/// A copy of generated/team-task with only `keep` units.
fn planted_tree(tmp: &Path, name: &str, keep: &[&str]) -> PathBuf {
    let golden = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../generated/team-task");
    let tree = tmp.join(name).join("team-task");
    copy_dir(&golden, &tree);
    let infra = tree.join("production/infrastructure");
    for e in fs::read_dir(&infra).unwrap() {
        let p = e.unwrap().path();
        let unit = p.file_name().unwrap().to_string_lossy().into_owned();
        if p.join("terragrunt.hcl").is_file() && !keep.contains(&unit.as_str()) {
            fs::remove_dir_all(&p).unwrap();
        }
    }
    tree
}

/// Replaces `from` with `to` in `file`; the text must be there, or the plant is a no-op.
fn plant(file: &Path, from: &str, to: &str) {
    let text = fs::read_to_string(file).unwrap();
    assert!(
        text.contains(from),
        "{}: {from:?} not found",
        file.display()
    );
    fs::write(file, text.replacen(from, to, 1)).unwrap();
}

/// Both tests plant into copies of the same environment, so they would create the same
/// prerequisites in the one emulator at once: they take turns.
static EMULATOR: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn run(tree: &Path, work: &Path) -> Report {
    let _turn = EMULATOR.lock().unwrap_or_else(|e| e.into_inner());
    let endpoint = std::env::var("AWS_ENDPOINT_URL")
        .expect("AWS_ENDPOINT_URL must point at a moto server (see scripts/e2e.sh)");
    let opts = Options {
        jobs: 2,
        plan_only: false,
        encoding: InputEncoding::Classic,
        work_root: work.to_path_buf(),
        terraform_bin: "terraform".into(),
        mirror: tgforge_e2e::terraform::find_plugin_mirror().unwrap(),
        endpoint: endpoint.clone(),
        env: BTreeMap::from([(
            "TGFORGE_AWS_ENV_CREDENTIALS".to_string(),
            "true".to_string(),
        )]),
    };
    let gaps =
        Gaps::load(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("emulator-gaps.txt")).unwrap();
    let moto = Moto::new(&endpoint).unwrap();
    let mut report = Report::default();
    for st in stack::discover(tree, &opts.env).unwrap() {
        run::run_stack(&st, "planted/production", &opts, &gaps, &moto, &mut report).unwrap();
    }
    println!("{}", report.summary());
    report
}

fn outcome<'a>(report: &'a Report, phase: &str, unit: &str) -> &'a Outcome {
    &report
        .results
        .iter()
        .find(|r| r.phase == phase && r.unit == unit)
        .unwrap_or_else(|| panic!("no {phase} of {unit}"))
        .outcome
}

fn failed_with(o: &Outcome, text: &str) -> bool {
    matches!(o, Outcome::Failed(e) if e.contains(text))
}

#[test]
#[ignore = "needs terraform and a moto server: run by scripts/e2e.sh"]
fn wrong_output_name_and_wrong_input_type_are_caught() {
    let tmp = tempfile::tempdir().unwrap();
    let tree = planted_tree(tmp.path(), "a", &["vpc", "security_groups", "s3_static"]);
    let infra = tree.join("production/infrastructure");
    // 1. An output name the vpc module does not have; the mock has it, so only apply (with
    //    real outputs) can tell.
    plant(
        &infra.join("security_groups/terragrunt.hcl"),
        "dependency.vpc.outputs.vpc_id",
        "dependency.vpc.outputs.vpc_identifier",
    );
    plant(
        &infra.join("dependency_blocks/vpc.hcl"),
        "mock_outputs = {",
        "mock_outputs = {\n    vpc_identifier = \"vpc-00000000000000001\"",
    );
    // 2. A list where the module declares a string.
    plant(
        &infra.join("s3_static/terragrunt.hcl"),
        "bucket_name = \"team-task-production-static-123456789012\"",
        "bucket_name = [\"team-task-production-static-123456789012\"]",
    );

    let report = run(&tree, &tmp.path().join("work-a"));
    assert!(!report.passed());
    assert_eq!(
        outcome(&report, "plan", "security_groups"),
        &Outcome::Ok,
        "the mock hides the wrong name from plan"
    );
    assert_eq!(outcome(&report, "apply", "vpc"), &Outcome::Ok);
    assert!(
        failed_with(
            outcome(&report, "apply", "security_groups"),
            "vpc_identifier"
        ),
        "{:?}",
        outcome(&report, "apply", "security_groups")
    );
    assert!(
        failed_with(
            outcome(&report, "plan", "s3_static"),
            // Terraform takes a string variable's TF_VAR_ value verbatim, so the list arrives
            // as the text `["..."]` and the module's bucket-name validation rejects it.
            "Invalid value for variable"
        ),
        "{:?}",
        outcome(&report, "plan", "s3_static")
    );
    assert!(
        report.leftovers.values().all(Vec::is_empty),
        "{:?}",
        report.leftovers
    );
}

#[test]
#[ignore = "needs terraform and a moto server: run by scripts/e2e.sh"]
fn a_resource_aws_rejects_is_caught_and_cleaned_up() {
    let tmp = tempfile::tempdir().unwrap();
    let tree = planted_tree(tmp.path(), "b", &["vpc"]);
    // 3. A subnet outside the VPC's 10.0.0.0/16: a valid CIDR (the module's validation
    //    passes, so does plan), which CreateSubnet rejects in AWS and in moto.
    plant(
        &tree.join("production/infrastructure/vpc/terragrunt.hcl"),
        "\"10.0.1.0/24\"",
        "\"10.1.1.0/24\"",
    );

    let report = run(&tree, &tmp.path().join("work-b"));
    assert!(!report.passed());
    assert_eq!(outcome(&report, "plan", "vpc"), &Outcome::Ok);
    assert!(
        failed_with(outcome(&report, "apply", "vpc"), "InvalidSubnet.Range"),
        "{:?}",
        outcome(&report, "apply", "vpc")
    );
    assert_eq!(
        outcome(&report, "destroy", "vpc"),
        &Outcome::Ok,
        "what was created is destroyed"
    );
    assert!(
        report.leftovers.values().all(Vec::is_empty),
        "{:?}",
        report.leftovers
    );
}
