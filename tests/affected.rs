//! `tgforge affected` on real git repositories in temporary folders: a spec (`shop.yaml`, two
//! environments) generated into `tree/`, committed, then changed; what each change affects,
//! from the tree on disk and from the spec, and the output formats.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use common::regen::*;
use common::{stderr, stdout};
use serde_json::Value;

/// A git repository holding `shop.yaml` and the tree it generates, committed.
struct Repo {
    tmp: tempfile::TempDir,
}

impl Repo {
    fn new() -> Repo {
        Repo::init(&[])
    }
    /// With more options for `git init`.
    fn init(options: &[&str]) -> Repo {
        let repo = Repo {
            tmp: tempfile::tempdir().unwrap(),
        };
        repo.git(&[&["init", "-q", "-b", "main"], options].concat());
        repo.git(&["config", "user.email", "test@example.com"]);
        repo.git(&["config", "user.name", "test"]);
        repo.git(&["config", "commit.gpgsign", "false"]);
        repo.write_spec(&example("shop"));
        repo.generate();
        repo.commit("base");
        repo
    }
    fn root(&self) -> &Path {
        self.tmp.path()
    }
    fn tree(&self) -> PathBuf {
        self.root().join("tree")
    }
    fn spec(&self) -> PathBuf {
        self.root().join("shop.yaml")
    }
    fn write_spec(&self, text: &str) {
        write_spec(self.root(), "shop.yaml", text);
    }
    fn edit_spec(&self, from: &str, to: &str) {
        let text = std::fs::read_to_string(self.spec()).unwrap();
        self.write_spec(&edit(&text, from, to));
    }
    fn generate(&self) {
        gen_cmd(&self.spec(), &self.tree(), &["-q"]).success();
    }
    fn git(&self, args: &[&str]) -> String {
        self.git_in(self.root(), args)
    }
    /// git run in `dir` (a folder of the repository).
    fn git_in(&self, dir: &Path, args: &[&str]) -> String {
        common::git(dir, args)
    }
    fn commit(&self, message: &str) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "-m", message]);
    }
    /// `tgforge affected ARGS -o tree`, run from the repository's root.
    fn affected(&self, args: &[&str]) -> assert_cmd::assert::Assert {
        tgforge()
            .current_dir(self.root())
            .arg("affected")
            .args(args)
            .arg("-o")
            .arg("tree")
            .assert()
    }
    /// The JSON report of `affected ARGS --json`.
    fn report(&self, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.push("--json");
        let assert = self.affected(&all).code(0);
        serde_json::from_str(&stdout(&assert)).unwrap()
    }
    /// The same report from the tree on disk (since HEAD) and from the spec (since HEAD's
    /// manifest), which must agree on the units; returned once.
    fn both(&self) -> Value {
        let tree = self.report(&["--base", "HEAD"]);
        let spec = self.spec().display().to_string();
        let from_spec = self.report(&[&spec, "--base", "HEAD"]);
        assert_eq!(
            affected_units(&tree),
            affected_units(&from_spec),
            "tree and spec disagree"
        );
        assert_eq!(tree["head"], "tree");
        assert_eq!(from_spec["head"], "spec");
        tree
    }
}

/// environment -> affected unit names, in the report's order.
fn affected_units(report: &Value) -> BTreeMap<String, Vec<String>> {
    report["environments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|env| {
            let units = env["units"]
                .as_array()
                .unwrap()
                .iter()
                .map(|u| u["name"].as_str().unwrap().to_string())
                .collect();
            (env["name"].as_str().unwrap().to_string(), units)
        })
        .collect()
}

