//! The no-op fast path (src/output/fresh.rs): taken only when the folder is provably what the
//! spec generates, never when anything could differ.

mod common;

use std::path::Path;

use common::{repo, tgforge};

/// `tgforge -v gen|--check` with its own cache folder; returns (exit code, stdout, stderr).
fn run(cache: &Path, spec: &Path, out: &Path, extra: &[&str]) -> (i32, String, String) {
    run_with(cache, spec, out, extra, None)
}

/// `run`, with `TGFORGE_NO_CACHE` set to `no_cache` (or unset).
fn run_with(
    cache: &Path,
    spec: &Path,
    out: &Path,
    extra: &[&str],
    no_cache: Option<&str>,
) -> (i32, String, String) {
    let mut command = tgforge();
    match no_cache {
        Some(value) => command.env("TGFORGE_NO_CACHE", value),
        None => command.env_remove("TGFORGE_NO_CACHE"),
    };
    let output = command
        .env("XDG_CACHE_HOME", cache)
        .arg("-v")
        .arg("gen")
        .arg(spec)
        .arg("-o")
        .arg(out)
        .args(extra)
        .output()
        .unwrap();
    (
        output.status.code().unwrap(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

fn fast(stderr: &str) -> bool {
    stderr.contains("nothing rendered")
}

#[test]
fn an_untouched_tree_takes_the_fast_path_with_the_same_summary() {
    let tmp = tempfile::tempdir().unwrap();
    let (cache, out) = (tmp.path().join("cache"), tmp.path().join("out"));
    let spec = repo().join("specs/team-task.yaml");
    let (code, _, stderr) = run(&cache, &spec, &out, &[]);
    assert_eq!(code, 0);
    assert!(!fast(&stderr), "the first run renders");

    let (code, slow_summary, stderr) = run_with(&cache, &spec, &out, &[], Some("1"));
    assert_eq!(code, 0);
    assert!(!fast(&stderr), "TGFORGE_NO_CACHE turns it off");

    let (code, fast_summary, stderr) = run(&cache, &spec, &out, &[]);
    assert_eq!(code, 0);
    assert!(fast(&stderr), "{stderr}");
    assert_eq!(fast_summary, slow_summary, "same report either way");
    let (code, _, stderr) = run(&cache, &spec, &out, &["--check"]);
    assert_eq!(code, 0);
    assert!(fast(&stderr));
}

#[test]
fn any_difference_takes_the_normal_path() {
    let tmp = tempfile::tempdir().unwrap();
    let (cache, out) = (tmp.path().join("cache"), tmp.path().join("out"));
    let spec_text = std::fs::read_to_string(repo().join("specs/team-task.yaml")).unwrap();
    let spec = tmp.path().join("team-task.yaml");
    std::fs::write(&spec, &spec_text).unwrap();
    assert_eq!(run(&cache, &spec, &out, &[]).0, 0);

    // A hand edit: refused, with the normal report.
    let unit = out.join("production/infrastructure/vpc/terragrunt.hcl");
    let original = std::fs::read_to_string(&unit).unwrap();
    std::fs::write(&unit, format!("{original}# mine\n")).unwrap();
    let (code, _, stderr) = run(&cache, &spec, &out, &["--check"]);
    assert_eq!(code, 1);
    assert!(!fast(&stderr));
    let (code, _, stderr) = run(&cache, &spec, &out, &[]);
    assert_eq!(code, 4, "{stderr}");
    std::fs::write(&unit, &original).unwrap();
    // The refusal forgot the folder: one normal run proves it clean again, then it is fast.
    assert!(!fast(&run(&cache, &spec, &out, &[]).2));
    assert!(
        fast(&run(&cache, &spec, &out, &[]).2),
        "back to what was written"
    );

    // A deleted file.
    std::fs::remove_file(&unit).unwrap();
    let (code, stdout, stderr) = run(&cache, &spec, &out, &["--check"]);
    assert_eq!(code, 1);
    assert!(!fast(&stderr));
    assert!(stdout.contains("production/infrastructure/vpc/terragrunt.hcl"));
    assert_eq!(run(&cache, &spec, &out, &[]).0, 0);

    // A generated file replaced by a link to identical contents.
    #[cfg(unix)]
    {
        let copy = tmp.path().join("copy.hcl");
        std::fs::copy(&unit, &copy).unwrap();
        std::fs::remove_file(&unit).unwrap();
        std::os::unix::fs::symlink(&copy, &unit).unwrap();
        let (code, _, stderr) = run(&cache, &spec, &out, &["--check"]);
        assert_ne!(code, 0);
        assert!(!fast(&stderr));
        std::fs::remove_file(&unit).unwrap();
        assert_eq!(run(&cache, &spec, &out, &[]).0, 0);
    }

    // A changed spec.
    std::fs::write(
        &spec,
        spec_text.replace("desired_count: 1", "desired_count: 2"),
    )
    .unwrap();
    let (code, stdout, stderr) = run(&cache, &spec, &out, &["--check"]);
    assert_eq!(code, 1);
    assert!(!fast(&stderr));
    assert!(stdout.contains("desired_count"));
}
