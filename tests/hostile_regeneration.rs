//! Issue 11: regeneration is safe in a hostile pull request. A pull request can change the
//! spec, the manifest, the lock file or the tree (links, FIFOs, hard links); whatever it
//! does, tgforge never touches, deletes or prints anything it did not write, and `--check`
//! never answers "up to date" when it is not. One test per class of attack, each run against
//! real folders with the real binary (docs/security.md maps them to the threat model).

mod common;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::regen::*;
use common::{stderr, stdout};

fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("tgforge")
}

fn digest(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The tests' team-task trees run with the cache off: each test says when it wants it.
impl TeamTask {
    fn generated() -> TeamTask {
        let t = TeamTask::uncached();
        t.run(&[]).success();
        t
    }
    /// Adds `path: digest` to the manifest, as a pull request could.
    fn add_to_manifest(&self, path: &str, digest: &str) {
        let manifest = self.out().join(MANIFEST);
        let text = std::fs::read_to_string(&manifest).unwrap();
        let text = text.replacen(
            "\"files\": {\n",
            &format!("\"files\": {{\n    \"{path}\": \"{digest}\",\n"),
            1,
        );
        std::fs::write(manifest, text).unwrap();
    }
    /// A file of someone else's in the tree.
    fn put(&self, rel: &str, contents: &[u8]) -> PathBuf {
        let path = self.out().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, contents).unwrap();
        path
    }
}

/// team-task with its ECR lifecycle policy read from `file`, and `extra` lines under `ecr:`.
fn with_policy(file: &str, extra: &str) -> String {
    edit(
        &example("team-task"),
        "    ecr:\n      keep_images: 15\n",
        &format!("    ecr:\n      lifecycle_policy_file: {file}\n{extra}"),
    )
}

fn all_output(assert: &assert_cmd::assert::Assert) -> String {
    format!("{}{}", stdout(assert), stderr(assert))
}

// ---------------------------------------------------------------------------------------
// Silent wrong answers: the no-op fast path's cache.
// ---------------------------------------------------------------------------------------

/// Run A (spec A) is stopped on a full stdout pipe after writing DIR; run B (spec B) writes
/// DIR; then A finishes. Before the fix A recorded B's manifest as what spec A generates, and
/// `--check` with spec A said "up to date" on B's tree.
#[cfg(unix)]
#[test]
fn check_never_calls_a_tree_of_another_spec_up_to_date() {
    use std::os::fd::AsFd;
    let tmp = tempfile::tempdir().unwrap();
    let (cache, out) = (tmp.path().join("cache"), tmp.path().join("out"));
    let spec_a = write_spec(tmp.path(), "a.yaml", &example("team-task"));
    let spec_b = write_spec(
        tmp.path(),
        "b.yaml",
        &edit(
            &example("team-task"),
            "desired_count: 1",
            "desired_count: 2",
        ),
    );
    let tg = |spec: &Path, extra: &[&str]| {
        let mut c = Command::new(bin());
        c.env("XDG_CACHE_HOME", &cache)
            .env_remove("TGFORGE_NO_CACHE")
            .arg("gen")
            .arg(spec)
            .arg("-o")
            .arg(&out)
            .args(extra);
        c
    };

    // A pipe filled to the brim: A's first write to stdout blocks until it is drained.
    let (mut reader, mut writer) = std::io::pipe().unwrap();
    rustix::fs::fcntl_setfl(writer.as_fd(), rustix::fs::OFlags::NONBLOCK).unwrap();
    let chunk = [b'.'; 4096];
    loop {
        match writer.write(&chunk) {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
            Err(e) => panic!("{e}"),
        }
    }
    rustix::fs::fcntl_setfl(writer.as_fd(), rustix::fs::OFlags::empty()).unwrap();
    let mut a = tg(&spec_a, &[])
        .stdout(Stdio::from(writer))
        .stderr(Stdio::null())
        .spawn()
        .unwrap();

    // A has written DIR and let go of its lock: its manifest is there, its lock file gone.
    let started = Instant::now();
    let a_let_go = || out.join(MANIFEST).exists() && !out.join(".tgforge.lock").exists();
    while !a_let_go() {
        assert!(a.try_wait().unwrap().is_none(), "A ended early");
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "A never wrote"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(200));
    assert!(a.try_wait().unwrap().is_none(), "A waits on its stdout");

    let b = tg(&spec_b, &[]).output().unwrap();
    assert_eq!(
        b.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&b.stderr)
    );

    let drain = std::thread::spawn(move || {
        let mut sink = Vec::new();
        reader.read_to_end(&mut sink).unwrap();
    });
    assert_eq!(a.wait().unwrap().code(), Some(0));
    drain.join().unwrap();

    // DIR holds B's tree: spec A's check must say so, fast path or not.
    let check = tg(&spec_a, &["--check"]).output().unwrap();
    assert_eq!(
        check.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
    assert!(String::from_utf8_lossy(&check.stdout).contains("desired_count"));
    let check = tg(&spec_b, &["--check"]).output().unwrap();
    assert_eq!(check.status.code(), Some(0));
}

