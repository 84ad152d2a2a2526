//! Validation: the loaded spec becomes a `Project`, or every problem found is reported at once.
//!
//! Each environment is resolved field by field (defaults applied, names and CIDRs computed);
//! each rule adds a located diagnostic instead of stopping, so a person fixes all in one pass.

mod app;
mod database;
mod environment;
mod instance_class;
mod network;
pub(crate) mod platform;
pub(crate) mod rules;
pub(crate) mod tooling;
mod units;

use crate::diagnostic::{Diagnostic, SpecErrors};
use crate::project::{Project, State};
use crate::spec::LoadedSpec;
use crate::spec::model::StateLocking;

pub use rules::{is_dns_label, looks_secret};

/// Collects diagnostics for one environment, locating each field where it was written.
pub(crate) struct EnvCheck<'a> {
    pub spec: &'a LoadedSpec,
    pub env: &'a str,
    pub diagnostics: &'a mut Vec<Diagnostic>,
}

impl EnvCheck<'_> {
    /// Reports a problem with `field` (relative to the environment).
    pub fn error(&mut self, field: &str, message: impl Into<String>) -> &mut Diagnostic {
        let d = self.spec.env_diagnostic(self.env, field, message);
        self.diagnostics.push(d);
        self.diagnostics.last_mut().expect("just pushed")
    }

    /// Reports `key` at `field` unless it is a valid environment variable name; whether it is.
    pub fn env_var_name(&mut self, field: &str, key: &str) -> bool {
        let valid = rules::is_env_var_name(key);
        if !valid {
            self.error(
                field,
                format!(
                    "`{}` is not a valid environment variable name",
                    key.escape_debug()
                ),
            );
        }
        valid
    }

    /// Reports `suffix` at `field` unless it is a valid Parameter Store name suffix; the error
    /// reported, for a hint.
    pub fn parameter_suffix(&mut self, field: &str, suffix: &str) -> Option<&mut Diagnostic> {
        (!rules::is_parameter_suffix(suffix)).then(|| {
            self.error(
                field,
                format!(
                    "`{}` is not a valid Parameter Store name suffix",
                    suffix.escape_debug()
                ),
            )
        })
    }

    /// Reports a required field that neither the environment nor `defaults` sets.
    pub fn missing(&mut self, field: &str, example: &str) {
        self.error(
            field,
            "missing required field (set it in the environment or in `defaults`)",
        )
        .hint = Some(format!("for example `{example}`"));
    }
}

/// Validates a loaded spec and resolves it into a `Project`, without a tree: the spec's own
/// units with a module in the tree are not checked against it (and have no mocks).
pub fn validate(spec: &LoadedSpec) -> Result<Project, SpecErrors> {
    validate_in(spec, None)
}

/// Validates a loaded spec for the tree at `tree` (when given): the modules of the spec's own
/// units are read there.
pub fn validate_in(
    spec: &LoadedSpec,
    tree: Option<&std::path::Path>,
) -> Result<Project, SpecErrors> {
    let mut diagnostics = Vec::new();
    let doc = &spec.document;

    if !is_dns_label(&doc.project, 24) {
        diagnostics.push(
            spec.diagnostic("project", format!("`{}` is not a valid project name", doc.project.escape_debug()))
                .with_hint("use 1-24 lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen; it prefixes S3 buckets, ALBs, RDS identifiers and Parameter Store names"),
        );
    }
    let state = resolve_state(spec, &mut diagnostics);
    let ejected_modules = resolve_ejected_modules(spec, &mut diagnostics);
    let tooling = tooling::resolve(spec, &mut diagnostics);

    let mut environments = Vec::new();
    for (name, merged) in &spec.merged_environments {
        if !is_dns_label(name, 16) {
            diagnostics.push(
                spec.diagnostic(&format!("environments.{name}"), format!("`{}` is not a valid environment name", name.escape_debug()))
                    .with_hint("use 1-16 lowercase letters, digits and hyphens, starting with a letter; it names a folder and prefixes AWS names"),
            );
            continue;
        }
        // The name is a folder of the generated tree: a device name on Windows cannot be
        // checked out there (and `con/` would be a broken tree for half the team).
        if crate::output::paths::is_windows_reserved(name) {
            diagnostics.push(
                spec.diagnostic(&format!("environments.{name}"), format!("`{name}` is a name Windows reserves for a device"))
                    .with_hint("the environment names a folder, which Windows cannot create with this name; pick another (for example `{name}-env`)".replace("{name}", name)),
            );
            continue;
        }
        let mut check = EnvCheck {
            spec,
            env: name,
            diagnostics: &mut diagnostics,
        };
        if let Some(env) = environment::resolve(&mut check, merged) {
            environments.push(env);
        }
    }

    if !diagnostics.is_empty() {
        return Err(spec.errors(diagnostics));
    }
    // Name order: output never depends on the order environments were written in.
    environments.sort_by(|a, b| a.name.cmp(&b.name));
    let spec_name = std::path::Path::new(&spec.display_path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| spec.display_path.clone());
    let mut project = Project {
        name: doc.project.clone(),
        spec_name,
        state: state.expect("no diagnostics means the state resolved"),
        environments,
        tooling: tooling.expect("no diagnostics means the tooling resolved"),
        ejected_modules,
    };
    // The spec's own units read the built-in ones, which need the resolved environment.
    units::resolve_all(spec, &mut project, tree, &mut diagnostics);
    if !diagnostics.is_empty() {
        return Err(spec.errors(diagnostics));
    }
    Ok(project)
}

