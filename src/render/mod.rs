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
    /// An embedded static file copied as is (a module, a Packer template). It is the same on
    /// every run, so the test suite proves once that it parses and is already in canonical
    /// layout (`embedded_static_files_are_canonical`) instead of every run doing it again.
    pub verbatim: bool,
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
                let verbatim = matches!(file.source, FileSource::Embedded { .. });
                let contents = if is_hcl(&file.path) && !verbatim {
                    hcl_format::align(&contents)
                } else {
                    contents
                };
                Ok(RenderedFile {
                    path: file.path.clone(),
                    contents,
                    verbatim,
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The promise behind `RenderedFile::verbatim`: every embedded static file already is
    /// what render + verify would make of it.
    #[test]
    fn embedded_static_files_are_canonical() {
        let mut checked = 0;
        collect(&TEMPLATES, &mut |path, bytes| {
            if path.ends_with(TEMPLATE_SUFFIX) {
                return;
            }
            let text = std::str::from_utf8(bytes).expect("embedded files are UTF-8");
            let file = RenderedFile {
                path: path.to_string(),
                contents: text.to_string(),
                verbatim: false,
            };
            crate::verify::verify(std::slice::from_ref(&file))
                .unwrap_or_else(|e| panic!("{path}: {e}"));
            if is_hcl(path) {
                assert_eq!(
                    hcl_format::align(text),
                    text,
                    "{path} is not in canonical layout"
                );
            }
            checked += 1;
        });
        assert!(checked > 50, "only {checked} embedded static files");
    }
}