/// The fingerprint covers the executable: a copy of tgforge (another build, as far as the
/// cache can tell) never trusts an entry the first one wrote. It also covers every file the
/// spec references.
#[cfg(unix)]
#[test]
fn another_binary_or_another_policy_file_never_takes_the_fast_path() {
    let tmp = tempfile::tempdir().unwrap();
    let (cache, out) = (tmp.path().join("cache"), tmp.path().join("out"));
    std::fs::create_dir(tmp.path().join("specs")).unwrap();
    let policy = tmp.path().join("specs/policy.json");
    std::fs::write(&policy, r#"{"rules": []}"#).unwrap();
    let text = with_policy("policy.json", "");
    let spec = write_spec(&tmp.path().join("specs"), "team-task.yaml", &text);
    let copy = tmp.path().join("tgforge-copy");
    std::fs::copy(bin(), &copy).unwrap();
    let run = |exe: &Path, extra: &[&str]| {
        let output = Command::new(exe)
            .env("XDG_CACHE_HOME", &cache)
            .env_remove("TGFORGE_NO_CACHE")
            .args(["-v", "gen"])
            .arg(&spec)
            .arg("-o")
            .arg(&out)
            .args(extra)
            .output()
            .unwrap();
        let fast = String::from_utf8_lossy(&output.stderr).contains("nothing rendered");
        (output.status.code().unwrap(), fast)
    };
    assert_eq!(run(&bin(), &[]), (0, false));
    assert_eq!(run(&bin(), &[]), (0, true), "the same binary: fast");
    assert_eq!(
        run(&copy, &["--check"]),
        (0, false),
        "another binary: rendered"
    );

    std::fs::write(&policy, r#"{"rules": [{"rulePriority": 1}]}"#).unwrap();
    assert_eq!(run(&bin(), &["--check"]), (1, false), "the policy changed");
}

// ---------------------------------------------------------------------------------------
// Deleting or overwriting what tgforge did not write.
// ---------------------------------------------------------------------------------------

/// A committed `.tgforge.lock` whose journal names a file of someone else's, with its exact
/// digest: before the fix, plain `gen` deleted it as "written by an unfinished run".
#[test]
fn a_committed_journal_never_makes_gen_delete_a_file_it_did_not_write() {
    let t = TeamTask::generated();
    let notes = t.put("docs/notes.md", b"mine\n");
    let vpc = "production/infrastructure/vpc/terragrunt.hcl";
    std::fs::write(
        t.out().join(".tgforge.lock"),
        format!(
            "tgforge gen, pid 999999999\npending {} docs/notes.md\npending {} .git/HEAD\n",
            digest(b"mine\n"),
            digest(b"ref: refs/heads/main\n"),
        ),
    )
    .unwrap();
    let head = t.put(".git/HEAD", b"ref: refs/heads/main\n");
    t.run(&[]).success();
    assert_eq!(std::fs::read(&notes).unwrap(), b"mine\n");
    assert_eq!(std::fs::read(&head).unwrap(), b"ref: refs/heads/main\n");
    assert!(t.out().join(vpc).exists());
    assert_eq!(leftovers(&t.out()), Vec::<String>::new());
}

/// A manifest entry under `.git/` (with the file's exact digest): before the fix `gen`
/// deleted `.git/HEAD`. Such paths, and every other path tgforge would never generate, are
/// refused in the manifest.
#[test]
fn a_manifest_naming_git_or_a_path_tgforge_never_generates_is_refused() {
    let t = TeamTask::generated();
    let head = t.put(".git/HEAD", b"ref: refs/heads/main\n");
    let manifest = std::fs::read(t.out().join(MANIFEST)).unwrap();
    for (entry, why) in [
        (".git/HEAD", "inside `.git`"),
        (".GIT/HEAD", "inside `.git`"),
        ("production/con/terragrunt.hcl", "Windows reserves"),
        ("ROOT.hcl", "letter case"),
    ] {
        std::fs::write(t.out().join(MANIFEST), &manifest).unwrap();
        t.add_to_manifest(entry, &digest(b"ref: refs/heads/main\n"));
        let before = snapshot(&t.out());
        for args in [&[][..], &["--force"], &["--check"]] {
            let assert = t.run(args).code(4);
            assert!(
                stderr(&assert).contains(why),
                "{entry}: {}",
                stderr(&assert)
            );
            assert!(stderr(&assert).contains(entry), "{}", stderr(&assert));
        }
        assert_eq!(snapshot(&t.out()), before, "{entry}: nothing written");
    }
    assert_eq!(std::fs::read(&head).unwrap(), b"ref: refs/heads/main\n");
}

/// A tampered manifest lists a file tgforge never wrote. `--force` used to delete it (and
/// said it would); now it is released: left in place and dropped from the manifest.
#[test]
fn force_never_deletes_a_file_whose_contents_tgforge_did_not_write() {
    let t = TeamTask::generated();
    let theirs = t.put("production/infrastructure/notes.md", b"keep me\n");
    t.add_to_manifest("production/infrastructure/notes.md", &digest(b"old\n"));
    let assert = t.run(&[]).code(4);
    assert!(
        !stderr(&assert).contains("(or deletes)"),
        "the advice never promises a deletion: {}",
        stderr(&assert)
    );
    let assert = t.run(&["--force"]).success();
    assert!(
        stdout(&assert).contains("release  production/infrastructure/notes.md"),
        "{}",
        stdout(&assert)
    );
    assert_eq!(std::fs::read(&theirs).unwrap(), b"keep me\n");
    let manifest = std::fs::read_to_string(t.out().join(MANIFEST)).unwrap();
    assert!(!manifest.contains("notes.md"), "no longer tgforge's");
    t.run(&["--check"]).success();
}

/// `DIR/.tgforge.lock` as a hard link to a file outside DIR, or to a generated file: before
/// the fix the lock was truncated in place, writing through the link.
#[cfg(unix)]
#[test]
fn a_hard_linked_lock_file_is_never_written_through() {
    let t = TeamTask::generated();
    let outside = t.tmp.path().join("outside.txt");
    std::fs::write(&outside, "precious\n").unwrap();
    let lock = t.out().join(".tgforge.lock");
    std::fs::hard_link(&outside, &lock).unwrap();
    t.run(&[]).success();
    assert_eq!(std::fs::read_to_string(&outside).unwrap(), "precious\n");
    assert!(
        !lock.exists(),
        "the run removed its own lock file, not the link's target"
    );

    let root_hcl = t.out().join("root.hcl");
    let before = std::fs::read(&root_hcl).unwrap();
    std::fs::hard_link(&root_hcl, &lock).unwrap();
    t.run(&[]).success();
    t.run(&["--check"]).success();
    assert_eq!(std::fs::read(&root_hcl).unwrap(), before);
    // The same through a writing run that changes files (it writes a journal).
    std::fs::write(
        t.spec(),
        edit(
            &example("team-task"),
            "desired_count: 1",
            "desired_count: 2",
        ),
    )
    .unwrap();
    std::fs::hard_link(&outside, &lock).unwrap();
    t.run(&[]).success();
    assert_eq!(std::fs::read_to_string(&outside).unwrap(), "precious\n");
}

/// Cleaning up temporary files of an unfinished run checks every folder on the way: a link
/// in the middle of the path used to be followed, emptying a folder elsewhere.
#[cfg(unix)]
#[test]
fn leftover_cleanup_never_follows_a_link_in_the_middle_of_a_path() {
    let t = TeamTask::generated();
    let elsewhere = t.tmp.path().join("elsewhere");
    let victim = elsewhere.join("infrastructure/vpc/.tgforge-tmp-theirs");
    std::fs::create_dir_all(victim.parent().unwrap()).unwrap();
    std::fs::write(&victim, "not tgforge's\n").unwrap();
    std::fs::rename(t.out().join("production"), t.tmp.path().join("moved")).unwrap();
    std::os::unix::fs::symlink(&elsewhere, t.out().join("production")).unwrap();
    std::fs::write(
        t.out().join(".tgforge.lock"),
        format!(
            "tgforge gen, pid 999999999\npending {} production/infrastructure/vpc/terragrunt.hcl\n",
            digest(b"x\n")
        ),
    )
    .unwrap();
    let assert = t.run(&[]).code(4);
    assert!(
        stderr(&assert).contains("`production` is a symbolic link"),
        "{}",
        stderr(&assert)
    );
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "not tgforge's\n");
}

/// A first `gen` that fails (here: the generated paths are too long for the file system)
/// leaves no folder behind, neither DIR nor the parents it created.
#[cfg(unix)]
#[test]
fn a_failed_first_gen_leaves_no_folder_behind() {
    let t = TeamTask::uncached();
    // 4060 bytes: short enough to create with its lock file, too long for the generated
    // files under it (PATH_MAX is 4096).
    let mut out = t.tmp.path().join("new");
    while out.as_os_str().len() + 201 < 3900 {
        out.push("d".repeat(200));
    }
    out.push("e".repeat(4060 - out.as_os_str().len() - 1));
    assert_eq!(out.as_os_str().len(), 4060);
    let assert = tgforge()
        .env("TGFORGE_NO_CACHE", "1")
        .arg("gen")
        .arg(t.spec())
        .arg("-o")
        .arg(&out)
        .assert()
        .failure();
    assert!(!stderr(&assert).is_empty());
    assert!(
        !t.tmp.path().join("new").exists(),
        "folders created by the failed run are gone"
    );
}

// ---------------------------------------------------------------------------------------
// Reading or printing what it should not.
// ---------------------------------------------------------------------------------------

/// `--check` and `diff` print only files tgforge generates: never a file a tampered manifest
/// names (there, `.git/config` with credentials, or a secret beside the tree), and never a
/// file of someone else's at a generated path.
#[test]
fn check_and_diff_never_print_a_file_tgforge_does_not_generate() {
    let t = TeamTask::generated();
    let secret = b"[remote \"origin\"]\n\turl = https://user:hunter2@example.com/x.git\n";
    t.put(".git/config", secret);
    t.put("production/secrets.env", b"DB_PASSWORD=hunter2\n");
    let manifest = std::fs::read(t.out().join(MANIFEST)).unwrap();
    for entry in [".git/config", "production/secrets.env"] {
        std::fs::write(t.out().join(MANIFEST), &manifest).unwrap();
        t.add_to_manifest(entry, &digest(b"something else\n"));
        for assert in [
            t.run(&["--check"]),
            t.run(&["--dry-run"]),
            t.diff(&[]),
            t.run(&[]),
        ] {
            let text = all_output(&assert);
            assert!(!text.contains("hunter2"), "{entry}: {text}");
        }
    }
    // A file tgforge did not write, at a path it generates (no manifest: a new checkout).
    std::fs::remove_file(t.out().join(MANIFEST)).unwrap();
    std::fs::write(t.out().join("root.hcl"), b"# password = hunter2\n").unwrap();
    for assert in [t.run(&["--check"]), t.diff(&[]), t.run(&[])] {
        let text = all_output(&assert);
        assert!(text.contains("root.hcl"), "{text}");
        assert!(!text.contains("hunter2"), "{text}");
    }
}

/// A hand edit with terminal escape sequences is shown escaped in diffs.
#[test]
fn diffs_show_control_characters_escaped() {
    let t = TeamTask::generated();
    let unit = t.out().join("root.hcl");
    let mut text = std::fs::read(&unit).unwrap();
    text.extend_from_slice(b"# \x1b]0;pwned\x07\x1b[2J\r\xe2\x80\xae hidden\n");
    std::fs::write(&unit, &text).unwrap();
    for assert in [
        t.run(&["--check"]).code(1),
        t.diff(&[]).success(),
        t.run(&[]).code(4),
    ] {
        let out = assert.get_output();
        let all = [out.stdout.as_slice(), out.stderr.as_slice()].concat();
        assert!(!all.contains(&0x1b), "{}", String::from_utf8_lossy(&all));
        assert!(!all.contains(&0x07));
        assert!(!all.contains(&b'\r'));
        let shown = String::from_utf8_lossy(&all);
        assert!(
            shown.contains("\\x1b]0;pwned\\x07\\x1b[2J\\x0d\\u{202e} hidden"),
            "{shown}"
        );
    }
}

/// Runs `tgforge ARGS` with a watchdog: a hang is a failure, not a stuck test run.
fn run_bounded(args: &[&std::ffi::OsStr]) -> (i32, String) {
    let mut child = Command::new(bin())
        .args(args)
        .env("TGFORGE_NO_CACHE", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut err = String::new();
            child
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut err)
                .unwrap();
            return (status.code().unwrap_or(-1), err);
        }
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("tgforge {args:?} hung");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The spec and the lifecycle policy file: a link to `/dev/zero`, a FIFO (nobody writing),
/// a folder, or an oversized file is refused at once with a clear error, exit 2.
#[cfg(unix)]
#[test]
fn the_spec_and_the_policy_file_are_read_only_when_regular_and_small() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let fifo = |path: &Path| {
        let status = Command::new("mkfifo").arg(path).status().unwrap();
        assert!(status.success());
    };
    let zero = dir.join("zero.yaml");
    std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
    let pipe = dir.join("pipe.yaml");
    fifo(&pipe);
    let big = dir.join("big.yaml");
    std::fs::write(&big, "#".repeat(3 * 1024 * 1024)).unwrap();
    for (spec, words) in [
        (&zero, "a device, not a regular file"),
        (&pipe, "a FIFO (named pipe), not a regular file"),
        (&big, "larger than the limit"),
        (&dir.to_path_buf(), "a folder, not a regular file"),
    ] {
        for command in ["validate", "gen"] {
            let mut args = vec![command.as_ref(), spec.as_os_str()];
            let out = dir.join("out");
            if command == "gen" {
                args.extend(["-o".as_ref(), out.as_os_str()]);
            }
            let (code, err) = run_bounded(&args);
            assert_eq!(code, 2, "{command} {}: {err}", spec.display());
            assert!(err.contains(words), "{err}");
            assert!(!out.exists());
        }
    }

    // The policy file, inside the spec's folder.
    std::os::unix::fs::symlink("/dev/zero", dir.join("zero.json")).unwrap();
    fifo(&dir.join("pipe.json"));
    std::fs::write(
        dir.join("big.json"),
        format!("{{\"rules\": [], \"x\": \"{}\"}}", "a".repeat(100_000)),
    )
    .unwrap();
    for (file, words) in [
        ("zero.json", "a device, not a regular file"),
        ("pipe.json", "a FIFO (named pipe), not a regular file"),
        ("big.json", "larger than the limit"),
    ] {
        // Allowed out of the folder: `zero.json` leads to /dev/zero; the read is refused.
        let spec = write_spec(
            dir,
            "policy.yaml",
            &with_policy(file, "      allow_policy_file_outside_spec_folder: true\n"),
        );
        let (code, err) = run_bounded(&["validate".as_ref(), spec.as_os_str()]);
        assert_eq!(code, 2, "{file}: {err}");
        assert!(err.contains("ecr.lifecycle_policy_file"), "{err}");
        assert!(err.contains(words), "{err}");
    }
}