fn unit<'a>(report: &'a Value, env: &str, name: &str) -> &'a Value {
    report["environments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == env)
        .unwrap()["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["name"] == name)
        .unwrap_or_else(|| panic!("{env}/{name} is affected: {report:#}"))
}

fn kinds(unit: &Value) -> BTreeSet<String> {
    unit["because"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["kind"].as_str().unwrap().to_string())
        .collect()
}

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// The shop's units, in the apply order `tgforge graph` prints (units of a step by name).
const SHOP_UNITS: [&str; 8] = [
    "ecr",
    "s3_static",
    "vpc",
    "security_groups",
    "alb",
    "db_instance",
    "cloudfront",
    "ecs_fargate",
];

#[test]
fn a_clean_tree_affects_nothing() {
    let repo = Repo::new();
    let report = repo.both();
    for units in affected_units(&report).values() {
        assert!(units.is_empty(), "{report:#}");
    }
    assert_eq!(report["changed_files"], serde_json::json!([]));
    assert_eq!(report["affected_units"], 0);
}

#[test]
fn the_app_size_of_one_environment_affects_only_its_compute_unit() {
    let repo = Repo::new();
    // production: cpu 1024 with 2048 MiB -> 4096 MiB (a valid Fargate size).
    repo.edit_spec("      memory: 2048\n", "      memory: 4096\n");
    repo.generate();
    let report = repo.both();
    assert_eq!(
        affected_units(&report),
        BTreeMap::from([
            ("production".to_string(), names(&["ecs_fargate"])),
            ("staging".to_string(), vec![]),
        ])
    );
    let compute = unit(&report, "production", "ecs_fargate");
    assert_eq!(
        compute["because"],
        serde_json::json!([{"kind": "file", "path": "production/infrastructure/ecs_fargate/terragrunt.hcl"}])
    );
    assert_eq!(compute["path"], "production/infrastructure/ecs_fargate");
    assert_eq!(compute["module"], "ECS_Fargate");
    assert_eq!(compute["step"], 4);
    // The manifest changes too; it belongs to no unit.
    assert_eq!(
        report["unassigned_files"],
        serde_json::json!([".tgforge-manifest.json"])
    );
}

#[test]
fn a_vpc_cidr_change_affects_the_vpc_and_every_unit_reading_its_outputs() {
    let repo = Repo::new();
    repo.edit_spec(
        "      vpc_cidr: 10.30.0.0/16\n",
        "      vpc_cidr: 10.40.0.0/16\n",
    );
    repo.generate();
    let report = repo.both();
    // Everything but the ECR repository and the static-files bucket reads the VPC's outputs,
    // directly or through another unit; in apply order.
    assert_eq!(
        affected_units(&report)["production"],
        names(&[
            "vpc",
            "security_groups",
            "alb",
            "db_instance",
            "cloudfront",
            "ecs_fargate"
        ])
    );
    assert_eq!(affected_units(&report)["staging"], Vec::<String>::new());
    assert_eq!(
        kinds(unit(&report, "production", "vpc")),
        ["file".into()].into()
    );
    // The ALB reads the VPC's mock outputs through its dependency block, and the security
    // groups' outputs: both said.
    let alb = unit(&report, "production", "alb");
    assert!(
        alb["because"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!(
                {"kind": "dependency", "unit": "vpc"}
            ))
    );
    assert!(alb["because"].as_array().unwrap().contains(&serde_json::json!(
        {"kind": "dependency_block", "path": "production/infrastructure/dependency_blocks/vpc.hcl"}
    )));
    // CloudFront reads only the ALB (and the untouched bucket).
    assert_eq!(
        unit(&report, "production", "cloudfront")["because"],
        serde_json::json!([{"kind": "dependency", "unit": "alb"}])
    );
    let steps: Vec<u64> = ["vpc", "security_groups", "alb", "cloudfront"]
        .iter()
        .map(|u| unit(&report, "production", u)["step"].as_u64().unwrap())
        .collect();
    assert!(steps.windows(2).all(|w| w[0] < w[1]), "{steps:?}");
}

#[test]
fn a_module_change_affects_every_unit_using_it_in_every_environment() {
    let repo = Repo::new();
    // As a new tgforge with another module template would: the module file changes on disk.
    let main = repo.tree().join("Modules/ECS_Fargate/main.tf");
    let mut text = std::fs::read_to_string(&main).unwrap();
    text.push_str("\n# a newer module template\n");
    std::fs::write(&main, text).unwrap();
    let report = repo.report(&["--base", "HEAD"]);
    assert_eq!(
        affected_units(&report),
        BTreeMap::from([
            ("production".to_string(), names(&["ecs_fargate"])),
            ("staging".to_string(), names(&["ecs_fargate"])),
        ])
    );
    assert_eq!(
        unit(&report, "staging", "ecs_fargate")["because"],
        serde_json::json!([{"kind": "module", "module": "ECS_Fargate", "path": "Modules/ECS_Fargate/main.tf"}])
    );

    // The same between two commits, and from two manifests.
    repo.commit("module");
    let report = repo.report(&["--base", "HEAD~1"]);
    assert_eq!(affected_units(&report)["staging"], names(&["ecs_fargate"]));

    // A module every unit reads outputs through: the ALB's, in the base manifest only.
    let manifest_path = repo.tree().join(MANIFEST);
    let mut manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(&manifest_path).unwrap()).unwrap();
    manifest["files"]["Modules/AWS_ALB/main.tf"] = Value::String("0".repeat(64));
    let old = repo.root().join("old-manifest.json");
    std::fs::write(&old, serde_json::to_string_pretty(&manifest).unwrap()).unwrap();
    let report = repo.report(&["--base-manifest", old.to_str().unwrap()]);
    for env in ["production", "staging"] {
        assert_eq!(
            affected_units(&report)[env],
            names(&["alb", "cloudfront", "ecs_fargate"]),
            "{report:#}"
        );
    }
    assert_eq!(report["base"]["kind"], "manifest");
}

#[test]
fn root_and_environment_files_affect_every_unit_under_them() {
    let repo = Repo::new();
    let common = repo.tree().join("staging/infrastructure/common_vars.hcl");
    let text = std::fs::read_to_string(&common).unwrap();
    std::fs::write(&common, format!("{text}# edited\n")).unwrap();
    let report = repo.report(&["--base", "HEAD"]);
    assert_eq!(affected_units(&report)["staging"], names(&SHOP_UNITS));
    assert_eq!(affected_units(&report)["production"], Vec::<String>::new());
    assert!(kinds(unit(&report, "staging", "ecr")).contains("environment"));

    let root = repo.tree().join("root.hcl");
    let text = std::fs::read_to_string(&root).unwrap();
    std::fs::write(&root, format!("{text}# edited\n")).unwrap();
    let report = repo.report(&["--base", "HEAD"]);
    for env in ["production", "staging"] {
        assert_eq!(affected_units(&report)[env], names(&SHOP_UNITS));
    }
    assert_eq!(
        unit(&report, "production", "ecr")["because"],
        serde_json::json!([{"kind": "root", "path": "root.hcl"}])
    );
}

