//! Helpers shared by the integration tests: the real binary, the repository's folders, trees.

#![allow(dead_code)]

pub mod after_apply;
pub mod contract;
pub mod import;
pub mod moto;
pub mod regen;
pub mod terraform;
pub mod unit_inputs;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The repository root (where Cargo.toml is).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The `tgforge` binary built for this test run.
pub fn tgforge() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("tgforge").expect("the tgforge binary is built")
}

/// `git ARGS` run in `dir`; its standard output. Panics (failing the test) when git fails.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {out:?}");
    String::from_utf8(out.stdout).unwrap()
}

/// `tgforge gen SPEC -o OUT`, to add arguments to and run.
pub fn gen_command(spec: &Path, out: &Path) -> assert_cmd::Command {
    let mut command = tgforge();
    command.arg("gen").arg(spec).arg("-o").arg(out);
    command
}

/// Every example spec under `specs/`, sorted.
pub fn example_specs() -> Vec<PathBuf> {
    let mut specs: Vec<PathBuf> = std::fs::read_dir(repo().join("specs"))
        .expect("specs/ exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    specs.sort();
    specs
}

/// Every file under `root` (relative `/`-separated path -> bytes).
pub fn read_tree(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .expect("readable dir")
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    if root.exists() {
        walk(root, root, &mut out);
    }
    out
}

/// Generates `spec` into `out` with the real binary and returns the tree.
pub fn generate_tree(spec: &Path, out: &Path) -> BTreeMap<String, Vec<u8>> {
    // An example spec needs what its users keep in the tree (the modules of its own units):
    // copied in first, and left out of what is returned, which is what tgforge wrote.
    let example = copy_user_files(spec, out);
    gen_command(spec, out).assert().success();
    if example {
        tgforge_files(read_tree(out))
    } else {
        read_tree(out)
    }
}

/// Copies the user-owned files of the golden tree of `spec` (files its manifest does not
/// list: override files, ejected modules, modules of the spec's own units) into `out`, when
/// `spec` is an example spec of `specs/` with a golden tree. Whether it is one.
fn copy_user_files(spec: &Path, out: &Path) -> bool {
    let name = spec.file_stem().unwrap().to_string_lossy().into_owned();
    let is_example = spec.parent().and_then(|p| p.canonicalize().ok())
        == repo().join("specs").canonicalize().ok();
    let golden_root = repo().join("generated").join(&name);
    if !is_example || !golden_root.is_dir() {
        return false;
    }
    let mut golden = read_tree(&golden_root);
    let generated = tgforge_files(golden.clone());
    golden.retain(|path, _| !generated.contains_key(path));
    write_tree(out, golden);
    true
}

/// Writes `files` (relative `/`-separated path -> bytes) under `root`.
pub fn write_tree(root: &Path, files: BTreeMap<String, Vec<u8>>) {
    for (path, bytes) in files {
        let target = root.join(&path);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(target, bytes).unwrap();
    }
}

/// Copies every file under `from` to the same place under `to`.
pub fn copy_tree(from: &Path, to: &Path) {
    write_tree(to, read_tree(from));
}

/// Stdout of a finished run, as text.
pub fn stdout(run: &assert_cmd::assert::Assert) -> String {
    String::from_utf8(run.get_output().stdout.clone()).unwrap()
}

/// Stderr of a finished run, as text.
pub fn stderr(run: &assert_cmd::assert::Assert) -> String {
    String::from_utf8(run.get_output().stderr.clone()).unwrap()
}

/// Writes `text` as a spec file in `dir` and returns its path.
pub fn write_spec(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// The generated inputs of a unit: the first argument of
/// `inputs = merge({...}, local.environment_overrides, local.unit_overrides)` (the others are
/// the user's override files, read by Terragrunt at run time).
pub fn generated_inputs(body: &hcl::Body) -> Option<hcl::Expression> {
    let inputs = body
        .attributes()
        .find(|a| a.key() == "inputs")?
        .expr()
        .clone();
    match inputs {
        hcl::Expression::FuncCall(call) if call.name.name.as_str() == "merge" => {
            call.args.first().cloned()
        }
        other => Some(other),
    }
}

/// The files of `tree` that tgforge wrote: the ones its manifest lists, and the manifest.
/// Anything else in a tree is the user's (override files, ejected modules).
pub fn tgforge_files(mut tree: BTreeMap<String, Vec<u8>>) -> BTreeMap<String, Vec<u8>> {
    let Some(manifest) = tree.get(".tgforge-manifest.json") else {
        return tree;
    };
    let manifest: serde_json::Value = serde_json::from_slice(manifest).expect("manifest is JSON");
    let listed = manifest["files"]
        .as_object()
        .expect("manifest lists files")
        .clone();
    tree.retain(|path, _| path == ".tgforge-manifest.json" || listed.contains_key(path));
    tree
}

/// Generates example `spec` into `out` as its users have it: the user-owned files of its
/// golden tree (override files, ejected modules) are copied in first, then `gen` runs.
pub fn generate_example(spec: &Path, out: &Path) -> BTreeMap<String, Vec<u8>> {
    generate_tree(spec, out);
    read_tree(out)
}
