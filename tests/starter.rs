//! The starter spec of `tgforge init` validates and generates as it is.

mod common;

#[test]
fn starter_spec_validates_and_generates_as_is() {
    let tmp = tempfile::tempdir().unwrap();
    let text = tgforge::starter::starter_spec("my-app", "my-app.yaml").unwrap();
    let spec = common::write_spec(tmp.path(), "my-app.yaml", &text);
    let tree = common::generate_tree(&spec, &tmp.path().join("infra"));
    assert!(tree.contains_key("production/infrastructure/ecs_fargate/terragrunt.hcl"));
    assert!(text.starts_with("# yaml-language-server: $schema="));
}

#[test]
fn starter_spec_refuses_an_invalid_project_name() {
    assert!(tgforge::starter::starter_spec("My App", "x.yaml").is_err());
}

#[test]
fn init_writes_the_schema_its_spec_points_at() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = tmp.path().join("infra/shop.yaml");
    common::tgforge().arg("init").arg(&spec).assert().success();
    let text = std::fs::read_to_string(&spec).unwrap();
    let target = text
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("# yaml-language-server: $schema="))
        .expect("the first line names the schema");
    // The path is relative to the spec, and the file there is tgforge's current schema.
    let schema = std::fs::read_to_string(spec.parent().unwrap().join(target))
        .expect("the $schema comment points at a file that exists");
    let printed = common::tgforge().arg("schema").output().unwrap().stdout;
    assert_eq!(schema.as_bytes(), printed.as_slice());
}

#[test]
fn the_starter_ci_lines_turn_the_workflow_on_with_a_pinned_tgforge() {
    let text = tgforge::starter::starter_spec("my-app", "my-app.yaml").unwrap();
    // CI is off as written: the workflow needs a tgforge source only the user knows.
    assert!(
        text.contains("  github_actions:\n    enabled: false\n"),
        "{text}"
    );
    // The commented lines, in place of `enabled: false`, turn it on.
    let start = text.find("replace `enabled: false` with\n").unwrap();
    let lines: String = text[start..]
        .lines()
        .skip(1)
        .take_while(|l| !l.starts_with("# (or"))
        .map(|l| format!("{}\n", l.strip_prefix("# ").unwrap()))
        .collect();
    assert!(lines.contains("    tgforge_source:\n"), "{lines}");
    let with_ci = text.replace("    enabled: false\n", &lines);
    let tmp = tempfile::tempdir().unwrap();
    let spec = common::write_spec(tmp.path(), "my-app.yaml", &with_ci);
    common::gen_command(&spec, tmp.path()).assert().success();
    let workflow =
        std::fs::read_to_string(tmp.path().join(".github/workflows/infrastructure.yml")).unwrap();
    assert!(
        workflow.contains("run: \"cargo install --locked --git 'https://github.com/OWNER/tgforge' --rev 0123456789abcdef0123456789abcdef01234567 tgforge\""),
        "{workflow}"
    );
}