/// The modules the spec hands over to the user: each must be one tgforge has.
fn resolve_ejected_modules(
    spec: &LoadedSpec,
    diagnostics: &mut Vec<Diagnostic>,
) -> std::collections::BTreeSet<String> {
    let known = crate::plan::module_names();
    let mut ejected = std::collections::BTreeSet::new();
    for (i, name) in spec.document.ejected_modules.iter().enumerate() {
        if known.contains(name.as_str()) {
            ejected.insert(name.clone());
            continue;
        }
        let hint = match crate::diagnostic::did_you_mean(name, known.iter().copied()) {
            Some(close) => format!("did you mean `{close}`?"),
            None => format!(
                "the modules are {}",
                known.iter().copied().collect::<Vec<_>>().join(", ")
            ),
        };
        diagnostics.push(
            spec.diagnostic(
                &format!("ejected_modules[{i}]"),
                format!(
                    "`{}` is not a module tgforge generates",
                    name.escape_debug()
                ),
            )
            .with_hint(hint),
        );
    }
    ejected
}

fn resolve_state(spec: &LoadedSpec, diagnostics: &mut Vec<Diagnostic>) -> Option<State> {
    let s = &spec.document.state;
    let before = diagnostics.len();
    if !rules::is_s3_bucket_name(&s.bucket) {
        diagnostics.push(
            spec.diagnostic("state.bucket", format!("`{}` is not a valid S3 bucket name", s.bucket.escape_debug()))
                .with_hint("3-63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit"),
        );
    }
    rules::check_region(&s.region, |m, h| {
        diagnostics.push(spec.diagnostic("state.region", m).with_hint(h));
    });
    if let Some(p) = &s.profile
        && !rules::is_profile_name(p)
    {
        diagnostics.push(
            spec.diagnostic("state.profile", "not a valid AWS CLI profile name")
                .with_hint("letters, digits and . _ - only"),
        );
    }
    let lock_table = s
        .lock_table
        .clone()
        .unwrap_or_else(|| format!("{}-locks", s.bucket));
    if s.locking == StateLocking::Dynamodb && !rules::is_dynamodb_table_name(&lock_table) {
        diagnostics.push(
            spec.diagnostic(
                "state.lock_table",
                format!(
                    "`{}` is not a valid DynamoDB table name",
                    lock_table.escape_debug()
                ),
            )
            .with_hint("3-255 letters, digits, `_`, `-` and `.`"),
        );
    }
    // Several accounts without one named state profile: a bucket per account, so each
    // environment's own credentials create and reach its state (docs/deployment.md).
    let accounts: std::collections::BTreeSet<&str> = spec
        .merged_environments
        .iter()
        .filter_map(|(_, e)| e.account_id.as_deref())
        .collect();
    let per_account = accounts.len() > 1 && s.profile.is_none();
    // One named state profile for several accounts is refused: in CI each environment reaches
    // its state with its own account's role, so the bucket would need a cross-account policy
    // for every CI role, and the S3 backend looks the DynamoDB lock table up in the caller's
    // account, so local runs (the state profile) and CI (the environment's role) would lock
    // in different tables. A bucket per account needs neither (docs/deployment.md).
    if accounts.len() > 1
        && let Some(profile) = &s.profile
    {
        diagnostics.push(
            spec.diagnostic(
                "state.profile",
                format!(
                    "one state profile (`{}`) for environments in {} AWS accounts: each account's CI role would reach state in another account, which needs a cross-account bucket policy and splits the DynamoDB lock between accounts",
                    profile.escape_debug(),
                    accounts.len()
                ),
            )
            .with_hint("remove `state.profile`: each account then gets its own state bucket, `<state.bucket>-<account id>`, created by that environment's bootstrap.sh with its own profile"),
        );
    }
    if per_account && s.bucket.len() + 13 > 63 {
        diagnostics.push(
            spec.diagnostic(
                "state.bucket",
                format!(
                    "`{}` is too long to name one bucket per account (`<bucket>-<account id>`, at most 63 characters)",
                    s.bucket.escape_debug()
                ),
            )
            .with_hint("the environments use several AWS accounts, so each gets its own state bucket: shorten the name to 50 characters"),
        );
    }
    (diagnostics.len() == before).then(|| State {
        bucket: s.bucket.clone(),
        per_account,
        region: s.region.clone(),
        profile: s.profile.clone(),
        locking: s.locking,
        lock_table,
    })
}
