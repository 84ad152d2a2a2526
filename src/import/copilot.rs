//! `tgforge import copilot DIR`: a Copilot Load Balanced Web Service as a tgforge spec.
//!
//! Follows Copilot's documented manifest schema (aws/copilot-cli, `site/content/docs/manifest/`
//! `lb-web-service.en.md` and `environment.en.md`):
//! - `copilot/.workspace` names the application (`application: NAME`), which becomes the project;
//! - `copilot/<service>/manifest.yml` of `type: Load Balanced Web Service` gives the app: image
//!   (`location`, or `build` for the environment's ECR repository), `image.port`, `cpu`,
//!   `memory`, `count` (a number, or `range` + `cpu_percentage` autoscaling), the health check
//!   path, `variables`, `secrets` (SSM parameter names), `logging.retention`, and
//!   `http.alias` (with `hosted_zone`, tgforge requests the certificates in that zone). Its
//!   `environments:` section overrides any of these per environment, merged the way Copilot
//!   merges it (mappings key by key, anything else replaced);
//! - `copilot/environments/<env>/manifest.yml` gives the network (`network.vpc.cidr`, the
//!   public and private subnets with their zones), the ALB certificate
//!   (`http.public.certificates`) and the CDN (`cdn`, with `cdn.certificate`).
//!
//! Copilot keeps region and account outside the workspace (in the application's SSM
//! parameters), so they are read from what the environment manifest reveals (subnet zones,
//! certificate ARNs) or from `--region` / `--account-id`. Everything else without a tgforge
//! equivalent is listed, with its file and line, never silently dropped.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_yaml::Value;

use super::files::{LocatedFile, entry_names, file_line, parse_yaml, split_file_line, subfolders};
use super::spec_writer::{Map, Node, set_environments};
use super::{Imported, input_error};
use crate::Failure;
use crate::spec::source_map::SourceMap;
use crate::validate::rules::{is_dns_label, is_env_var_name, is_parameter_suffix, looks_secret};

/// Options from the command line.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The service to import when the workspace has several Load Balanced Web Services.
    pub service: Option<String>,
    /// Region of environments whose manifest does not reveal it.
    pub region: Option<String>,
    /// Account of environments whose manifest does not reveal it.
    pub account_id: Option<String>,
    /// The spec's file name.
    pub spec_name: String,
}

const LBWS: &str = "Load Balanced Web Service";

/// A parsed manifest with the positions of its keys.
struct Manifest {
    /// Shown in messages, relative to the workspace (`copilot/api/manifest.yml`).
    rel: String,
    path: PathBuf,
    /// The workspace root (the folder holding `copilot/`), for paths in error messages.
    root: PathBuf,
    value: Value,
    positions: SourceMap,
}

impl Manifest {
    fn read(copilot: &Path, rel: &str) -> Result<Manifest, Failure> {
        let path = copilot.join(rel);
        let bytes = std::fs::read(&path)
            .map_err(|e| input_error(&path, None, &format!("cannot be read: {e}"), None))?;
        // The same limits as for a spec: libyaml's time grows with the square of the depth.
        if bytes.len() > crate::spec::load::MAX_SPEC_BYTES {
            return Err(input_error(
                &path,
                None,
                &format!(
                    "is {} bytes; a manifest of at most {} is accepted",
                    bytes.len(),
                    crate::spec::load::MAX_SPEC_BYTES
                ),
                None,
            ));
        }
        let text = String::from_utf8(bytes)
            .map_err(|_| input_error(&path, None, "is not UTF-8 text", None))?;
        let positions = SourceMap::index(&text);
        if let Some(p) = positions.too_deep() {
            return Err(input_error(
                &path,
                Some(p.line),
                &format!(
                    "nests deeper than {} levels",
                    crate::spec::source_map::MAX_INDEXED_DEPTH
                ),
                Some("Copilot manifests nest a few levels deep"),
            ));
        }
        let mut value = parse_yaml(&path, &text)?;
        // `<<: *anchor` merge keys, which YAML 1.1 tools (Copilot among them) apply.
        value.apply_merge().map_err(|e| {
            input_error(
                &path,
                None,
                &format!("has a merge key (`<<`) that cannot be applied: {e}"),
                None,
            )
        })?;
        if !value.is_mapping() {
            return Err(input_error(
                &path,
                Some(1),
                "is not a YAML mapping",
                Some("a Copilot manifest is a mapping with `name` and `type`"),
            ));
        }
        let root = copilot.parent().map(Path::to_path_buf).unwrap_or_default();
        Ok(Manifest {
            rel: format!("copilot/{rel}"),
            path,
            root,
            value,
            positions,
        })
    }

    fn type_name(&self) -> Option<&str> {
        self.value.get("type").and_then(Value::as_str)
    }
}

impl LocatedFile for Manifest {
    fn rel(&self) -> &str {
        &self.rel
    }

    fn path(&self) -> &Path {
        &self.path
    }

    fn line(&self, field: &str) -> Option<usize> {
        self.positions.find(field).map(|p| p.line)
    }
}

/// The service manifest as one environment sees it: the base with that environment's
/// overrides merged in, and where each field was written.
struct ServiceView<'a> {
    manifest: &'a Manifest,
    env: String,
    value: Value,
}