#[test]
fn files_of_your_own_and_uncommitted_edits_count_on_the_tree() {
    let repo = Repo::new();
    // An untracked override file beside one unit: its plan changes.
    std::fs::write(
        repo.tree()
            .join("staging/infrastructure/alb/alb_override.tf"),
        "# mine\n",
    )
    .unwrap();
    let report = repo.report(&["--base", "HEAD"]);
    assert_eq!(
        affected_units(&report)["staging"],
        names(&["alb", "cloudfront", "ecs_fargate"])
    );
    // Ignored files and the Terragrunt cache do not count.
    std::fs::remove_file(
        repo.tree()
            .join("staging/infrastructure/alb/alb_override.tf"),
    )
    .unwrap();
    std::fs::write(repo.root().join(".gitignore"), "*.ignored\n").unwrap();
    repo.commit("ignore");
    std::fs::write(repo.tree().join("staging/infrastructure/vpc/x.ignored"), "").unwrap();
    let report = repo.report(&["--base", "HEAD"]);
    assert!(
        affected_units(&report).values().all(Vec::is_empty),
        "{report:#}"
    );
}

/// `changed_files` of the report from the tree on disk since `base`.
fn changed_files(repo: &Repo, base: &str) -> BTreeSet<String> {
    repo.report(&["--base", base])["changed_files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap().to_string())
        .collect()
}

/// What git itself says differs in `tree/` since `base`: `git diff` (committed, staged and
/// unstaged changes, deletions, mode changes) plus untracked files it does not ignore.
fn git_view(repo: &Repo, base: &str) -> BTreeSet<String> {
    let in_tree = |args: &[&str]| -> Vec<String> {
        repo.git_in(&repo.tree(), args)
            .split('\0')
            .filter(|p| !p.is_empty())
            .map(String::from)
            .collect()
    };
    let mut paths: BTreeSet<String> = in_tree(&[
        "diff",
        "--name-only",
        "--no-renames",
        "-z",
        "--relative",
        base,
        "--",
        ".",
    ])
    .into_iter()
    .collect();
    paths.extend(in_tree(&[
        "ls-files",
        "--others",
        "--exclude-standard",
        "-z",
        "--",
        ".",
    ]));
    paths
}

/// `changed_files` since HEAD is git's own view, and `expected`.
fn check_changed(repo: &Repo, expected: &[impl AsRef<str>]) {
    let ours = changed_files(repo, "HEAD");
    assert_eq!(ours, git_view(repo, "HEAD"), "against git");
    let expected: BTreeSet<String> = expected.iter().map(|s| s.as_ref().to_string()).collect();
    assert_eq!(ours, expected);
}

/// Every kind of difference git sees between a revision and the tree on disk, one after the
/// other; after each, `changed_files` is exactly git's own view, and what is expected.
#[test]
fn the_tree_on_disk_differs_from_the_base_exactly_as_git_sees_it() {
    let repo = Repo::new();
    let tree = repo.tree();
    let unit = |u: &str| format!("production/infrastructure/{u}/terragrunt.hcl");
    let append = |rel: &str, text: &str| {
        let path = tree.join(rel);
        let old = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, format!("{old}{text}")).unwrap();
    };
    let check = |expected: &[&str]| check_changed(&repo, expected);
    check(&[]);

    // A hand edit, not staged; then one staged.
    append(&unit("vpc"), "# by hand\n");
    check(&[&unit("vpc")]);
    append(&unit("alb"), "# staged\n");
    repo.git(&["add", "tree"]);
    check(&[&unit("vpc"), &unit("alb")]);
    // An edit undone by hand is no change, even when staged before.
    let alb = tree.join(unit("alb"));
    let text = std::fs::read_to_string(&alb).unwrap();
    std::fs::write(&alb, text.replace("# staged\n", "")).unwrap();
    check(&[&unit("vpc")]);

    // A deleted file, and a whole deleted unit folder.
    std::fs::remove_file(tree.join("README.md")).unwrap();
    std::fs::remove_dir_all(tree.join("production/infrastructure/ecr")).unwrap();
    check(&[&unit("vpc"), "README.md", &unit("ecr")]);

    // Untracked files: one beside a unit, and a new folder of them.
    std::fs::write(
        tree.join("production/infrastructure/vpc/extra.tf"),
        "# mine\n",
    )
    .unwrap();
    std::fs::create_dir_all(tree.join("production/infrastructure/queue/files")).unwrap();
    std::fs::write(
        tree.join("production/infrastructure/queue/terragrunt.hcl"),
        "",
    )
    .unwrap();
    std::fs::write(
        tree.join("production/infrastructure/queue/files/a.json"),
        "{}",
    )
    .unwrap();
    let mut now = vec![
        unit("vpc"),
        "README.md".into(),
        unit("ecr"),
        "production/infrastructure/vpc/extra.tf".into(),
        unit("queue"),
        "production/infrastructure/queue/files/a.json".into(),
    ];
    check_changed(&repo, &now);

    // Ignored files do not count: by a .gitignore at the repository's top, one inside the
    // tree, and a Terragrunt cache folder; but a file added to the index despite the
    // rules does (and the new .gitignore files themselves are untracked files).
    std::fs::write(repo.root().join(".gitignore"), "*.ignored\n").unwrap();
    std::fs::write(
        tree.join("production/.gitignore"),
        ".terragrunt-cache/\nlocal/\n",
    )
    .unwrap();
    std::fs::write(tree.join("production/infrastructure/vpc/x.ignored"), "").unwrap();
    let cache = tree.join("production/infrastructure/vpc/.terragrunt-cache/abc/def");
    std::fs::create_dir_all(&cache).unwrap();
    std::fs::write(cache.join("main.tf"), "# cached\n").unwrap();
    std::fs::create_dir_all(tree.join("production/local")).unwrap();
    std::fs::write(tree.join("production/local/notes.txt"), "").unwrap();
    std::fs::write(tree.join("production/forced.ignored"), "").unwrap();
    repo.git(&["add", "-f", "tree/production/forced.ignored"]);
    now.push("production/.gitignore".into());
    now.push("production/forced.ignored".into());
    check_changed(&repo, &now);
    // A cache folder nothing ignores is files of your own like any other.
    std::fs::write(tree.join("production/.gitignore"), "local/\n").unwrap();
    now.push("production/infrastructure/vpc/.terragrunt-cache/abc/def/main.tf".into());
    check_changed(&repo, &now);
    std::fs::remove_dir_all(tree.join("production/infrastructure/vpc/.terragrunt-cache")).unwrap();
    now.pop();

    // A mode change and a link.
    use std::os::unix::fs::PermissionsExt;
    let db = tree.join(unit("db_instance"));
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::os::unix::fs::symlink(
        "../vpc/terragrunt.hcl",
        tree.join("production/infrastructure/alb/link.hcl"),
    )
    .unwrap();
    now.push(unit("db_instance"));
    now.push("production/infrastructure/alb/link.hcl".into());
    check_changed(&repo, &now);

    // Committed: the same against the revision before, nothing against the new one.
    repo.commit("everything");
    let ours = changed_files(&repo, "HEAD~1");
    assert_eq!(ours, git_view(&repo, "HEAD~1"));
    assert!(
        ours.contains(&unit("db_instance")) && ours.contains(&unit("ecr")),
        "{ours:?}"
    );
    check(&[]);
    // A link changed to point elsewhere.
    let link = tree.join("production/infrastructure/alb/link.hcl");
    std::fs::remove_file(&link).unwrap();
    std::os::unix::fs::symlink("../db_instance/terragrunt.hcl", &link).unwrap();
    check(&["production/infrastructure/alb/link.hcl"]);
}

