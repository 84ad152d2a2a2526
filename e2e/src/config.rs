//! Reading one unit's `terragrunt.hcl` the way Terragrunt does, for the subset tgforge writes:
//! `include` (merge strategies `no_merge`, `shallow`, `deep`, and `expose`), `locals`,
//! `dependency` / `dependencies`, `terraform { source }`, `generate`, `remote_state`, `inputs`
//! and the version/binary attributes. Anything else is an error: a construct the harness does
//! not understand must not be silently skipped.
//!
//! Loading happens in two steps because a unit's dependencies must be known (and applied)
//! before its inputs can be evaluated: [`LoadedUnit::load`] evaluates includes, locals and
//! dependency blocks; [`LoadedUnit::evaluate`] evaluates everything else with the
//! dependencies' outputs.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use anyhow::{Context as _, Result, anyhow, bail};
use hcl::eval::{Context, Evaluate};
use hcl::{Block, Body, Expression, Value};

use crate::functions::{self, UnitScope, with_scope};

/// A `dependency` block after evaluation.
#[derive(Debug, Clone, PartialEq)]
pub struct Dependency {
    pub name: String,
    /// Absolute, normalised directory of the dependency unit.
    pub config_path: PathBuf,
    pub mock_outputs: Option<Value>,
    /// `None`: the attribute is absent, which Terragrunt reads as "every command".
    pub mock_outputs_allowed_terraform_commands: Option<Vec<String>>,
    /// `mock_outputs_merge_strategy_with_state`: `None` ("no_merge") or `Some("shallow")`.
    pub merge_mocks_with_state: Option<String>,
    pub skip_outputs: bool,
}

