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

/// "`read` of `files` files read", from the fast path's `-v` line.
fn files_read(stderr: &str) -> (usize, usize) {
    let line = stderr
        .lines()
        .find(|l| l.contains("nothing rendered"))
        .unwrap_or_else(|| panic!("not the fast path: {stderr}"));
    let words: Vec<&str> = line.split_whitespace().collect();
    let at = words.iter().position(|w| *w == "files").unwrap();
    (
        words[at - 3].parse().unwrap(),
        words[at - 1].parse().unwrap(),
    )
}

/// A tree generated, then left to settle (file systems stamp changes with a coarse clock, so
/// a file's status stands in for its contents only once it last changed a while ago), then
/// checked once so that the cache knows every file's status: the next run reads nothing.
fn settled_tree(cache: &Path, spec: &Path, out: &Path) {
    assert_eq!(run(cache, spec, out, &[]).0, 0);
    std::thread::sleep(std::time::Duration::from_millis(2100));
    let (code, _, stderr) = run(cache, spec, out, &["--check"]);
    assert_eq!(code, 0);
    let (read, files) = files_read(&stderr);
    assert_eq!(
        read, files,
        "the files this run wrote are read once: {stderr}"
    );
    let (code, _, stderr) = run(cache, spec, out, &["--check"]);
    assert_eq!(code, 0);
    assert_eq!(
        files_read(&stderr).0,
        0,
        "then known by their status: {stderr}"
    );
}

/// A hand edit that keeps the size and puts the modification time back (what `touch -r`
/// does) is still an edit: the change time moved, so the file is read and the edit found.
#[test]
fn an_edit_that_keeps_size_and_modification_time_is_found() {
    let tmp = tempfile::tempdir().unwrap();
    let (cache, out) = (tmp.path().join("cache"), tmp.path().join("out"));
    let spec = repo().join("specs/team-task.yaml");
    settled_tree(&cache, &spec, &out);

    let unit = out.join("production/infrastructure/vpc/terragrunt.hcl");
    let original = std::fs::read_to_string(&unit).unwrap();
    let modified = std::fs::metadata(&unit).unwrap().modified().unwrap();
    let edited = original.replacen("team-task-production", "team-task-PRODUCTION", 1);
    assert_eq!(edited.len(), original.len());
    assert_ne!(edited, original);
    std::fs::write(&unit, &edited).unwrap();
    let file = std::fs::File::options().write(true).open(&unit).unwrap();
    file.set_modified(modified).unwrap();
    drop(file);
    assert_eq!(
        std::fs::metadata(&unit).unwrap().len(),
        original.len() as u64
    );
    assert_eq!(
        std::fs::metadata(&unit).unwrap().modified().unwrap(),
        modified
    );

    let (code, stdout, stderr) = run(&cache, &spec, &out, &["--check"]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(!fast(&stderr));
    assert!(
        stdout.contains("production/infrastructure/vpc/terragrunt.hcl"),
        "{stdout}"
    );
}

/// A file touched (or rewritten with the same contents) is read and found unchanged: still
/// the fast path, and once it has settled it is known by its status again.
#[test]
fn a_touched_file_keeps_the_fast_path() {
    let tmp = tempfile::tempdir().unwrap();
    let (cache, out) = (tmp.path().join("cache"), tmp.path().join("out"));
    let spec = repo().join("specs/team-task.yaml");
    settled_tree(&cache, &spec, &out);

    let unit = out.join("production/infrastructure/vpc/terragrunt.hcl");
    let same = std::fs::read(&unit).unwrap();
    std::fs::write(&unit, &same).unwrap();
    let (code, _, stderr) = run(&cache, &spec, &out, &["--check"]);
    assert_eq!(code, 0);
    assert_eq!(
        files_read(&stderr).0,
        1,
        "only the touched file is read: {stderr}"
    );
    let (code, _, stderr) = run(&cache, &spec, &out, &[]);
    assert_eq!(code, 0);
    assert!(fast(&stderr), "{stderr}");
}

/// The spec's bytes stand for the loaded spec only when they are the same bytes: any edit,
/// even one that changes no output (a comment), loads the spec again; the override warnings
/// are printed on the fast path too.
#[test]
fn the_spec_is_loaded_again_when_its_bytes_change() {
    let tmp = tempfile::tempdir().unwrap();
    let (cache, out) = (tmp.path().join("cache"), tmp.path().join("out"));
    let text = std::fs::read_to_string(repo().join("specs/team-task.yaml")).unwrap();
    let spec = tmp.path().join("team-task.yaml");
    std::fs::write(&spec, &text).unwrap();
    assert_eq!(run(&cache, &spec, &out, &[]).0, 0);
    let unloaded = |stderr: &str| stderr.contains("as last loaded");

    let (code, _, stderr) = run(&cache, &spec, &out, &["--check"]);
    assert_eq!(code, 0);
    assert!(fast(&stderr) && unloaded(&stderr), "{stderr}");

    std::fs::write(&spec, format!("{text}# a comment\n")).unwrap();
    let (code, _, stderr) = run(&cache, &spec, &out, &["--check"]);
    assert_eq!(code, 0);
    assert!(
        fast(&stderr) && !unloaded(&stderr),
        "loaded again: {stderr}"
    );
    let (_, _, stderr) = run(&cache, &spec, &out, &["--check"]);
    assert!(unloaded(&stderr), "then known by its bytes: {stderr}");

    std::fs::write(
        out.join("production/infrastructure/vpc/overrides.hcl"),
        "inputs = {\n  nat_gatway_mode = \"single\"\n}\n",
    )
    .unwrap();
    let (code, _, stderr) = run(&cache, &spec, &out, &["--check"]);
    assert_eq!(code, 0);
    assert!(unloaded(&stderr), "{stderr}");
    assert!(
        stderr.contains("warning: ") && stderr.contains("nat_gatway_mode"),
        "{stderr}"
    );
}