/// The index vouches for a file only while its status is the one git recorded: an edit that
/// keeps the size and puts the modification time back still moves the change time.
#[test]
fn a_hand_edit_hidden_from_the_modification_time_is_found() {
    let repo = Repo::new();
    // The index as a checkout leaves it: every file's status recorded, then a second later.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    repo.git(&["update-index", "--refresh"]);
    let path = repo
        .tree()
        .join("staging/infrastructure/vpc/terragrunt.hcl");
    let modified = std::fs::metadata(&path).unwrap().modified().unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let same_size = text.replacen("shop-staging", "shop-STAGING", 1);
    assert_ne!(same_size, text);
    std::fs::write(&path, &same_size).unwrap();
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(modified)
        .unwrap();
    assert_eq!(
        changed_files(&repo, "HEAD"),
        BTreeSet::from(["staging/infrastructure/vpc/terragrunt.hcl".to_string()])
    );
}

/// A repository with SHA-256 object ids, and a linked worktree (its `.git` is a file): the
/// same differences as git sees.
#[test]
fn sha256_repositories_and_linked_worktrees_are_compared_as_git_does() {
    let repo = Repo::init(&["--object-format=sha256"]);
    assert_eq!(repo.git(&["rev-parse", "HEAD"]).trim().len(), 64);
    check_changed(&repo, &[] as &[&str]);
    let vpc = "staging/infrastructure/vpc/terragrunt.hcl";
    let path = repo.tree().join(vpc);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("{text}# edited\n")).unwrap();
    std::fs::write(repo.tree().join("staging/notes.txt"), "mine\n").unwrap();
    check_changed(&repo, &[vpc, "staging/notes.txt"]);

    let repo = Repo::new();
    let linked = tempfile::tempdir().unwrap();
    let at = linked.path().join("wt");
    repo.git(&["worktree", "add", "-q", at.to_str().unwrap()]);
    let edited = at.join("tree").join(vpc);
    let text = std::fs::read_to_string(&edited).unwrap();
    std::fs::write(&edited, format!("{text}# edited\n")).unwrap();
    let assert = tgforge()
        .current_dir(&at)
        .args(["affected", "--base", "HEAD", "--json", "-o", "tree"])
        .assert()
        .code(0);
    let report: Value = serde_json::from_str(&stdout(&assert)).unwrap();
    assert_eq!(report["changed_files"], serde_json::json!([vpc]));
    assert_eq!(affected_units(&report)["staging"][0], "vpc");
}