/// `ecr.lifecycle_policy_file` stays in the spec's folder: an absolute path, `..`, or a link
/// leading out is refused unless the spec opts out explicitly.
#[cfg(unix)]
#[test]
fn the_policy_file_is_confined_to_the_spec_folder_unless_opted_out() {
    let tmp = tempfile::tempdir().unwrap();
    let specs = tmp.path().join("specs");
    std::fs::create_dir_all(specs.join("policies")).unwrap();
    let policy = r#"{"rules": [{"rulePriority": 1, "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 3}, "action": {"type": "expire"}}]}"#;
    std::fs::write(tmp.path().join("outside.json"), policy).unwrap();
    std::fs::write(specs.join("policies/inside.json"), policy).unwrap();
    std::os::unix::fs::symlink(tmp.path().join("outside.json"), specs.join("link.json")).unwrap();
    std::os::unix::fs::symlink(tmp.path().join("missing.json"), specs.join("dangling.json"))
        .unwrap();
    std::os::unix::fs::symlink(tmp.path(), specs.join("up")).unwrap();
    let with = |file: &str, opt_out: bool| {
        let extra = if opt_out {
            "      allow_policy_file_outside_spec_folder: true\n"
        } else {
            ""
        };
        write_spec(&specs, "team-task.yaml", &with_policy(file, extra))
    };
    let absolute = tmp.path().join("outside.json").display().to_string();
    for (file, words) in [
        ("../outside.json", "leads out of the spec's folder"),
        (
            "policies/../../outside.json",
            "leads out of the spec's folder",
        ),
        ("../missing.json", "leads out of the spec's folder"),
        ("link.json", "leads outside the spec's folder"),
        ("up/outside.json", "leads outside the spec's folder"),
        ("up/missing.json", "leads outside the spec's folder"),
        ("dangling.json", "a symbolic link that leads nowhere"),
        (absolute.as_str(), "is an absolute path"),
    ] {
        let spec = with(file, false);
        let assert = tgforge().arg("validate").arg(&spec).assert().code(2);
        let err = stderr(&assert);
        assert!(err.contains(words), "{file}: {err}");
        assert!(!err.contains(&absolute) || file == absolute, "{err}");
        assert!(
            err.contains("allow_policy_file_outside_spec_folder"),
            "{err}"
        );
        // Opted out: read (and, for the missing one, reported as missing).
        let spec = with(file, true);
        let assert = tgforge().arg("validate").arg(&spec).assert();
        if file.contains("missing") || file.contains("dangling") {
            assert!(stderr(&assert.code(2)).contains("No such file"));
        } else {
            assert.success();
        }
    }
    let spec = with("policies/inside.json", false);
    tgforge().arg("validate").arg(&spec).assert().success();
}

