//! What a Terraform module declares to the units using it: its variables and its outputs,
//! read from its `*.tf` files with hcl-rs. The outputs come with a mock value each, shaped
//! like the real value where the output's expression shows it (a list for a splat or a `for`
//! over a list, a number for `length(...)`, a literal as itself), a string otherwise.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Mutex, OnceLock};

use hcl::expr::{Expression, ObjectKey, TraversalOperator};
use serde_json::{Map, Value};

/// Module files larger than this are not read: no module of a tree is anywhere near it.
const MAX_MODULE_FILE_BYTES: usize = 1024 * 1024;

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

/// The names of the `*.tf` files directly in `folder`, sorted; links and folders are not
/// files here (a link is never followed, so a module cannot point tgforge elsewhere).
pub fn tf_file_names(folder: &Path) -> std::io::Result<Vec<String>> {
    let mut names: Vec<String> = std::fs::read_dir(folder)?
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.ends_with(".tf"))
        .collect();
    names.sort();
    Ok(names)
}

#[derive(Debug, Clone, Default, PartialEq)]
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

    /// Reads every `*.tf` file of the folder at `path` (a regular folder; links are never
    /// followed, so a module cannot point tgforge at files elsewhere).
    pub fn read_folder(path: &Path) -> Result<ModuleInterface, String> {
        let meta = std::fs::symlink_metadata(path).map_err(|e| e.to_string())?;
        if !meta.is_dir() {
            return Err("it is not a folder (a link is not followed)".into());
        }
        let names = tf_file_names(path).map_err(|e| e.to_string())?;
        if names.is_empty() {
            return Err("it has no .tf file".into());
        }
        let mut interface = ModuleInterface::default();
        for name in names {
            let bytes = crate::spec::load::read_limited(&path.join(&name), MAX_MODULE_FILE_BYTES)
                .map_err(|e| format!("{name}: {e}"))?;
            let text = String::from_utf8(bytes).map_err(|_| format!("{name}: not UTF-8"))?;
            interface
                .add_file(&text)
                .map_err(|e| format!("{name} is not valid HCL: {e}"))?;
        }
        Ok(interface)
    }

    /// The interface of the embedded module `module` (read once per process).
    pub fn embedded(module: &str) -> ModuleInterface {
        static CACHE: OnceLock<Mutex<BTreeMap<String, ModuleInterface>>> = OnceLock::new();
        let cache = CACHE.get_or_init(Default::default);
        if let Some(known) = cache.lock().expect("not poisoned").get(module) {
            return known.clone();
        }
        let mut interface = ModuleInterface::default();
        for text in embedded_tf_texts(module)
            .filter_map(Result::ok)
            .filter(|text| declares_something(text))
        {
            // tgforge's own modules parse (the test suite checks every one).
            let _ = interface.add_file(&text);
        }
        cache
            .lock()
            .expect("not poisoned")
            .insert(module.to_string(), interface.clone());
        interface
    }

    /// The interface of the embedded module `module`, every file parsed (what `embedded`
    /// must equal).
    #[cfg(test)]
    fn embedded_in_full(module: &str) -> ModuleInterface {
        let mut interface = ModuleInterface::default();
        for text in embedded_tf_texts(module) {
            interface.add_file(&text.unwrap()).unwrap();
        }
        interface
    }

    /// Every output with its mock value, as one object.
    pub fn mock_outputs(&self) -> Value {
        Value::Object(self.outputs.clone().into_iter().collect())
    }
}

/// The texts of the `.tf` files of the embedded module `module`.
fn embedded_tf_texts(module: &str) -> impl Iterator<Item = anyhow::Result<String>> {
    crate::render::embedded_files_under(&format!("modules/{module}/"))
        .into_iter()
        .filter(|path| path.ends_with(".tf"))
        .map(|path| crate::render::embedded_text(&path))
}

/// Whether an embedded module's file may declare a variable or an output: tgforge's modules
/// are in `terraform fmt` layout, where a top-level block starts its line. The resources of a
/// module (most of its text) are then never parsed just to learn its interface
/// (`embedded_interfaces_skip_no_declaration`).
fn declares_something(text: &str) -> bool {
    text.lines()
        .any(|line| line.starts_with("variable ") || line.starts_with("output "))
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Skipping the files of an embedded module that declare nothing changes no interface.
    #[test]
    fn embedded_interfaces_skip_no_declaration() {
        let modules = crate::plan::module_names();
        assert!(modules.len() > 10);
        for module in modules {
            let interface = ModuleInterface::embedded(module);
            assert!(!interface.outputs.is_empty(), "{module}");
            assert_eq!(
                interface,
                ModuleInterface::embedded_in_full(module),
                "{module}"
            );
        }
    }

    #[test]
    fn outputs_get_the_shape_their_expression_shows() {
        let mut interface = ModuleInterface::default();
        interface
            .add_file(
                r#"
variable "name" {}
variable "retention" {
  default = 345600
}
output "url" { value = aws_sqs_queue.this.url }
output "ids" { value = aws_subnet.private[*].id }
output "count" { value = length(aws_subnet.private) }
output "by_az" { value = { for s in aws_subnet.private : s.availability_zone => s.id } }
output "pair" { value = { arn = aws_sqs_queue.this.arn, port = 5432 } }
output "maybe" { value = var.on ? aws_sqs_queue.this.arn : null }
"#,
            )
            .unwrap();
        assert_eq!(
            interface.variables,
            BTreeMap::from([("name".into(), false), ("retention".into(), true)])
        );
        assert_eq!(
            interface.mock_outputs(),
            json!({
                "url": "mock-url",
                "ids": ["mock-ids"],
                "count": 0,
                "by_az": {},
                "pair": { "arn": "mock-arn", "port": 5432 },
                "maybe": "mock-maybe",
            })
        );
    }

    #[test]
    fn an_embedded_module_declares_its_outputs() {
        let vpc = ModuleInterface::embedded("AWS_VPC");
        assert!(vpc.outputs.contains_key("private_subnet_ids"));
        assert!(vpc.variables.contains_key("cidr_block"));
    }
}