/// The tree deep in the repository, `affected` run from another folder, and an
/// `--all-if-changed` path written with `..`.
#[test]
fn a_tree_deep_in_the_repository_is_compared_from_anywhere() {
    let repo = Repo::new();
    let deep = repo.root().join("infra/live");
    std::fs::create_dir_all(&deep).unwrap();
    std::fs::rename(repo.tree(), deep.join("tree")).unwrap();
    std::fs::create_dir_all(repo.root().join("docs")).unwrap();
    std::fs::write(repo.root().join("docs/notes.md"), "notes\n").unwrap();
    repo.commit("moved");
    let vpc = deep.join("tree/staging/infrastructure/vpc/terragrunt.hcl");
    let text = std::fs::read_to_string(&vpc).unwrap();
    std::fs::write(&vpc, format!("{text}# edited\n")).unwrap();
    let run = |cwd: &Path, dir: &str, all: &str| -> Value {
        let assert = tgforge()
            .current_dir(cwd)
            .args(["affected", "--base", "HEAD", "--json", "-o", dir])
            .args(["--all-if-changed", all])
            .assert()
            .code(0);
        serde_json::from_str(&stdout(&assert)).unwrap()
    };
    let from_docs = run(&repo.root().join("docs"), "../infra/live/tree", "notes.md");
    assert_eq!(
        from_docs["changed_files"],
        serde_json::json!(["staging/infrastructure/vpc/terragrunt.hcl"])
    );
    assert_eq!(from_docs["all"], false);
    assert_eq!(affected_units(&from_docs)["staging"][0], "vpc");
    // From inside the tree, with the path to another file going up and down again.
    let inside = deep.join("tree/staging");
    std::fs::write(repo.root().join("docs/notes.md"), "more notes\n").unwrap();
    let from_inside = run(&inside, "..", "../../../../docs/../docs/notes.md");
    assert_eq!(from_inside["changed_files"], from_docs["changed_files"]);
    assert_eq!(from_inside["all"], true);
    assert_eq!(
        from_inside["all_because"],
        serde_json::json!(["../../../../docs/../docs/notes.md"])
    );
    // A deleted --all-if-changed file (its folder gone too) is a change.
    std::fs::remove_dir_all(repo.root().join("docs")).unwrap();
    let gone = run(&inside, "..", "../../../../docs/notes.md");
    assert_eq!(gone["all"], true);
}

/// Where git converts line endings, the bytes on disk are not what git stores: the answer
/// is still git's (the tree is compared through `git diff`).
#[test]
fn line_ending_conversions_are_compared_as_git_does() {
    // core.autocrlf: the checkout has CRLF line endings, the commits LF.
    let repo = Repo::new();
    repo.git(&["config", "core.autocrlf", "true"]);
    check_conversion(&repo);

    // .gitattributes asking for CRLF in the working tree, at the top and inside the tree.
    for attributes in [".gitattributes", "tree/.gitattributes"] {
        let repo = Repo::new();
        std::fs::write(repo.root().join(attributes), "*.hcl text eol=crlf\n").unwrap();
        repo.commit("attributes");
        check_conversion(&repo);
    }
}

/// Checks the tree out again (with CRLF line endings), then: nothing changed although every
/// `.hcl` file differs from its blob; then one edit.
fn check_conversion(repo: &Repo) {
    std::fs::remove_dir_all(repo.tree()).unwrap();
    repo.git(&["checkout", "--", "tree"]);
    let edited = repo
        .tree()
        .join("staging/infrastructure/vpc/terragrunt.hcl");
    assert!(std::fs::read_to_string(&edited).unwrap().contains("\r\n"));
    assert_eq!(changed_files(repo, "HEAD"), BTreeSet::new());
    let text = std::fs::read_to_string(&edited).unwrap();
    std::fs::write(&edited, format!("{text}# edited\r\n")).unwrap();
    let expected = BTreeSet::from(["staging/infrastructure/vpc/terragrunt.hcl".to_string()]);
    assert_eq!(changed_files(repo, "HEAD"), expected);
    assert_eq!(git_view(repo, "HEAD"), expected);
}

#[test]
fn units_the_spec_no_longer_generates_are_reported_as_removed() {
    let repo = Repo::new();
    repo.edit_spec(
        "  production:\n",
        "  production:\n    static_files:\n      enabled: false\n",
    );
    repo.generate();
    let report = repo.both();
    assert_eq!(
        report["removed_units"],
        serde_json::json!([
            {"environment": "production", "name": "cloudfront", "path": "production/infrastructure/cloudfront"},
            {"environment": "production", "name": "s3_static", "path": "production/infrastructure/s3_static"},
        ])
    );
    let human = stdout(&repo.affected(&["--base", "HEAD"]).code(0));
    assert!(
        human.contains("removed: production/infrastructure/cloudfront (no longer in the tree"),
        "{human}"
    );
}