impl ServiceView<'_> {
    /// `file:line` of `field`, in the environment's override when it sets it.
    fn at(&self, field: &str) -> String {
        let positions = &self.manifest.positions;
        let mut current = field;
        loop {
            if let Some(p) = positions.exact(&format!("environments.{}.{current}", self.env)) {
                return file_line(&self.manifest.rel, Some(p.line));
            }
            match current.rfind(['.', '[']) {
                Some(cut) => current = &current[..cut],
                None => break,
            }
        }
        self.manifest.at(field)
    }

    fn get(&self, path: &str) -> Option<&Value> {
        path.split('.').try_fold(&self.value, |v, k| v.get(k))
    }
}

/// Copilot's override rule: mappings merge key by key, anything else is replaced.
fn merge(base: &Value, over: &Value) -> Value {
    match (base, over) {
        (Value::Mapping(b), Value::Mapping(o)) => {
            let mut merged = b.clone();
            for (k, v) in o {
                let value = match merged.get(k) {
                    Some(existing) => merge(existing, v),
                    None => v.clone(),
                };
                merged.insert(k.clone(), value);
            }
            Value::Mapping(merged)
        }
        (_, Value::Null) => base.clone(),
        _ => over.clone(),
    }
}

/// A YAML scalar as text (numbers and booleans as written).
fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn as_u32(v: &Value) -> Option<u32> {
    v.as_u64().and_then(|n| u32::try_from(n).ok())
}

fn keys(v: &Value) -> Vec<String> {
    v.as_mapping()
        .map(|m| m.keys().filter_map(scalar).collect())
        .unwrap_or_default()
}

/// What a Copilot field is, for the list of what was not imported.
fn describe(field: &str) -> &'static str {
    match field {
        "sidecars" => "sidecar containers",
        "storage" => {
            "ephemeral storage and volumes (tgforge's `addons.efs` is a file system of its own)"
        }
        "publish" => "SNS topics (publish/subscribe)",
        "logging" => "FireLens log routing",
        "observability" => "tracing (X-Ray)",
        "taskdef_overrides" => "CloudFormation task definition overrides",
        "exec" => "ECS Exec",
        "deployment" => "deployment strategy and rollback alarms",
        "entrypoint" => "entrypoint override (tgforge runs the image's own)",
        "command" => "command override (tgforge runs the image's own)",
        "platform" => "platform (OS/architecture)",
        "nlb" => "Network Load Balancer",
        "env_file" => "environment variable file in S3",
        "network" => "service networking (Service Connect, placement, extra security groups)",
        "image" => "image setting",
        "http" => "load balancer setting (tgforge's ALB forwards every path to the app)",
        "count" => "scaling setting (tgforge scales on average CPU only)",
        "cdn" => "CDN setting",
        _ => "no tgforge equivalent",
    }
}

/// Reads the workspace at `dir` (the folder holding `copilot/`, or `copilot/` itself).
pub fn import(dir: &Path, options: &Options) -> Result<Imported, Failure> {
    let copilot = if dir.join("copilot").join(".workspace").is_file() {
        dir.join("copilot")
    } else if dir.join(".workspace").is_file() {
        dir.to_path_buf()
    } else {
        return Err(input_error(
            &dir.join("copilot/.workspace"),
            None,
            "not found: not a Copilot workspace",
            Some("pass the folder holding `copilot/` (the one where `copilot init` ran)"),
        ));
    };
    let mut imported = Imported::default();

    let workspace = Manifest::read(&copilot, ".workspace")?;
    let application = workspace
        .value
        .get("application")
        .and_then(Value::as_str)
        .ok_or_else(|| {
            workspace.error(
                "application",
                "has no `application`",
                Some("`copilot app init` writes `application: NAME` here"),
            )
        })?
        .to_string();
    let project = project_name(&application);
    if project != application {
        imported.note(
            workspace.at("application"),
            format!("application `{application}` becomes project `{project}` (a lowercase DNS label of at most 24 characters)"),
        );
    }

    let service = choose_service(&copilot, options, &mut imported)?;
    list_other_copilot_files(&copilot, &service, &mut imported);

    // Environments: those with a manifest, else those the service overrides.
    let mut env_manifests: BTreeMap<String, Manifest> = BTreeMap::new();
    for name in subfolders(&copilot.join("environments")) {
        let rel = format!("environments/{name}/manifest.yml");
        if copilot.join(&rel).is_file() {
            env_manifests.insert(name, Manifest::read(&copilot, &rel)?);
        }
    }
    let overrides = service
        .value
        .get("environments")
        .cloned()
        .unwrap_or(Value::Null);
    let mut env_names: BTreeSet<String> = env_manifests.keys().cloned().collect();
    if env_names.is_empty() {
        env_names.extend(keys(&overrides));
    }
    for name in keys(&overrides) {
        if !env_names.contains(&name) {
            imported.dropped(
                service.at(&format!("environments.{name}")),
                format!("overrides for environment `{name}`, which has no manifest under copilot/environments/"),
            );
        }
    }
    if env_names.is_empty() {
        return Err(input_error(
            &copilot.join("environments"),
            None,
            "has no environment manifest (and the service overrides no environment)",
            Some(
                "`copilot env init` writes copilot/environments/<env>/manifest.yml; `copilot env show --manifest` prints one",
            ),
        ));
    }

    let mut base = service.value.clone();
    if let Some(m) = base.as_mapping_mut() {
        m.remove("environments");
    }
    let mut envs: Vec<(String, Map)> = Vec::new();
    let mut first_region = None;
    for name in &env_names {
        if !is_dns_label(name, 16) {
            let at = env_manifests
                .get(name)
                .map(|m| m.path.clone())
                .unwrap_or_else(|| service.path.clone());
            return Err(input_error(
                &at,
                None,
                &format!("environment `{name}` has a name tgforge cannot use"),
                Some(
                    "tgforge environment names are 1-16 lowercase letters, digits and hyphens, starting with a letter; rename the environment",
                ),
            ));
        }
        let view = ServiceView {
            manifest: &service,
            env: name.clone(),
            value: merge(&base, overrides.get(name.as_str()).unwrap_or(&Value::Null)),
        };
        let env = environment(
            name,
            env_manifests.get(name),
            &view,
            &service,
            options,
            &application,
            &mut imported,
        )?;
        if first_region.is_none() {
            first_region = match env.get("region") {
                Some(Node::Str(r)) => Some(r.clone()),
                _ => None,
            };
        }
        envs.push((name.clone(), env));
    }

    imported.header = vec![
        format!(
            "Imported by `tgforge import copilot` from {}: application `{application}`, service `{}` ({LBWS}).",
            dir.display(),
            service.value.get("name").and_then(Value::as_str).unwrap_or("?")
        ),
        "Copilot's defaults apply where its manifests are silent (count 1, cpu 256, memory 512, health check /).".into(),
        "Copilot's per-environment overrides are merged into each environment; what they share is in `defaults`.".into(),
    ];

    let mut doc = Map::spaced();
    doc.set("project", project.as_str());
    let mut state = Map::new();
    state.set_commented(
        "bucket",
        format!("{project}-terraform-state"),
        &["Terraform state (Copilot keeps none): Terragrunt creates the bucket if missing."],
    );
    state.set("region", first_region.unwrap_or_default());
    state.set("locking", "dynamodb");
    doc.set("state", state);
    let mut tooling = Map::new();
    let mut gha = Map::new();
    gha.set_commented(
        "enabled",
        false,
        &["Copilot pipelines are not imported; set `ci_role_arn` per environment and remove this to get tgforge's CI workflow."],
    );
    tooling.set("github_actions", gha);
    doc.set("tooling", tooling);

    set_environments(&mut doc, envs);
    imported.document = doc;
    dedupe(&mut imported);
    Ok(imported)
}

