//! Customizing without forking (issue 12): user-owned override files beside the generated
//! units and Terraform override files in generated modules survive every kind of run, and a
//! typo in an override input is reported at its line. Real binary, real temp trees.

mod common;

use std::path::Path;

use common::{gen_command, generated_inputs, read_tree, repo, tgforge};

const UNIT: &str = "production/infrastructure/vpc";
const UNIT_OVERRIDES: &str = "production/infrastructure/vpc/overrides.hcl";
const ENV_OVERRIDES: &str = "production/infrastructure/overrides.hcl";
const MODULE_OVERRIDE: &str = "Modules/AWS_VPC/tags_override.tf";

fn spec() -> std::path::PathBuf {
    repo().join("specs/team-task.yaml")
}

fn run_gen(out: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    gen_command(&spec(), out).args(extra).assert()
}

/// Writes the user's files into a generated tree; returns them by path.
fn write_user_files(out: &Path) -> Vec<(&'static str, String)> {
    let files = vec![
        (
            UNIT_OVERRIDES,
            "# Mine: one NAT gateway per AZ here.\ninputs = {\n  nat_gateway_mode = \"per_az\"\n}\n"
                .to_string(),
        ),
        (
            ENV_OVERRIDES,
            "inputs = {\n  name = \"team-task-prod\"\n}\n".to_string(),
        ),
        (
            MODULE_OVERRIDE,
            "resource \"aws_vpc\" \"this\" {\n  tags = { Owner = \"platform\" }\n}\n".to_string(),
        ),
    ];
    for (path, text) in &files {
        std::fs::write(out.join(path), text).unwrap();
    }
    files
}

fn assert_user_files_kept(out: &Path, files: &[(&str, String)]) {
    for (path, text) in files {
        assert_eq!(
            std::fs::read_to_string(out.join(path)).unwrap(),
            *text,
            "{path} changed"
        );
    }
}

#[test]
fn overrides_survive_gen_force_and_check_and_change_the_input() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("tree");
    run_gen(&out, &[]).success();
    let files = write_user_files(&out);

    // --check: the tree is what the spec generates; the user's files are not drift.
    let check = run_gen(&out, &["--check"]).success();
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&check.get_output().stdout),
        String::from_utf8_lossy(&check.get_output().stderr)
    );
    assert!(!printed.contains("overrides.hcl"), "{printed}");
    assert!(!printed.contains("tags_override.tf"), "{printed}");

    run_gen(&out, &[]).success().stderr("");
    assert_user_files_kept(&out, &files);
    run_gen(&out, &["--force"]).success();
    assert_user_files_kept(&out, &files);
    run_gen(&out, &["--check"]).success();

    // The manifest never lists them, so no later run can delete them.
    let manifest = std::fs::read_to_string(out.join(".tgforge-manifest.json")).unwrap();
    assert!(!manifest.contains("/overrides.hcl\""), "{manifest}");
    assert!(!manifest.contains("tags_override.tf"));

    // The unit merges generated < environment < unit overrides, in that order: evaluate the
    // generated (literal) inputs and apply the same merge to see the input change.
    let unit = std::fs::read_to_string(out.join(UNIT).join("terragrunt.hcl")).unwrap();
    let body: hcl::Body = hcl::parse(&unit).unwrap();
    let hcl::Expression::FuncCall(call) = body
        .attributes()
        .find(|a| a.key() == "inputs")
        .unwrap()
        .expr()
        .clone()
    else {
        panic!("inputs = merge(...)")
    };
    let rest: Vec<String> = call.args[1..].iter().map(|a| a.to_string()).collect();
    assert_eq!(
        rest,
        ["local.environment_overrides", "local.unit_overrides"]
    );
    assert!(unit.contains(
        "unit_overrides        = lookup(read_terragrunt_config(\"${get_terragrunt_dir()}/overrides.hcl\", {}), \"inputs\", {})"
    ));
    assert!(unit.contains("include \"overrides\" {"));
    let generated = generated_inputs(&body).unwrap();
    let mut merged = match hcl::eval::Evaluate::evaluate(&generated, &Default::default()) {
        Ok(hcl::Value::Object(map)) => map,
        other => panic!("vpc inputs are literal: {other:?}"),
    };
    assert_eq!(merged["nat_gateway_mode"], hcl::Value::from("single"));
    for file in [ENV_OVERRIDES, UNIT_OVERRIDES] {
        let body: hcl::Body =
            hcl::parse(&std::fs::read_to_string(out.join(file)).unwrap()).unwrap();
        let inputs = body.attributes().find(|a| a.key() == "inputs").unwrap();
        let Ok(hcl::Value::Object(map)) =
            hcl::eval::Evaluate::evaluate(inputs.expr(), &Default::default())
        else {
            panic!("{file}")
        };
        merged.extend(map);
    }
    assert_eq!(merged["nat_gateway_mode"], hcl::Value::from("per_az"));
    assert_eq!(merged["name"], hcl::Value::from("team-task-prod"));

    // The fallback every unit includes when it has no overrides.hcl is generated.
    let tree = read_tree(&out);
    assert!(tree.contains_key("production/infrastructure/no_overrides.hcl"));
}