#[test]
fn a_changed_workflow_makes_every_unit_affected_and_says_why() {
    let repo = Repo::new();
    let workflow = "tree/.github/workflows/infrastructure.yml";
    repo.edit_spec("      memory: 2048\n", "      memory: 4096\n");
    repo.generate();
    // Unchanged workflow: only the affected unit.
    let report = repo.report(&["--base", "HEAD", "--all-if-changed", workflow]);
    assert_eq!(report["all"], false);
    assert_eq!(report["affected_units"], 1);
    let path = repo.root().join(workflow);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("{text}# changed\n")).unwrap();
    let report = repo.report(&["--base", "HEAD", "--all-if-changed", workflow]);
    assert_eq!(report["all"], true);
    assert_eq!(report["all_because"], serde_json::json!([workflow]));
    for env in ["production", "staging"] {
        assert_eq!(affected_units(&report)[env], names(&SHOP_UNITS));
    }
    assert_eq!(
        unit(&report, "staging", "vpc")["because"],
        serde_json::json!([{"kind": "all", "path": workflow}])
    );
    let summary = repo.root().join("summary.md");
    let assert = repo
        .affected(&[
            "--base",
            "HEAD",
            "--all-if-changed",
            workflow,
            "--environment",
            "staging",
            "--summary",
            summary.to_str().unwrap(),
        ])
        .code(0);
    assert!(
        stdout(&assert)
            .contains("every unit is affected: tree/.github/workflows/infrastructure.yml changed")
    );
    let markdown = std::fs::read_to_string(&summary).unwrap();
    assert!(
        markdown.contains(
            "**Every unit is planned**: `tree/.github/workflows/infrastructure.yml` changed."
        ),
        "{markdown}"
    );
    assert!(
        markdown.contains("#### staging: 8 of 8 units"),
        "{markdown}"
    );
    assert!(!markdown.contains("production"), "{markdown}");
}

#[test]
fn paths_feed_a_shell_loop_and_the_matrix_feeds_github_actions() {
    let repo = Repo::new();
    repo.edit_spec(
        "      vpc_cidr: 10.30.0.0/16\n",
        "      vpc_cidr: 10.40.0.0/16\n",
    );
    repo.generate();
    let assert = repo
        .affected(&["--base", "HEAD", "--format", "paths"])
        .code(0);
    let lines: Vec<String> = stdout(&assert).lines().map(String::from).collect();
    assert_eq!(lines[0], "tree/production/infrastructure/vpc");
    assert_eq!(lines.len(), 6);
    // A real shell loop, from the repository's root: every line is a unit folder.
    let script = "tgforge affected --base HEAD -o tree --format paths | while read -r unit; do test -f \"$unit/terragrunt.hcl\" && echo \"plan $unit\"; done";
    let bin = assert_cmd::cargo::cargo_bin("tgforge");
    let out = Command::new("sh")
        .arg("-c")
        .arg(script)
        .current_dir(repo.root())
        .env(
            "PATH",
            format!(
                "{}:{}",
                bin.parent().unwrap().display(),
                std::env::var("PATH").unwrap()
            ),
        )
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().count(), 6, "{text}");
    assert!(
        text.starts_with("plan tree/production/infrastructure/vpc\n"),
        "{text}"
    );

    let assert = repo
        .affected(&["--base", "HEAD", "--format", "matrix"])
        .code(0);
    let text = stdout(&assert);
    assert_eq!(text.lines().count(), 1, "one line for $GITHUB_OUTPUT");
    let matrix: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        matrix,
        serde_json::json!({"include": [{
            "environment": "production",
            "units": ["vpc", "security_groups", "alb", "db_instance", "cloudfront", "ecs_fargate"],
            "paths": [
                "tree/production/infrastructure/vpc",
                "tree/production/infrastructure/security_groups",
                "tree/production/infrastructure/alb",
                "tree/production/infrastructure/db_instance",
                "tree/production/infrastructure/cloudfront",
                "tree/production/infrastructure/ecs_fargate",
            ],
        }]})
    );
}