/// The same base-manifest field is found once per environment: list it once.
fn dedupe(imported: &mut Imported) {
    // In file order, then line order, so the list reads like the workspace.
    let key = |at: &str| -> (String, usize) {
        let (file, line) = split_file_line(at);
        (file.to_string(), line.unwrap_or(0))
    };
    imported.dropped.sort_by_key(|f| key(&f.at));
    imported.notes.sort_by_key(|f| key(&f.at));
    let mut seen = BTreeSet::new();
    imported
        .dropped
        .retain(|f| seen.insert((f.at.clone(), f.what.clone())));
    let mut seen = BTreeSet::new();
    imported
        .notes
        .retain(|f| seen.insert((f.at.clone(), f.what.clone())));
}

/// A lowercase DNS label of at most 24 characters from Copilot's application name.
fn project_name(application: &str) -> String {
    let mut name: String = application
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    while name.contains("--") {
        name = name.replace("--", "-");
    }
    let name: String = name
        .trim_start_matches(|c: char| !c.is_ascii_lowercase())
        .chars()
        .take(24)
        .collect();
    let name = name.trim_end_matches('-').to_string();
    if name.is_empty() { "app".into() } else { name }
}

/// The Load Balanced Web Service to import; every other workload is listed as not imported.
fn choose_service(
    copilot: &Path,
    options: &Options,
    imported: &mut Imported,
) -> Result<Manifest, Failure> {
    let mut web: Vec<Manifest> = Vec::new();
    for name in subfolders(copilot) {
        if name == "environments" || name == "pipelines" {
            continue;
        }
        let rel = format!("{name}/manifest.yml");
        if !copilot.join(&rel).is_file() {
            continue;
        }
        let manifest = Manifest::read(copilot, &rel)?;
        match manifest.type_name() {
            Some(LBWS) => web.push(manifest),
            Some(other) => {
                if options.service.as_deref() == Some(name.as_str()) {
                    return Err(manifest.error(
                        "type",
                        &format!("service `{name}` is a {other}; tgforge imports a {LBWS}"),
                        Some("a Load Balanced Web Service on Fargate is what tgforge's Fargate stack builds"),
                    ));
                }
                let at = manifest.at("type");
                imported.dropped(
                    at,
                    format!("{other} `{name}`: only a {LBWS} maps onto tgforge"),
                );
            }
            None => {
                return Err(manifest.error(
                    "type",
                    "has no `type`",
                    Some(
                        "Copilot manifests name their type, e.g. `type: Load Balanced Web Service`",
                    ),
                ));
            }
        }
    }
    let chosen = match &options.service {
        Some(wanted) => {
            let i = web
                .iter()
                .position(|m| m.rel == format!("copilot/{wanted}/manifest.yml"))
                .ok_or_else(|| {
                    input_error(
                        &copilot.join(wanted).join("manifest.yml"),
                        None,
                        &format!("no {LBWS} named `{wanted}` in this workspace"),
                        Some(&format!(
                            "its web services: {}",
                            service_names(&web).join(", ")
                        )),
                    )
                })?;
            web.remove(i)
        }
        None if web.len() == 1 => web.remove(0),
        None if web.is_empty() => {
            return Err(input_error(
                copilot,
                None,
                &format!("has no {LBWS} (copilot/<service>/manifest.yml)"),
                Some("tgforge's Fargate stack is one web service behind an ALB"),
            ));
        }
        None => {
            return Err(input_error(
                copilot,
                None,
                &format!(
                    "has {} Load Balanced Web Services: {}",
                    web.len(),
                    service_names(&web).join(", ")
                ),
                Some("choose one with --service NAME (one spec holds one app)"),
            ));
        }
    };
    for other in &web {
        imported.dropped(
            other.at("type"),
            format!(
                "{LBWS} `{}`: not the one imported (--service)",
                service_names(std::slice::from_ref(other))[0]
            ),
        );
    }
    Ok(chosen)
}

