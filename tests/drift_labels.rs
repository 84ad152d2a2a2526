//! Drift explained: `gen --check` and `diff` label every differing file (changed by the spec,
//! edited by hand, generated but missing, stale, not written by tgforge), count each kind on
//! the summary line, and `--format github` prints one workflow annotation per file.

mod common;

use std::path::Path;

use common::regen::*;
use common::{stderr, stdout};

const ECS: &str = "production/infrastructure/ecs_fargate/terragrunt.hcl";
const VPC: &str = "production/infrastructure/vpc/terragrunt.hcl";
const S3: &str = "production/infrastructure/s3_static/terragrunt.hcl";
const CLOUDFRONT: &str = "production/infrastructure/cloudfront/terragrunt.hcl";
const NEW_POLICY: &str = "Modules/AWS_ECR/lifecycle_policy/keep-20.json";
const ALB: &str = "production/infrastructure/alb/terragrunt.hcl";

/// team-task generated into `out`, then every kind of drift at once.
fn drifted() -> TeamTask {
    let d = TeamTask::new();
    d.run(&["-q"]).success();
    let out = d.out();
    // The spec: one value changes, static files go (their units become stale), and the
    // ECR policy keeps 20 images (a new generated file).
    let text = edit(
        &example("team-task"),
        "desired_count: 1",
        "desired_count: 3",
    );
    let text = edit(
        &text,
        "static_files:\n      enabled: true",
        "static_files:\n      enabled: false",
    );
    let text = edit(&text, "keep_images: 15", "keep_images: 20");
    d.write_spec(&text);
    // By hand: an edit, an edit of a file about to go, a deletion, a file of one's own
    // where the spec now generates one, and a link over a generated file.
    append(&out.join("root.hcl"), "# edited\n");
    append(&out.join(CLOUDFRONT), "# edited\n");
    std::fs::remove_file(out.join(VPC)).unwrap();
    std::fs::write(out.join(NEW_POLICY), "{}\n").unwrap();
    std::fs::remove_file(out.join(ALB)).unwrap();
    std::os::unix::fs::symlink("/etc/hostname", out.join(ALB)).unwrap();
    d
}

fn append(path: &Path, text: &str) {
    let old = std::fs::read_to_string(path).unwrap();
    std::fs::write(path, format!("{old}{text}")).unwrap();
}

/// The lines of a report that list a file (`create`, `change`, `delete`, `refuse`).
fn listed_files(report: &str) -> Vec<&str> {
    report
        .lines()
        .filter(|l| {
            ["create  ", "change  ", "delete  ", "refuse  "]
                .iter()
                .any(|v| l.starts_with(v))
        })
        .collect()
}

/// `tgforge gen team-task.yaml -o out --check --format github` in `dir`, which finds drift
/// (exit 1); its stdout.
fn github_check(dir: &Path) -> String {
    stdout(
        &tgforge()
            .current_dir(dir)
            .args([
                "gen",
                "team-task.yaml",
                "-o",
                "out",
                "--check",
                "--format",
                "github",
            ])
            .assert()
            .code(1),
    )
}

#[test]
fn check_and_diff_label_each_differing_file_and_count_each_kind() {
    let d = drifted();
    let check = stdout(&gen_cmd(&d.spec(), &d.out(), &["--check"]).code(1));
    for line in [
        format!("change  {ECS}  (changed by the spec)"),
        "change  .tgforge-manifest.json  (changed by the spec)".to_string(),
        format!("create  {VPC}  (generated but missing)"),
        format!("delete  {S3}  (stale: no longer generated)"),
        "delete  Modules/AWS_ECR/lifecycle_policy/keep-15.json  (stale: no longer generated)"
            .to_string(),
        "refuse  root.hcl  (edited by hand: gen refuses to overwrite it)".to_string(),
        format!(
            "refuse  {CLOUDFRONT}  (edited by hand, and no longer generated; gen refuses to delete it)"
        ),
        format!("refuse  {NEW_POLICY}  (not written by tgforge: gen refuses to overwrite it)"),
        format!(
            "refuse  {ALB}  (not written by tgforge: `{ALB}` is a symbolic link; gen refuses to replace it)"
        ),
    ] {
        assert!(
            check.lines().any(|l| l == line),
            "missing line {line:?} in:\n{check}"
        );
    }
    // Every listed file has exactly one label, and the summary counts them.
    let listed = listed_files(&check);
    let count = |label: &str| {
        listed
            .iter()
            .filter(|l| l.contains(&format!("  ({label}")))
            .count()
    };
    let spec = count("changed by the spec");
    let edited = count("edited by hand");
    let missing = count("generated but missing");
    let stale = count("stale");
    let foreign = count("not written by tgforge");
    assert_eq!(
        spec + edited + missing + stale + foreign,
        listed.len(),
        "{check}"
    );
    assert_eq!((edited, missing, foreign), (2, 1, 2), "{check}");
    let summary = check.lines().last().unwrap();
    assert!(
        summary.ends_with(&format!(
            "; 4 files in the way (gen refuses to write); drift: {spec} changed by the spec, 2 edited by hand, 1 generated but missing, {stale} stale, 2 not written by tgforge"
        )),
        "{summary}"
    );
    // `diff` says the same; with --force, the edited files become changes, still labeled.
    let diff = stdout(
        &tgforge()
            .arg("diff")
            .arg(d.spec())
            .arg("-o")
            .arg(d.out())
            .assert()
            .code(0),
    );
    assert_eq!(diff, check);
    let forced = stdout(
        &tgforge()
            .arg("diff")
            .arg(d.spec())
            .arg("-o")
            .arg(d.out())
            .arg("--force")
            .assert()
            .code(0),
    );
    assert!(
        forced.contains("change  root.hcl  (edited by hand: --force overwrites it)\n"),
        "{forced}"
    );
    assert!(
        forced.contains(&format!(
            "release  {CLOUDFRONT}  (edited by hand, and no longer generated; --force leaves it in place, untracked)\n"
        )),
        "{forced}"
    );
}

