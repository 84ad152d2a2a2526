//! The typed spec: what a person writes in the YAML file.
//!
//! `SpecDocument` is the file as written. `defaults` and every entry of `environments` share
//! the shape of `EnvironmentSpec`; the loader deep-merges `defaults` under each environment and
//! only then deserializes the result into `EnvironmentSpec`, so a field that is required per
//! environment may come from either place.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The whole spec file.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SpecDocument {
    /// Project name: a lowercase DNS-style label (letters, digits, hyphens). It prefixes every
    /// AWS resource name and every Parameter Store name (`PROJECT-ENVIRONMENT_NAME`).
    pub project: String,
    /// Where Terraform keeps its state: one S3 bucket for all environments, one key per unit.
    pub state: StateSpec,
    /// Settings shared by every environment. Deep-merged under each environment: maps merge
    /// key by key, any other value set in an environment replaces the default.
    #[serde(default)]
    pub defaults: Option<EnvironmentSpec>,
    /// The environments to generate (for example `production`, `staging`), by name.
    pub environments: BTreeMap<String, EnvironmentSpec>,
    /// The tools the generated repository runs with, and its CI.
    #[serde(default)]
    pub tooling: Option<ToolingSpec>,
    /// Modules handed over to you, by folder name under `Modules/` (e.g. `AWS_VPC`): tgforge
    /// stops writing them (their files stay, yours to edit; eject after a first `gen`), the
    /// units keep using them, and every `gen` warns, with file and line, when the module no
    /// longer has a variable a unit passes or an output another unit reads.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ejected_modules: Vec<String>,
}

/// Tools and automation of the generated repository.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ToolingSpec {
    /// `terraform` (>= 1.5) or `opentofu` (>= 1.6; Terragrunt then runs `tofu`).
    pub iac: Option<IacTool>,
    /// A GitHub Actions workflow checking and planning the tree on pull requests.
    pub github_actions: Option<GithubActionsSpec>,
    /// Write a `.pre-commit-config.yaml` with the usual Terraform hooks. Default true.
    pub pre_commit: Option<bool>,
}

/// Terraform or OpenTofu.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum IacTool {
    #[default]
    Terraform,
    Opentofu,
}

/// The CI workflow of the infra repository.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GithubActionsSpec {
    /// Generate `.github/workflows/infrastructure.yml`. Default true; each environment then
    /// needs `ci_role_arn`.
    pub enabled: Option<bool>,
    /// Path of this spec in the infra repository, for `tgforge gen --check`. Default: the spec's
    /// file name at the repository root.
    pub spec_path: Option<String>,
    /// Folder of the generated tree in the infra repository. Default `.` (the root, where
    /// GitHub looks for `.github/workflows`).
    pub tree_path: Option<String>,
    /// Where the workflow gets tgforge, pinned: a git repository and commit, or a release
    /// archive and its SHA-256, of the tgforge that generates the tree (the one `gen --check`
    /// must match). Required with the workflow unless `tgforge_install` is given: tgforge is
    /// not assumed to be on crates.io.
    pub tgforge_source: Option<TgforgeSource>,
    /// A shell command that installs tgforge on the runner, instead of `tgforge_source`. A
    /// `cargo install` must pin the version (`--version`, `--rev` or `--tag`).
    pub tgforge_install: Option<String>,
    /// Terragrunt version installed on the runner. Default `0.77.22`.
    pub terragrunt_version: Option<String>,
    /// Terraform or OpenTofu version installed on the runner. Default `1.10.0` (both have it).
    pub iac_version: Option<String>,
}

/// A pinned source of tgforge for CI: `git` + `rev`, or `release_url` + `sha256`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TgforgeSource {
    /// HTTPS URL of a git repository holding tgforge (installed with `cargo install --git`).
    pub git: Option<String>,
    /// The commit of `git` to build: 40 hexadecimal digits.
    pub rev: Option<String>,
    /// HTTPS URL of a `.tar.gz` release archive with the `tgforge` binary at its root.
    pub release_url: Option<String>,
    /// SHA-256 of the archive at `release_url` (64 hexadecimal digits), checked before use.
    pub sha256: Option<String>,
}