fn service_names(manifests: &[Manifest]) -> Vec<String> {
    manifests
        .iter()
        .map(|m| {
            m.rel
                .trim_start_matches("copilot/")
                .trim_end_matches("/manifest.yml")
                .to_string()
        })
        .collect()
}

/// Addons, pipelines and other files Copilot deploys that tgforge does not.
fn list_other_copilot_files(copilot: &Path, service: &Manifest, imported: &mut Imported) {
    let service_dir = service
        .rel
        .trim_start_matches("copilot/")
        .trim_end_matches("/manifest.yml")
        .to_string();
    for (folder, what) in [
        (
            format!("{service_dir}/addons"),
            "addon CloudFormation template",
        ),
        (
            "environments/addons".to_string(),
            "environment addon CloudFormation template",
        ),
    ] {
        for file in entry_names(&copilot.join(&folder), Path::is_file).unwrap_or_default() {
            imported.dropped(format!("copilot/{folder}/{file}"), what);
        }
    }
    for name in subfolders(&copilot.join("pipelines")) {
        let rel = format!("copilot/pipelines/{name}/manifest.yml");
        if copilot
            .join(format!("pipelines/{name}/manifest.yml"))
            .is_file()
        {
            imported.dropped(rel, "Copilot pipeline (CodePipeline)");
        }
    }
    if copilot.join("pipeline.yml").is_file() {
        imported.dropped("copilot/pipeline.yml", "Copilot pipeline (CodePipeline)");
    }
}

/// Replaces Copilot's predefined variables (`${AWS_REGION}`, ...) it substitutes itself.
fn substitute(text: &str, vars: &[(&str, Option<&str>)]) -> String {
    let mut out = text.to_string();
    for (name, value) in vars {
        if let Some(v) = value {
            out = out.replace(&format!("${{{name}}}"), v);
        }
    }
    out
}

/// Region and account of an ARN (`arn:aws:acm:REGION:ACCOUNT:...`), where literal.
fn arn_region_account(arn: &str) -> (Option<String>, Option<String>) {
    let parts: Vec<&str> = arn.split(':').collect();
    let literal = |i: usize| {
        parts
            .get(i)
            .filter(|s| !s.is_empty() && !s.contains('$'))
            .map(|s| s.to_string())
    };
    (literal(3), literal(4))
}

