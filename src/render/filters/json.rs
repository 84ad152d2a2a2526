//! `json` filter: a value as pretty-printed JSON (two-space indent), escaped by serde_json.

use std::collections::HashMap;

use serde_json::Value;

pub fn filter(value: &Value, _args: &HashMap<String, Value>) -> tera::Result<Value> {
    serde_json::to_string_pretty(value)
        .map(Value::String)
        .map_err(|e| tera::Error::msg(format!("json: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn escapes_and_indents() {
        let out = filter(&json!({"a": "q\"uote"}), &HashMap::new()).unwrap();
        assert_eq!(out, json!("{\n  \"a\": \"q\\\"uote\"\n}"));
    }
}
