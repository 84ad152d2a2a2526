//! The CLI around the spec: schema, init, graph, completions, help and version.

mod common;

use common::{example_specs, gen_command, repo, tgforge};

#[test]
fn committed_schema_is_what_tgforge_schema_prints() {
    let out = tgforge().arg("schema").output().unwrap();
    assert!(out.status.success());
    let committed = std::fs::read(repo().join("schema/tgforge-spec.schema.json")).unwrap();
    assert!(
        out.stdout == committed,
        "schema/tgforge-spec.schema.json is stale: run `cargo run -- schema > schema/tgforge-spec.schema.json`"
    );
    let schema: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // Derived from the Rust types: every top-level spec field is a schema property.
    for field in ["project", "state", "defaults", "environments", "tooling"] {
        assert!(
            schema["properties"].get(field).is_some(),
            "schema has no {field}"
        );
    }
}

#[test]
fn example_specs_point_editors_at_the_schema() {
    for spec in example_specs() {
        let text = std::fs::read_to_string(&spec).unwrap();
        assert!(
            text.starts_with(
                "# yaml-language-server: $schema=../schema/tgforge-spec.schema.json\n"
            ),
            "{} does not start with the yaml-language-server comment",
            spec.display()
        );
    }
}

#[test]
fn init_writes_a_spec_that_generates_and_never_overwrites_silently() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("specs/billing.yaml");
    tgforge().arg("init").arg(&spec).assert().success();
    let first = std::fs::read_to_string(&spec).unwrap();
    assert!(first.contains("project: \"billing\""), "{first}");

    // A second init refuses, leaves the file alone and says how to overwrite.
    std::fs::write(&spec, "# mine\n").unwrap();
    let out = tgforge().arg("init").arg(&spec).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--force"));
    assert_eq!(std::fs::read_to_string(&spec).unwrap(), "# mine\n");
    tgforge()
        .args(["init", "--force", "--project", "ledger"])
        .arg(&spec)
        .assert()
        .success();
    assert!(
        std::fs::read_to_string(&spec)
            .unwrap()
            .contains("project: \"ledger\"")
    );

    let out_dir = dir.path().join("tree");
    gen_command(&spec, &out_dir).assert().success();
    assert!(out_dir.join("root.hcl").is_file());
}

#[test]
fn graph_prints_every_edge_in_both_formats_and_the_apply_order() {
    for spec in example_specs() {
        let project = tgforge::load_project(&spec).unwrap();
        let mermaid = tgforge().arg("graph").arg(&spec).output().unwrap();
        assert!(mermaid.status.success());
        let mermaid = String::from_utf8(mermaid.stdout).unwrap();
        let dot = tgforge()
            .args(["graph", "--format", "dot"])
            .arg(&spec)
            .output()
            .unwrap();
        let dot = String::from_utf8(dot.stdout).unwrap();
        assert!(mermaid.starts_with("flowchart"));
        assert!(dot.starts_with("digraph units {"));
        for env in &project.environments {
            let units = tgforge::plan::units_for(&project, env);
            for unit in &units {
                for dependency in &unit.dependencies {
                    let m = format!(
                        "{}_{} --> {}_{}",
                        env.name.replace('-', "_"),
                        unit.name,
                        env.name.replace('-', "_"),
                        dependency
                    );
                    assert!(mermaid.contains(&m), "{}: no `{m}`", spec.display());
                    let d = format!(
                        "\"{}/{}\" -> \"{}/{}\";",
                        env.name, unit.name, env.name, dependency
                    );
                    assert!(dot.contains(&d), "{}: no `{d}`", spec.display());
                }
            }
            assert!(mermaid.contains(&format!("%% {}:", env.name)));
            assert!(dot.contains(&format!("// {}:", env.name)));
        }
    }
}

#[test]
fn completions_for_every_shell_name_the_commands() {
    for shell in ["bash", "zsh", "fish"] {
        let out = tgforge().args(["completions", shell]).output().unwrap();
        assert!(out.status.success(), "{shell}");
        let text = String::from_utf8(out.stdout).unwrap();
        for command in ["gen", "diff", "validate", "init", "schema", "graph"] {
            assert!(text.contains(command), "{shell} completion lacks {command}");
        }
    }
    let out = tgforge().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "an unknown shell is a usage error"
    );
}

#[test]
fn every_command_has_help_with_examples_and_there_is_a_version() {
    for command in [
        "gen",
        "diff",
        "validate",
        "init",
        "schema",
        "graph",
        "completions",
    ] {
        let out = tgforge().args([command, "--help"]).output().unwrap();
        assert!(out.status.success());
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            text.contains("Example"),
            "`tgforge {command} --help` has no example"
        );
    }
    let out = tgforge().arg("--version").output().unwrap();
    assert_eq!(
        String::from_utf8(out.stdout).unwrap().trim(),
        format!("tgforge {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn quiet_and_verbose_change_what_gen_prints() {
    let dir = tempfile::tempdir().unwrap();
    let spec = repo().join("specs/team-task.yaml");
    let quiet = tgforge()
        .arg("-q")
        .arg("gen")
        .arg(&spec)
        .arg("-o")
        .arg(dir.path().join("a"))
        .output()
        .unwrap();
    let stdout = String::from_utf8(quiet.stdout).unwrap();
    assert_eq!(
        stdout.lines().count(),
        1,
        "quiet prints the summary only: {stdout}"
    );
    let verbose = gen_command(&spec, &dir.path().join("b"))
        .arg("--verbose")
        .output()
        .unwrap();
    assert!(
        String::from_utf8(verbose.stderr)
            .unwrap()
            .contains("rendered and verified")
    );
    assert!(String::from_utf8(verbose.stdout).unwrap().lines().count() > 10);
}