/// The JSON output's schema, field by field: what docs/affected.md documents, no more, no
/// less. A change here is a change for every script that reads it.
#[test]
fn the_json_schema_is_stable_and_documented() {
    let repo = Repo::new();
    repo.edit_spec(
        "      vpc_cidr: 10.30.0.0/16\n",
        "      vpc_cidr: 10.40.0.0/16\n",
    );
    repo.edit_spec(
        "  production:\n",
        "  production:\n    static_files:\n      enabled: false\n",
    );
    repo.generate();
    let report = repo.report(&["--base", "HEAD"]);
    let keys = |v: &Value| -> BTreeSet<String> { v.as_object().unwrap().keys().cloned().collect() };
    let set = |list: &[&str]| -> BTreeSet<String> { list.iter().map(|s| s.to_string()).collect() };
    let top = [
        "tgforge_affected",
        "dir",
        "base",
        "head",
        "all",
        "all_because",
        "affected_units",
        "environments",
        "removed_units",
        "unassigned_files",
        "changed_files",
    ];
    assert_eq!(keys(&report), set(&top));
    assert_eq!(report["tgforge_affected"], 1);
    assert_eq!(report["dir"], "tree");
    assert_eq!(keys(&report["base"]), set(&["kind", "name", "commit"]));
    assert_eq!(report["base"]["kind"], "revision");
    assert_eq!(report["base"]["name"], "HEAD");
    assert_eq!(
        report["base"]["commit"],
        repo.git(&["rev-parse", "HEAD"]).trim()
    );
    assert!(report["all"].is_boolean());
    assert!(report["all_because"].is_array());
    assert_eq!(report["affected_units"], 5);
    let env_keys = ["name", "total_units", "units"];
    let unit_keys = ["name", "path", "step", "module", "because"];
    let mut reason_shapes = BTreeMap::new();
    for env in report["environments"].as_array().unwrap() {
        assert_eq!(keys(env), set(&env_keys));
        assert!(env["total_units"].is_u64());
        for unit in env["units"].as_array().unwrap() {
            assert_eq!(keys(unit), set(&unit_keys));
            assert!(unit["step"].as_u64().unwrap() >= 1);
            for reason in unit["because"].as_array().unwrap() {
                reason_shapes.insert(reason["kind"].as_str().unwrap().to_string(), keys(reason));
            }
        }
    }
    assert_eq!(reason_shapes["file"], set(&["kind", "path"]));
    assert_eq!(reason_shapes["dependency"], set(&["kind", "unit"]));
    assert_eq!(reason_shapes["dependency_block"], set(&["kind", "path"]));
    for removed in report["removed_units"].as_array().unwrap() {
        assert_eq!(keys(removed), set(&["environment", "name", "path"]));
    }
    assert!(
        report["unassigned_files"]
            .as_array()
            .unwrap()
            .contains(&Value::String("README.md".into()))
    );
    assert!(report["changed_files"].as_array().unwrap().len() >= 5);

    // Every field and reason kind is documented.
    let docs = std::fs::read_to_string(common::repo().join("docs/affected.md")).unwrap();
    let reason_kinds = [
        "file",
        "module",
        "environment",
        "root",
        "dependency_block",
        "dependency",
        "all",
    ];
    for field in top
        .iter()
        .chain(&env_keys)
        .chain(&unit_keys)
        .chain(&["kind", "commit", "environment"])
        .chain(&reason_kinds)
    {
        assert!(
            docs.contains(&format!("`{field}`")),
            "docs/affected.md documents `{field}`"
        );
    }
}

#[test]
fn environments_can_be_asked_for_one_by_one() {
    let repo = Repo::new();
    repo.edit_spec(
        "      vpc_cidr: 10.30.0.0/16\n",
        "      vpc_cidr: 10.40.0.0/16\n",
    );
    repo.generate();
    let report = repo.report(&["--base", "HEAD", "--environment", "staging"]);
    assert_eq!(
        affected_units(&report),
        BTreeMap::from([("staging".to_string(), vec![])])
    );
    assert!(
        !report["changed_files"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p.as_str().unwrap().starts_with("production/")),
        "{report:#}"
    );
    let assert = repo
        .affected(&["--base", "HEAD", "--environment", "nope"])
        .code(2);
    assert!(stderr(&assert).contains("has no environment `nope`"));
}

#[test]
fn a_base_that_is_not_a_commit_is_an_error_with_a_hint() {
    let repo = Repo::new();
    let assert = repo.affected(&["--base", "no-such-branch"]).code(2);
    let err = stderr(&assert);
    assert!(err.contains("`no-such-branch` is not a commit"), "{err}");
    assert!(err.contains("fetch-depth"), "{err}");
    assert!(stdout(&assert).is_empty());
    // A tree is not a commit either.
    let err = stderr(&repo.affected(&["--base", "HEAD^{tree}"]).code(2));
    assert!(err.contains("`HEAD^{tree}` is not a commit"), "{err}");
    // Outside git, --base is an error too; --base-manifest works.
    let plain = tempfile::tempdir().unwrap();
    gen_cmd(&repo.spec(), &plain.path().join("tree"), &["-q"]).success();
    let assert = tgforge()
        .current_dir(plain.path())
        .args(["affected", "--base", "HEAD", "-o", "tree"])
        .assert()
        .code(2);
    assert!(stderr(&assert).contains("not inside a git working tree"));
    let assert = tgforge()
        .current_dir(plain.path())
        .args([
            "affected",
            "--base-manifest",
            "tree/.tgforge-manifest.json",
            "-o",
            "tree",
            "--json",
        ])
        .assert()
        .code(0);
    let report: Value = serde_json::from_str(&stdout(&assert)).unwrap();
    assert_eq!(report["affected_units"], 0);
}

