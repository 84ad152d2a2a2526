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
