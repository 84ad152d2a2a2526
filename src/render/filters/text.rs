//! `comment` and `ident` filters for the few non-value places a template writes text.

use std::collections::HashMap;

use serde_json::Value;

/// Text inside a `#` comment: one line, control characters replaced, so a value can never end
/// the comment and start code.
pub fn comment(value: &Value, _args: &HashMap<String, Value>) -> tera::Result<Value> {
    let text = match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    Ok(Value::String(
        text.chars()
            .map(|c| if c.is_control() { '?' } else { c })
            .collect(),
    ))
}

/// A POSIX shell word: the value in single quotes (a `'` inside becomes `'\''`), so no
/// expansion, globbing or word splitting can happen.
pub fn shell(value: &Value, _args: &HashMap<String, Value>) -> tera::Result<Value> {
    let text = match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    Ok(Value::String(shell_quote(&text)))
}

/// `text` as one single-quoted POSIX shell word.
pub fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

/// Text for Markdown prose and Mermaid labels: one line, and the characters that would start
/// markup or end a table cell or code span (`<`, `>`, `|`, `` ` ``, `[`, `]`, `"`) replaced by
/// HTML entities.
pub fn markdown(value: &Value, _args: &HashMap<String, Value>) -> tera::Result<Value> {
    let text = match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '|' => out.push_str("&#124;"),
            '`' => out.push_str("&#96;"),
            '[' => out.push_str("&#91;"),
            ']' => out.push_str("&#93;"),
            '"' => out.push_str("&quot;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    Ok(Value::String(out))
}

/// An HCL identifier or block label part (letters, digits, `_`, `-`); anything else is an
/// internal error, never silently written.
pub fn ident(value: &Value, _args: &HashMap<String, Value>) -> tera::Result<Value> {
    match value.as_str() {
        Some(s)
            if !s.is_empty()
                && s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') =>
        {
            Ok(value.clone())
        }
        _ => Err(tera::Error::msg(format!(
            "ident: {value} is not an identifier"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn comments_stay_on_one_line() {
        let out = comment(&json!("a\nresource \"x\" {}"), &HashMap::new()).unwrap();
        assert_eq!(out, json!("a?resource \"x\" {}"));
    }

    #[test]
    fn shell_words_are_single_quoted() {
        let out = shell(&json!("it's $(rm -rf /) `x`"), &HashMap::new()).unwrap();
        assert_eq!(out, json!("'it'\\''s $(rm -rf /) `x`'"));
    }

    #[test]
    fn markdown_cannot_start_markup() {
        let out = markdown(&json!("a|b <script> [x](y)"), &HashMap::new()).unwrap();
        assert_eq!(out, json!("a&#124;b &lt;script&gt; &#91;x&#93;(y)"));
    }

    #[test]
    fn idents_are_checked() {
        assert!(ident(&json!("security_groups"), &HashMap::new()).is_ok());
        assert!(ident(&json!("a\" {"), &HashMap::new()).is_err());
    }
}
