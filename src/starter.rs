//! `tgforge init`: a commented starter spec that validates and generates as it is.

use anyhow::{Result, anyhow};
use serde_json::json;

use crate::validate::is_dns_label;

/// Where editors find the schema (the `yaml-language-server` comment of the starter spec).
pub const SCHEMA_FILE_NAME: &str = "tgforge-spec.schema.json";

/// The starter spec text for `project`, saved as `file_name`.
pub fn starter_spec(project: &str, file_name: &str) -> Result<String> {
    if !is_dns_label(project, 24) {
        return Err(anyhow!(
            "`{}` is not a valid project name: use 1-24 lowercase letters, digits and hyphens, starting with a letter",
            project.escape_debug()
        ));
    }
    let mut tera = tera::Tera::default();
    tera.autoescape_on(vec![]);
    crate::render::filters::register(&mut tera);
    let template = crate::render::embedded_text("starter-spec.yaml.tera")?;
    let context = tera::Context::from_value(json!({
        "project": project,
        "file_name": file_name,
        "schema_url": SCHEMA_FILE_NAME,
    }))?;
    Ok(tera.render_str(&template, &context)?)
}
