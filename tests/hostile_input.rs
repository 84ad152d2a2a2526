//! Hostile input over the whole path from bytes to rendered tree: no panic, no hang, no stack
//! overflow. Known attacks are tested one by one; then property tests throw generated inputs
//! (random bytes, random YAML documents, and mutations of the example specs) at the pipeline.
//! `PROPTEST_CASES=N cargo test --release --test hostile_input` runs N cases per property.

mod common;

use proptest::prelude::*;
use tgforge::{Failure, generate_from_bytes};

fn run(bytes: &[u8]) -> Result<usize, String> {
    match generate_from_bytes("fuzz.yaml", &common::repo().join("specs"), bytes) {
        Ok(files) => Ok(files.len()),
        Err(Failure::InvalidInput(msg)) => Err(msg),
        Err(Failure::Internal(e)) => panic!(
            "internal error (a tgforge bug) on input {:?}: {e:#}",
            String::from_utf8_lossy(bytes)
        ),
    }
}

fn example() -> String {
    std::fs::read_to_string(common::repo().join("specs/team-task.yaml")).unwrap()
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    for depth in [200, 10_000, 200_000] {
        let flow = format!("project: {}1{}", "[".repeat(depth), "]".repeat(depth));
        assert!(run(flow.as_bytes()).is_err());
        let block: String = (0..depth.min(5_000))
            .map(|i| format!("{}k:\n", " ".repeat(i)))
            .collect();
        assert!(run(block.as_bytes()).is_err());
        // Compact block sequences nest without indentation or a flow level.
        let compact = format!("project: x\nlist:\n  {}x\n", "- ".repeat(depth));
        let err = run(compact.as_bytes()).unwrap_err();
        assert!(err.contains("nests deeper than"), "{err}");
    }
}

#[test]
fn alias_bombs_are_refused() {
    let mut bomb = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    for level in b'b'..=b'j' {
        let prev = (level - 1) as char;
        let name = level as char;
        bomb.push_str(&format!("{name}: &{name} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"));
    }
    let err = run(bomb.as_bytes()).unwrap_err();
    assert!(err.contains("error:"), "{err}");
    // Aliases inside a real spec are fine when small.
    let spec = example().replace("  production:\n", "  production: &prod\n") + "  staging: *prod\n";
    assert_eq!(run(spec.as_bytes()).map(|n| n > 0), Ok(true));
}

#[test]
fn non_utf8_nul_and_oversized_inputs_are_errors() {
    let mut bad = example().into_bytes();
    bad.splice(10..10, [0xff, 0xfe, 0xfd]);
    assert!(run(&bad).unwrap_err().contains("not valid UTF-8"));
    let nul = example().replace("project: team-task", "project: team\0task");
    assert!(run(nul.as_bytes()).unwrap_err().contains("NUL"));
    let huge = "a: ".to_string() + &"x".repeat(2 * 1024 * 1024);
    assert!(run(huge.as_bytes()).unwrap_err().contains("at most"));
}

#[test]
fn very_long_strings_are_handled() {
    let long = "x".repeat(500_000);
    let spec = example().replace("DEBUG: \"False\"", &format!("DEBUG: \"{long}\""));
    assert!(
        run(spec.as_bytes()).is_ok(),
        "a long plain value is valid and escaped"
    );
    let spec = example().replace("project: team-task", &format!("project: {long}"));
    assert!(
        run(spec.as_bytes())
            .unwrap_err()
            .contains("not a valid project name")
    );
}

/// A random YAML value a few levels deep, with hostile scalars among ordinary ones.
fn yaml_value() -> impl Strategy<Value = serde_yaml::Value> {
    let leaf = prop_oneof![
        Just(serde_yaml::Value::Null),
        any::<bool>().prop_map(serde_yaml::Value::Bool),
        any::<i64>().prop_map(|n| serde_yaml::Value::Number(n.into())),
        "[a-z_]{0,12}".prop_map(serde_yaml::Value::String),
        prop_oneof![
            Just("${x}"),
            Just("%{ if }"),
            Just("\"\\\n"),
            Just("10.0.0.0/16"),
            Just("us-east-1")
        ]
        .prop_map(|s| serde_yaml::Value::String(s.to_string())),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(serde_yaml::Value::Sequence),
            prop::collection::btree_map(
                prop_oneof![
                    "[a-z_]{1,14}",
                    Just("project".to_string()),
                    Just("state".to_string()),
                    Just("environments".to_string()),
                    Just("network".to_string()),
                    Just("app".to_string()),
                ],
                inner,
                0..6
            )
            .prop_map(|m| serde_yaml::Value::Mapping(
                m.into_iter()
                    .map(|(k, v)| (serde_yaml::Value::String(k), v))
                    .collect()
            )),
        ]
    })
}

/// Line-level mutations of the example spec: replace, delete, duplicate or corrupt lines.
fn mutated_example() -> impl Strategy<Value = String> {
    let edits = prop::collection::vec((0usize..200, 0u8..4, "[ -~]{0,24}"), 1..6);
    edits.prop_map(|edits| {
        let mut lines: Vec<String> = example().lines().map(str::to_string).collect();
        for (at, kind, text) in edits {
            let i = at % lines.len();
            match kind {
                0 => {
                    // Keep the key, replace the value.
                    let key = lines[i].split(':').next().unwrap_or("").to_string();
                    lines[i] = format!("{key}: {text}");
                }
                1 => {
                    lines.remove(i);
                }
                2 => {
                    let copy = lines[i].clone();
                    lines.insert(i, copy);
                }
                _ => lines[i].push_str(&text),
            }
            if lines.is_empty() {
                lines.push(String::new());
            }
        }
        lines.join("\n")
    })
}

/// Cases per property: 256 in a normal `cargo test`, `PROPTEST_CASES` for long runs.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(256)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_crash(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        let _ = run(&bytes);
    }

    #[test]
    fn random_yaml_documents_never_crash(value in yaml_value()) {
        let text = serde_yaml::to_string(&value).unwrap();
        let _ = run(text.as_bytes());
    }

    #[test]
    fn mutated_example_specs_never_crash(text in mutated_example()) {
        let _ = run(text.as_bytes());
    }
}