/// Remote state configuration written into `root.hcl`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StateSpec {
    /// S3 bucket holding the state files (Terragrunt creates it, versioned and encrypted, if
    /// it does not exist).
    pub bucket: String,
    /// Region of the state bucket.
    pub region: String,
    /// AWS CLI profile used to reach the state bucket. Default: each environment's profile.
    /// Refused when the environments use several AWS accounts (each gets its own bucket).
    #[serde(default)]
    pub profile: Option<String>,
    /// State locking: `dynamodb` (a lock table; works with every Terraform >= 1.5) or
    /// `s3_lockfile` (S3 native locking; needs Terraform >= 1.10 or OpenTofu >= 1.10).
    #[serde(default)]
    pub locking: StateLocking,
    /// Lock table name when `locking: dynamodb`. Default: `<bucket>-locks`.
    #[serde(default)]
    pub lock_table: Option<String>,
}

/// How concurrent Terraform runs are kept from writing the same state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum StateLocking {
    #[default]
    Dynamodb,
    S3Lockfile,
}

/// One environment. Every field may be given in `defaults` instead.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnvironmentSpec {
    /// AWS region of the environment, e.g. `eu-central-1`.
    pub region: Option<String>,
    /// AWS CLI profile Terraform uses for this environment.
    pub profile: Option<String>,
    /// The 12-digit AWS account id (quote it in YAML so leading zeros survive).
    pub account_id: Option<String>,
    /// The hostname people use to reach the app (CloudFront alias), e.g. `app.example.com`.
    /// Required when `static_files.enabled` is true.
    pub domain: Option<String>,
    /// A hostname that points at the ALB and is covered by `certificate_arn`, e.g.
    /// `origin.app.example.com`. When set, CloudFront reaches the ALB over HTTPS; without it,
    /// over HTTP to the ALB's own DNS name.
    pub origin_domain: Option<String>,
    /// IAM role the CI workflow assumes through GitHub's OIDC provider to validate and plan
    /// this environment (no long-lived keys), e.g. `arn:aws:iam::123456789012:role/infra-plan`.
    pub ci_role_arn: Option<String>,
    /// ACM certificate for the ALB's HTTPS listener (same region as the environment).
    pub certificate_arn: Option<String>,
    /// ACM certificate for CloudFront (must be in us-east-1).
    pub cloudfront_certificate_arn: Option<String>,
    /// Tags applied to every resource (through the provider's `default_tags`).
    pub tags: Option<BTreeMap<String, String>>,
    /// The VPC and its subnets.
    pub network: Option<NetworkSpec>,
    /// Route 53 hosted zone of `domain`. When set, tgforge provisions the ACM certificates
    /// (DNS-validated: one in the environment's region for the ALB, one in us-east-1 for
    /// CloudFront) and the alias records, instead of taking certificate ARNs.
    pub route53_zone_id: Option<String>,
    /// Where the app runs: ECS Fargate (default) or an EC2 Auto Scaling group.
    pub compute: Option<ComputeSpec>,
    /// The web application.
    pub app: Option<AppSpec>,
    /// The Postgres database.
    pub database: Option<DatabaseSpec>,
    /// S3 bucket + CloudFront for Django's static files.
    pub static_files: Option<StaticFilesSpec>,
    /// The container registry.
    pub ecr: Option<EcrSpec>,
    /// Optional services next to the app: Redis (sessions), Memcached (cache), EFS (files).
    pub addons: Option<AddonsSpec>,
    /// A CodeBuild project inside the VPC that runs Django migrations.
    pub migrations: Option<MigrationsSpec>,
    /// Packer templates baking the EC2 AMI in layers (used with `compute.platform: asg`).
    pub packer: Option<PackerSpec>,
    /// Units of your own, by name (a folder `<env>/infrastructure/<name>/`): any module, with
    /// inputs taken from the spec or from other units' outputs. A unit set in `defaults` is
    /// in every environment; an environment's entry of the same name is merged over it.
    /// See docs/custom-units.md.
    pub units: Option<BTreeMap<String, UnitSpec>>,
}

