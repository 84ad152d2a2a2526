//! Golden trees: `generated/<name>/` is the committed output of `specs/<name>.yaml`, and a fresh
//! generation must equal it byte for byte. Refresh with `scripts/refresh-golden.sh`.

mod common;

use common::{example_specs, generate_tree, read_tree, repo, tgforge_files};

#[test]
fn every_example_spec_matches_its_golden_tree_byte_for_byte() {
    let specs = example_specs();
    assert!(specs.len() >= 2, "specs/ holds the example specs");
    for spec in specs {
        let name = spec.file_stem().unwrap().to_string_lossy().into_owned();
        let tmp = tempfile::tempdir().unwrap();
        let fresh = generate_tree(&spec, &tmp.path().join(&name));
        // Files the golden tree's manifest does not list are the user's (overrides.hcl, an
        // ejected module): part of the example, never of what tgforge generates.
        let golden = tgforge_files(read_tree(&repo().join("generated").join(&name)));
        assert!(
            !golden.is_empty(),
            "generated/{name} is missing: run scripts/refresh-golden.sh"
        );
        let fresh_paths: Vec<_> = fresh.keys().collect();
        let golden_paths: Vec<_> = golden.keys().collect();
        assert_eq!(
            fresh_paths, golden_paths,
            "{name}: the set of files differs; run scripts/refresh-golden.sh"
        );
        for (path, bytes) in &fresh {
            assert!(
                golden[path] == *bytes,
                "{name}/{path} differs from the golden file; run scripts/refresh-golden.sh and review the diff"
            );
        }
    }
}

#[test]
fn every_golden_tree_has_a_spec() {
    let specs: Vec<String> = example_specs()
        .iter()
        .map(|s| s.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    for entry in std::fs::read_dir(repo().join("generated")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            specs.contains(&name),
            "generated/{name} has no specs/{name}.yaml"
        );
    }
}

#[test]
fn generation_is_deterministic() {
    for spec in example_specs() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        assert_eq!(
            generate_tree(&spec, a.path()),
            generate_tree(&spec, b.path()),
            "{}",
            spec.display()
        );
    }
}