/// Runs the plan job's own scripts (taken from the generated workflow) for one environment, as
/// GitHub would on a pull request: HEAD is the merge commit, HEAD^1 the base branch; a fake
/// `terragrunt` records where it runs. Returns (terragrunt calls, step log, job summary).
fn run_plan_job(repo: &Repo, environment: &str) -> (Vec<String>, String, String) {
    let workflow: serde_yaml::Value = serde_yaml::from_str(
        // The workflow sits at the repository root, where GitHub reads it (tree_path is `tree`).
        &std::fs::read_to_string(repo.root().join(".github/workflows/infrastructure.yml")).unwrap(),
    )
    .unwrap();
    let steps = workflow["jobs"]["plan"]["steps"].as_sequence().unwrap();
    let runner = tempfile::tempdir().unwrap();
    let bin = runner.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let calls = runner.path().join("calls");
    let fake = bin.join("terragrunt");
    std::fs::write(
        &fake,
        format!(
            "#!/bin/sh\necho \"$(pwd | sed 's|^{}/||') $*\" >> '{}'\n",
            repo.root().canonicalize().unwrap().display(),
            calls.display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let tgforge_dir = assert_cmd::cargo::cargo_bin("tgforge")
        .parent()
        .unwrap()
        .to_path_buf();
    let summary = runner.path().join("summary.md");
    let mut log = String::new();
    for name in ["Units to plan", "Validate", "Plan"] {
        let step = steps
            .iter()
            .find(|s| s["name"].as_str() == Some(name))
            .unwrap_or_else(|| panic!("a step {name:?}"));
        let mut command = Command::new("bash");
        command
            .arg("-e")
            .arg("-c")
            .arg(step["run"].as_str().unwrap())
            .current_dir(repo.root())
            .env("RUNNER_TEMP", runner.path())
            .env("GITHUB_STEP_SUMMARY", &summary)
            .env("GITHUB_ENV", runner.path().join("github_env"))
            .env(
                "PATH",
                format!(
                    "{}:{}:{}",
                    bin.display(),
                    tgforge_dir.display(),
                    std::env::var("PATH").unwrap()
                ),
            );
        if let Some(env) = step["env"].as_mapping() {
            for (key, value) in env {
                let value = value.as_str().unwrap();
                let value = if value == "${{ matrix.environment }}" {
                    environment
                } else {
                    value
                };
                command.env(key.as_str().unwrap(), value);
            }
        }
        let out = command.output().unwrap();
        log.push_str(&String::from_utf8_lossy(&out.stdout));
        assert!(out.status.success(), "step {name}: {out:?}");
    }
    let calls = std::fs::read_to_string(&calls)
        .unwrap_or_default()
        .lines()
        .map(String::from)
        .collect();
    (calls, log, std::fs::read_to_string(&summary).unwrap())
}

/// A repository whose workflow generates into `tree/`, with the pull request's `change`
/// applied on a branch and merged into main the way GitHub builds `refs/pull/N/merge`.
fn pull_request(change: impl Fn(&Repo)) -> Repo {
    let repo = Repo::new();
    repo.edit_spec(
        "    spec_path: shop.yaml\n",
        "    spec_path: shop.yaml\n    tree_path: tree\n",
    );
    repo.generate();
    repo.commit("the tree lives in tree/");
    repo.git(&["checkout", "-q", "-b", "pr"]);
    change(&repo);
    repo.generate();
    repo.commit("the pull request");
    repo.git(&["checkout", "-q", "main"]);
    repo.git(&["merge", "-q", "--no-ff", "-m", "merge", "pr"]);
    repo
}

#[test]
fn the_generated_workflow_plans_only_the_affected_units_of_each_environment() {
    let repo = pull_request(|r| r.edit_spec("      memory: 2048\n", "      memory: 4096\n"));
    let (calls, log, summary) = run_plan_job(&repo, "production");
    assert_eq!(
        calls,
        [
            "tree/production/infrastructure/ecs_fargate validate",
            "tree/production/infrastructure/ecs_fargate plan"
        ]
    );
    assert!(log.contains("production: 1 of 8 units affected"), "{log}");
    assert!(
        summary.contains("#### production: 1 of 8 units"),
        "{summary}"
    );
    assert!(
        summary.contains("| 4 | `ecs_fargate` | changed `ecs_fargate/terragrunt.hcl` |"),
        "{summary}"
    );
    let (calls, log, summary) = run_plan_job(&repo, "staging");
    assert!(calls.is_empty(), "{calls:?}");
    assert!(
        log.contains("No unit is affected: nothing to plan."),
        "{log}"
    );
    assert!(
        summary.contains("#### staging: nothing to plan"),
        "{summary}"
    );
}

#[test]
fn the_generated_workflow_plans_everything_when_the_workflow_changed() {
    // A new Terragrunt version: only the workflow changes, and every unit is planned.
    let repo = pull_request(|r| {
        r.edit_spec(
            "    tree_path: tree\n",
            "    tree_path: tree\n    terragrunt_version: 0.99.0\n",
        )
    });
    let (calls, log, summary) = run_plan_job(&repo, "staging");
    let planned: Vec<&str> = calls
        .iter()
        .filter_map(|c| c.strip_suffix(" plan"))
        .collect();
    let expected: Vec<String> = SHOP_UNITS
        .iter()
        .map(|u| format!("tree/staging/infrastructure/{u}"))
        .collect();
    assert_eq!(planned, expected, "every unit, in apply order");
    assert!(
        log.contains("every unit is affected: .github/workflows/infrastructure.yml changed"),
        "{log}"
    );
    assert!(summary.contains("**Every unit is planned**"), "{summary}");
}
