//! The validated project: every default applied, every value checked, every name and CIDR
//! computed. Rendering reads only this, never the raw spec.

use std::collections::BTreeMap;

use ipnet::Ipv4Net;

pub use crate::spec::model::{
    ComputePlatform, DatabaseEngine, IacTool, MasterPassword, NatMode, StateLocking,
};

#[derive(Debug, Clone, PartialEq)]
pub struct Project {
    pub name: String,
    /// The spec's file name (no folders), recorded in generated headers.
    pub spec_name: String,
    pub state: State,
    /// In name order, so output never depends on the spec's key order.
    pub environments: Vec<Environment>,
    pub tooling: Tooling,
    /// Modules tgforge no longer writes (`Modules/<Name>`): the user's now.
    pub ejected_modules: std::collections::BTreeSet<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Tooling {
    pub iac: IacTool,
    /// The Terragrunt version the tree is run with (pinned in CI, named in the docs).
    pub terragrunt_version: String,
    pub github_actions: Option<GithubActions>,
    pub pre_commit: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GithubActions {
    pub spec_path: String,
    pub tree_path: String,
    pub tgforge_install: String,
    pub terragrunt_version: String,
    pub iac_version: String,
}

impl Tooling {
    /// The Terragrunt command running a command over every unit of a folder: `run --all` from
    /// 0.77 (the CLI redesign; `run-all` is deprecated there and removed later), `run-all`
    /// before.
    pub fn terragrunt_run_all(&self) -> &'static str {
        let numbers: Vec<u32> = self
            .terragrunt_version
            .split('.')
            .filter_map(|p| p.parse().ok())
            .collect();
        if numbers.as_slice() >= [0, 77, 0].as_slice() {
            "run --all"
        } else {
            "run-all"
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct State {
    /// The spec's bucket name; with `per_account`, the stem of each account's bucket name.
    pub bucket: String,
    /// One bucket per AWS account (`<bucket>-<account id>`): set when the environments span
    /// several accounts and no `state.profile` names one account holding all the state. S3
    /// bucket names are global, so a second account could neither create nor read the first
    /// account's bucket with its own credentials.
    pub per_account: bool,
    pub region: String,
    pub profile: Option<String>,
    pub locking: StateLocking,
    pub lock_table: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Environment {
    pub name: String,
    pub region: String,
    pub profile: String,
    pub account_id: String,
    pub domain: Option<String>,
    pub origin_domain: Option<String>,
    pub ci_role_arn: Option<String>,
    /// Given ARNs; both `None` when `route53_zone_id` provisions the certificates.
    pub certificate_arn: Option<String>,
    pub cloudfront_certificate_arn: Option<String>,
    /// Hosted zone of `domain`: certificates and alias records are provisioned in it.
    pub route53_zone_id: Option<String>,
    pub compute: Compute,
    pub tags: BTreeMap<String, String>,
    pub network: Network,
    pub app: App,
    pub database: Database,
    pub static_files: Option<StaticFiles>,
    pub ecr: Ecr,
    pub addons: Addons,
    pub migrations: Option<Migrations>,
    pub packer: Option<Packer>,
    /// The spec's own units (`units:`), in an order where each comes after its dependencies;
    /// they come after every built-in unit, which never reads them.
    pub units: Vec<crate::unit::Unit>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Compute {
    pub platform: ComputePlatform,
    pub instance_type: String,
    pub health_check_grace_period: u32,
    pub root_volume_size: u32,
    /// Fargate: `apply` waits for the service's steady state.
    pub wait_for_steady_state: bool,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Addons {
    pub redis: Option<Redis>,
    pub memcached: Option<Memcached>,
    pub efs: Option<Efs>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Redis {
    pub node_type: String,
    pub engine_version: String,
    pub nodes: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Memcached {
    pub node_type: String,
    pub engine_version: String,
    pub nodes: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Efs {
    pub mount_path: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Migrations {
    /// Git repository to build from; `None` runs inside the app's ECR image.
    pub repository: Option<String>,
    pub branch: String,
    pub command: String,
    /// Also run `collectstatic` (uploading to the static files bucket, when there is one).
    pub collectstatic: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Packer {
    pub app_repository: String,
    pub app_ref: String,
    pub instance_type: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Aurora {
    pub min_capacity: f64,
    pub max_capacity: f64,
    pub instance_count: u32,
    pub data_api: bool,
    pub database_name: String,
    pub master_username: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Network {
    pub vpc_cidr: Ipv4Net,
    pub azs: Vec<String>,
    pub public_subnets: Vec<Ipv4Net>,
    pub private_subnets: Vec<Ipv4Net>,
    /// Isolated tier, one per AZ; empty when the spec does not ask for it.
    pub database_subnets: Vec<Ipv4Net>,
    pub nat: NatMode,
}

#[derive(Debug, Clone, PartialEq)]
pub struct App {
    /// Explicit image; `None` means the environment's ECR repository.
    pub image: Option<String>,
    pub image_tag: String,
    pub port: u16,
    pub cpu: u32,
    pub memory: u32,
    pub desired_count: u32,
    pub min_count: u32,
    pub max_count: u32,
    pub cpu_target: u32,
    pub health_check_path: String,
    pub environment: BTreeMap<String, String>,
    /// Container variable -> Parameter Store name suffix.
    pub secrets: BTreeMap<String, String>,
    pub log_retention_days: u32,
    /// Container variable -> suffix of a parameter tgforge generates and stores.
    pub generated_secrets: BTreeMap<String, String>,
    pub settings_module: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Database {
    pub engine: DatabaseEngine,
    pub master_password: MasterPassword,
    /// Set for `aurora_serverless`.
    pub aurora: Option<Aurora>,
    pub engine_version: String,
    pub instance_class: String,
    pub allocated_storage: u32,
    pub max_allocated_storage: u32,
    pub backup_retention_days: u32,
    pub multi_az: bool,
    pub deletion_protection: bool,
    /// Parameter Store name suffixes.
    pub db_name_parameter: String,
    pub username_parameter: String,
    pub password_parameter: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StaticFiles {
    pub price_class: String,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Ecr {
    /// Keep this many newest images (generated policy).
    KeepNewest(u32),
    /// A policy file given by the user: its file name and its (validated) JSON text.
    PolicyFile { file_name: String, json: String },
}

impl State {
    /// The state bucket of `env`'s units.
    pub fn bucket_for(&self, env: &Environment) -> String {
        if self.per_account {
            format!("{}-{}", self.bucket, env.account_id)
        } else {
            self.bucket.clone()
        }
    }
}

impl Environment {
    /// The `PROJECT-ENVIRONMENT` prefix shared by resource and parameter names.
    pub fn prefix(&self, project: &str) -> String {
        format!("{project}-{}", self.name)
    }

    /// The full Parameter Store name for a suffix: `PROJECT-ENVIRONMENT_SUFFIX`, as the
    /// reference system names them.
    pub fn parameter_name(&self, project: &str, suffix: &str) -> String {
        format!("{}_{suffix}", self.prefix(project))
    }

    /// The app's generated secrets: variable -> full Parameter Store name.
    pub fn generated_parameters(&self, project: &str) -> BTreeMap<String, String> {
        self.app
            .generated_secrets
            .iter()
            .map(|(var, suffix)| (var.clone(), self.parameter_name(project, suffix)))
            .collect()
    }
}
