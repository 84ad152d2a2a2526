//! How Terragrunt hands `inputs` to Terraform: one `TF_VAR_name` environment variable each.
//!
//! From gruntwork-io/terragrunt `ToTerraformEnvVars` and `util.AsTerraformEnvVarJSONValue`
//! (internal/runner/run/run.go, internal/util/jsons.go): a null input is skipped; a string is
//! passed verbatim; anything else is Go's `json.Marshal` of the value (map keys sorted, `<`, `>`,
//! `&`, U+2028 and U+2029 escaped). Releases since February 2026 (#5585, #6685) also escape `${`
//! as `$${` inside complex values; older releases, which the generated `>= 0.67.0` constraint
//! allows, do not. [`InputEncoding::Classic`] is the older, stricter behaviour and the default:
//! a tree that works with it works with both.

use std::collections::BTreeMap;

use hcl::Value;

use crate::functions::number_string;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InputEncoding {
    /// Terragrunt before #5585: complex values are plain `json.Marshal`.
    #[default]
    Classic,
    /// Terragrunt after #5585: `${` inside complex values becomes `$${`.
    EscapeInterpolation,
}

/// The `TF_VAR_*` variables Terragrunt sets for these inputs.
pub fn tf_var_env(
    inputs: &hcl::Map<String, Value>,
    encoding: InputEncoding,
) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (name, value) in inputs {
        let encoded = match value {
            Value::Null => continue,
            Value::String(s) => s.clone(),
            other => {
                let escaped;
                let v = if encoding == InputEncoding::EscapeInterpolation {
                    escaped = escape_interpolation(other);
                    &escaped
                } else {
                    other
                };
                go_json(v, true)
            }
        };
        out.insert(format!("TF_VAR_{name}"), encoded);
    }
    out
}

fn escape_interpolation(v: &Value) -> Value {
    match v {
        Value::String(s) => Value::String(
            s.replace("$${", "\u{0}")
                .replace("${", "$${")
                .replace('\u{0}', "$${"),
        ),
        Value::Array(a) => Value::Array(a.iter().map(escape_interpolation).collect()),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), escape_interpolation(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// JSON as Go's `encoding/json` writes it: object keys sorted; with `html_escape`, the
/// characters Go escapes by default. (Terraform's `jsonencode` also escapes them.)
pub fn go_json(v: &Value, html_escape: bool) -> String {
    let mut out = String::new();
    write_json(v, html_escape, &mut out);
    out
}

fn write_json(v: &Value, html: bool, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&number_string(n)),
        Value::String(s) => write_str(s, html, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(item, html, out);
            }
            out.push(']');
        }
        Value::Object(m) => {
            let sorted: BTreeMap<&String, &Value> = m.iter().collect();
            out.push('{');
            for (i, (k, v)) in sorted.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_str(k, html, out);
                out.push(':');
                write_json(v, html, out);
            }
            out.push('}');
        }
    }
}

fn write_str(s: &str, html: bool, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' if html => out.push_str(&format!("\\u{:04x}", c as u32)),
            '\u{2028}' | '\u{2029}' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs() -> hcl::Map<String, Value> {
        match hcl::value!({
            name = "a ${b} \"q\""
            port = 8000
            ratio = 0.5
            whole = 8.0
            none = null
            enabled = true
            environment = { Z = "<&>", A = "${x} %{y}" }
            list = ["b", "a"]
        }) {
            Value::Object(m) => m,
            _ => unreachable!(),
        }
    }

    #[test]
    fn strings_verbatim_nulls_skipped_everything_else_go_json() {
        let env = tf_var_env(&inputs(), InputEncoding::Classic);
        assert_eq!(env["TF_VAR_name"], "a ${b} \"q\"");
        assert_eq!(env["TF_VAR_port"], "8000");
        assert_eq!(env["TF_VAR_ratio"], "0.5");
        assert_eq!(env["TF_VAR_whole"], "8");
        assert_eq!(env["TF_VAR_enabled"], "true");
        assert!(!env.contains_key("TF_VAR_none"));
        assert_eq!(
            env["TF_VAR_environment"],
            r#"{"A":"${x} %{y}","Z":"\u003c\u0026\u003e"}"#
        );
        assert_eq!(env["TF_VAR_list"], r#"["b","a"]"#);
    }

    #[test]
    fn newer_terragrunt_escapes_interpolation_in_complex_values_only() {
        let env = tf_var_env(&inputs(), InputEncoding::EscapeInterpolation);
        assert_eq!(
            env["TF_VAR_environment"],
            r#"{"A":"$${x} %{y}","Z":"\u003c\u0026\u003e"}"#
        );
        assert_eq!(env["TF_VAR_name"], "a ${b} \"q\"");
        assert_eq!(
            escape_interpolation(&Value::from("$${a} ${b}")),
            Value::from("$${a} $${b}")
        );
    }
}
