//! Writing is atomic and contained: a failed run leaves the previous tree intact with no
//! temporary files, a held lock stops a second run, an unfinished run is recovered, and
//! nothing is ever written or deleted outside the output folder.

mod common;

use std::path::{Path, PathBuf};

use common::regen::*;
use common::{stderr, stdout};
use tgforge::output::{self, DirLock, Options, OutputError};

fn team_task() -> String {
    example("team-task")
}

/// team-task with a second environment and a changed value: new folders, new and changed
/// files.
fn grown() -> String {
    let text = team_task();
    let production = text.find("  production:").unwrap();
    let staging = text[production..].replacen("  production:", "  staging:", 1);
    let text = edit(&text, "desired_count: 1", "desired_count: 2");
    format!("{text}{staging}")
}

impl TeamTask {
    fn rendered(&self) -> Vec<tgforge::render::RenderedFile> {
        tgforge::generate(&self.spec()).unwrap().1
    }
}

#[test]
fn a_run_that_fails_while_writing_leaves_the_previous_tree_exactly_as_it_was() {
    let s = TeamTask::generated_and_aged();
    let before = snapshot(&s.out());
    s.write_spec(&grown());
    let files = s.rendered();
    let writes = output::review(&s.out(), &files, false)
        .unwrap()
        .actions()
        .count()
        - 1; // the manifest is written after the others
    assert!(writes > 10);
    for fail_after in [0, 1, writes / 2, writes - 1] {
        let options = Options {
            fail_after_staging: Some(fail_after),
            ..Default::default()
        };
        let err = output::regenerate(&s.out(), &files, &options).unwrap_err();
        assert!(
            matches!(&err, OutputError::Internal(e) if e.to_string().contains("injected failure")),
            "{err}"
        );
        assert_eq!(
            snapshot(&s.out()),
            before,
            "after {fail_after} staged files: same files, contents, times, folders"
        );
        assert_eq!(leftovers(&s.out()), Vec::<String>::new());
    }
    // The same run without the failure goes through, leaving no temporary file.
    output::regenerate(&s.out(), &files, &Options::default()).unwrap();
    assert_eq!(leftovers(&s.out()), Vec::<String>::new());
    s.run(&["--check"]).success();
}

