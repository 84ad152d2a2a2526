//! Rendering: the embedded templates, the Tera engine, and the plan turned into file contents.

pub mod filters;

use anyhow::{Context as _, Result, anyhow};
use include_dir::{Dir, include_dir};

use crate::hcl_format;
use crate::plan::{FileSource, RenderPlan};

/// Every template and static file, compiled into the binary so `tgforge` runs from anywhere.
pub static TEMPLATES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/templates");

/// Suffix of files that are Tera templates; every other embedded file is copied verbatim.
pub const TEMPLATE_SUFFIX: &str = ".tera";

/// A file ready to be verified and written: path relative to the output root, `/`-separated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedFile {
    pub path: String,
    pub contents: String,
}

pub struct Renderer {
    tera: tera::Tera,
}

impl Renderer {
    /// Loads every embedded `.tera` template (by its path under `templates/`).
    pub fn new() -> Result<Renderer> {
        let mut tera = tera::Tera::default();
        // Nothing here is HTML; escaping is done by the HCL and JSON filters instead.
        tera.autoescape_on(vec![]);
        filters::register(&mut tera);
        let mut sources = Vec::new();
        collect(&TEMPLATES, &mut |path, bytes| {
            if path.ends_with(TEMPLATE_SUFFIX) {
                sources.push((
                    path.to_string(),
                    String::from_utf8_lossy(bytes).into_owned(),
                ));
            }
        });
        tera.add_raw_templates(sources)
            .context("loading embedded templates")?;
        Ok(Renderer { tera })
    }

    /// Renders every planned file; HCL files get `terraform fmt` alignment.
    pub fn render(&self, plan: &RenderPlan) -> Result<Vec<RenderedFile>> {
        plan.files
            .iter()
            .map(|file| {
                let contents = match &file.source {
                    FileSource::Template { template, context } => {
                        let ctx = tera::Context::from_value(context.clone())
                            .map_err(|e| anyhow!("context for {}: {e}", file.path))?;
                        self.tera.render(template, &ctx).map_err(|e| {
                            anyhow!(
                                "rendering {} from {template}: {}",
                                file.path,
                                error_chain(&e)
                            )
                        })?
                    }
                    FileSource::Embedded { embedded_path } => embedded_text(embedded_path)?,
                    FileSource::Text(text) => text.clone(),
                };
                let contents = if is_hcl(&file.path) {
                    hcl_format::align(&contents)
                } else {
                    contents
                };
                Ok(RenderedFile {
                    path: file.path.clone(),
                    contents,
                })
            })
            .collect()
    }
}

/// Whether `path` is HCL (Terraform, Terragrunt, Packer) by its name.
pub fn is_hcl(path: &str) -> bool {
    path.ends_with(".tf") || path.ends_with(".hcl") || path.ends_with(".tfvars")
}

/// The text of an embedded static file.
pub fn embedded_text(path: &str) -> Result<String> {
    let file = TEMPLATES
        .get_file(path)
        .ok_or_else(|| anyhow!("embedded file {path} is missing from the binary"))?;
    file.contents_utf8()
        .map(str::to_string)
        .ok_or_else(|| anyhow!("embedded file {path} is not UTF-8"))
}

/// Paths of the embedded files under `dir` (recursively), sorted.
pub fn embedded_files_under(dir: &str) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(d) = TEMPLATES.get_dir(dir) {
        collect(d, &mut |path, _| out.push(path.to_string()));
    }
    out.sort();
    out
}

fn collect(dir: &Dir<'static>, f: &mut impl FnMut(&str, &[u8])) {
    for file in dir.files() {
        if let Some(path) = file.path().to_str() {
            f(path, file.contents());
        }
    }
    for sub in dir.dirs() {
        collect(sub, f);
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}
