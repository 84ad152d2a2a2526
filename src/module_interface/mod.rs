//! What a Terraform module declares to the units using it: its variables and its outputs,
//! read from its `*.tf` files with hcl-rs. The outputs come with a mock value each, shaped
//! like the real value where the output's expression shows it (a list for a splat or a `for`
//! over a list, a number for `length(...)`, a literal as itself), a string otherwise.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Mutex, OnceLock};

use serde_json::Value;

mod declared;

/// The interfaces of the embedded modules, read by build.rs: `EMBEDDED_INTERFACES`, each
/// module's name with its interface as JSON.
mod built {
    include!(concat!(env!("OUT_DIR"), "/module_interfaces.rs"));
}

pub use declared::{Declaration, ModuleInterface, declarations};

/// Module files larger than this are not read: no module of a tree is anywhere near it.
const MAX_MODULE_FILE_BYTES: usize = 1024 * 1024;

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

impl ModuleInterface {
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

    /// The interface of the embedded module `module`, as build.rs read it from the module's
    /// files (`write_module_interfaces`; a test compares it with a parse of the embedded
    /// files). Parsing them at run time cost about a millisecond of a 10 ms `gen`.
    pub fn embedded(module: &str) -> ModuleInterface {
        static CACHE: OnceLock<Mutex<BTreeMap<String, ModuleInterface>>> = OnceLock::new();
        let cache = CACHE.get_or_init(Default::default);
        if let Some(known) = cache.lock().expect("not poisoned").get(module) {
            return known.clone();
        }
        let interface: ModuleInterface = built::EMBEDDED_INTERFACES
            .iter()
            .find(|(name, _)| *name == module)
            .map(|(_, json)| serde_json::from_str(json).expect("build.rs wrote it as JSON"))
            .unwrap_or_default();
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
#[cfg(test)]
fn embedded_tf_texts(module: &str) -> impl Iterator<Item = anyhow::Result<String>> {
    crate::render::embedded_files_under(&format!("modules/{module}/"))
        .into_iter()
        .filter(|path| path.ends_with(".tf"))
        .map(|path| crate::render::embedded_text(&path))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// What build.rs read of each embedded module is what its embedded files declare.
    #[test]
    fn built_interfaces_match_the_embedded_files() {
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