/// One environment's section of the spec.
fn environment(
    name: &str,
    manifest: Option<&Manifest>,
    service: &ServiceView,
    service_manifest: &Manifest,
    options: &Options,
    application: &str,
    imported: &mut Imported,
) -> Result<Map, Failure> {
    let null = Value::Null;
    let env_value = manifest.map_or(&null, |m| &m.value);
    let env_at = |field: &str| match manifest {
        Some(m) => m.at(field),
        None => format!("copilot/environments/{name}"),
    };
    let env_get = |path: &str| path.split('.').try_fold(env_value, |v, k| v.get(k));

    // Known fields of the environment manifest; anything else is listed.
    for key in keys(env_value) {
        if !["name", "type", "network", "http", "cdn"].contains(&key.as_str()) {
            let what = match key.as_str() {
                "observability" => {
                    "Container Insights (tgforge's ECS cluster has its own settings)"
                }
                _ => "no tgforge equivalent",
            };
            imported.dropped(env_at(&key), format!("`{key}`: {what}"));
        }
    }

    // Network.
    let mut network = Map::new();
    let vpc = env_get("network.vpc");
    let mut zones: Vec<String> = Vec::new();
    let mut counts = (None, None);
    let mut prefix: Option<u8> = None;
    if let Some(vpc) = vpc {
        for key in keys(vpc) {
            match key.as_str() {
                "cidr" | "subnets" => {}
                "id" => imported.dropped(
                    env_at("network.vpc.id"),
                    "imported VPC: tgforge creates the environment's own VPC and subnets",
                ),
                _ => imported.dropped(
                    env_at(&format!("network.vpc.{key}")),
                    format!("`network.vpc.{key}`: no tgforge equivalent (tgforge's VPC has flow logs and its own security groups)"),
                ),
            }
        }
        if let Some(cidr) = vpc.get("cidr").and_then(Value::as_str) {
            network.set("vpc_cidr", cidr);
        }
        for (tier, slot) in [("public", 0), ("private", 1)] {
            let Some(subnets) = vpc
                .get("subnets")
                .and_then(|s| s.get(tier))
                .and_then(Value::as_sequence)
            else {
                continue;
            };
            let count = Some(subnets.len() as u32);
            if slot == 0 {
                counts.0 = count;
            } else {
                counts.1 = count;
            }
            for s in subnets {
                if let Some(az) = s.get("az").and_then(Value::as_str)
                    && !zones.iter().any(|z| z == az)
                {
                    zones.push(az.to_string());
                }
                if let Some(p) = s
                    .get("cidr")
                    .and_then(Value::as_str)
                    .and_then(|c| c.parse::<ipnet::Ipv4Net>().ok())
                {
                    prefix.get_or_insert(p.prefix_len());
                }
            }
            if subnets.iter().any(|s| s.get("cidr").is_some()) {
                imported.note(
                    env_at(&format!("network.vpc.subnets.{tier}")),
                    format!("the {tier} subnet CIDRs are computed by tgforge from `vpc_cidr` (count and size kept); compare them before moving workloads"),
                );
            }
        }
    }

    // Region and account: the manifest first, then the command line.
    let mut region = zones
        .first()
        .map(|z| {
            z.trim_end_matches(|c: char| c.is_ascii_lowercase())
                .to_string()
        })
        .filter(|r| !r.is_empty() && !r.contains('$'));
    let mut account = None;
    let certificates: Vec<String> = env_get("http.public.certificates")
        .and_then(Value::as_sequence)
        .map(|s| s.iter().filter_map(scalar).collect())
        .unwrap_or_default();
    let cdn_certificate = env_get("cdn.certificate").and_then(Value::as_str);
    for arn in certificates
        .iter()
        .map(String::as_str)
        .chain(cdn_certificate)
    {
        let (r, a) = arn_region_account(arn);
        // The CDN certificate is always in us-east-1: it says nothing about the region.
        if Some(arn) != cdn_certificate {
            region = region.or(r);
        }
        account = account.or(a);
    }
    let region = region.or_else(|| options.region.clone()).ok_or_else(|| {
        input_error(
            manifest.map_or(&service_manifest.path, |m| &m.path),
            None,
            &format!("the region of environment `{name}` is not in its manifest (no subnet zones, no certificate ARN)"),
            Some("Copilot keeps it outside the workspace (`copilot env show`): pass --region"),
        )
    })?;
    let account = account.or_else(|| options.account_id.clone()).ok_or_else(|| {
        input_error(
            manifest.map_or(&service_manifest.path, |m| &m.path),
            None,
            &format!("the account of environment `{name}` is not in its manifest (no certificate ARN)"),
            Some("Copilot keeps it outside the workspace (`copilot env show`): pass --account-id"),
        )
    })?;
    let vars = [
        ("AWS_REGION", Some(region.as_str())),
        ("AWS_ACCOUNT_ID", Some(account.as_str())),
        ("COPILOT_APPLICATION_NAME", Some(application)),
        ("COPILOT_ENVIRONMENT_NAME", Some(name)),
    ];
    let literal = |text: &str, at: String| -> Result<String, Failure> {
        let value = substitute(text, &vars);
        if value.contains("${") {
            return Err(error_at_place(
                &service_manifest.root,
                &at,
                &format!("`{text}` uses a variable tgforge cannot resolve"),
                Some(
                    "write the value itself (Copilot substitutes environment variables when it deploys)",
                ),
            ));
        }
        Ok(value)
    };

    if !zones.is_empty() {
        let n = zones.len() as u32;
        network.set("azs", n);
        if zones != crate::network::azs(&region, n) {
            network.set(
                "availability_zones",
                Node::List(zones.iter().map(Node::from).collect()),
            );
        }
    }
    if zones.is_empty()
        && let Some(n) = counts.0.max(counts.1).filter(|n| *n > 2)
    {
        // Without `az`, Copilot spreads the subnets over that many zones in alphabetical order.
        network.set("azs", n);
    }
    network.set_opt("public_subnets", counts.0);
    network.set_opt("private_subnets", counts.1);
    if let (Some(p), Some(Node::Str(cidr))) = (prefix, network.get("vpc_cidr").cloned())
        && let Ok(vpc) = cidr.parse::<ipnet::Ipv4Net>()
        && p != crate::network::default_subnet_prefix(vpc)
    {
        network.set("subnet_prefix", u32::from(p));
    }

    // The ALB certificate, the CDN and the service's alias.
    for key in keys(env_get("http").unwrap_or(&null)) {
        if key != "public" {
            imported.dropped(
                env_at(&format!("http.{key}")),
                format!("`http.{key}`: the internal load balancer (tgforge has one public ALB)"),
            );
        }
    }
    for key in keys(env_get("http.public").unwrap_or(&null)) {
        if key != "certificates" {
            imported.dropped(
                env_at(&format!("http.public.{key}")),
                format!("`http.public.{key}`: no tgforge equivalent"),
            );
        }
    }
    if certificates.len() > 1 {
        imported.dropped(
            env_at("http.public.certificates"),
            format!(
                "{} more certificate(s): tgforge's ALB has one",
                certificates.len() - 1
            ),
        );
    }

    let app = app(service, imported, &literal)?;
    let (domain, zone) = alias(service, imported);

    let mut env = Map::new();
    env.set("region", region.as_str());
    env.set("account_id", account.as_str());
    env.set_opt("domain", domain.as_ref());
    let provisioned = zone.is_some();
    if zone.is_some() && !certificates.is_empty() {
        imported.note(
            env_at("http.public.certificates"),
            "the certificate is not used: with the alias's hosted zone, tgforge requests and validates its own",
        );
    }
    if let Some(z) = &zone {
        env.set_commented(
            "route53_zone_id",
            z.as_str(),
            &["From `http.alias.hosted_zone`: tgforge requests and validates the certificates here."],
        );
    } else if let Some(arn) = certificates.first() {
        let at = env_at("http.public.certificates[0]");
        let arn = literal(arn, at.clone())?;
        check_certificate(&arn, &at, &service_manifest.root, false)?;
        env.set("certificate_arn", arn);
    } else {
        return Err(input_error(
            manifest.map_or(&service_manifest.path, |m| &m.path),
            manifest.and_then(|m| m.line("http")),
            &format!(
                "environment `{name}` has no certificate for the load balancer, and the service's alias no hosted zone"
            ),
            Some(
                "tgforge's ALB serves HTTPS: add `http.public.certificates` to the environment manifest, or `http.alias` with `hosted_zone` to the service",
            ),
        ));
    }

    // The CDN becomes tgforge's CloudFront (with S3 for static files) when it can be built.
    let cdn = env_get("cdn");
    let cdn_on = match cdn {
        Some(Value::Bool(b)) => *b,
        Some(Value::Mapping(_)) => true,
        _ => false,
    };
    let mut static_files = Map::new();
    if cdn_on {
        for key in keys(cdn.unwrap_or(&null)) {
            if key != "certificate" {
                imported.dropped(
                    env_at(&format!("cdn.{key}")),
                    format!("`cdn.{key}`: {}", describe("cdn")),
                );
            }
        }
        let certificate = cdn_certificate.map(|c| literal(c, env_at("cdn.certificate")));
        match (&domain, provisioned, certificate) {
            (Some(_), true, _) => {
                static_files.set("enabled", true);
            }
            (Some(_), false, Some(cert)) => {
                let cert = cert?;
                check_certificate(
                    &cert,
                    &env_at("cdn.certificate"),
                    &service_manifest.root,
                    true,
                )?;
                env.set("cloudfront_certificate_arn", cert);
                static_files.set("enabled", true);
            }
            _ => {
                imported.dropped(
                    env_at("cdn"),
                    "`cdn`: tgforge's CloudFront needs the service's alias and either its hosted zone or `cdn.certificate` (us-east-1)",
                );
                static_files.set("enabled", false);
            }
        }
    } else {
        static_files.set_commented(
            "enabled",
            false,
            &["Copilot serves no CDN here; tgforge can add S3 + CloudFront for static files."],
        );
    }
    env.set_map("network", network);
    env.set("app", app);
    let mut database = Map::new();
    database.set_commented(
        "engine",
        "postgres",
        &["tgforge's stack always has a Postgres database; Copilot storage addons are listed at the top."],
    );
    env.set("database", database);
    env.set("static_files", static_files);
    Ok(env)
}