/// A unit of your own.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UnitSpec {
    /// One line for the unit's header comment. Default: the unit's name and module.
    pub description: Option<String>,
    /// The module the unit runs: exactly one of `path`, `git` (with `ref`) or `registry`
    /// (with `version`).
    pub module: Option<UnitModuleSpec>,
    /// Module variable -> value: a literal (any YAML value, written as HCL), or
    /// `{ from: UNIT, output: OUTPUT }` for an output of another unit of the environment
    /// (which makes that unit a dependency).
    pub inputs: Option<BTreeMap<String, UnitInputSpec>>,
    /// Units applied before this one although it reads none of their outputs.
    pub dependencies: Option<Vec<String>>,
    /// Mock output values for `init`, `validate` and `plan` before the unit is applied, for a
    /// `git` or `registry` module (a module in the tree has its mocks derived from its
    /// `outputs.tf`). Every output another unit reads must be listed.
    pub mock_outputs: Option<BTreeMap<String, serde_json::Value>>,
}

/// Where a unit's module comes from.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UnitModuleSpec {
    /// A folder of the generated tree's repository, relative to the tree's root, e.g.
    /// `Modules/Jobs_Queue`. Its `variables.tf` and `outputs.tf` are read on `gen`.
    pub path: Option<String>,
    /// A git repository (`https://...` or `git@host:org/repo.git`).
    pub git: Option<String>,
    /// The tag or commit of `git` to use (required: an unpinned module changes under you).
    #[serde(rename = "ref")]
    pub git_ref: Option<String>,
    /// With `git`: the module's folder inside the repository.
    pub subdir: Option<String>,
    /// A Terraform registry module, `NAMESPACE/NAME/PROVIDER` (or `HOST/NAMESPACE/NAME/PROVIDER`),
    /// e.g. `terraform-aws-modules/sqs/aws`.
    pub registry: Option<String>,
    /// With `registry`: the exact version, e.g. `4.2.1`.
    pub version: Option<String>,
}

/// A unit input: another unit's output, or a literal value.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum UnitInputSpec {
    /// `{ from: UNIT, output: OUTPUT }`: an output of another unit of the environment.
    Output(UnitOutputRef),
    /// Any other value, passed as it is.
    Literal(serde_json::Value),
}

/// An output of another unit.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UnitOutputRef {
    /// The unit (built-in, e.g. `vpc`, or your own).
    pub from: String,
    /// The output's name, e.g. `private_subnet_ids`.
    pub output: String,
}

/// The compute platform.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ComputeSpec {
    /// `fargate` (ECS) or `asg` (EC2 Auto Scaling group with AMIs baked by Packer).
    pub platform: Option<ComputePlatform>,
    /// EC2 instance type for `asg`, e.g. `t3.small`.
    pub instance_type: Option<String>,
    /// Seconds an instance may take to pass its first ELB health check (`asg`).
    pub health_check_grace_period: Option<u32>,
    /// Root volume size in GiB (`asg`).
    pub root_volume_size: Option<u32>,
    /// `fargate`: `apply` waits until the service's new tasks are running and healthy (ECS
    /// steady state) and fails otherwise. Default true.
    pub wait_for_steady_state: Option<bool>,
}

/// Where the app runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ComputePlatform {
    #[default]
    Fargate,
    Asg,
}

/// Which database engine.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DatabaseEngine {
    /// An RDS Postgres instance.
    #[default]
    Postgres,
    /// An Aurora Postgres Serverless v2 cluster.
    AuroraServerless,
}

/// How the database master password is provided.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum MasterPassword {
    /// Read from the Parameter Store entry named by `parameters.password` (created by hand).
    #[default]
    Parameter,
    /// Generated and rotated by RDS in Secrets Manager; no one ever types it.
    Managed,
}