#[test]
fn an_override_typo_is_reported_at_its_line() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("tree");
    run_gen(&out, &[]).success();
    std::fs::write(
        out.join(UNIT_OVERRIDES),
        "# a comment\n\ninputs = {\n  name             = \"x\"\n  nat_gatway_mode = \"single\"\n}\n",
    )
    .unwrap();
    std::fs::write(
        out.join(ENV_OVERRIDES),
        "inputs = {\n  no_such_variable = 1\n}\n",
    )
    .unwrap();
    let shown = out.join(UNIT_OVERRIDES).display().to_string();
    let env_shown = out.join(ENV_OVERRIDES).display().to_string();

    // gen warns (regeneration is never blocked by the user's own file) and still generates.
    let run = run_gen(&out, &[]).success();
    let stderr = String::from_utf8_lossy(&run.get_output().stderr).to_string();
    assert!(
        stderr.contains(&format!(
            "warning: {shown}:5: input `nat_gatway_mode` is not a variable of AWS_VPC (did you mean `nat_gateway_mode`?)"
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "warning: {env_shown}:2: input `no_such_variable` is not a variable of any unit of production"
        )),
        "{stderr}"
    );
    assert!(
        !stderr.contains("`name`"),
        "a real variable is not reported: {stderr}"
    );
    // Also on the fast path (nothing to render).
    let again = run_gen(&out, &[]).success();
    assert!(String::from_utf8_lossy(&again.get_output().stderr).contains("nat_gatway_mode"));

    // validate -o: the same problems are errors.
    let validate = tgforge()
        .arg("validate")
        .arg(spec())
        .arg("-o")
        .arg(&out)
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&validate.get_output().stderr).to_string();
    assert!(
        stderr.contains(&format!("error: {shown}:5: input `nat_gatway_mode`")),
        "{stderr}"
    );
    assert!(stderr.contains("2 problems in override files"), "{stderr}");

    // Fixed: validate passes, gen says nothing.
    std::fs::write(
        out.join(UNIT_OVERRIDES),
        "inputs = {\n  nat_gateway_mode = \"single\"\n}\n",
    )
    .unwrap();
    std::fs::remove_file(out.join(ENV_OVERRIDES)).unwrap();
    tgforge()
        .arg("validate")
        .arg(spec())
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    run_gen(&out, &[]).success().stderr("");
}

#[test]
fn a_module_override_survives_when_the_module_is_no_longer_generated() {
    // Terraform's own *_override.tf in a generated module folder: tgforge only ever deletes
    // files its manifest lists, so the user's file stays even when the module goes away.
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("tree");
    run_gen(&out, &[]).success();
    let module_override = out.join("Modules/AWS_CloudFront/cache_override.tf");
    std::fs::write(&module_override, "# mine\n").unwrap();
    let spec_text = std::fs::read_to_string(spec()).unwrap();
    let without_static = spec_text.replace(
        "static_files:\n      enabled: true",
        "static_files:\n      enabled: false",
    );
    assert_ne!(without_static, spec_text);
    let spec2 = tmp.path().join("team-task.yaml");
    std::fs::write(&spec2, without_static).unwrap();
    gen_command(&spec2, &out).assert().success();
    assert!(!out.join("Modules/AWS_CloudFront/main.tf").exists());
    assert_eq!(
        std::fs::read_to_string(&module_override).unwrap(),
        "# mine\n"
    );
}

/// The 1-based line of the first line of `text` containing `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle} not found"))
        + 1
}