#[test]
fn a_clean_tree_has_no_drift_in_its_summary() {
    let t = TeamTask::new();
    t.run(&["-q"]).success();
    for extra in [&[][..], &["--format", "github"][..]] {
        let mut args = vec!["--check"];
        args.extend_from_slice(extra);
        let text = stdout(&t.run(&args).code(0));
        assert_eq!(text.lines().count(), 1, "{text}");
        assert!(!text.contains("drift"), "{text}");
    }
}

#[test]
fn github_format_annotates_the_line_where_each_file_drifts() {
    let d = drifted();
    let out = github_check(d.tmp.path());
    let annotations: Vec<&str> = out.lines().filter(|l| l.starts_with("::")).collect();
    let find = |file: &str| -> &str {
        annotations
            .iter()
            .find(|a| a.starts_with(&format!("::error file={file},")))
            .unwrap_or_else(|| panic!("an annotation for {file}:\n{out}"))
    };
    // The first line where the file on disk differs from what the spec generates now (the
    // app's settings lose the static-file bucket before desired_count changes).
    let fresh = tempfile::tempdir().unwrap();
    gen_cmd(&d.spec(), &fresh.path().join("t"), &["-q"]).success();
    let ecs_text = std::fs::read_to_string(d.out().join(ECS)).unwrap();
    let wanted = std::fs::read_to_string(fresh.path().join("t").join(ECS)).unwrap();
    let line = ecs_text
        .lines()
        .zip(wanted.lines())
        .position(|(a, b)| a != b)
        .unwrap()
        + 1;
    assert!(
        find(&format!("out/{ECS}")).starts_with(&format!(
            "::error file=out/{ECS},line={line},title=tgforge%3A changed by the spec::out/{ECS} is not what the spec generates: run `tgforge gen` and commit the result."
        )),
        "{out}"
    );
    // A hand edit: the appended line.
    let root_lines = std::fs::read_to_string(d.out().join("root.hcl"))
        .unwrap()
        .lines()
        .count();
    assert!(
        find("out/root.hcl").contains(&format!(
            ",line={root_lines},title=tgforge%3A edited by hand::"
        )),
        "{out}"
    );
    // A missing file: the manifest's line naming it.
    let manifest = std::fs::read_to_string(d.out().join(MANIFEST)).unwrap();
    let line = manifest.lines().position(|l| l.contains(VPC)).unwrap() + 1;
    let missing = find("out/.tgforge-manifest.json");
    assert!(missing.contains(&format!(",line={line},title=tgforge%3A generated but missing::out/{VPC} is generated but missing")), "{missing}");
    // Stale and foreign files, and the link (no line: it is not a file to read).
    assert!(find(&format!("out/{S3}")).contains(",line=1,title=tgforge%3A stale::"));
    assert!(
        find(&format!("out/{NEW_POLICY}")).contains("title=tgforge%3A not written by tgforge::")
    );
    assert!(find(&format!("out/{ALB}")).starts_with(&format!(
        "::error file=out/{ALB},title=tgforge%3A not written by tgforge::"
    )));
    // One per differing file but the manifest; annotations come first, then the usual report.
    assert_eq!(annotations.len(), listed_files(&out).len() - 1, "{out}");
    assert!(out.lines().next().unwrap().starts_with("::error "));

    // `diff` warns instead of failing.
    let diff = stdout(
        &tgforge()
            .current_dir(d.tmp.path())
            .args(["diff", "team-task.yaml", "-o", "out", "--format", "github"])
            .assert()
            .code(0),
    );
    assert!(
        diff.lines().next().unwrap().starts_with("::warning file="),
        "{diff}"
    );
    // Annotations are for a review: plain `gen` refuses the flag.
    let assert = gen_cmd(&d.spec(), &d.out(), &["--format", "github"]).code(2);
    assert!(stderr(&assert).contains("--check or --dry-run"));
}

#[test]
fn a_file_the_spec_adds_is_changed_by_the_spec_and_annotated_on_the_spec() {
    let t = TeamTask::new();
    t.run(&["-q"]).success();
    t.write_spec(&edit(
        &example("team-task"),
        "keep_images: 15",
        "keep_images: 20",
    ));
    let out = github_check(t.tmp.path());
    assert!(
        out.contains(&format!(
            "\ncreate  {NEW_POLICY}  (changed by the spec: new file)\n"
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "::error file=team-task.yaml,title=tgforge%3A changed by the spec::out/{NEW_POLICY} is generated by the spec and not in the tree: run `tgforge gen` and commit the result.\n"
        )),
        "{out}"
    );
}
