//! `hcl` filter: any spec value as an HCL expression, escaped by hcl-rs.
//!
//! Strings become `hcl::Expression::String`, which hcl-rs writes with quotes, backslashes and
//! control characters escaped and `${` / `%{` doubled (`$${`, `%%{`), so a value can never end
//! the string or start an interpolation. Lists of scalars stay on one line; objects and lists of
//! objects go one entry per line, indented by `indent` levels (two spaces each) so the result
//! can be placed inside an enclosing block. `=` alignment is left to `hcl_format`.
//!
//! Usage in a template: `name = {{ value | hcl }}`, `tags = {{ tags | hcl(indent=1) }}`.

use std::collections::HashMap;

use hcl::Identifier;
use hcl::expr::ObjectKey;
use serde_json::Value;

pub fn filter(value: &Value, args: &HashMap<String, Value>) -> tera::Result<Value> {
    let indent = match args.get("indent") {
        None => 0,
        Some(v) => v
            .as_u64()
            .ok_or_else(|| tera::Error::msg("hcl: `indent` must be a whole number"))?
            as usize,
    };
    let mut out = String::new();
    write_value(&mut out, value, indent).map_err(tera::Error::msg)?;
    Ok(Value::String(out))
}

/// An HCL quoted string literal for `s` (the escaping primitive every filter relies on):
/// quotes, backslashes and control characters escaped as hcl-rs does, and every `${` / `%{`
/// written `$${` / `%%{`. Not hcl-rs's own string formatting: its marker escaping (hcl-primitives
/// 0.1) misses a marker preceded by the same character once an earlier marker was escaped, so
/// `${a} $${b}` or `%{a} %%{b}` lost a character when Terraform read the string back.
pub fn quote(s: &str) -> Result<String, String> {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    Ok(out)
}

/// An object key: bare when it is a plain identifier, otherwise an escaped quoted string.
pub fn key(k: &str) -> Result<String, String> {
    match Identifier::new(k) {
        Ok(ident) => hcl::format::to_string(&ObjectKey::Identifier(ident))
            .map_err(|e| format!("hcl: cannot format key: {e}")),
        Err(_) => quote(k),
    }
}

fn is_scalar(v: &Value) -> bool {
    !matches!(v, Value::Array(_) | Value::Object(_))
}

fn write_value(out: &mut String, value: &Value, indent: usize) -> Result<(), String> {
    let pad = "  ".repeat(indent + 1);
    let close = "  ".repeat(indent);
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => out.push_str(&quote(s)?),
        Value::Array(items) if items.is_empty() => out.push_str("[]"),
        Value::Array(items) if items.iter().all(is_scalar) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_value(out, item, indent)?;
            }
            out.push(']');
        }
        Value::Array(items) => {
            out.push_str("[\n");
            for item in items {
                out.push_str(&pad);
                write_value(out, item, indent + 1)?;
                out.push_str(",\n");
            }
            out.push_str(&close);
            out.push(']');
        }
        Value::Object(map) if map.is_empty() => out.push_str("{}"),
        Value::Object(map) => {
            out.push_str("{\n");
            for (k, v) in map {
                out.push_str(&pad);
                out.push_str(&key(k)?);
                out.push_str(" = ");
                write_value(out, v, indent + 1)?;
                out.push('\n');
            }
            out.push_str(&close);
            out.push('}');
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn render(v: Value, indent: u64) -> String {
        let args = HashMap::from([("indent".to_string(), json!(indent))]);
        filter(&v, &args).unwrap().as_str().unwrap().to_string()
    }

    #[test]
    fn strings_cannot_break_out_or_interpolate() {
        assert_eq!(render(json!("a\"b"), 0), r#""a\"b""#);
        assert_eq!(
            render(json!("${file(\"/etc/passwd\")}"), 0),
            r#""$${file(\"/etc/passwd\")}""#
        );
        assert_eq!(
            render(json!("%{ if true }x%{ endif }"), 0),
            r#""%%{ if true }x%%{ endif }""#
        );
        assert_eq!(render(json!("line\nnext\\"), 0), r#""line\nnext\\""#);
        // A marker preceded by its own character, after an earlier marker (hcl-rs missed it).
        assert_eq!(
            render(json!("${a} $${b} %{c} %%{d}"), 0),
            r#""$${a} $$${b} %%{c} %%%{d}""#
        );
        assert_eq!(render(json!("\u{1}$"), 0), r#""\u0001$""#);
    }

    #[test]
    fn quoted_strings_read_back_unchanged() {
        use hcl::eval::{Context, Evaluate};
        for s in [
            "${a} $${b} $$${c} %{d} %%{e} %%%{f}",
            "$ % { } $$ %% ${",
            "\"q\" \\ \n\r\t\u{1}\u{1f} é ✓",
            "%%{x}",
            "",
        ] {
            let expr: hcl::Expression = hcl::from_str(&format!("v = {}", quote(s).unwrap()))
                .map(|body: hcl::Body| body.attributes().next().unwrap().expr().clone())
                .unwrap();
            assert_eq!(
                expr.evaluate(&Context::new()).unwrap(),
                hcl::Value::from(s),
                "{s:?}"
            );
        }
    }

    #[test]
    fn hostile_keys_are_quoted() {
        assert_eq!(key("DEBUG").unwrap(), "DEBUG");
        assert_eq!(key("a b\"c").unwrap(), r#""a b\"c""#);
        assert_eq!(key("${x}").unwrap(), r#""$${x}""#);
    }

    #[test]
    fn layout_of_lists_and_objects() {
        assert_eq!(render(json!(["a", "b"]), 0), r#"["a", "b"]"#);
        assert_eq!(
            render(json!({"A": "1", "B": [1, 2]}), 1),
            "{\n    A = \"1\"\n    B = [1, 2]\n  }"
        );
        assert_eq!(render(json!([{"a": 1}]), 0), "[\n  {\n    a = 1\n  },\n]");
        assert_eq!(render(json!({}), 0), "{}");
    }
}
