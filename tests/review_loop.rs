//! The pull-request review loop: `gen --check` (exit 0 fresh, 1 stale, with a unified diff),
//! `tgforge diff` and `gen --dry-run` (the same report, exit 0); none of them writes anything.

mod common;

use common::regen::*;
use common::{stderr, stdout};

impl TeamTask {
    fn check(&self) -> assert_cmd::assert::Assert {
        self.run(&["--check"])
    }
}

#[test]
fn check_passes_on_a_fresh_tree_and_ignores_files_people_added() {
    let s = TeamTask::generated_and_aged();
    std::fs::write(
        s.out().join("production/infrastructure/vpc/extra.tf"),
        "# mine\n",
    )
    .unwrap();
    let before = snapshot(&s.out());
    let generated = files(&before).len() - 1;
    let assert = s.check().code(0);
    let out = stdout(&assert);
    assert_eq!(out.lines().count(), 1, "only the summary: {out}");
    assert!(
        out.ends_with(&format!(
            ": 0 to create, 0 to change, 0 to delete, {generated} unchanged\n"
        )),
        "{out}"
    );
    assert_eq!(snapshot(&s.out()), before);
}

#[test]
fn check_fails_on_a_stale_tree_listing_every_difference_with_a_diff() {
    let s = TeamTask::generated_and_aged();
    // The spec changes one value and drops the static files; a person deletes one file.
    s.write_spec(&edit(
        &edit(
            &example("team-task"),
            "desired_count: 1",
            "desired_count: 3",
        ),
        "static_files:\n      enabled: true",
        "static_files:\n      enabled: false",
    ));
    std::fs::remove_file(s.out().join("production/infrastructure/vpc/terragrunt.hcl")).unwrap();
    let before = snapshot(&s.out());

    let assert = s.check().code(1);
    let out = stdout(&assert);
    assert!(
        out.contains(
            "change  production/infrastructure/ecs_fargate/terragrunt.hcl  (changed by the spec)\n"
        ),
        "{out}"
    );
    assert!(
        out.contains(
            "delete  production/infrastructure/cloudfront/terragrunt.hcl  (stale: no longer generated)\n"
        ),
        "{out}"
    );
    assert!(
        out.contains(
            "create  production/infrastructure/vpc/terragrunt.hcl  (generated but missing)\n"
        ),
        "{out}"
    );
    assert!(
        out.contains("change  .tgforge-manifest.json  (changed by the spec)\n"),
        "{out}"
    );
    // Unified diffs: the changed line, a deleted file, a created file.
    assert!(out.contains(
        "--- a/production/infrastructure/ecs_fargate/terragrunt.hcl\n+++ b/production/infrastructure/ecs_fargate/terragrunt.hcl\n@@ "
    ), "{out}");
    assert!(
        out.lines()
            .any(|l| l.starts_with('-') && l.contains("desired_count") && l.ends_with("= 1")),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l.starts_with('+') && l.contains("desired_count") && l.ends_with("= 3")),
        "{out}"
    );
    assert!(
        out.contains("--- a/production/infrastructure/cloudfront/terragrunt.hcl\n+++ /dev/null\n"),
        "{out}"
    );
    assert!(
        out.contains("--- /dev/null\n+++ b/production/infrastructure/vpc/terragrunt.hcl\n"),
        "{out}"
    );
    assert!(
        !out.contains("+++ b/.tgforge-manifest.json"),
        "no diff of digests"
    );
    assert!(!out.contains('\x1b'), "plain when not on a terminal");
    assert!(
        out.contains(" 1 to create, ")
            && out.contains(&format!(
                " {} to delete, ",
                // The units, their dependency block, and the modules only they used.
                3 + out
                    .lines()
                    .filter(|l| l.starts_with("delete  Modules/"))
                    .count()
            )),
        "{out}"
    );
    assert!(
        stderr(&assert).contains("run `tgforge gen"),
        "{}",
        stderr(&assert)
    );
    assert_eq!(snapshot(&s.out()), before, "--check writes nothing");
}

#[test]
fn check_reports_hand_edits_and_foreign_files_as_differences() {
    let s = TeamTask::generated_and_aged();
    let root_hcl = s.out().join("root.hcl");
    let text = std::fs::read_to_string(&root_hcl).unwrap();
    std::fs::write(&root_hcl, format!("{text}# edited\n")).unwrap();
    let assert = s.check().code(1);
    let out = stdout(&assert);
    assert!(
        out.contains("refuse  root.hcl  (edited by hand: gen refuses to overwrite it)\n"),
        "{out}"
    );
    assert!(out.contains("\n-# edited\n"), "{out}");
    assert!(out.contains("1 file in the way"), "{out}");
    // With --force, check still fails: the tree differs.
    gen_cmd(&s.spec(), &s.out(), &["--check", "--force"]).code(1);
}

