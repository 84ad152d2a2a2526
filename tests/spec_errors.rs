//! The corpus of invalid specs in `tests/invalid_specs/`: each file announces the errors it must
//! produce with `# expect: LINE:COL: FIELD: MESSAGE` lines (and `# expect: hint: TEXT`). `gen`
//! must exit 2, print each one located at that exact place, and write nothing.

mod common;

use common::{gen_command, repo, tgforge};

#[test]
fn every_invalid_spec_is_rejected_at_the_right_place_and_nothing_is_written() {
    let dir = repo().join("tests/invalid_specs");
    let mut specs: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    specs.sort();
    assert!(specs.len() >= 10, "the corpus has its specs");
    for spec in specs {
        let text = std::fs::read_to_string(&spec).unwrap();
        let expectations: Vec<&str> = text
            .lines()
            .filter_map(|l| l.strip_prefix("# expect: "))
            .collect();
        assert!(
            !expectations.is_empty(),
            "{} has no `# expect:` line",
            spec.display()
        );

        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        let result = gen_command(&spec, &out).output().unwrap();
        let stderr = String::from_utf8_lossy(&result.stderr);
        assert_eq!(
            result.status.code(),
            Some(2),
            "{}: exit code; stderr:\n{stderr}",
            spec.display()
        );
        assert!(!out.exists(), "{}: nothing may be written", spec.display());
        assert!(
            result.stdout.is_empty(),
            "{}: errors go to stderr only",
            spec.display()
        );
        for expected in expectations {
            let needle = match expected.strip_prefix("hint: ") {
                Some(hint) => format!("= hint: {hint}"),
                None => format!("error: {}:{expected}", spec.display()),
            };
            assert!(
                stderr.contains(&needle),
                "{}: expected\n  {needle}\nin stderr:\n{stderr}",
                spec.display()
            );
        }
    }
}

#[test]
fn several_independent_errors_are_reported_in_one_run() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = common::write_spec(
        tmp.path(),
        "many.yaml",
        "project: demo\nstate:\n  bucket: Bad_Bucket\n  region: eu-west-1\nenvironments:\n  production:\n    region: eu-wset-1\n    account_id: \"12\"\n",
    );
    let result = tgforge().arg("validate").arg(&spec).output().unwrap();
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert_eq!(result.status.code(), Some(2));
    assert!(stderr.contains("3:3: state.bucket:"), "{stderr}");
    assert!(
        stderr
            .contains("7:5: environments.production.region: `eu-wset-1` is not a known AWS region"),
        "{stderr}"
    );
    assert!(
        stderr.contains("= hint: did you mean `eu-west-1`?"),
        "{stderr}"
    );
    assert!(
        stderr.contains("8:5: environments.production.account_id:"),
        "{stderr}"
    );
    assert!(
        stderr.contains("errors in spec; nothing was written"),
        "{stderr}"
    );
}

#[test]
fn validate_prints_one_line_on_success() {
    let result = tgforge()
        .arg("validate")
        .arg(repo().join("specs/team-task.yaml"))
        .output()
        .unwrap();
    assert!(result.status.success());
    let stdout = String::from_utf8(result.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(stdout.contains("OK"), "{stdout}");
}

#[test]
fn a_missing_spec_file_is_a_usage_error() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let result = gen_command(&tmp.path().join("nope.yaml"), &out)
        .output()
        .unwrap();
    assert_eq!(result.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&result.stderr).contains("cannot read spec"));
    assert!(!out.exists());
}
