//! The spec's JSON Schema, derived from the Rust types (never written by hand), and the
//! schema-driven check that finds every unknown key in one pass.

use serde_json::Value as Json;
use serde_yaml::Value as Yaml;

use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::spec::model::SpecDocument;
use crate::spec::source_map::SourceMap;

/// The JSON Schema of a spec file (draft 2020-12), with a title and id editors show.
pub fn spec_schema() -> Json {
    let mut schema = schemars::schema_for!(SpecDocument).to_value();
    if let Some(object) = schema.as_object_mut() {
        object.insert("title".into(), Json::from("tgforge spec"));
        object.insert(
            "description".into(),
            Json::from("One YAML spec for tgforge: a Terragrunt/Terraform repository for AWS is generated from it."),
        );
    }
    schema
}

/// The schema as the pretty JSON `tgforge schema` prints (with a final newline).
pub fn spec_schema_text() -> String {
    serde_json::to_string_pretty(&spec_schema()).expect("a schema serializes") + "\n"
}

/// The schema as committed in `schema/` (a test keeps it equal to [`spec_schema`]): every
/// spec load walks it, and reading it is several times cheaper than deriving it again (which
/// took 0.3-1 ms of a 10 ms `gen`).
fn committed_schema() -> &'static Json {
    static SCHEMA: std::sync::OnceLock<Json> = std::sync::OnceLock::new();
    SCHEMA.get_or_init(|| {
        serde_json::from_str(include_str!("../../schema/tgforge-spec.schema.json"))
            .expect("the committed schema is JSON (tests compare it with the derived one)")
    })
}

/// Reads the committed schema now (on a helper, while the spec is read), not when the first
/// load walks it.
pub fn prepare() {
    committed_schema();
}

/// Reports every key of `value` that the schema does not allow, with a did-you-mean.
pub fn unknown_keys<'m>(value: &Yaml, map: &dyn Fn() -> &'m SourceMap) -> Vec<Diagnostic> {
    let schema = committed_schema();
    let mut out = Vec::new();
    walk(schema, schema, value, &mut String::new(), map, &mut out);
    out
}

/// Follows `$ref` (to `#/$defs/...`) and single-entry `anyOf` wrappers of `Option<T>`.
fn resolve<'a>(root: &'a Json, schema: &'a Json) -> &'a Json {
    if let Some(reference) = schema.get("$ref").and_then(Json::as_str) {
        let name = reference.trim_start_matches("#/$defs/");
        if let Some(target) = root.get("$defs").and_then(|d| d.get(name)) {
            return resolve(root, target);
        }
    }
    if let Some(options) = schema.get("anyOf").and_then(Json::as_array) {
        let non_null: Vec<&Json> = options
            .iter()
            .filter(|o| o.get("type") != Some(&Json::from("null")))
            .collect();
        if non_null.len() == 1 {
            return resolve(root, non_null[0]);
        }
    }
    schema
}

fn walk<'m>(
    root: &Json,
    schema: &Json,
    value: &Yaml,
    // The field path of `value`: extended for each child and cut back after it (a path is
    // only kept for a problem; a large spec has tens of thousands of fields).
    path: &mut String,
    map: &dyn Fn() -> &'m SourceMap,
    out: &mut Vec<Diagnostic>,
) {
    let schema = resolve(root, schema);
    let parent = path.len();
    let Yaml::Mapping(mapping) = value else {
        if let (Yaml::Sequence(items), Some(item_schema)) = (value, schema.get("items")) {
            for (i, item) in items.iter().enumerate() {
                use std::fmt::Write;
                let _ = write!(path, "[{i}]");
                walk(root, item_schema, item, path, map, out);
                path.truncate(parent);
            }
        }
        return;
    };
    let properties = schema.get("properties").and_then(Json::as_object);
    let additional = schema.get("additionalProperties");
    for (key, child) in mapping {
        let Some(key) = key.as_str() else { continue };
        path.truncate(parent);
        if parent > 0 {
            path.push('.');
        }
        path.push_str(key);
        match properties.and_then(|p| p.get(key)) {
            Some(child_schema) => walk(root, child_schema, child, path, map, out),
            None => match additional {
                Some(Json::Bool(false)) => {
                    let allowed: Vec<&str> = properties
                        .map(|p| p.keys().map(String::as_str).collect())
                        .unwrap_or_default();
                    let hint = match did_you_mean(key, allowed.iter().copied()) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => format!("allowed fields: {}", allowed.join(", ")),
                    };
                    let child_path = path.as_str();
                    out.push(
                        Diagnostic::new(
                            child_path,
                            format!("unknown field `{}`", key.escape_debug()),
                        )
                        .at(map().exact(child_path).or_else(|| map().find(child_path)))
                        .with_hint(hint),
                    );
                }
                Some(child_schema) if child_schema.is_object() => {
                    walk(root, child_schema, child, path, map, out)
                }
                _ => {}
            },
        }
    }
    path.truncate(parent);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_is_derived_from_the_types() {
        let schema = spec_schema();
        let props = schema["properties"].as_object().unwrap();
        assert!(props.contains_key("project") && props.contains_key("environments"));
        assert_eq!(schema["additionalProperties"], Json::Bool(false));
        let text = spec_schema_text();
        assert!(
            text.contains("\"nat_gateways\""),
            "nested definitions are included"
        );
    }

    /// Unknown keys are found with the committed schema: it must be the derived one
    /// (`tgforge schema > schema/tgforge-spec.schema.json` after a change of the types).
    #[test]
    fn the_committed_schema_is_the_derived_one() {
        assert!(
            committed_schema() == &spec_schema(),
            "schema/tgforge-spec.schema.json is stale: run `cargo run -- schema > schema/tgforge-spec.schema.json`"
        );
    }

    #[test]
    fn every_unknown_key_is_reported_with_a_suggestion() {
        let text = "project: x\nstate:\n  bukcet: b\nenvironments:\n  prod:\n    netwrk: {}\n    app:\n      prot: 1\n    tags:\n      any_key: ok\n";
        let value: Yaml = serde_yaml::from_str(text).unwrap();
        let map = SourceMap::index(text);
        let found = unknown_keys(&value, &|| &map);
        let fields: Vec<&str> = found.iter().map(|d| d.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "state.bukcet",
                "environments.prod.netwrk",
                "environments.prod.app.prot"
            ]
        );
        assert_eq!(found[1].hint.as_deref(), Some("did you mean `network`?"));
        assert_eq!(found[2].hint.as_deref(), Some("did you mean `port`?"));
        assert_eq!(found[2].position.unwrap().line, 8);
    }
}
