//! tgforge: one YAML spec in, a complete Terragrunt/Terraform repository for AWS out.
//!
//! The flow runs one way, one module per stage:
//! spec file -> typed model (`spec`) -> validation (`validate`, giving a `project::Project`)
//! -> render plan (`plan`) -> render (`render`, `hcl_format`) -> verify (`verify`) -> write
//! (`output`).

pub mod affected;
pub mod cli;
pub mod cores;
pub mod diagnostic;
pub mod drift;
pub mod eject;
pub mod graph;
pub mod hcl_format;
pub mod import;
pub mod module_interface;
pub mod naming;
pub mod network;
pub mod output;
pub mod overrides;
pub mod plan;
pub mod project;
pub mod render;
pub mod spec;
pub mod spec_memo;
pub mod starter;
pub mod unit;
pub mod validate;
pub mod verify;

use std::path::Path;

use crate::project::Project;
use crate::render::{RenderedFile, Renderer};
use crate::spec::LoadError;

/// Why a command failed, which decides its exit code.
#[derive(Debug)]
pub enum Failure {
    /// The spec (or the command line) is wrong: exit 2, nothing written.
    InvalidInput(String),
    /// Anything else (I/O, or a tgforge bug caught by verification): exit 3.
    Internal(anyhow::Error),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::InvalidInput(msg) => write!(f, "{msg}"),
            Failure::Internal(e) => write!(f, "error: {e:#}"),
        }
    }
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        Failure::Internal(e)
    }
}

impl From<LoadError> for Failure {
    fn from(e: LoadError) -> Self {
        Failure::InvalidInput(e.to_string())
    }
}

/// Loads and validates the spec at `spec_path`, without a tree (see `load_project_for`).
pub fn load_project(spec_path: &Path) -> Result<Project, Failure> {
    load_project_bytes(spec_path, &spec::load::read_spec(spec_path)?)
}

/// [`load_project`] of bytes already read from `spec_path` (by `spec::load::read_spec`).
pub fn load_project_bytes(spec_path: &Path, bytes: &[u8]) -> Result<Project, Failure> {
    let loaded = spec::load::load_file_bytes(spec_path, bytes)?;
    validate::validate(&loaded).map_err(|e| Failure::InvalidInput(e.to_string()))
}

/// Loads and validates the spec at `spec_path` for the tree at `tree`, where the modules of
/// the spec's own units are read.
pub fn load_project_for(spec_path: &Path, tree: &Path) -> Result<Project, Failure> {
    load_project_bytes_for(spec_path, &spec::load::read_spec(spec_path)?, tree)
}

/// [`load_project_for`] of bytes already read from `spec_path` (by `spec::load::read_spec`).
pub fn load_project_bytes_for(
    spec_path: &Path,
    bytes: &[u8],
    tree: &Path,
) -> Result<Project, Failure> {
    let loaded = spec::load::load_file_bytes(spec_path, bytes)?;
    validate::validate_in(&loaded, Some(tree)).map_err(|e| Failure::InvalidInput(e.to_string()))
}

/// The template engine, built once per process (a fuzz run renders thousands of trees).
/// Callers that arrive while another thread builds it wait for that build instead of making
/// their own.
fn renderer() -> Result<&'static Renderer, Failure> {
    static RENDERER: std::sync::OnceLock<Result<Renderer, String>> = std::sync::OnceLock::new();
    RENDERER
        .get_or_init(|| Renderer::new().map_err(|e| format!("{e:#}")))
        .as_ref()
        .map_err(|e| Failure::Internal(anyhow::anyhow!("{e}")))
}

/// Starts reading the spec schema and building the template engine on another thread, so
/// that each is ready (or nearly) when the spec's load (which walks the schema for unknown
/// keys) and then the rendering need it: neither depends on the spec.
pub fn prepare_renderer() {
    cores::ahead_of_time(|| {
        spec::schema::prepare();
        let _ = renderer();
    });
}

/// Plans, renders and verifies the whole tree of `project`, writing nothing.
pub fn render_project(project: &Project) -> Result<Vec<RenderedFile>, Failure> {
    let renderer = renderer()?;
    let (environments, shared) = renderer.render_environments(project);
    // The environments' files are verified (on every core that is free) while the shared
    // ones render: those render only once every environment has (the README holds them all).
    let (mut problems, shared) = cores::join(
        || match &environments {
            Ok(files) => verify::problems(files),
            Err(_) => Vec::new(),
        },
        || renderer.render_shared(project, shared),
    );
    if let Ok(files) = &shared {
        problems.extend(verify::problems(files));
    }
    let files = render::join_rendered(environments, shared)?;
    problems.sort_by(|a, b| a.0.cmp(&b.0));
    verify::report(problems)?;
    Ok(files)
}

/// The whole pipeline from spec bytes to verified files (used by the fuzz tests); relative
/// paths in the spec resolve against `base_dir`.
pub fn generate_from_bytes(
    display_path: &str,
    base_dir: &Path,
    bytes: &[u8],
) -> Result<Vec<RenderedFile>, Failure> {
    generate_from_bytes_for(display_path, base_dir, bytes, None)
}

/// `generate_from_bytes` for the tree at `tree` (when given), where the modules of the
/// spec's own units are read.
pub fn generate_from_bytes_for(
    display_path: &str,
    base_dir: &Path,
    bytes: &[u8],
    tree: Option<&Path>,
) -> Result<Vec<RenderedFile>, Failure> {
    let loaded = spec::load_bytes(display_path, base_dir, bytes)?;
    let project =
        validate::validate_in(&loaded, tree).map_err(|e| Failure::InvalidInput(e.to_string()))?;
    render_project(&project)
}

/// The whole pipeline up to (not including) writing: spec file -> verified files.
pub fn generate(spec_path: &Path) -> Result<(Project, Vec<RenderedFile>), Failure> {
    let project = load_project(spec_path)?;
    let files = render_project(&project)?;
    Ok((project, files))
}