/// Redis, Memcached and EFS next to the app.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AddonsSpec {
    /// ElastiCache Redis for Django sessions (`REDIS_URL` is handed to the app).
    pub redis: Option<RedisSpec>,
    /// ElastiCache Memcached for the Django cache (`MEMCACHED_LOCATION` is handed to the app).
    pub memcached: Option<MemcachedSpec>,
    /// EFS for shared, persistent files, mounted into the app at `mount_path`.
    pub efs: Option<EfsSpec>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RedisSpec {
    /// Cache node type. Default `cache.t4g.micro`.
    pub node_type: Option<String>,
    /// Redis engine version. Default `7.1`.
    pub engine_version: Option<String>,
    /// Nodes (1 primary + replicas); 2 or more enables automatic failover. Default 2.
    pub nodes: Option<u32>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MemcachedSpec {
    /// Cache node type. Default `cache.t4g.micro`.
    pub node_type: Option<String>,
    /// Memcached engine version (>= 1.6.12 for in-transit encryption). Default `1.6.22`.
    pub engine_version: Option<String>,
    /// Number of cache nodes. Default 1.
    pub nodes: Option<u32>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EfsSpec {
    /// Where the file system is mounted in the app. Default `/mnt/shared`.
    pub mount_path: Option<String>,
}

/// The migrations pipeline.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MigrationsSpec {
    /// Generate the CodeBuild project. Default true when the section is present.
    pub enabled: Option<bool>,
    /// Git repository of the app (HTTPS URL, GitHub or CodeCommit). Default: run the
    /// migrations inside the app's container image from ECR (Fargate only).
    pub repository: Option<String>,
    /// Branch or tag to build. Default `main`.
    pub branch: Option<String>,
    /// The command that migrates. Default `python manage.py migrate --noinput`.
    pub command: Option<String>,
    /// With static files: the job also runs `python manage.py collectstatic --noinput`, allowed
    /// to write to the static files bucket. Default true.
    pub collectstatic: Option<bool>,
}

/// Packer AMI layers for the EC2 platform.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PackerSpec {
    /// Git repository of the app baked into the application layer (HTTPS URL).
    pub app_repository: Option<String>,
    /// Branch, tag or commit baked in. Default `main`.
    pub app_ref: Option<String>,
    /// Instance type used while baking. Default `t3.small`.
    pub instance_type: Option<String>,
}

/// VPC layout. Subnet CIDRs are computed, never typed: the VPC is split into four equal tier
/// blocks (public, private, database, spare) and each tier's subnets are numbered inside its
/// own block, so adding a subnet never renumbers an existing one.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NetworkSpec {
    /// The VPC's IPv4 CIDR block, e.g. `10.0.0.0/16` (prefix /16 to /24).
    pub vpc_cidr: Option<String>,
    /// How many availability zones to spread subnets over (at least 2).
    pub azs: Option<u32>,
    /// Explicit AZ names, when the account's names differ from tgforge's table (e.g.
    /// `us-west-1`). Default: the region's first `azs` zones.
    pub availability_zones: Option<Vec<String>>,
    /// Number of public subnets (ALB, NAT gateways). At least 2: the ALB needs two AZs.
    pub public_subnets: Option<u32>,
    /// Number of private subnets (the app and, without database subnets, the database).
    pub private_subnets: Option<u32>,
    /// Add an isolated database subnet tier (one subnet per AZ, no route to NAT or IGW) and
    /// put the database there. Default false.
    pub database_subnets: Option<bool>,
    /// Prefix length of every subnet. Default: the VPC prefix + 8 (a /24 in a /16), at most /28.
    pub subnet_prefix: Option<u8>,
    /// NAT gateways for the private subnets: `none`, `single` or `per_az`.
    pub nat_gateways: Option<NatMode>,
}

/// NAT gateway layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum NatMode {
    /// No NAT: private subnets have no route to the internet.
    None,
    /// One NAT gateway in the first public subnet, shared by every AZ (cheaper, one AZ's fate).
    Single,
    /// One NAT gateway per AZ (highly available).
    PerAz,
}

/// The web application container.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AppSpec {
    /// Container image. Default: the environment's ECR repository with tag `image_tag`.
    pub image: Option<String>,
    /// Tag used with the default image. Default `latest`.
    pub image_tag: Option<String>,
    /// Port the app listens on. Default 8000.
    pub port: Option<u16>,
    /// Fargate task CPU units (256, 512, 1024, 2048, 4096, 8192, 16384).
    pub cpu: Option<u32>,
    /// Fargate task memory in MiB (must be valid for `cpu`).
    pub memory: Option<u32>,
    /// Tasks to run at deploy time.
    pub desired_count: Option<u32>,
    /// Lower bound for autoscaling.
    pub min_count: Option<u32>,
    /// Upper bound for autoscaling.
    pub max_count: Option<u32>,
    /// Average CPU utilisation (percent) the autoscaling policy keeps.
    pub cpu_target: Option<u32>,
    /// Path the ALB health check requests. Default `/`.
    pub health_check_path: Option<String>,
    /// Plain (non-secret) container environment variables.
    pub environment: Option<BTreeMap<String, String>>,
    /// Secret container variables: variable name -> Parameter Store name suffix. The container
    /// reads the parameter `PROJECT-ENVIRONMENT_SUFFIX`; its value never appears in any file.
    pub secrets: Option<BTreeMap<String, String>>,
    /// CloudWatch log retention in days. Default 30.
    pub log_retention_days: Option<u32>,
    /// Secrets tgforge provisions: container variable -> Parameter Store name suffix. A random
    /// value is generated and stored as SecureString by Terraform (never written to a file),
    /// then handed to the app like `secrets`.
    pub generated_secrets: Option<BTreeMap<String, String>>,
    /// Django settings module for the cloud profile (`DJANGO_SETTINGS_MODULE`); local
    /// development keeps its own default.
    pub settings_module: Option<String>,
}