#[test]
fn check_of_a_missing_folder_fails_and_creates_nothing() {
    let s = TeamTask::generated_and_aged();
    let missing = s.tmp.path().join("not-yet");
    let generated = files(&snapshot(&s.out())).len();
    let assert = gen_cmd(&s.spec(), &missing, &["--check"]).code(1);
    assert!(
        stdout(&assert).contains(&format!(
            "{generated} to create, 0 to change, 0 to delete, 0 unchanged"
        )),
        "{}",
        stdout(&assert)
    );
    assert!(!missing.exists());
}

#[test]
fn diff_and_dry_run_print_the_same_report_and_exit_0() {
    let s = TeamTask::generated_and_aged();
    s.write_spec(&edit(
        &example("team-task"),
        "desired_count: 1",
        "desired_count: 2",
    ));
    let before = snapshot(&s.out());
    let check = stdout(&s.check().code(1));
    let diff = stdout(&s.diff(&[]).code(0));
    let dry = stdout(&gen_cmd(&s.spec(), &s.out(), &["--dry-run"]).code(0));
    assert_eq!(diff, check);
    assert_eq!(dry, check);
    assert!(
        diff.contains(": 0 to create, ") && diff.contains(" to change, 0 to delete, "),
        "{diff}"
    );
    assert_eq!(
        snapshot(&s.out()),
        before,
        "diff and --dry-run write nothing"
    );
    // Once generated, the report is empty.
    gen_cmd(&s.spec(), &s.out(), &[]).success();
    let diff = stdout(&s.diff(&[]).code(0));
    assert_eq!(diff.lines().count(), 1, "{diff}");
}

#[test]
fn check_and_dry_run_cannot_be_combined() {
    let s = TeamTask::generated_and_aged();
    gen_cmd(&s.spec(), &s.out(), &["--check", "--dry-run"]).code(2);
}

#[test]
fn an_invalid_spec_exits_2_and_writes_nothing() {
    let s = TeamTask::generated_and_aged();
    s.write_spec(&edit(
        &example("team-task"),
        "desired_count: 1",
        "desired_count: many",
    ));
    let before = snapshot(&s.out());
    for args in [&[][..], &["--force"], &["--check"], &["--dry-run"]] {
        let assert = gen_cmd(&s.spec(), &s.out(), args).code(2);
        assert!(
            stderr(&assert).contains("desired_count"),
            "{}",
            stderr(&assert)
        );
        assert_eq!(snapshot(&s.out()), before, "{args:?}");
    }
    s.diff(&[]).code(2);
    let fresh = s.tmp.path().join("fresh");
    gen_cmd(&s.spec(), &fresh, &[]).code(2);
    assert!(!fresh.exists(), "the output folder is not even created");
}

#[test]
fn an_output_path_that_is_a_file_is_a_usage_error() {
    let s = TeamTask::generated_and_aged();
    let file = s.tmp.path().join("file");
    std::fs::write(&file, "x").unwrap();
    let assert = gen_cmd(&s.spec(), &file, &[]).code(2);
    assert!(
        stderr(&assert).contains("is not a folder"),
        "{}",
        stderr(&assert)
    );
    gen_cmd(&s.spec(), &file, &["--check"]).code(2);
    assert_eq!(std::fs::read(&file).unwrap(), b"x");
}

/// Runs `tgforge diff` on a pseudo-terminal (util-linux `script`), or `None` without one.
fn diff_on_a_terminal(s: &TeamTask, no_color: Option<&str>) -> Option<String> {
    let script = ["/usr/bin/script", "/bin/script"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())?;
    let command = format!(
        "'{}' diff '{}' -o '{}'",
        assert_cmd::cargo::cargo_bin("tgforge").display(),
        s.spec().display(),
        s.out().display()
    );
    let mut cmd = std::process::Command::new(script);
    cmd.args(["-qec", &command, "/dev/null"]);
    match no_color {
        Some(value) => cmd.env("NO_COLOR", value),
        None => cmd.env_remove("NO_COLOR"),
    };
    let output = cmd.output().ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}

#[test]
fn the_report_is_colored_on_a_terminal_unless_no_color_is_set() {
    let s = TeamTask::generated_and_aged();
    s.write_spec(&edit(
        &example("team-task"),
        "desired_count: 1",
        "desired_count: 2",
    ));
    let Some(colored) = diff_on_a_terminal(&s, None) else {
        eprintln!("skipped: no `script` to make a pseudo-terminal");
        return;
    };
    assert!(colored.contains("\x1b[33mchange\x1b[0m"), "{colored:?}");
    assert!(colored.contains("\x1b[32m+"), "{colored:?}");
    assert!(colored.contains("\x1b[31m-"), "{colored:?}");
    let plain = diff_on_a_terminal(&s, Some("1")).unwrap();
    assert!(!plain.contains('\x1b'), "{plain:?}");
    assert!(plain.contains("change  production/infrastructure/ecs_fargate/terragrunt.hcl"));
    // An empty NO_COLOR does not count.
    let empty = diff_on_a_terminal(&s, Some("")).unwrap();
    assert!(empty.contains('\x1b'));
}