// ---------------------------------------------------------------------------------------
// Smaller.
// ---------------------------------------------------------------------------------------

#[test]
fn windows_reserved_environment_names_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    for name in ["con", "nul", "aux", "prn", "com1", "lpt9"] {
        let spec = write_spec(
            tmp.path(),
            "x.yaml",
            &edit(
                &example("team-task"),
                "  production:\n",
                &format!("  {name}:\n"),
            ),
        );
        let assert = tgforge().arg("validate").arg(&spec).assert().code(2);
        let err = stderr(&assert);
        assert!(err.contains(&format!("environments.{name}")), "{err}");
        assert!(err.contains("Windows reserves"), "{err}");
    }
}

#[cfg(unix)]
#[test]
fn a_dangling_link_as_output_folder_gets_a_clear_message() {
    let t = TeamTask::uncached();
    let target = t.tmp.path().join("nowhere");
    std::os::unix::fs::symlink(&target, t.out()).unwrap();
    for args in [&[][..], &["--check"]] {
        let assert = t.run(args).code(2);
        let err = stderr(&assert);
        assert!(err.contains("is a symbolic link to"), "{err}");
        assert!(err.contains("which does not exist"), "{err}");
    }
    assert!(!target.exists());
}

/// `gen` on an up-to-date tree on a read-only mount succeeds (nothing to write); on a stale
/// one it explains. The mount is a read-only bind mount in a private mount namespace
/// (`unshare`), so it needs no root on the host and vanishes with the process.
#[cfg(target_os = "linux")]
#[test]
fn gen_on_a_read_only_mount_succeeds_when_up_to_date_and_explains_otherwise() {
    let t = TeamTask::generated();
    let in_read_only_mount = |spec: &Path| {
        let script = "mount --bind -o ro \"$1\" \"$1\" || exit 99; touch \"$1/x\" 2>/dev/null && exit 98; \
             exec \"$2\" gen \"$3\" -o \"$1\"";
        Command::new("unshare")
            .args([
                "--user",
                "--map-root-user",
                "--mount",
                "sh",
                "-c",
                script,
                "sh",
            ])
            .arg(t.out())
            .arg(bin())
            .arg(spec)
            .env("TGFORGE_NO_CACHE", "1")
            .output()
            .unwrap()
    };
    let before = snapshot(&t.out());
    let output = in_read_only_mount(&t.spec());
    let err = String::from_utf8_lossy(&output.stderr);
    // Some sandboxes (a container without user namespaces) cannot make the mount at all.
    // That is no pass: the test fails unless told to skip, and says so.
    if output.status.code() == Some(99) || err.contains("unshare failed") {
        assert!(
            std::env::var_os("TGFORGE_SKIP_MOUNT_TESTS").is_some(),
            "cannot make a read-only bind mount here ({err}); set TGFORGE_SKIP_MOUNT_TESTS=1 to \
             skip this test on such a machine"
        );
        eprintln!("SKIPPED: no read-only bind mount possible here: {err}");
        return;
    }
    assert_ne!(output.status.code(), Some(98), "the mount is not read-only");
    assert_eq!(output.status.code(), Some(0), "{err}");
    assert!(String::from_utf8_lossy(&output.stdout).contains("0 created, 0 changed, 0 deleted"));

    let stale = write_spec(
        t.tmp.path(),
        "stale.yaml",
        &edit(
            &example("team-task"),
            "desired_count: 1",
            "desired_count: 2",
        ),
    );
    let output = in_read_only_mount(&stale);
    let err = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(4), "{err}");
    assert!(err.contains("cannot be written"), "{err}");
    assert!(err.contains("nothing was written"), "{err}");
    assert_eq!(snapshot(&t.out()), before);
}