/// An input error at `at`, a place of the report (`copilot/...:LINE`, relative to the
/// workspace `root`).
fn error_at_place(root: &Path, at: &str, message: &str, hint: Option<&str>) -> Failure {
    let (file, line) = split_file_line(at);
    input_error(&root.join(file), line, message, hint)
}

/// An ACM certificate ARN tgforge can use (CloudFront's in us-east-1), or a located error.
fn check_certificate(arn: &str, at: &str, root: &Path, cloudfront: bool) -> Result<(), Failure> {
    let error = |message: String, hint: &str| error_at_place(root, at, &message, Some(hint));
    match crate::validate::rules::parse_acm_arn(arn) {
        None => Err(error(
            format!("`{arn}` is not an ACM certificate ARN"),
            "arn:aws:acm:REGION:ACCOUNT:certificate/ID, with a 12-digit account and a hexadecimal id",
        )),
        Some(parsed) if cloudfront && parsed.region != "us-east-1" => Err(error(
            format!("the CDN certificate `{arn}` is not in us-east-1"),
            "CloudFront only accepts certificates from us-east-1",
        )),
        Some(_) => Ok(()),
    }
}

/// The service's `http.alias`: the first name as the domain, its hosted zone if any.
fn alias(service: &ServiceView, imported: &mut Imported) -> (Option<String>, Option<String>) {
    let mut zone = service
        .get("http.hosted_zone")
        .and_then(Value::as_str)
        .map(str::to_string);
    let mut names: Vec<String> = Vec::new();
    match service.get("http.alias") {
        Some(Value::String(s)) => names.push(s.clone()),
        Some(Value::Sequence(items)) => {
            for item in items {
                match item {
                    Value::String(s) => names.push(s.clone()),
                    Value::Mapping(_) => {
                        if let Some(n) = item.get("name").and_then(Value::as_str) {
                            names.push(n.to_string());
                        }
                        if zone.is_none() {
                            zone = item
                                .get("hosted_zone")
                                .and_then(Value::as_str)
                                .map(str::to_string);
                        }
                    }
                    _ => {}
                }
            }
        }
        _ => {}
    }
    if names.len() > 1 {
        imported.dropped(
            service.at("http.alias"),
            format!(
                "aliases {}: tgforge serves one domain",
                names[1..].join(", ")
            ),
        );
    }
    (names.into_iter().next(), zone)
}

