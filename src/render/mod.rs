//! Rendering: the embedded templates, the Tera engine, and the plan turned into file contents.

pub mod filters;

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use anyhow::{Context as _, Result, anyhow};
use include_dir::{Dir, include_dir};
use serde_json::Value;

use crate::hcl_format;
use crate::plan::{self, FileSource, PlannedFile, RenderPlan, Shared, TemplateContext};
use crate::project::Project;

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

/// The syntax trees of the embedded templates, built by code build.rs generated from them
/// (`write_template_asts`: Tera's parser, run at build time).
#[allow(clippy::all, clippy::pedantic)]
mod template_asts {
    use tera::ast::*;
    include!(concat!(env!("OUT_DIR"), "/template_asts.rs"));
}

/// Adds the embedded template `name` (whose text is `text`) to `tera`: from the syntax tree
/// build.rs made of it, else parsed. Such a template has no blocks, macros or parent, so the
/// fields Tera derives from those are empty, as its parser would leave them.
fn add_template(tera: &mut tera::Tera, name: &str, text: &str) -> tera::Result<()> {
    let Some(ast) = template_asts::ast_of(name) else {
        return tera.add_raw_template(name, text);
    };
    let template = tera::Template {
        name: name.to_string(),
        path: None,
        ast,
        from_extend: false,
        macros: Default::default(),
        imported_macro_files: Vec::new(),
        parent: None,
        blocks: Default::default(),
        parents: Vec::new(),
        blocks_definitions: Default::default(),
    };
    tera.templates.insert(name.to_string(), template);
    Ok(())
}

pub struct Renderer {
    tera: tera::Tera,
}

impl Renderer {
    /// Loads every embedded `.tera` template (by its path under `templates/`), from the
    /// syntax trees build.rs made of them.
    pub fn new() -> Result<Renderer> {
        let mut tera = tera::Tera::default();
        let mut templates = Vec::new();
        collect(&TEMPLATES, &mut |path, bytes| {
            if path.ends_with(TEMPLATE_SUFFIX) {
                templates.push((path, bytes));
            }
        });
        for (path, bytes) in templates {
            let text =
                std::str::from_utf8(bytes).map_err(|_| anyhow!("template {path} is not UTF-8"))?;
            add_template(&mut tera, path, text).context("loading embedded templates")?;
        }
        // Nothing here is HTML; escaping is done by the HCL and JSON filters instead.
        tera.autoescape_on(vec![]);
        filters::register(&mut tera);
        Ok(Renderer { tera })
    }

    fn render_template(&self, template: &str, context: &tera::Context) -> Result<String> {
        self.tera
            .render(template, context)
            .map_err(|e| anyhow!("{}", error_chain(&e)))
    }

    /// Renders every planned file (in plan order); HCL files get `terraform fmt` alignment.
    pub fn render(&self, plan: &RenderPlan) -> Result<Vec<RenderedFile>> {
        self.render_files(plan.files.clone()).map_err(|(_, e)| e)
    }

    /// Renders `files` in order; on an error, the path of the first file that failed. The
    /// files are taken, so that a context no other file shares is used as it is instead of
    /// copied (the README's holds every environment).
    fn render_files(&self, files: Vec<PlannedFile>) -> Rendered {
        self.render_files_with(files, &mut RenderState::default())
    }

    /// [`Renderer::render_files`] with the state a thread keeps from one batch to the next.
    fn render_files_with(&self, files: Vec<PlannedFile>, state: &mut RenderState) -> Rendered {
        files
            .into_iter()
            .map(|file| {
                let path = file.path.clone();
                self.render_file(file, state).map_err(|e| (path, e))
            })
            .collect()
    }

    fn render_file(&self, file: PlannedFile, state: &mut RenderState) -> Result<RenderedFile> {
        let verbatim = matches!(file.source, FileSource::Embedded { .. });
        // A reusable context: the text rendered earlier from the same template and an equal
        // value, if any (rendering is a function of the two).
        let reuse_key = match &file.source {
            FileSource::Template { template, context } if context.reusable => Some((
                template.clone(),
                serde_json::to_string(&context.to_value())?,
            )),
            _ => None,
        };
        if let Some(contents) = reuse_key.as_ref().and_then(|key| state.reused.get(key)) {
            return Ok(RenderedFile {
                path: file.path,
                contents: contents.clone(),
                verbatim,
            });
        }
        let contexts = &mut state.contexts;
        let contents = match file.source {
            FileSource::Template { template, context } => {
                let ctx = contexts
                    .enter(context)
                    .map_err(|e| anyhow!("context for {}: {e}", file.path))?;
                let rendered = self.render_template(&template, ctx);
                contexts.leave();
                rendered.map_err(|e| anyhow!("rendering {} from {template}: {e:#}", file.path))?
            }
            FileSource::Embedded { embedded_path } => embedded_text(&embedded_path)?,
            FileSource::Text(text) => text,
        };
        let contents = if is_hcl(&file.path) && !verbatim {
            hcl_format::align(&contents)
        } else {
            contents
        };
        if let Some(key) = reuse_key {
            state.reused.insert(key, contents.clone());
        }
        Ok(RenderedFile {
            path: file.path,
            contents,
            verbatim,
        })
    }

