//! Regeneration never loses a person's work: only changed files are rewritten, files tgforge
//! no longer generates are deleted (with the folders they leave empty), files it never wrote
//! are never touched, hand-edited generated files stop the run unless `--force`.

mod common;

use std::collections::BTreeMap;

use common::regen::*;
use common::{stderr, stdout};

fn manifest_paths(out: &std::path::Path) -> Vec<String> {
    let text = std::fs::read_to_string(out.join(MANIFEST)).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    json["files"].as_object().unwrap().keys().cloned().collect()
}

#[test]
fn a_rerun_rewrites_only_the_files_whose_contents_change() {
    let s = TeamTask::new();
    let first = s.run(&[]).success();
    let first_tree = files(&snapshot(&s.out()));
    assert!(stdout(&first).contains(&format!(
        "{} created, 0 changed, 0 deleted, 0 unchanged",
        first_tree.len()
    )));

    // A no-op rerun touches nothing.
    age_all(&s.out());
    let noop = s.run(&[]).success();
    assert_eq!(touched(&s.out()), Vec::<String>::new());
    assert!(
        stdout(&noop).ends_with(&format!(
            "0 created, 0 changed, 0 deleted, {} unchanged\n",
            first_tree.len()
        )),
        "{}",
        stdout(&noop)
    );

    // One spec value: exactly the files whose contents differ are rewritten.
    s.write_spec(&edit(
        &example("team-task"),
        "desired_count: 1",
        "desired_count: 2",
    ));
    let rerun = s.run(&[]).success();
    let second_tree = files(&snapshot(&s.out()));
    let differing: Vec<String> = second_tree
        .iter()
        .filter(|(p, bytes)| first_tree.get(*p) != Some(bytes))
        .map(|(p, _)| p.clone())
        .collect();
    assert!(differing.contains(&"production/infrastructure/ecs_fargate/terragrunt.hcl".into()));
    assert!(differing.contains(&MANIFEST.to_string()));
    assert!(differing.len() < second_tree.len() / 2, "{differing:?}");
    assert_eq!(touched(&s.out()), differing);
    let out = stdout(&rerun);
    assert!(out.contains("change  production/infrastructure/ecs_fargate/terragrunt.hcl\n"));
    assert!(out.contains(&format!(
        "0 created, {} changed, 0 deleted, {} unchanged",
        differing.len(),
        second_tree.len() - differing.len()
    )));
}

#[test]
fn files_no_longer_generated_are_deleted_with_the_folders_they_leave_empty() {
    let s = TeamTask::new();
    s.run(&[]).success();
    assert!(s.out().join("production/infrastructure/s3_static").is_dir());
    // A person's file inside a generated folder that is about to lose its generated file.
    let note = s
        .out()
        .join("production/infrastructure/cloudfront/NOTES.md");
    std::fs::write(&note, "why we use CloudFront\n").unwrap();

    s.write_spec(&edit(
        &example("team-task"),
        "static_files:\n      enabled: true",
        "static_files:\n      enabled: false",
    ));
    let assert = s.run(&[]).success();
    let out = stdout(&assert);
    for gone in [
        "production/infrastructure/s3_static/terragrunt.hcl",
        "production/infrastructure/cloudfront/terragrunt.hcl",
        "production/infrastructure/dependency_blocks/s3_static.hcl",
    ] {
        assert!(!s.out().join(gone).exists(), "{gone} deleted");
        assert!(out.contains(&format!("delete  {gone}\n")), "{out}");
        assert!(!manifest_paths(&s.out()).contains(&gone.to_string()));
    }
    assert!(
        !s.out().join("production/infrastructure/s3_static").exists(),
        "its empty folder is removed"
    );
    assert!(
        s.out()
            .join("production/infrastructure/dependency_blocks")
            .is_dir()
    );
    assert_eq!(
        std::fs::read_to_string(&note).unwrap(),
        "why we use CloudFront\n",
        "a person's file and its folder stay"
    );
    // The two modules no unit uses any more go too, file by file.
    let module_files: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("delete  Modules/"))
        .collect();
    assert!(
        module_files
            .iter()
            .all(|l| l.starts_with("delete  Modules/AWS_CloudFront/")
                || l.starts_with("delete  Modules/AWS_S3_Static/")),
        "{out}"
    );
    assert!(!s.out().join("Modules/AWS_CloudFront").exists());
    assert!(s.out().join("Modules/AWS_ALB/main.tf").is_file());
    assert!(
        out.contains(&format!(" {} deleted, ", 3 + module_files.len())),
        "{out}"
    );
}