#[test]
fn a_first_generation_that_fails_while_writing_leaves_nothing_at_all() {
    let tmp = tempfile::tempdir().unwrap();
    let spec_path = write_spec(tmp.path(), "team-task.yaml", &grown());
    let files = tgforge::generate(&spec_path).unwrap().1;
    // A folder that does not exist, below parents that do not exist either.
    let out = tmp.path().join("new/parents/out");
    let before = snapshot(tmp.path());
    for fail_after in [0, 1, files.len() / 2, files.len()] {
        let options = Options {
            fail_after_staging: Some(fail_after),
            ..Default::default()
        };
        let err = output::regenerate(&out, &files, &options).unwrap_err();
        assert!(
            matches!(&err, OutputError::Internal(e) if e.to_string().contains("injected failure")),
            "{err}"
        );
        assert_eq!(
            snapshot(tmp.path()),
            before,
            "after {fail_after} written files: no output folder, no parent made for it, no \
             staging folder"
        );
    }
    // Without the failure: the whole tree, nothing beside it, and it is up to date.
    let plan = output::regenerate(&out, &files, &Options::default()).unwrap();
    assert_eq!(
        plan.counts().created,
        files.len() + 1,
        "every file and the manifest"
    );
    assert_eq!(leftovers(tmp.path()), Vec::<String>::new());
    let entries: Vec<_> = std::fs::read_dir(tmp.path().join("new/parents"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(entries, ["out"]);
    for file in &files {
        assert_eq!(
            std::fs::read_to_string(out.join(&file.path)).unwrap(),
            file.contents,
            "{}",
            file.path
        );
    }
    gen_cmd(&spec_path, &out, &["--check"]).success();
}

/// A first generation writes its files while the manifest is planned beside them: every path
/// is still refused before anything is written (here among many safe ones, so the writing
/// would have started on every core).
#[test]
fn a_first_generation_refuses_an_unsafe_path_before_writing_anything() {
    let tmp = tempfile::tempdir().unwrap();
    let spec_path = write_spec(tmp.path(), "team-task.yaml", &grown());
    let files = tgforge::generate(&spec_path).unwrap().1;
    let out = tmp.path().join("new/out");
    let before = snapshot(tmp.path());
    for (bad, expected) in [
        ("../outside.tf", "must not write"),
        ("/abs.tf", "must not write"),
        (".tgforge-manifest.json", "must not write"),
        ("a/.git/config", "must not write"),
        (files[0].path.as_str(), "twice"),
        (&files[0].path.to_uppercase(), "case-insensitive checkout"),
    ] {
        let mut with_bad = files.clone();
        with_bad.push(tgforge::render::RenderedFile {
            path: bad.to_string(),
            contents: "x\n".into(),
            verbatim: false,
        });
        let err = output::regenerate(&out, &with_bad, &Options::default()).unwrap_err();
        assert!(err.to_string().contains(expected), "{bad}: {err}");
        assert_eq!(snapshot(tmp.path()), before, "{bad}: nothing written");
    }
}

#[test]
fn a_held_lock_makes_a_second_run_fail_with_a_clear_message_and_write_nothing() {
    let s = TeamTask::generated_and_aged();
    s.write_spec(&grown());
    let before = snapshot(&s.out());
    let lock = DirLock::exclusive(&s.out()).unwrap();
    let with_lock = snapshot(&s.out());

    let assert = s.run(&[]).code(4);
    let err = stderr(&assert);
    assert!(
        err.contains(&format!(
            "is locked by another tgforge run (tgforge gen, pid {})",
            std::process::id()
        )),
        "{err}"
    );
    assert!(err.contains("nothing was written"), "{err}");
    assert_eq!(snapshot(&s.out()), with_lock, "nothing written");
    s.run(&["--force"]).code(4);
    s.run(&["--check"]).code(4);

    drop(lock);
    assert_eq!(
        snapshot(&s.out()),
        before,
        "the lock file goes with the lock"
    );
    s.run(&[]).success();
    assert_eq!(leftovers(&s.out()), Vec::<String>::new());
}

#[test]
fn concurrent_runs_on_one_folder_never_corrupt_it() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let spec_path = write_spec(tmp.path(), "team-task.yaml", &grown());
    let bin = assert_cmd::cargo::cargo_bin("tgforge");
    for _round in 0..3 {
        let children: Vec<_> = (0..6)
            .map(|_| {
                std::process::Command::new(&bin)
                    .arg("gen")
                    .arg(&spec_path)
                    .arg("-o")
                    .arg(&out)
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for child in children {
            let output = child.wait_with_output().unwrap();
            let code = output.status.code().unwrap();
            let err = String::from_utf8_lossy(&output.stderr);
            assert!(
                code == 0 || (code == 4 && err.contains("is locked by another tgforge run")),
                "exit {code}: {err}"
            );
        }
        gen_cmd(&spec_path, &out, &["--check"]).success();
        // Nothing left in the tree, nor beside it (a first generation stages beside it).
        assert_eq!(leftovers(tmp.path()), Vec::<String>::new());
        // Next round starts from a different tree.
        write_spec(tmp.path(), "team-task.yaml", &team_task());
        gen_cmd(&spec_path, &out, &[]).success();
        write_spec(tmp.path(), "team-task.yaml", &grown());
    }
}

#[test]
fn an_unfinished_run_is_recovered_by_the_next_one() {
    // The state a run leaves when killed after its renames and before its manifest: new
    // contents on disk, the old manifest, its journal in the lock file, a temporary file.
    let s = TeamTask::generated_and_aged();
    s.write_spec(&grown());
    let grown_files = s.rendered();
    let plan = output::review(&s.out(), &grown_files, false).unwrap();
    let mut journal = String::from("tgforge gen, pid 999999999\n");
    for change in plan.actions().filter(|c| c.path != MANIFEST) {
        let contents = change.new.as_deref().unwrap();
        let path = s.out().join(&change.path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, contents).unwrap();
        journal.push_str(&format!(
            "pending {} {}\n",
            output::manifest::Digest256::of(contents.as_bytes()).to_hex(),
            change.path
        ));
    }
    let temp = s
        .out()
        .join("production/infrastructure/ecs_fargate/.tgforge-tmp-AbC123");
    std::fs::write(&temp, "half a fi").unwrap();
    let crashed = snapshot(&s.out());

    // The spec changes again before the next run.
    s.write_spec(&edit(&grown(), "desired_count: 2", "desired_count: 3"));
    // Without the journal, the files the killed run wrote look edited by hand.
    s.run(&[]).code(4);
    assert_eq!(snapshot(&s.out()), crashed);

    std::fs::write(s.out().join(".tgforge.lock"), journal).unwrap();
    let assert = s.run(&[]).success();
    assert!(
        stdout(&assert).contains("change  production/infrastructure/ecs_fargate/terragrunt.hcl"),
        "{}",
        stdout(&assert)
    );
    assert!(
        !temp.exists(),
        "temporary files of the killed run are removed"
    );
    assert_eq!(leftovers(&s.out()), Vec::<String>::new());
    s.run(&["--check"]).success();
}

/// A folder outside the output folder, with one file.
fn outside(tmp: &Path) -> (PathBuf, PathBuf) {
    let dir = tmp.join("outside");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("terragrunt.hcl");
    std::fs::write(&file, "outside\n").unwrap();
    (dir, file)
}

#[cfg(unix)]
#[test]
fn symbolic_links_are_never_followed_out_of_the_folder() {
    use std::os::unix::fs::symlink;
    let s = TeamTask::generated_and_aged();
    let (outside_dir, outside_file) = outside(s.tmp.path());
    let target = outside_dir.join("x");
    std::fs::write(&target, "x\n").unwrap();

    // A generated folder replaced by a link to a folder outside.
    let vpc = s.out().join("production/infrastructure/vpc");
    std::fs::remove_dir_all(&vpc).unwrap();
    symlink(&outside_dir, &vpc).unwrap();
    let assert = s.run(&["--force"]).code(4);
    assert!(
        stderr(&assert).contains(
            "`production/infrastructure/vpc` is a symbolic link; tgforge never follows links"
        ),
        "{}",
        stderr(&assert)
    );
    s.run(&["--check"]).code(1);
    std::fs::remove_file(&vpc).unwrap();

    // A generated file replaced by a link to a file outside.
    let root_hcl = s.out().join("root.hcl");
    std::fs::remove_file(&root_hcl).unwrap();
    symlink(&target, &root_hcl).unwrap();
    let assert = s.run(&["--force"]).code(4);
    assert!(
        stderr(&assert).contains("root.hcl  (`root.hcl` is a symbolic link"),
        "{}",
        stderr(&assert)
    );
    std::fs::remove_file(&root_hcl).unwrap();

    // A file tgforge no longer generates, reached through a link: left alone.
    std::fs::write(s.out().join(MANIFEST), {
        let text = std::fs::read_to_string(s.out().join(MANIFEST)).unwrap();
        let digest = output::manifest::Digest256::of(b"outside\n").to_hex();
        text.replacen(
            "\"files\": {\n",
            &format!("\"files\": {{\n    \"gone/terragrunt.hcl\": \"{digest}\",\n"),
            1,
        )
    })
    .unwrap();
    symlink(&outside_dir, s.out().join("gone")).unwrap();
    s.run(&[]).success();
    assert_eq!(std::fs::read(&outside_file).unwrap(), b"outside\n");
    assert_eq!(std::fs::read(&target).unwrap(), b"x\n");
    assert_eq!(std::fs::read_dir(&outside_dir).unwrap().count(), 2);
    assert!(s.out().join("production/infrastructure/vpc").is_dir());
}

#[test]
fn a_manifest_naming_paths_outside_the_folder_is_refused() {
    let s = TeamTask::generated_and_aged();
    let (_, outside_file) = outside(s.tmp.path());
    let digest = output::manifest::Digest256::of(b"outside\n").to_hex();
    let manifest = s.out().join(MANIFEST);
    let text = std::fs::read_to_string(&manifest).unwrap();
    for evil in ["../outside/terragrunt.hcl", "/etc/hostname", "a/../../x"] {
        let bad = text.replacen(
            "\"files\": {\n",
            &format!("\"files\": {{\n    \"{evil}\": \"{digest}\",\n"),
            1,
        );
        std::fs::write(&manifest, bad).unwrap();
        let before = snapshot(&s.out());
        let assert = s.run(&["--force"]).code(4);
        assert!(
            stderr(&assert).contains(&format!("entry `{evil}`")),
            "{}",
            stderr(&assert)
        );
        assert_eq!(snapshot(&s.out()), before);
        assert_eq!(std::fs::read(&outside_file).unwrap(), b"outside\n");
    }
}

#[test]
fn a_merge_conflict_in_the_manifest_stops_the_run_with_advice() {
    let s = TeamTask::generated_and_aged();
    let manifest = s.out().join(MANIFEST);
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(
        &manifest,
        format!("<<<<<<< HEAD\n{text}=======\n{text}>>>>>>> feature\n"),
    )
    .unwrap();
    let assert = s.run(&[]).code(4);
    let err = stderr(&assert);
    assert!(err.contains("merge-conflict markers"), "{err}");
    assert!(
        err.contains("take either side (or delete the file)"),
        "{err}"
    );
    s.run(&["--check"]).code(4);
    std::fs::remove_file(&manifest).unwrap();
    s.run(&[]).success();
    assert_eq!(std::fs::read_to_string(&manifest).unwrap(), text);
}

#[test]
fn files_keep_their_permissions_when_rewritten() {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let s = TeamTask::generated_and_aged();
        let script = s
            .out()
            .join("production/infrastructure/ecs_fargate/terragrunt.hcl");
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o640)).unwrap();
        s.write_spec(&grown());
        s.run(&[]).success();
        assert!(
            touched(&s.out())
                .contains(&"production/infrastructure/ecs_fargate/terragrunt.hcl".to_string())
        );
        let mode = std::fs::metadata(&script).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
        let created = s.out().join("staging/infrastructure/vpc/terragrunt.hcl");
        let mode = std::fs::metadata(created).unwrap().permissions().mode() & 0o777;
        let plain = s.tmp.path().join("plain");
        std::fs::write(&plain, "").unwrap();
        let usual = std::fs::metadata(plain).unwrap().permissions().mode() & 0o777;
        assert_eq!(
            mode, usual,
            "the usual mode, not the private one of temporary files"
        );
    }
}