    /// Plans, renders and sorts the whole tree of `project` (not verified). Environments are
    /// planned and rendered one at a time on every core, so no more than one environment's
    /// contexts per thread are alive at once; the result (files sorted by path, or the error
    /// of the first failing path) does not depend on which thread did what.
    pub fn render_project(&self, project: &Project) -> Result<Vec<RenderedFile>> {
        let (environments, shared) = self.render_environments(project);
        let shared = self.render_shared(project, shared);
        join_rendered(environments, shared)
    }

    /// The files of every environment (see [`Renderer::render_project`]), and what the
    /// environments tell the shared files.
    pub fn render_environments(&self, project: &Project) -> (Rendered, Shared) {
        let environments = &project.environments;
        let next = AtomicUsize::new(0);
        // One environment after another, taken from a shared counter.
        let work = || {
            let mut shared = Shared::default();
            let mut state = RenderState::default();
            let mut done = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(env) = environments.get(i) else {
                    break;
                };
                let mut plan = RenderPlan::default();
                plan::plan_environments(project, [env], &mut plan, &mut shared);
                plan.sort();
                done.push(self.render_files_with(plan.files, &mut state));
            }
            (done, shared)
        };
        let results = crate::cores::on_every_core(&work);
        let mut shared = Shared::default();
        let mut batches = Vec::new();
        for (done, part) in results {
            shared.merge(part);
            batches.extend(done);
        }
        (collect_batches(batches), shared)
    }

    /// The files that are not one environment's (the root, the README, tooling, modules,
    /// ECR policies), given what the environments told.
    pub fn render_shared(&self, project: &Project, shared: Shared) -> Rendered {
        let mut plan = RenderPlan::default();
        plan::plan_shared(project, shared, &mut plan);
        plan.sort();
        self.render_files(plan.files)
    }
}

/// Rendered files sorted by path, or the first failing path (in path order) and why.
pub type Rendered = std::result::Result<Vec<RenderedFile>, (String, anyhow::Error)>;