/// A `generate` block (or the `generate` of `remote_state`).
#[derive(Debug, Clone, PartialEq)]
pub struct Generate {
    pub path: String,
    pub if_exists: String,
    pub contents: String,
    pub disable_signature: bool,
    pub comment_prefix: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RemoteState {
    pub backend: String,
    /// Where Terragrunt would write the backend block (the harness writes local state there).
    pub generate_path: Option<String>,
    pub config: Value,
}

/// Everything the runner needs from one unit, fully evaluated and merged.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UnitConfig {
    pub dir: PathBuf,
    pub source: Option<String>,
    pub inputs: hcl::Map<String, Value>,
    pub generate: BTreeMap<String, Generate>,
    pub remote_state: Option<RemoteState>,
    pub terraform_binary: Option<String>,
    pub terraform_version_constraint: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MergeStrategy {
    NoMerge,
    Shallow,
    Deep,
}

/// One file of the unit (an included file or the unit's own) with its evaluated locals.
#[derive(Debug, Clone)]
struct SourceFile {
    path: PathBuf,
    body: Body,
    scope: UnitScope,
    locals: hcl::Map<String, Value>,
    /// `Some` for included files.
    include: Option<IncludeInfo>,
}

#[derive(Debug, Clone)]
struct IncludeInfo {
    name: String,
    merge_strategy: MergeStrategy,
    expose: bool,
}

/// A unit whose includes, locals and dependency blocks are evaluated.
#[derive(Debug, Clone)]
pub struct LoadedUnit {
    pub dir: PathBuf,
    /// Included files in declaration order, then the unit's own file.
    files: Vec<SourceFile>,
    /// Merged `dependency` blocks by name (the unit's own win over included ones).
    pub dependencies: BTreeMap<String, Dependency>,
    /// `dependencies { paths }`: ordering-only dependencies.
    pub ordering_paths: Vec<PathBuf>,
}

const UNIT_ATTRIBUTES: &[&str] = &[
    "inputs",
    "terraform_binary",
    "terraform_version_constraint",
    "terragrunt_version_constraint",
];
const UNIT_BLOCKS: &[&str] = &[
    "locals",
    "include",
    "dependency",
    "dependencies",
    "terraform",
    "generate",
    "remote_state",
];

impl LoadedUnit {
    /// Reads `dir/terragrunt.hcl`, its includes, locals and dependency blocks.
    pub fn load(dir: &Path, env: &BTreeMap<String, String>) -> Result<LoadedUnit> {
        let dir = normalize(&std::path::absolute(dir)?);
        let path = dir.join("terragrunt.hcl");
        let body = parse_file(&path)?;
        check_known_constructs(&path, &body)?;
        let child_scope = UnitScope {
            terragrunt_dir: dir.clone(),
            include_path: None,
            env: env.clone(),
        };

        let mut files = Vec::new();
        for block in body.blocks().filter(|b| b.identifier() == "include") {
            let name = block
                .labels()
                .first()
                .map(|l| l.as_str().to_string())
                .unwrap_or_default();
            let attrs = eval_block_attrs(block, &child_scope, &hcl::Map::new(), &hcl::Map::new())
                .with_context(|| format!("{}: include {name:?}", path.display()))?;
            let inc_path = match attrs.get("path") {
                Some(Value::String(p)) => normalize(&dir.join(p)),
                _ => bail!("{}: include {name:?} needs a string `path`", path.display()),
            };
            let merge_strategy = match attrs.get("merge_strategy").and_then(Value::as_str) {
                None | Some("shallow") => MergeStrategy::Shallow,
                Some("no_merge") => MergeStrategy::NoMerge,
                Some("deep") => MergeStrategy::Deep,
                Some(other) => bail!(
                    "{}: include {name:?}: unknown merge_strategy {other:?}",
                    path.display()
                ),
            };
            let expose = attrs
                .get("expose")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            let inc_body = parse_file(&inc_path)?;
            check_known_constructs(&inc_path, &inc_body)?;
            if inc_body.blocks().any(|b| b.identifier() == "include") {
                bail!(
                    "{}: nested include is not supported by Terragrunt",
                    inc_path.display()
                );
            }
            let scope = UnitScope {
                include_path: Some(inc_path.clone()),
                ..child_scope.clone()
            };
            let locals = eval_locals(&inc_path, &inc_body, &scope, &hcl::Map::new())?;
            files.push(SourceFile {
                path: inc_path,
                body: inc_body,
                scope,
                locals,
                include: Some(IncludeInfo {
                    name,
                    merge_strategy,
                    expose,
                }),
            });
        }
        let exposed = exposed_includes(&files);
        let locals = eval_locals(&path, &body, &child_scope, &exposed)?;
        files.push(SourceFile {
            path: path.clone(),
            body,
            scope: child_scope,
            locals,
            include: None,
        });

        let mut dependencies = BTreeMap::new();
        let mut ordering_paths = Vec::new();
        for file in &files {
            let mut vars = hcl::Map::new();
            vars.insert("local".to_string(), Value::Object(file.locals.clone()));
            vars.insert("include".to_string(), Value::Object(exposed.clone()));
            for block in file.body.blocks() {
                match block.identifier() {
                    "dependency" => {
                        let dep = eval_dependency(&dir, file, block, &vars)?;
                        dependencies.insert(dep.name.clone(), dep);
                    }
                    "dependencies" => {
                        let attrs = eval_block_attrs(block, &file.scope, &file.locals, &exposed)?;
                        if let Some(Value::Array(paths)) = attrs.get("paths") {
                            for p in paths {
                                let p = p.as_str().ok_or_else(|| {
                                    anyhow!(
                                        "{}: dependencies.paths must be strings",
                                        file.path.display()
                                    )
                                })?;
                                ordering_paths.push(normalize(&dir.join(p)));
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        Ok(LoadedUnit {
            dir,
            files,
            dependencies,
            ordering_paths,
        })
    }

    /// Evaluates inputs, `terraform`, `generate` and `remote_state` of every file with the
    /// dependencies' outputs (`dependency.NAME.outputs`), then merges included files under
    /// the unit's own as each include's merge strategy says.
    pub fn evaluate(&self, outputs: &BTreeMap<String, Value>) -> Result<UnitConfig> {
        let mut dependency = hcl::Map::new();
        for name in self.dependencies.keys() {
            let mut obj = hcl::Map::new();
            if let Some(v) = outputs.get(name) {
                obj.insert("outputs".to_string(), v.clone());
            }
            dependency.insert(name.clone(), Value::Object(obj));
        }
        let exposed = exposed_includes(&self.files);
        let mut merged = UnitConfig {
            dir: self.dir.clone(),
            ..Default::default()
        };
        for file in &self.files {
            let mut vars = hcl::Map::new();
            vars.insert("local".to_string(), Value::Object(file.locals.clone()));
            vars.insert("dependency".to_string(), Value::Object(dependency.clone()));
            vars.insert("include".to_string(), Value::Object(exposed.clone()));
            let part = eval_file(file, &vars)
                .with_context(|| format!("evaluating {}", file.path.display()))?;
            let strategy = file
                .include
                .as_ref()
                .map(|i| i.merge_strategy)
                .unwrap_or(MergeStrategy::Shallow);
            merge_into(&mut merged, part, strategy);
        }
        Ok(merged)
    }
}

/// `read_terragrunt_config(path)`: the file's locals and top-level attributes.
pub fn read_config_value(path: &Path, env: &BTreeMap<String, String>) -> Result<Value> {
    let path = normalize(&std::path::absolute(path)?);
    let body = parse_file(&path)?;
    let scope = UnitScope {
        terragrunt_dir: path.parent().unwrap_or(Path::new("/")).to_path_buf(),
        include_path: None,
        env: env.clone(),
    };
    let locals = eval_locals(&path, &body, &scope, &hcl::Map::new())?;
    let mut vars = hcl::Map::new();
    vars.insert("local".to_string(), Value::Object(locals.clone()));
    let mut out = hcl::Map::new();
    for attr in body.attributes() {
        let v = eval_expr(attr.expr(), &scope, &vars)
            .with_context(|| format!("{}: {}", path.display(), attr.key()))?;
        out.insert(attr.key().to_string(), v);
    }
    out.insert("locals".to_string(), Value::Object(locals));
    Ok(Value::Object(out))
}

fn parse_file(path: &Path) -> Result<Body> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    hcl::parse(&text).with_context(|| format!("parsing {}", path.display()))
}

fn check_known_constructs(path: &Path, body: &Body) -> Result<()> {
    for attr in body.attributes() {
        if !UNIT_ATTRIBUTES.contains(&attr.key()) {
            bail!(
                "{}: attribute `{}` is not supported by the harness",
                path.display(),
                attr.key()
            );
        }
    }
    for block in body.blocks() {
        if !UNIT_BLOCKS.contains(&block.identifier()) {
            bail!(
                "{}: block `{}` is not supported by the harness",
                path.display(),
                block.identifier()
            );
        }
    }
    Ok(())
}

fn eval_expr(
    expr: &Expression,
    scope: &UnitScope,
    vars: &hcl::Map<String, Value>,
) -> Result<Value> {
    with_scope(scope.clone(), || {
        let mut ctx: Context = functions::context();
        for (k, v) in vars {
            ctx.declare_var(k.as_str(), v.clone());
        }
        expr.evaluate(&ctx).map_err(|e| anyhow!("{e}"))
    })
}

/// Locals may refer to each other in any order: evaluate until nothing changes.
fn eval_locals(
    path: &Path,
    body: &Body,
    scope: &UnitScope,
    exposed: &hcl::Map<String, Value>,
) -> Result<hcl::Map<String, Value>> {
    let mut pending: Vec<(String, Expression)> = Vec::new();
    for block in body.blocks().filter(|b| b.identifier() == "locals") {
        for attr in block.body().attributes() {
            pending.push((attr.key().to_string(), attr.expr().clone()));
        }
        if block.body().blocks().next().is_some() {
            bail!("{}: blocks inside locals are not valid", path.display());
        }
    }
    let mut done = hcl::Map::new();
    while !pending.is_empty() {
        let mut errors = Vec::new();
        let before = pending.len();
        let mut still = Vec::new();
        for (name, expr) in pending {
            let mut vars = hcl::Map::new();
            vars.insert("local".to_string(), Value::Object(done.clone()));
            vars.insert("include".to_string(), Value::Object(exposed.clone()));
            match eval_expr(&expr, scope, &vars) {
                Ok(v) => {
                    done.insert(name, v);
                }
                Err(e) => {
                    errors.push(format!("local.{name}: {e:#}"));
                    still.push((name, expr));
                }
            }
        }
        if still.len() == before {
            bail!(
                "{}: cannot evaluate locals: {}",
                path.display(),
                errors.join("; ")
            );
        }
        pending = still;
    }
    Ok(done)
}

fn eval_block_attrs(
    block: &Block,
    scope: &UnitScope,
    locals: &hcl::Map<String, Value>,
    exposed: &hcl::Map<String, Value>,
) -> Result<hcl::Map<String, Value>> {
    let mut vars = hcl::Map::new();
    vars.insert("local".to_string(), Value::Object(locals.clone()));
    vars.insert("include".to_string(), Value::Object(exposed.clone()));
    let mut out = hcl::Map::new();
    for attr in block.body().attributes() {
        out.insert(
            attr.key().to_string(),
            eval_expr(attr.expr(), scope, &vars).with_context(|| attr.key().to_string())?,
        );
    }
    Ok(out)
}

fn exposed_includes(files: &[SourceFile]) -> hcl::Map<String, Value> {
    let mut out = hcl::Map::new();
    for file in files {
        if let Some(inc) = file.include.as_ref().filter(|i| i.expose) {
            let mut obj = hcl::Map::new();
            obj.insert("locals".to_string(), Value::Object(file.locals.clone()));
            // Attributes that need no dependency outputs are exposed too.
            let mut vars = hcl::Map::new();
            vars.insert("local".to_string(), Value::Object(file.locals.clone()));
            for attr in file.body.attributes() {
                if let Ok(v) = eval_expr(attr.expr(), &file.scope, &vars) {
                    obj.insert(attr.key().to_string(), v);
                }
            }
            out.insert(inc.name.clone(), Value::Object(obj));
        }
    }
    out
}

fn eval_dependency(
    dir: &Path,
    file: &SourceFile,
    block: &Block,
    vars: &hcl::Map<String, Value>,
) -> Result<Dependency> {
    let name = block
        .labels()
        .first()
        .map(|l| l.as_str().to_string())
        .ok_or_else(|| anyhow!("{}: dependency block without a name", file.path.display()))?;
    let ctx_err = || format!("{}: dependency {name:?}", file.path.display());
    let mut dep = Dependency {
        name: name.clone(),
        config_path: PathBuf::new(),
        mock_outputs: None,
        mock_outputs_allowed_terraform_commands: None,
        merge_mocks_with_state: None,
        skip_outputs: false,
    };
    let mut has_path = false;
    for attr in block.body().attributes() {
        let v = eval_expr(attr.expr(), &file.scope, vars).with_context(ctx_err)?;
        match attr.key() {
            "config_path" => {
                let p = v
                    .as_str()
                    .ok_or_else(|| anyhow!("{}: config_path must be a string", ctx_err()))?;
                dep.config_path = normalize(&dir.join(p));
                has_path = true;
            }
            "mock_outputs" => dep.mock_outputs = Some(v),
            "mock_outputs_allowed_terraform_commands" => {
                let Value::Array(items) = v else {
                    bail!(
                        "{}: mock_outputs_allowed_terraform_commands must be a list",
                        ctx_err()
                    )
                };
                dep.mock_outputs_allowed_terraform_commands = Some(
                    items
                        .iter()
                        .filter_map(|i| i.as_str().map(str::to_string))
                        .collect(),
                );
            }
            "skip_outputs" => dep.skip_outputs = v.as_bool().unwrap_or(false),
            "mock_outputs_merge_strategy_with_state" => match v.as_str() {
                Some("no_merge") => dep.merge_mocks_with_state = None,
                Some("shallow") => dep.merge_mocks_with_state = Some("shallow".into()),
                other => bail!(
                    "mock_outputs_merge_strategy_with_state {other:?} is not supported by the harness"
                ),
            },
            other => bail!(
                "{}: attribute `{other}` is not supported by the harness",
                ctx_err()
            ),
        }
    }
    if !has_path {
        bail!("{}: config_path is required", ctx_err());
    }
    Ok(dep)
}

/// What one file contributes before merging.
fn eval_file(file: &SourceFile, vars: &hcl::Map<String, Value>) -> Result<UnitConfig> {
    let mut out = UnitConfig::default();
    for attr in file.body.attributes() {
        let v =
            eval_expr(attr.expr(), &file.scope, vars).with_context(|| attr.key().to_string())?;
        match attr.key() {
            "inputs" => match v {
                Value::Object(m) => out.inputs = m,
                other => bail!("inputs must be an object, got {other}"),
            },
            "terraform_binary" => out.terraform_binary = v.as_str().map(str::to_string),
            "terraform_version_constraint" => {
                out.terraform_version_constraint = v.as_str().map(str::to_string)
            }
            _ => {}
        }
    }
    for block in file.body.blocks() {
        match block.identifier() {
            "terraform" => {
                if block.body().blocks().next().is_some() {
                    bail!(
                        "terraform: nested blocks (hooks, extra_arguments) are not supported by the harness"
                    );
                }
                for attr in block.body().attributes() {
                    let v = eval_expr(attr.expr(), &file.scope, vars)
                        .with_context(|| format!("terraform.{}", attr.key()))?;
                    match attr.key() {
                        "source" => {
                            out.source = Some(
                                v.as_str()
                                    .ok_or_else(|| anyhow!("terraform.source must be a string"))?
                                    .to_string(),
                            )
                        }
                        other => bail!("terraform.{other} is not supported by the harness"),
                    }
                }
            }
            "generate" => {
                let name = block
                    .labels()
                    .first()
                    .map(|l| l.as_str().to_string())
                    .unwrap_or_default();
                let attrs = eval_attrs(block.body(), &file.scope, vars)
                    .with_context(|| format!("generate {name:?}"))?;
                if attrs.get("disable").and_then(Value::as_bool) == Some(true) {
                    continue;
                }
                out.generate.insert(
                    name.clone(),
                    generate_from(&attrs).with_context(|| format!("generate {name:?}"))?,
                );
            }
            "remote_state" => {
                let attrs = eval_attrs(block.body(), &file.scope, vars).context("remote_state")?;
                let backend = attrs
                    .get("backend")
                    .and_then(Value::as_str)
                    .ok_or_else(|| anyhow!("remote_state.backend is required"))?;
                let generate_path = match attrs.get("generate") {
                    Some(Value::Object(g)) => Some(
                        g.get("path")
                            .and_then(Value::as_str)
                            .ok_or_else(|| anyhow!("remote_state.generate.path is required"))?
                            .to_string(),
                    ),
                    _ => None,
                };
                out.remote_state = Some(RemoteState {
                    backend: backend.to_string(),
                    generate_path,
                    config: attrs.get("config").cloned().unwrap_or(Value::Null),
                });
            }
            _ => {}
        }
    }
    Ok(out)
}

fn eval_attrs(
    body: &Body,
    scope: &UnitScope,
    vars: &hcl::Map<String, Value>,
) -> Result<hcl::Map<String, Value>> {
    if let Some(b) = body.blocks().next() {
        bail!(
            "nested block `{}` is not supported by the harness",
            b.identifier()
        );
    }
    let mut out = hcl::Map::new();
    for attr in body.attributes() {
        out.insert(
            attr.key().to_string(),
            eval_expr(attr.expr(), scope, vars).with_context(|| attr.key().to_string())?,
        );
    }
    Ok(out)
}

fn generate_from(attrs: &hcl::Map<String, Value>) -> Result<Generate> {
    let s = |k: &str| attrs.get(k).and_then(Value::as_str).map(str::to_string);
    Ok(Generate {
        path: s("path").ok_or_else(|| anyhow!("path is required"))?,
        if_exists: s("if_exists").ok_or_else(|| anyhow!("if_exists is required"))?,
        contents: s("contents").ok_or_else(|| anyhow!("contents is required"))?,
        disable_signature: attrs
            .get("disable_signature")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        comment_prefix: s("comment_prefix").unwrap_or_else(|| "# ".to_string()),
    })
}

/// Terragrunt's include merge: `shallow` lets the unit's top-level values replace the
/// included ones (inputs merged key by key, generate blocks by name); `deep` also merges
/// nested maps of inputs and concatenates their lists; `no_merge` ignores the included file.
fn merge_into(target: &mut UnitConfig, part: UnitConfig, strategy: MergeStrategy) {
    if strategy == MergeStrategy::NoMerge {
        return;
    }
    if part.source.is_some() {
        target.source = part.source;
    }
    for (k, v) in part.inputs {
        let merged = match (strategy, target.inputs.shift_remove(&k)) {
            (MergeStrategy::Deep, Some(old)) => deep_merge(old, v),
            _ => v,
        };
        target.inputs.insert(k, merged);
    }
    target.generate.extend(part.generate);
    if part.remote_state.is_some() {
        target.remote_state = part.remote_state;
    }
    if part.terraform_binary.is_some() {
        target.terraform_binary = part.terraform_binary;
    }
    if part.terraform_version_constraint.is_some() {
        target.terraform_version_constraint = part.terraform_version_constraint;
    }
}

fn deep_merge(old: Value, new: Value) -> Value {
    match (old, new) {
        (Value::Object(mut a), Value::Object(b)) => {
            for (k, v) in b {
                let merged = match a.shift_remove(&k) {
                    Some(o) => deep_merge(o, v),
                    None => v,
                };
                a.insert(k, merged);
            }
            Value::Object(a)
        }
        (Value::Array(mut a), Value::Array(b)) => {
            a.extend(b);
            Value::Array(a)
        }
        (_, new) => new,
    }
}

/// Lexically resolves `.` and `..` (the paths here are built by string concatenation).
pub fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}