#[test]
fn an_ejected_module_is_never_rewritten_and_an_incompatible_edit_is_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("tree");
    run_gen(&out, &[]).success();
    let spec_text = std::fs::read_to_string(spec()).unwrap();
    let ejecting = tmp.path().join("team-task.yaml");
    std::fs::write(
        &ejecting,
        format!("{spec_text}\nejected_modules:\n  - AWS_VPC\n"),
    )
    .unwrap();
    let gen_ejecting = |extra: &[&str]| gen_command(&ejecting, &out).args(extra).assert();

    // Ejecting releases the module's files: left in place, no longer in the manifest.
    let before = read_tree(&out.join("Modules/AWS_VPC"));
    gen_ejecting(&[]).success().stderr("");
    assert_eq!(read_tree(&out.join("Modules/AWS_VPC")), before);
    let manifest = std::fs::read_to_string(out.join(".tgforge-manifest.json")).unwrap();
    assert!(!manifest.contains("Modules/AWS_VPC/"), "{manifest}");
    assert!(manifest.contains("Modules/AWS_ALB/"));
    gen_ejecting(&["--check"]).success();

    // The user's incompatible edit: a variable renamed, an output renamed.
    let variables = out.join("Modules/AWS_VPC/variables.tf");
    let outputs = out.join("Modules/AWS_VPC/outputs.tf");
    let edited_variables = std::fs::read_to_string(&variables)
        .unwrap()
        .replace("variable \"cidr_block\"", "variable \"vpc_cidr\"");
    let edited_outputs = std::fs::read_to_string(&outputs)
        .unwrap()
        .replace("output \"vpc_id\"", "output \"id\"");
    std::fs::write(&variables, &edited_variables).unwrap();
    std::fs::write(&outputs, &edited_outputs).unwrap();

    let vpc_unit = std::fs::read_to_string(out.join(UNIT).join("terragrunt.hcl")).unwrap();
    let alb_unit =
        std::fs::read_to_string(out.join("production/infrastructure/alb/terragrunt.hcl")).unwrap();
    let shown = |p: &str| out.join(p).display().to_string();
    let expected = [
        format!(
            "warning: {}:{}: input `cidr_block` is not a variable of ejected module AWS_VPC (Modules/AWS_VPC)",
            shown("production/infrastructure/vpc/terragrunt.hcl"),
            line_of(&vpc_unit, "  cidr_block ")
        ),
        format!(
            "warning: {}:{}: variable `vpc_cidr` has no default and production/infrastructure/vpc/terragrunt.hcl does not pass it",
            shown("Modules/AWS_VPC/variables.tf"),
            line_of(&edited_variables, "variable \"vpc_cidr\"")
        ),
        format!(
            "warning: {}:{}: reads output `vpc_id` of unit vpc, which ejected module AWS_VPC does not declare",
            shown("production/infrastructure/alb/terragrunt.hcl"),
            line_of(&alb_unit, "dependency.vpc.outputs.vpc_id")
        ),
    ];
    for extra in [&[][..], &["--force"][..], &["--check"][..]] {
        let run = gen_ejecting(extra).success();
        let stderr = String::from_utf8_lossy(&run.get_output().stderr).to_string();
        for line in &expected {
            assert!(stderr.contains(line), "{extra:?}: missing {line}\n{stderr}");
        }
        // Never rewritten, not even with --force.
        assert_eq!(
            std::fs::read_to_string(&variables).unwrap(),
            edited_variables
        );
        assert_eq!(std::fs::read_to_string(&outputs).unwrap(), edited_outputs);
    }

    // Put back: no warnings.
    std::fs::write(
        &variables,
        edited_variables.replace("variable \"vpc_cidr\"", "variable \"cidr_block\""),
    )
    .unwrap();
    std::fs::write(
        &outputs,
        edited_outputs.replace("output \"id\"", "output \"vpc_id\""),
    )
    .unwrap();
    gen_ejecting(&[]).success().stderr("");
}

#[test]
fn an_unknown_ejected_module_is_rejected_at_its_line() {
    let tmp = tempfile::tempdir().unwrap();
    let spec_text = std::fs::read_to_string(spec()).unwrap();
    let text = format!("{spec_text}\nejected_modules:\n  - AWS_VCP\n");
    let line = text.lines().count();
    let path = tmp.path().join("bad.yaml");
    std::fs::write(&path, &text).unwrap();
    let out = tmp.path().join("tree");
    let run = gen_command(&path, &out).assert().code(2);
    let stderr = String::from_utf8_lossy(&run.get_output().stderr).to_string();
    assert!(
        stderr.contains(&format!(":{line}:")) && stderr.contains("ejected_modules[0]"),
        "{stderr}"
    );
    assert!(stderr.contains("did you mean `AWS_VPC`?"), "{stderr}");
    assert!(!out.exists());
}

#[test]
fn the_custom_example_uses_an_override_and_an_ejected_module_and_checks_clean() {
    let golden = repo().join("generated/custom");
    let tree = read_tree(&golden);
    let generated = common::tgforge_files(tree.clone());
    let users: Vec<&String> = tree
        .keys()
        .filter(|p| !generated.contains_key(*p))
        .collect();
    assert!(
        users.contains(&&"production/infrastructure/ecs_fargate/overrides.hcl".to_string()),
        "{users:?}"
    );
    assert!(
        users.contains(&&"Modules/AWS_S3_Static/main.tf".to_string()),
        "{users:?}"
    );
    // The units use the ejected module; it fits them, and the override names a variable.
    let unit =
        String::from_utf8(tree["production/infrastructure/s3_static/terragrunt.hcl"].clone())
            .unwrap();
    assert!(unit.contains("/Modules//AWS_S3_Static\""));
    tgforge()
        .arg("validate")
        .arg(repo().join("specs/custom.yaml"))
        .arg("-o")
        .arg(&golden)
        .assert()
        .success();
    // A copy checks clean, without a warning.
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("custom");
    for (path, bytes) in &tree {
        let target = out.join(path);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(target, bytes).unwrap();
    }
    gen_command(&repo().join("specs/custom.yaml"), &out)
        .arg("--check")
        .assert()
        .success()
        .stderr("");
}