/// The files of all `batches`, sorted by path; or the error of the first failing path.
fn collect_batches(batches: Vec<Rendered>) -> Rendered {
    let mut files = Vec::new();
    let mut first_error: Option<(String, anyhow::Error)> = None;
    for batch in batches {
        match batch {
            Ok(batch) => files.extend(batch),
            Err((path, e)) => {
                if first_error.as_ref().is_none_or(|(first, _)| path < *first) {
                    first_error = Some((path, e));
                }
            }
        }
    }
    if let Some(error) = first_error {
        return Err(error);
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// The files of two rendered parts, sorted by path; or the error of the first failing path.
pub fn join_rendered(a: Rendered, b: Rendered) -> Result<Vec<RenderedFile>> {
    collect_batches(vec![a, b]).map_err(|(_, e)| e)
}

/// What a rendering thread keeps from file to file.
#[derive(Default)]
struct RenderState {
    contexts: ContextCache,
    /// Texts rendered from reusable contexts, by template and the context's JSON.
    reused: rustc_hash::FxHashMap<(String, String), String>,
}

/// The Tera context of the file being rendered. A shared context is converted once and kept
/// while the files that share it render (an environment's files, among which come files
/// with contexts of their own: a dependency block, the bootstrap script); a file's own
/// values are set before it renders and taken out after. A context no other file holds is
/// taken as it is, not copied, into a context of its own, and the kept one stays.
#[derive(Default)]
struct ContextCache {
    /// The shared value `context` was made from (held, so its address stays its identity).
    shared: Option<Arc<Value>>,
    context: tera::Context,
    /// The current file's own keys, set in `context`.
    own: Vec<&'static str>,
    /// The context of a file alone in holding its value.
    alone: tera::Context,
}

impl ContextCache {
    fn enter(&mut self, context: TemplateContext) -> Result<&tera::Context> {
        let TemplateContext { shared, own, .. } = context;
        // Moved in, not inserted: `Context::insert` serializes its value anew (a deep copy,
        // a unit's whole context for every unit file).
        let own_values = |own: Vec<(&'static str, Value)>| {
            let own: serde_json::Map<String, Value> =
                own.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
            tera::Context::from_value(Value::Object(own))
        };
        self.own.clear();
        if !self
            .shared
            .as_ref()
            .is_some_and(|s| Arc::ptr_eq(s, &shared))
        {
            match Arc::try_unwrap(shared) {
                Ok(value) => {
                    self.alone = tera::Context::from_value(value)?;
                    self.alone.extend(own_values(own)?);
                    return Ok(&self.alone);
                }
                Err(shared) => {
                    self.context = tera::Context::from_value((*shared).clone())?;
                    self.shared = Some(shared);
                }
            }
        }
        self.own.extend(own.iter().map(|(key, _)| *key));
        self.context.extend(own_values(own)?);
        Ok(&self.context)
    }

    /// Undoes the file's own values in the kept context (restoring a shared value of the
    /// same name).
    fn leave(&mut self) {
        let Some(shared) = &self.shared else {
            return;
        };
        for key in self.own.drain(..) {
            match shared.get(key) {
                Some(value) => self.context.insert(key, value),
                None => {
                    self.context.remove(key);
                }
            }
        }
    }
}

/// Whether `path` is HCL (Terraform, Terragrunt, Packer) by its name.
pub fn is_hcl(path: &str) -> bool {
    path.ends_with(".tf") || path.ends_with(".hcl") || path.ends_with(".tfvars")
}

/// The text of an embedded static file.
pub fn embedded_text(path: &str) -> Result<String> {
    // Looked up by path in an index made once: include_dir walks its tree comparing paths
    // component by component, about 1% of a small `gen`'s CPU for its hundred lookups.
    static INDEX: OnceLock<HashMap<&'static str, &'static [u8]>> = OnceLock::new();
    let index = INDEX.get_or_init(|| {
        let mut index = HashMap::new();
        collect(&TEMPLATES, &mut |path, contents| {
            index.insert(path, contents);
        });
        index
    });
    let contents = index
        .get(path)
        .ok_or_else(|| anyhow!("embedded file {path} is missing from the binary"))?;
    std::str::from_utf8(contents)
        .map(str::to_string)
        .map_err(|_| anyhow!("embedded file {path} is not UTF-8"))
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

fn collect(dir: &'static Dir<'static>, f: &mut impl FnMut(&'static str, &'static [u8])) {
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

    /// Rendering environment by environment on several threads gives exactly the files of
    /// the plain, whole-tree plan rendered in order, for every example spec.
    #[test]
    fn parallel_rendering_is_the_plain_plan_rendered_in_order() {
        let renderer = Renderer::new().unwrap();
        let specs = concat!(env!("CARGO_MANIFEST_DIR"), "/specs");
        let mut checked = 0;
        for entry in std::fs::read_dir(specs).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "yaml") {
                continue;
            }
            let project = crate::load_project(&path).unwrap();
            let plain = renderer.render(&plan::plan(&project)).unwrap();
            for _ in 0..3 {
                assert_eq!(
                    renderer.render_project(&project).unwrap(),
                    plain,
                    "{path:?}"
                );
            }
            checked += 1;
        }
        assert!(checked >= 3, "only {checked} specs");
    }

    /// The syntax tree build.rs made of each template is exactly the one Tera's parser makes
    /// of the embedded text, and every template has one.
    #[test]
    fn prebuilt_syntax_trees_match_the_parser() {
        let mut compared = 0;
        collect(&TEMPLATES, &mut |path, bytes| {
            if !path.ends_with(TEMPLATE_SUFFIX) {
                return;
            }
            let text = std::str::from_utf8(bytes).unwrap();
            let parsed = tera::Template::new(path, None, text).unwrap();
            let built = template_asts::ast_of(path)
                .unwrap_or_else(|| panic!("build.rs made no syntax tree for {path}"));
            assert!(built == parsed.ast, "{path}: the prebuilt tree differs");
            assert!(parsed.parent.is_none() && parsed.blocks.is_empty());
            assert!(parsed.macros.is_empty() && parsed.imported_macro_files.is_empty());
            compared += 1;
        });
        assert!(compared > 30, "{compared} templates compared");
        assert!(template_asts::ast_of("no such template").is_none());
    }

    /// A file's own values are visible to it only; the shared context is not changed.
    #[test]
    fn own_values_do_not_leak_into_the_next_file() {
        let shared = Arc::new(serde_json::json!({ "unit": "shared", "x": 1 }));
        let mut cache = ContextCache::default();
        let own = TemplateContext::from(shared.clone()).with("unit", serde_json::json!("own"));
        let plain = TemplateContext::from(shared.clone());
        assert_eq!(cache.enter(own).unwrap().get("unit").unwrap(), "own");
        cache.leave();
        assert_eq!(
            cache.enter(plain.clone()).unwrap().get("unit").unwrap(),
            "shared"
        );
        cache.leave();
        let with_new = plain.clone().with("y", serde_json::json!(2));
        assert!(cache.enter(with_new).unwrap().contains_key("y"));
        cache.leave();
        assert!(!cache.enter(plain).unwrap().contains_key("y"));
        cache.leave();
        // A context alone in its holder is taken, and the next file's is made anew.
        let alone = TemplateContext::from(serde_json::json!({ "z": 3 }));
        assert!(cache.enter(alone).unwrap().contains_key("z"));
        cache.leave();
        let next = TemplateContext::from(shared);
        assert!(!cache.enter(next).unwrap().contains_key("z"));
    }

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