/// The `app` section from the service (as this environment sees it).
fn app(
    service: &ServiceView,
    imported: &mut Imported,
    literal: &dyn Fn(&str, String) -> Result<String, Failure>,
) -> Result<Map, Failure> {
    let mut app = Map::new();
    let handled = [
        "name",
        "type",
        "image",
        "http",
        "cpu",
        "memory",
        "count",
        "variables",
        "secrets",
        "logging",
        "network",
    ];
    for key in keys(&service.value) {
        if !handled.contains(&key.as_str()) {
            imported.dropped(service.at(&key), format!("`{key}`: {}", describe(&key)));
        }
    }

    // Image and port.
    let image = service.get("image");
    for key in keys(image.unwrap_or(&Value::Null)) {
        match key.as_str() {
            "location" | "port" => {}
            "build" => imported.note(
                service.at("image.build"),
                "the image is built by Copilot: build and push it to the environment's ECR repository (see the generated README)",
            ),
            _ => imported.dropped(
                service.at(&format!("image.{key}")),
                format!("`image.{key}`: {}", describe("image")),
            ),
        }
    }
    if let Some(location) = service.get("image.location").and_then(Value::as_str) {
        app.set("image", literal(location, service.at("image.location"))?);
    }
    app.set_opt("port", service.get("image.port").and_then(as_u32));
    app.set_opt("cpu", service.get("cpu").and_then(as_u32));
    app.set_opt("memory", service.get("memory").and_then(as_u32));

    // Count and autoscaling.
    match service.get("count") {
        Some(Value::Number(n)) => {
            if let Some(n) = n.as_u64().and_then(|n| u32::try_from(n).ok()) {
                app.set("desired_count", n);
                app.set("min_count", n);
                app.set_commented("max_count", n, &["A fixed count in Copilot: no scaling."]);
            }
        }
        Some(count @ Value::Mapping(_)) => {
            let (min, max) = match count.get("range") {
                Some(Value::String(r)) => {
                    let mut parts = r.split('-').map(|p| p.trim().parse::<u32>().ok());
                    (parts.next().flatten(), parts.next().flatten())
                }
                Some(range @ Value::Mapping(_)) => {
                    if range.get("spot_from").is_some() {
                        imported.dropped(
                            service.at("count.range.spot_from"),
                            "`count.range.spot_from`: Fargate Spot (tgforge runs on-demand Fargate)",
                        );
                    }
                    (
                        range.get("min").and_then(as_u32),
                        range.get("max").and_then(as_u32),
                    )
                }
                _ => (None, None),
            };
            if let (Some(min), Some(max)) = (min, max) {
                app.set("desired_count", min);
                app.set("min_count", min);
                app.set("max_count", max);
            }
            let cpu = count.get("cpu_percentage").and_then(|c| match c {
                Value::Mapping(_) => c.get("value").and_then(as_u32),
                other => as_u32(other),
            });
            if let Some(cpu) = cpu {
                app.set("cpu_target", cpu);
            }
            for key in keys(count) {
                if !["range", "cpu_percentage"].contains(&key.as_str()) {
                    imported.dropped(
                        service.at(&format!("count.{key}")),
                        format!("`count.{key}`: {}", describe("count")),
                    );
                }
            }
            if count
                .get("cpu_percentage")
                .and_then(|c| c.get("cooldown"))
                .is_some()
            {
                imported.dropped(
                    service.at("count.cpu_percentage.cooldown"),
                    "`count.cpu_percentage.cooldown`: tgforge's target tracking uses AWS's default cooldowns",
                );
            }
            if cpu.is_none() && min.is_some() {
                imported.note(
                    service.at("count"),
                    "Copilot scales on other metrics here; tgforge scales on average CPU (70% unless `cpu_target`)",
                );
            }
        }
        _ => {}
    }

    // The load balancer's health check.
    let http = service.get("http");
    match http {
        Some(Value::Bool(false)) => imported.dropped(
            service.at("http"),
            "`http: false` (no ALB, NLB only): tgforge always puts an ALB in front",
        ),
        Some(Value::Mapping(_)) => {
            for key in keys(http.unwrap_or(&Value::Null)) {
                match key.as_str() {
                    "healthcheck" | "alias" | "hosted_zone" => {}
                    "path" => {
                        if service.get("http.path").and_then(Value::as_str) != Some("/") {
                            imported.dropped(
                                service.at("http.path"),
                                "`http.path`: tgforge's ALB forwards every path to the app",
                            );
                        }
                    }
                    _ => imported.dropped(
                        service.at(&format!("http.{key}")),
                        format!("`http.{key}`: {}", describe("http")),
                    ),
                }
            }
        }
        _ => {}
    }
    match service.get("http.healthcheck") {
        Some(Value::String(path)) => app.set("health_check_path", path.as_str()),
        Some(hc @ Value::Mapping(_)) => {
            app.set_opt("health_check_path", hc.get("path").and_then(Value::as_str));
            for key in keys(hc) {
                if key != "path" {
                    imported.dropped(
                        service.at(&format!("http.healthcheck.{key}")),
                        format!("`http.healthcheck.{key}`: tgforge's health check uses AWS's defaults besides the path"),
                    );
                }
            }
        }
        _ => {}
    }

    // Plain variables and secrets.
    let mut environment = Map::new();
    if let Some(vars) = service.get("variables").and_then(Value::as_mapping) {
        for (k, v) in vars {
            let Some(k) = scalar(k) else { continue };
            let at = service.at(&format!("variables.{k}"));
            match scalar(v) {
                Some(_) if !is_env_var_name(&k) => imported.dropped(at, format!("variable `{k}`: not a valid environment variable name for tgforge")),
                Some(_) if looks_secret(&k) => imported.dropped(
                    at,
                    format!("variable `{k}`: its name says it is a secret; store it in Parameter Store and add it to `app.secrets`"),
                ),
                Some(_) if crate::validate::platform::ENDPOINT_VARIABLES.contains(&k.as_str()) => imported.dropped(
                    at,
                    format!("variable `{k}`: tgforge sets it itself"),
                ),
                Some(value) => {
                    if value.contains("${") {
                        imported.note(
                            at,
                            format!("variable `{k}` uses `${{...}}`, which Copilot substitutes at deploy time; tgforge passes the text as written"),
                        );
                    }
                    environment.set(&k, value)
                }
                None => imported.dropped(at, format!("variable `{k}`: `from_cfn` (a CloudFormation export)")),
            }
        }
    }
    app.set_map("environment", environment);

    let mut secrets = Map::new();
    if let Some(items) = service.get("secrets").and_then(Value::as_mapping) {
        for (k, v) in items {
            let Some(k) = scalar(k) else { continue };
            let at = service.at(&format!("secrets.{k}"));
            match v.as_str() {
                Some(_) if crate::validate::platform::ENDPOINT_VARIABLES.contains(&k.as_str()) => imported.dropped(
                    at,
                    format!("secret `{k}`: tgforge sets it itself"),
                ),
                Some(parameter) => {
                    let suffix = parameter_suffix(parameter);
                    if !is_env_var_name(&k) || !is_parameter_suffix(&suffix) {
                        imported.dropped(at, format!("secret `{k}`: a name tgforge cannot use"));
                        continue;
                    }
                    imported.note(
                        at,
                        format!("secret `{k}`: tgforge reads `<project>-<env>_{suffix}`; copy the value of SSM parameter `{parameter}` there (the bootstrap script prompts for it)"),
                    );
                    secrets.set(&k, suffix);
                }
                None => imported.dropped(
                    at,
                    format!("secret `{k}`: Secrets Manager or `from_cfn` (tgforge reads Parameter Store)"),
                ),
            }
        }
    }
    app.set_map("secrets", secrets);

    // Logging: the retention maps, FireLens does not.
    if let Some(logging) = service.get("logging") {
        if let Some(days) = logging.get("retention").and_then(as_u32) {
            app.set("log_retention_days", days);
        }
        for key in keys(logging) {
            if key != "retention" {
                imported.dropped(
                    service.at(&format!("logging.{key}")),
                    format!("`logging.{key}`: {}", describe("logging")),
                );
            }
        }
    }
    if let Some(network) = service.get("network") {
        for key in keys(network) {
            let private = key == "vpc"
                && keys(network.get("vpc").unwrap_or(&Value::Null)) == ["placement"]
                && network
                    .get("vpc")
                    .and_then(|v| v.get("placement"))
                    .and_then(Value::as_str)
                    == Some("private");
            if private {
                continue;
            }
            imported.dropped(
                service.at(&format!("network.{key}")),
                format!(
                    "`network.{key}`: {} (tgforge runs tasks in private subnets)",
                    describe("network")
                ),
            );
        }
    }
    Ok(app)
}