#[test]
fn removing_an_environment_deletes_its_whole_tree_but_not_the_files_people_added() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let shop = example("shop");
    let spec_path = write_spec(tmp.path(), "shop.yaml", &shop);
    gen_cmd(&spec_path, &out, &[]).success();
    assert!(
        out.join("staging/infrastructure/vpc/terragrunt.hcl")
            .is_file()
    );
    std::fs::write(
        out.join("staging/infrastructure/vpc/flow_logs.tf"),
        "# mine\n",
    )
    .unwrap();

    write_spec(
        tmp.path(),
        "shop.yaml",
        &cut(&shop, "  staging:", "  production:"),
    );
    gen_cmd(&spec_path, &out, &["-q"]).success();
    let tree = snapshot(&out);
    let staging: Vec<&String> = tree.keys().filter(|p| p.starts_with("staging")).collect();
    assert_eq!(
        staging,
        [
            "staging",
            "staging/infrastructure",
            "staging/infrastructure/vpc",
            "staging/infrastructure/vpc/flow_logs.tf"
        ],
        "only the person's file and the folders holding it remain"
    );
    assert!(
        out.join("production/infrastructure/vpc/terragrunt.hcl")
            .is_file()
    );
}

#[test]
fn files_tgforge_did_not_write_are_never_touched_wherever_they_are() {
    let s = TeamTask::new();
    s.run(&[]).success();
    let foreign = [
        ("NOTES.md", "team notes\n"),
        (
            "production/infrastructure/vpc/terragrunt_override.hcl",
            "# override\n",
        ),
        ("production/infrastructure/vpc/extra.tf", "# extra\n"),
        ("Modules/AWS_ECR/main_override.tf", "# override\n"),
        (
            "production/infrastructure/ecs_fargate/.terraform.lock.hcl",
            "# lock\n",
        ),
    ];
    for (path, text) in foreign {
        let path = s.out().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    age_all(&s.out());
    // A change, a forced run, a check and a run that deletes files: none touches them.
    s.write_spec(&edit(
        &example("team-task"),
        "desired_count: 1",
        "desired_count: 2",
    ));
    s.run(&[]).success();
    s.run(&["--force"]).success();
    s.run(&["--check"]).success();
    s.write_spec(&edit(
        &example("team-task"),
        "static_files:\n      enabled: true",
        "static_files:\n      enabled: false",
    ));
    s.run(&["--force"]).success();
    let tree = snapshot(&s.out());
    for (path, text) in foreign {
        let entry = tree[path].as_ref().unwrap_or_else(|| panic!("{path} kept"));
        assert_eq!(entry.bytes, text.as_bytes(), "{path}");
        assert_eq!(entry.modified, long_ago(), "{path} never rewritten");
        assert!(!manifest_paths(&s.out()).contains(&path.to_string()));
    }
}

#[test]
fn a_foreign_file_at_a_generated_path_stops_the_run_before_any_write() {
    let s = TeamTask::new();
    std::fs::create_dir_all(s.out().join("production/infrastructure/vpc")).unwrap();
    std::fs::write(s.out().join("root.hcl"), "# my own root\n").unwrap();
    std::fs::write(s.out().join("NOTES.md"), "notes\n").unwrap();
    let before = snapshot(&s.out());
    for args in [&[][..], &["--force"]] {
        let assert = s.run(args).code(4);
        let err = stderr(&assert);
        assert!(err.contains("nothing was written"), "{err}");
        assert!(
            err.contains("root.hcl  (not written by tgforge, where it now generates a file)"),
            "{err}"
        );
        assert!(err.contains("`--force` never touches it"), "{err}");
        assert_eq!(snapshot(&s.out()), before, "nothing written");
    }
    // Moved out of the way, the run goes through and leaves the other file alone.
    std::fs::remove_file(s.out().join("root.hcl")).unwrap();
    s.run(&[]).success();
    assert_eq!(std::fs::read(s.out().join("NOTES.md")).unwrap(), b"notes\n");
}

#[test]
fn a_non_empty_folder_without_a_manifest_is_adopted_file_by_file() {
    // A tree written before manifests existed: identical files are adopted, nothing rewritten.
    let s = TeamTask::new();
    s.run(&[]).success();
    std::fs::remove_file(s.out().join(MANIFEST)).unwrap();
    age_all(&s.out());
    let assert = s.run(&[]).success();
    assert_eq!(touched(&s.out()), [MANIFEST]);
    assert!(stdout(&assert).contains("create  .tgforge-manifest.json\n"));
    assert!(stdout(&assert).contains("1 created, 0 changed, 0 deleted"));
}

#[test]
fn hand_edited_generated_files_stop_the_run_with_a_diff_and_force_overwrites_them() {
    let s = TeamTask::new();
    s.run(&[]).success();
    let root_hcl = s.out().join("root.hcl");
    let generated = std::fs::read_to_string(&root_hcl).unwrap();
    std::fs::write(&root_hcl, format!("{generated}# tuned by hand\n")).unwrap();
    // The spec also changes, so a run that ignored the edit would write other files.
    s.write_spec(&edit(
        &example("team-task"),
        "desired_count: 1",
        "desired_count: 2",
    ));
    age_all(&s.out());
    let before = snapshot(&s.out());

    let assert = s.run(&[]).code(4);
    let err = stderr(&assert);
    assert!(err.contains("nothing was written"), "{err}");
    assert!(
        err.contains("  root.hcl  (a generated file, edited by hand)\n"),
        "{err}"
    );
    assert!(err.contains("--- a/root.hcl\n+++ b/root.hcl\n"), "{err}");
    assert!(err.contains("\n-# tuned by hand\n"), "{err}");
    assert!(err.contains("`--force` overwrites"), "{err}");
    assert!(!err.contains('\x1b'), "no color when not on a terminal");
    assert_eq!(snapshot(&s.out()), before, "nothing written");

    let assert = s.run(&["--force"]).success();
    assert!(
        stdout(&assert)
            .contains("change  root.hcl  (edited by hand; overwritten because of --force)\n")
    );
    assert_eq!(std::fs::read_to_string(&root_hcl).unwrap(), generated);
    s.run(&["--check"]).success();
}

#[test]
fn an_edited_file_the_spec_no_longer_generates_is_kept_and_released_by_force() {
    let s = TeamTask::new();
    s.run(&[]).success();
    let cloudfront = s
        .out()
        .join("production/infrastructure/cloudfront/terragrunt.hcl");
    std::fs::write(&cloudfront, "# my CloudFront now\n").unwrap();
    s.write_spec(&edit(
        &example("team-task"),
        "static_files:\n      enabled: true",
        "static_files:\n      enabled: false",
    ));
    let assert = s.run(&[]).code(4);
    assert!(
        stderr(&assert).contains("that the spec no longer generates"),
        "{}",
        stderr(&assert)
    );
    assert!(s.out().join("production/infrastructure/s3_static").exists());
    assert!(cloudfront.exists());

    // `--force` never deletes contents tgforge did not write: the edited file is released
    // (left in place, dropped from the manifest) and the rest of the unit goes.
    let assert = s.run(&["--force"]).success();
    assert!(
        stdout(&assert).contains(
            "release  production/infrastructure/cloudfront/terragrunt.hcl  (no longer generated"
        ),
        "{}",
        stdout(&assert)
    );
    assert_eq!(
        std::fs::read_to_string(&cloudfront).unwrap(),
        "# my CloudFront now\n"
    );
    assert!(
        !manifest_paths(&s.out())
            .contains(&"production/infrastructure/cloudfront/terragrunt.hcl".to_string())
    );
    assert!(!s.out().join("production/infrastructure/s3_static").exists());
    s.run(&["--check"]).success();
}

#[test]
fn a_generated_file_a_person_deleted_is_recreated() {
    let s = TeamTask::new();
    s.run(&[]).success();
    let before = files(&snapshot(&s.out()));
    std::fs::remove_file(s.out().join("production/infrastructure/vpc/terragrunt.hcl")).unwrap();
    std::fs::remove_dir_all(s.out().join("production/infrastructure/dependency_blocks")).unwrap();
    let assert = s.run(&[]).success();
    assert!(stdout(&assert).contains(
        "create  production/infrastructure/vpc/terragrunt.hcl  (generated before, deleted since)"
    ));
    assert_eq!(files(&snapshot(&s.out())), before);
}

#[test]
fn the_manifest_lists_every_generated_file_with_its_sha256_and_nothing_that_churns() {
    let s = TeamTask::new();
    s.run(&[]).success();
    let text = std::fs::read_to_string(s.out().join(MANIFEST)).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["tgforge_manifest"], 1);
    let listed: &serde_json::Map<String, serde_json::Value> = json["files"].as_object().unwrap();
    let tree: BTreeMap<String, Vec<u8>> = files(&snapshot(&s.out()))
        .into_iter()
        .filter(|(p, _)| p != MANIFEST)
        .collect();
    assert_eq!(
        listed.keys().collect::<Vec<_>>(),
        tree.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &tree {
        let hex = listed[path].as_str().unwrap();
        assert_eq!(hex.len(), 64, "{path}");
        assert_eq!(
            hex,
            tgforge::output::manifest::Digest256::of(bytes).to_hex()
        );
    }
    // One path per line, sorted; no time, no tgforge version.
    let lines: Vec<&str> = text.lines().filter(|l| l.starts_with("    \"")).collect();
    assert_eq!(lines.len(), tree.len());
    assert!(lines.windows(2).all(|w| w[0] < w[1]));
    assert!(!text.contains(env!("CARGO_PKG_VERSION")));
    assert!(text.ends_with("}\n"));

    // Regenerating elsewhere, later, gives the same bytes.
    let again = tempfile::tempdir().unwrap();
    gen_cmd(&s.spec(), again.path(), &[]).success();
    assert_eq!(
        std::fs::read_to_string(again.path().join(MANIFEST)).unwrap(),
        text
    );
}