/// The RDS Postgres instance.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSpec {
    /// Postgres engine version, e.g. `16.4` or `16`.
    pub engine_version: Option<String>,
    /// Instance class, e.g. `db.t4g.micro`.
    pub instance_class: Option<String>,
    /// Allocated storage in GiB.
    pub allocated_storage: Option<u32>,
    /// Storage autoscaling ceiling in GiB (0 disables autoscaling).
    pub max_allocated_storage: Option<u32>,
    /// Days of automated backups to keep (1-35).
    pub backup_retention_days: Option<u32>,
    /// Run a standby in a second AZ.
    pub multi_az: Option<bool>,
    /// Refuse `terraform destroy` of the instance.
    pub deletion_protection: Option<bool>,
    /// Parameter Store name suffixes (read as `PROJECT-ENVIRONMENT_SUFFIX` at plan time).
    pub parameters: Option<DatabaseParameters>,
    /// `postgres` (RDS instance, default) or `aurora_serverless` (Aurora Serverless v2).
    pub engine: Option<DatabaseEngine>,
    /// `parameter` (from Parameter Store, default for `postgres`) or `managed` (RDS keeps and
    /// rotates it in Secrets Manager; always the case for `aurora_serverless`).
    pub master_password: Option<MasterPassword>,
    /// Aurora: minimum capacity in ACUs (0 to 256, in steps of 0.5). Default 0.5.
    pub min_capacity: Option<f64>,
    /// Aurora: maximum capacity in ACUs (1 to 256). Default 4.
    pub max_capacity: Option<f64>,
    /// Aurora: serverless instances (1 writer + readers). Default 1.
    pub instance_count: Option<u32>,
    /// Aurora: enable the Data API (HTTP endpoint for ad hoc queries). Default false.
    pub data_api: Option<bool>,
    /// Aurora: the database to create. Default `app`.
    pub database_name: Option<String>,
    /// Aurora: the master user name. Default `app_admin`.
    pub master_username: Option<String>,
}

/// Names of the Parameter Store entries holding the database settings.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DatabaseParameters {
    /// Holds the name of the database to create. Default `postgres_db`.
    pub db_name: Option<String>,
    /// Holds the master user name. Default `database_username`.
    pub username: Option<String>,
    /// Holds the master password. Default `database_password`.
    pub password: Option<String>,
}

/// Static files served from S3 through CloudFront.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StaticFilesSpec {
    /// Generate the S3 bucket and CloudFront distribution. Default true.
    pub enabled: Option<bool>,
    /// CloudFront price class: `PriceClass_100`, `PriceClass_200` or `PriceClass_All`.
    pub price_class: Option<String>,
}

/// The ECR repository and its lifecycle policy.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EcrSpec {
    /// Keep this many newest images (default 15). Ignored when `lifecycle_policy_file` is set.
    pub keep_images: Option<u32>,
    /// A lifecycle policy JSON file (path relative to the spec) copied into
    /// `Modules/AWS_ECR/lifecycle_policy/` and used instead of the generated one. It must be
    /// a regular file of at most 64 KiB inside the spec's folder (links are resolved first).
    pub lifecycle_policy_file: Option<String>,
    /// Allow `lifecycle_policy_file` to be outside the spec's folder (an absolute path, `..`,
    /// or a link leading out). Default false: a spec cannot make tgforge read (and copy into
    /// the tree and its diffs) a file from elsewhere on the machine. See docs/security.md.
    pub allow_policy_file_outside_spec_folder: Option<bool>,
}
