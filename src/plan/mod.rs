//! The render plan: which files the tree gets, and from what.
//!
//! All decisions live here (which units an environment has, their dependencies, names, mock
//! outputs); templates only lay the decided values out as HCL.

mod context;
pub(crate) mod endpoints;
mod mocks;
mod runtime;
pub(crate) mod units;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde_json::{Value, json};

use crate::project::{Ecr, Environment, Project};
use crate::render::embedded_files_under;

pub use units::{Inputs, Module, Unit, units_for};

/// The values a template sees: a part shared by many files (one environment's context is
/// built once and shared by all of that environment's files, never copied per file), and the
/// file's own top-level values on top of it (a unit's `unit`).
#[derive(Debug, Clone)]
pub struct TemplateContext {
    pub shared: Arc<Value>,
    /// Top-level keys of this file only; they hide a shared key of the same name.
    pub own: Vec<(&'static str, Value)>,
    /// Small, and often equal in other environments (a dependency block): the renderer
    /// looks the rendered text up by the template and the context's value before rendering.
    pub reusable: bool,
}

impl TemplateContext {
    /// `self` with `key` set to `value` for this file only.
    pub fn with(mut self, key: &'static str, value: Value) -> TemplateContext {
        self.own.push((key, value));
        self
    }

    /// `self`, marked [`TemplateContext::reusable`].
    pub fn reusable(mut self) -> TemplateContext {
        self.reusable = true;
        self
    }

    /// The whole context as one JSON object (shared values, then the file's own).
    pub fn to_value(&self) -> Value {
        let mut value = (*self.shared).clone();
        for (key, own) in &self.own {
            value[*key] = own.clone();
        }
        value
    }
}

impl From<Value> for TemplateContext {
    fn from(value: Value) -> Self {
        Arc::new(value).into()
    }
}

impl From<Arc<Value>> for TemplateContext {
    fn from(shared: Arc<Value>) -> Self {
        TemplateContext {
            shared,
            own: Vec::new(),
            reusable: false,
        }
    }
}

/// Where a planned file's contents come from.
#[derive(Debug, Clone)]
pub enum FileSource {
    /// A Tera template (its path under `templates/`) rendered with a JSON context.
    Template {
        template: String,
        context: TemplateContext,
    },
    /// An embedded static file copied as is.
    Embedded { embedded_path: String },
    /// Text decided by tgforge itself (e.g. a user's policy file, already validated).
    Text(String),
}

#[derive(Debug, Clone)]
pub struct PlannedFile {
    /// Path relative to the output root, `/`-separated.
    pub path: String,
    pub source: FileSource,
}

#[derive(Debug, Clone, Default)]
pub struct RenderPlan {
    /// Sorted by path, so the order of work (and of any report) never depends on the spec.
    pub files: Vec<PlannedFile>,
}

impl RenderPlan {
    /// Copies the embedded folder `from` (under `templates/`) to `to` in the tree, as is.
    fn embedded(&mut self, from: &str, to: &str) {
        for embedded in embedded_files_under(from) {
            // ECR lifecycle policies are generated from the spec, never copied.
            if embedded.starts_with("modules/AWS_ECR/lifecycle_policy/") {
                continue;
            }
            let relative = &embedded[from.len()..];
            self.files.push(PlannedFile {
                path: format!("{to}{relative}"),
                source: FileSource::Embedded {
                    embedded_path: embedded,
                },
            });
        }
    }

    fn template(
        &mut self,
        path: impl Into<String>,
        template: &str,
        context: impl Into<TemplateContext>,
    ) {
        self.files.push(PlannedFile {
            path: path.into(),
            source: FileSource::Template {
                template: template.to_string(),
                context: context.into(),
            },
        });
    }

    pub fn sort(&mut self) {
        self.files.sort_by(|a, b| a.path.cmp(&b.path));
    }
}

/// The folder names of every module tgforge can generate (under `Modules/`).
pub fn module_names() -> BTreeSet<&'static str> {
    crate::render::TEMPLATES
        .get_dir("modules")
        .map(|d| {
            d.dirs()
                .filter_map(|m| m.path().file_name().and_then(|n| n.to_str()))
                .collect()
        })
        .unwrap_or_default()
}

/// Where the files of module `module` go in the tree (a prefix of their paths).
pub fn module_prefix(module: &str) -> String {
    format!("Modules/{module}/")
}

/// What the environments' plans tell the plan of the files they share.
#[derive(Debug, Clone, Default)]
pub struct Shared {
    /// The modules the environments' units use.
    modules: BTreeSet<&'static str>,
    /// Lifecycle policy files by path: generated ones are shared by every environment keeping
    /// the same count; a user's file is copied once per environment that names it.
    ecr_policies: BTreeMap<String, Ecr>,
    /// Each planned environment's part of the README (context and flowchart) by name, made
    /// from the units planned for it rather than planned again.
    readme: BTreeMap<String, (Value, String)>,
}

impl Shared {
    /// Adds what other environments need (a path means the same file whoever planned it).
    pub fn merge(&mut self, other: Shared) {
        self.modules.extend(other.modules);
        self.ecr_policies.extend(other.ecr_policies);
        self.readme.extend(other.readme);
    }
}

