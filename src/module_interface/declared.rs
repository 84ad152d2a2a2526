//! What a Terraform module declares, read from the text of one of its `.tf` files: the part
//! of [`super`] that build.rs shares (it reads tgforge's own modules once, at build time), so it
//! uses nothing of the crate.

use std::collections::BTreeMap;

use hcl::expr::{Expression, ObjectKey, TraversalOperator};
use serde_json::{Map, Value};

/// A `variable` or `output` block of a module file.
pub enum Declaration<'a> {
    Variable {
        name: String,
        has_default: bool,
    },
    Output {
        name: String,
        /// Its `value` expression, when it has one.
        value: Option<&'a Expression>,
    },
}

/// The `variable` and `output` blocks of a parsed module file, in file order (blocks
/// without a label are not declarations).
pub fn declarations(body: &hcl::Body) -> impl Iterator<Item = Declaration<'_>> {
    body.blocks().filter_map(|block| {
        let name = block.labels().first()?.as_str().to_string();
        let attribute = |key: &str| block.body.attributes().find(|a| a.key() == key);
        match block.identifier() {
            "variable" => Some(Declaration::Variable {
                name,
                has_default: attribute("default").is_some(),
            }),
            "output" => Some(Declaration::Output {
                name,
                value: attribute("value").map(|a| a.expr()),
            }),
            _ => None,
        }
    })
}

#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ModuleInterface {
    /// Variable name -> whether it has a default (else a unit must pass it).
    pub variables: BTreeMap<String, bool>,
    /// Output name -> a mock value of its shape.
    pub outputs: BTreeMap<String, Value>,
}

impl ModuleInterface {
    /// Adds the `variable` and `output` blocks of one `.tf` file.
    pub fn add_file(&mut self, text: &str) -> Result<(), String> {
        let body = hcl::parse(text).map_err(|e| e.to_string())?;
        for declaration in declarations(&body) {
            match declaration {
                Declaration::Variable { name, has_default } => {
                    self.variables.insert(name, has_default);
                }
                Declaration::Output { name, value } => {
                    let mock = value.map_or_else(|| placeholder(&name), |v| mock_of(&name, v));
                    self.outputs.insert(name, mock);
                }
            }
        }
        Ok(())
    }
}

/// The mock of an output whose shape is not known: a string naming it.
fn placeholder(output: &str) -> Value {
    Value::String(format!("mock-{output}"))
}

/// A mock value with the shape `expr` evaluates to, as far as it shows.
fn mock_of(output: &str, expr: &Expression) -> Value {
    match expr {
        Expression::Null => Value::Null,
        Expression::Bool(b) => Value::Bool(*b),
        Expression::Number(n) => serde_json::to_value(n).unwrap_or(Value::from(0)),
        Expression::String(s) => Value::String(s.clone()),
        Expression::Array(items) => {
            Value::Array(items.iter().map(|i| mock_of(output, i)).collect())
        }
        Expression::Object(object) => {
            let mut map = Map::new();
            for (key, value) in object {
                let key = match key {
                    ObjectKey::Identifier(id) => id.as_str().to_string(),
                    ObjectKey::Expression(Expression::String(s)) => s.clone(),
                    // A computed key: its name is unknown, so the object's shape is too.
                    _ => return Value::Object(Map::new()),
                };
                map.insert(key.clone(), mock_of(&key, value));
            }
            Value::Object(map)
        }
        Expression::ForExpr(f) if f.key_expr.is_some() => Value::Object(Map::new()),
        Expression::ForExpr(_) => Value::Array(Vec::new()),
        Expression::Traversal(t)
            if t.operators.iter().any(|o| {
                matches!(
                    o,
                    TraversalOperator::AttrSplat | TraversalOperator::FullSplat
                )
            }) =>
        {
            Value::Array(vec![placeholder(output)])
        }
        Expression::Parenthesis(inner) => mock_of(output, inner),
        Expression::Conditional(c) => mock_of(output, &c.true_expr),
        Expression::FuncCall(call) => {
            let first = || call.args.first().map(|a| mock_of(output, a));
            match call.name.name.as_str() {
                "tolist" | "toset" | "concat" | "compact" | "flatten" | "distinct" | "sort"
                | "keys" | "values" | "slice" | "split" | "reverse" | "setunion" => {
                    Value::Array(Vec::new())
                }
                "tomap" | "merge" | "zipmap" => Value::Object(Map::new()),
                "length" | "tonumber" | "max" | "min" | "sum" | "ceil" | "floor" | "abs" => {
                    Value::from(0)
                }
                "tobool" | "contains" | "can" | "alltrue" | "anytrue" => Value::Bool(false),
                "try" | "coalesce" | "one" | "sensitive" | "nonsensitive" => {
                    first().unwrap_or_else(|| placeholder(output))
                }
                _ => placeholder(output),
            }
        }
        _ => placeholder(output),
    }
}
