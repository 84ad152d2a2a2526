//! Reading a generated unit (`terragrunt.hcl`) the way the tests check it: the generated
//! `inputs` by name, one of them, the app's settings in `environment_json`, and attributes of
//! its blocks (`terraform { source }`, `dependency { mock_outputs }`).

use std::collections::BTreeMap;

use hcl::eval::{Context, Evaluate};
use hcl::{Body, Expression, ObjectKey};

/// The name an object key stands for: an identifier or a string; anything else as written.
pub fn object_key_name(key: &ObjectKey) -> String {
    match key {
        ObjectKey::Identifier(id) => id.to_string(),
        ObjectKey::Expression(Expression::String(s)) => s.clone(),
        other => hcl::format::to_string(other).unwrap(),
    }
}

/// The generated `inputs` of a unit, name -> expression; `None` when it has none.
pub fn unit_inputs(unit_text: &str) -> Option<BTreeMap<String, Expression>> {
    let body: Body = hcl::parse(unit_text).expect("generated HCL parses");
    let Expression::Object(object) = super::generated_inputs(&body)? else {
        panic!("inputs is not an object");
    };
    Some(
        object
            .iter()
            .map(|(k, v)| (object_key_name(k), v.clone()))
            .collect(),
    )
}

/// The expression of generated input `key` of a unit.
pub fn unit_input(unit_text: &str, key: &str) -> Expression {
    unit_inputs(unit_text)
        .expect("the unit has inputs")
        .remove(key)
        .unwrap_or_else(|| panic!("input {key}"))
}

/// The app's settings from the spec in a compute unit: the first argument of
/// `environment_json = jsonencode(merge(SPEC, ENDPOINTS))`, evaluated as Terragrunt evaluates
/// a literal (the endpoints are other units' outputs, values from AWS rather than the spec).
pub fn spec_environment(unit_text: &str) -> hcl::Map<String, hcl::Value> {
    let Expression::FuncCall(encode) = unit_input(unit_text, "environment_json") else {
        panic!("environment_json is jsonencode(...)");
    };
    assert_eq!(encode.name.name.as_str(), "jsonencode");
    let Expression::FuncCall(merge) = &encode.args[0] else {
        panic!("environment_json is jsonencode(merge(...))");
    };
    assert_eq!(merge.name.name.as_str(), "merge");
    match merge.args[0].evaluate(&Context::new()) {
        Ok(hcl::Value::Object(settings)) => settings,
        other => panic!("the spec's settings are a literal object: {other:?}"),
    }
}

/// Attribute `attribute` of the first `block` block of `body`.
pub fn block_attribute<'a>(body: &'a Body, block: &str, attribute: &str) -> Option<&'a Expression> {
    body.blocks()
        .find(|b| b.identifier() == block)?
        .body
        .attributes()
        .find(|a| a.key() == attribute)
        .map(|a| a.expr())
}