/// Plans the whole tree for `project`, sorted by path.
pub fn plan(project: &Project) -> RenderPlan {
    let mut plan = RenderPlan::default();
    let mut shared = Shared::default();
    plan_environments(project, &project.environments, &mut plan, &mut shared);
    plan_shared(project, shared, &mut plan);
    plan.sort();
    plan
}

/// Plans the files of the whole tree that are not one environment's (the root, README,
/// tooling, modules, Packer templates, ECR policies), given what every environment needs.
/// Unsorted.
pub fn plan_shared(project: &Project, shared: Shared, plan: &mut RenderPlan) {
    let Shared {
        modules,
        ecr_policies,
        mut readme,
    } = shared;
    plan.template("root.hcl", "root.hcl.tera", context::root(project));
    let (environments, flowchart): (Vec<Value>, Vec<String>) = project
        .environments
        .iter()
        .map(|env| {
            readme.remove(&env.name).unwrap_or_else(|| {
                let units = units_for(project, env);
                readme_parts(project, env, &units)
            })
        })
        .unzip();
    plan.template(
        "README.md",
        "README.md.tera",
        context::readme(project, environments, crate::graph::mermaid_of(&flowchart)),
    );
    plan_tooling(project, plan);

    // The AMI layer templates, shared by every environment on the EC2 platform.
    if project.environments.iter().any(|env| env.packer.is_some()) {
        plan.embedded("packer", "Packer");
    }
    for module in &modules {
        // An ejected module is the user's: never written again (output releases its files).
        if project.ejected_modules.contains(*module) {
            continue;
        }
        plan.embedded(&format!("modules/{module}"), &format!("Modules/{module}"));
    }
    for (path, policy) in ecr_policies {
        match policy {
            Ecr::KeepNewest(count) => plan.template(
                path,
                "ecr_lifecycle_policy.json.tera",
                json!({ "keep_images": count }),
            ),
            Ecr::PolicyFile { json, .. } => plan.files.push(PlannedFile {
                path,
                source: FileSource::Text(json),
            }),
        }
    }
}

/// Plans the CI workflow and the pre-commit configuration the spec asks for.
pub fn plan_tooling(project: &Project, plan: &mut RenderPlan) {
    if project.tooling.github_actions.is_some() {
        plan.template(
            ".github/workflows/infrastructure.yml",
            "github_workflow.yml.tera",
            context::tooling(project),
        );
    }
    if project.tooling.pre_commit {
        plan.template(
            ".pre-commit-config.yaml",
            "pre-commit-config.yaml.tera",
            context::tooling(project),
        );
    }
}

/// `env`'s part of the README: its context and its part of the flowchart.
fn readme_parts(project: &Project, env: &Environment, units: &[Unit]) -> (Value, String) {
    (
        context::readme_environment(project, env, units),
        crate::graph::mermaid_environment(project, env, units),
    )
}

/// Plans the files of each of `environments` (unsorted) and records what they need from the
/// shared part. An environment's plan depends on nothing but the project and itself, so
/// environments can be planned (and rendered) one at a time, or on several threads.
pub fn plan_environments<'p>(
    project: &Project,
    environments: impl IntoIterator<Item = &'p Environment>,
    plan: &mut RenderPlan,
    shared: &mut Shared,
) {
    let Shared {
        modules,
        ecr_policies,
        readme,
    } = shared;
    for env in environments {
        let base = format!("{}/infrastructure", env.name);
        // One context for every file of the environment, shared, not copied.
        let env_context = Arc::new(context::environment(project, env));
        plan.template(
            format!("{base}/common_vars.hcl"),
            "common_vars.hcl.tera",
            env_context.clone(),
        );
        // What a unit without an overrides.hcl of its own includes instead (see the unit header).
        plan.template(
            format!("{base}/no_overrides.hcl"),
            "no_overrides.hcl.tera",
            TemplateContext::from(json!({ "spec_name": project.spec_name })).reusable(),
        );
        plan.template(
            format!("{}/bootstrap.sh", env.name),
            "bootstrap.sh.tera",
            context::bootstrap(project, env),
        );

        if env.packer.is_some() {
            plan.template(
                format!("{}/packer.pkrvars.hcl", env.name),
                "packer.pkrvars.hcl.tera",
                env_context.clone(),
            );
        }

        let units = units_for(project, env);
        readme.insert(env.name.clone(), readme_parts(project, env, &units));
        for unit in &units {
            modules.extend(unit.module.generated());
            let ctx = TemplateContext::from(env_context.clone()).with("unit", unit.to_context());
            plan.template(
                format!("{base}/{}/terragrunt.hcl", unit.name),
                &unit.template(),
                ctx,
            );
        }
        // One shared dependency block per unit that others depend on.
        let depended_on: BTreeSet<&str> = units
            .iter()
            .flat_map(|u| u.dependencies.iter().map(String::as_str))
            .collect();
        for unit in units
            .iter()
            .filter(|u| depended_on.contains(u.name.as_str()))
        {
            let ctx = json!({
                "spec_name": project.spec_name,
                "dependency": unit.name,
                "mock_outputs": unit.mock_outputs,
            });
            plan.template(
                format!("{base}/dependency_blocks/{}.hcl", unit.name),
                "dependency_block.hcl.tera",
                TemplateContext::from(ctx).reusable(),
            );
        }
        if units::uses_ecr(env) {
            ecr_policies.insert(
                format!("Modules/AWS_ECR/{}", context::ecr_policy_path(env)),
                env.ecr.clone(),
            );
        }
    }
}