/// A Parameter Store suffix from a Copilot SSM parameter name: its last path segment
/// (`/copilot/app/prod/secrets/DB_PASSWORD` -> `DB_PASSWORD`).
fn parameter_suffix(parameter: &str) -> String {
    parameter
        .rsplit('/')
        .next()
        .unwrap_or(parameter)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_merge_like_copilot() {
        let base: Value = serde_yaml::from_str(
            "count: {range: 1-10, cpu_percentage: 70}\ncpu: 256\nvariables: {A: a}",
        )
        .unwrap();
        let over: Value = serde_yaml::from_str("count: 2\nvariables: {B: b}").unwrap();
        let merged = merge(&base, &over);
        assert_eq!(merged["count"], Value::from(2));
        assert_eq!(merged["cpu"], Value::from(256));
        assert_eq!(merged["variables"]["A"], Value::from("a"));
        assert_eq!(merged["variables"]["B"], Value::from("b"));
    }

    #[test]
    fn project_names_are_dns_labels() {
        assert_eq!(project_name("My_Shop"), "my-shop");
        assert_eq!(
            project_name("a-very-long-application-name-indeed"),
            "a-very-long-application"
        );
        assert_eq!(
            parameter_suffix("/copilot/shop/prod/secrets/DB_PASSWORD"),
            "DB_PASSWORD"
        );
    }
}
