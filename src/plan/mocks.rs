//! Mock outputs of the built-in units others read, shaped exactly like the real outputs for
//! this spec (one subnet id per subnet, null where the module returns null, and so on), so
//! `terragrunt run-all init`, `validate` and `plan` work before the dependency is applied.
//! One function per unit; each unit's definition (`plan::units`) names its own. A unit
//! without written mocks gets its module's outputs (`module_mocks`).

use serde_json::{Value, json};

use crate::module_interface::ModuleInterface;
use crate::project::{Environment, MasterPassword, NatMode, Project};

/// A fake AWS id of the usual shape (`subnet-00000000000000001`).
fn mock_id(prefix: &str, n: usize) -> String {
    format!("{prefix}-{n:017x}")
}

fn mock_ids(prefix: &str, first: usize, count: usize) -> Vec<String> {
    (first..first + count).map(|n| mock_id(prefix, n)).collect()
}

/// How many NAT gateways (and public IPs) the VPC module creates.
fn nat_gateways(env: &Environment) -> usize {
    match env.network.nat {
        NatMode::None => 0,
        NatMode::Single => 1,
        NatMode::PerAz => env.network.azs.len(),
    }
}

/// Mocks of every output of generated module `module`, shaped where its `outputs.tf` shows it.
pub fn module_mocks(module: &str) -> Value {
    ModuleInterface::embedded(module).mock_outputs()
}

/// An ARN in `env`'s region and account.
fn arn(env: &Environment, service: &str, resource: &str) -> String {
    format!(
        "arn:aws:{service}:{}:{}:{resource}",
        env.region, env.account_id
    )
}

/// The ARN of the master-user secret RDS manages.
fn secret_arn(env: &Environment) -> String {
    arn(env, "secretsmanager", "secret:rds!mock-000000")
}

/// A security group id when the group exists (the module returns null otherwise).
fn enabled(on: bool, n: usize) -> Option<String> {
    on.then(|| mock_id("sg", n))
}

/// `vpc`.
pub fn vpc(env: &Environment) -> Value {
    json!({
        "vpc_id": mock_id("vpc", 1),
        "vpc_cidr_block": env.network.vpc_cidr.to_string(),
        "public_subnet_ids": mock_ids("subnet", 0x100, env.network.public_subnets.len()),
        "private_subnet_ids": mock_ids("subnet", 0x200, env.network.private_subnets.len()),
        "database_subnet_ids": mock_ids("subnet", 0x300, env.network.database_subnets.len()),
        "nat_public_ips": (1..=nat_gateways(env)).map(|n| format!("198.51.100.{n}")).collect::<Vec<_>>(),
    })
}

/// `security_groups`.
pub fn security_groups(env: &Environment) -> Value {
    json!({
        "alb_security_group_id": mock_id("sg", 1),
        "app_security_group_id": mock_id("sg", 2),
        "database_security_group_id": mock_id("sg", 3),
        "migrations_security_group_id": enabled(env.migrations.is_some(), 4),
        "redis_security_group_id": enabled(env.addons.redis.is_some(), 5),
        "memcached_security_group_id": enabled(env.addons.memcached.is_some(), 6),
        "efs_security_group_id": enabled(env.addons.efs.is_some(), 7),
    })
}

/// `acm_alb` and `acm_cloudfront` (in us-east-1, for CloudFront).
pub fn acm(env: &Environment, cloudfront: bool) -> Value {
    let region = if cloudfront { "us-east-1" } else { &env.region };
    json!({
        "certificate_arn": format!("arn:aws:acm:{region}:{}:certificate/00000000-0000-0000-0000-000000000000", env.account_id),
        "domain_name": env.domain,
    })
}

/// `s3_static`.
pub fn s3_static(env: &Environment) -> Value {
    json!({
        "bucket_id": "mock-static-bucket",
        "bucket_arn": "arn:aws:s3:::mock-static-bucket",
        "bucket_regional_domain_name": format!("mock-static-bucket.s3.{}.amazonaws.com", env.region),
    })
}

/// `ecr`.
pub fn ecr(env: &Environment) -> Value {
    json!({
        "repository_url": format!("{}.dkr.ecr.{}.amazonaws.com/mock-repository", env.account_id, env.region),
        "repository_arn": arn(env, "ecr", "repository/mock-repository"),
        "repository_name": "mock-repository",
    })
}

/// `alb`.
pub fn alb(env: &Environment) -> Value {
    json!({
        "alb_arn": arn(env, "elasticloadbalancing", "loadbalancer/app/mock-alb/0000000000000000"),
        "alb_arn_suffix": "app/mock-alb/0000000000000000",
        "alb_dns_name": format!("mock-alb-1234567890.{}.elb.amazonaws.com", env.region),
        "alb_zone_id": "Z00000000000000000000",
        "target_group_arn": arn(env, "elasticloadbalancing", "targetgroup/mock-tg/0000000000000000"),
        "target_group_arn_suffix": "targetgroup/mock-tg/0000000000000000",
        "https_listener_arn": arn(env, "elasticloadbalancing", "listener/app/mock-alb/0000000000000000/0000000000000001"),
        "http_listener_arn": arn(env, "elasticloadbalancing", "listener/app/mock-alb/0000000000000000/0000000000000002"),
    })
}

/// `cloudfront`.
pub fn cloudfront(env: &Environment) -> Value {
    json!({
        "distribution_id": "E0000000000000",
        "distribution_arn": format!("arn:aws:cloudfront::{}:distribution/E0000000000000", env.account_id),
        "domain_name": "d000000000000.cloudfront.net",
        // CloudFront's fixed hosted zone id, the same for every distribution.
        "hosted_zone_id": "Z2FDTNDATAQYW2",
    })
}

/// `db_instance`.
pub fn db_instance(env: &Environment) -> Value {
    let managed = env.database.master_password == MasterPassword::Managed;
    json!({
        "address": format!("mock-postgres.000000000000.{}.rds.amazonaws.com", env.region),
        "port": 5432,
        "endpoint": format!("mock-postgres.000000000000.{}.rds.amazonaws.com:5432", env.region),
        "db_instance_identifier": "mock-postgres",
        "db_instance_arn": arn(env, "rds", "db:mock-postgres"),
        "database_name": "mock",
        "master_user_secret_arn": managed.then_some(secret_arn(env)),
    })
}

/// `aurora`.
pub fn aurora(env: &Environment) -> Value {
    json!({
        "cluster_identifier": "mock-aurora",
        "cluster_arn": arn(env, "rds", "cluster:mock-aurora"),
        "cluster_endpoint": format!("mock-aurora.cluster-000000000000.{}.rds.amazonaws.com", env.region),
        "reader_endpoint": format!("mock-aurora.cluster-ro-000000000000.{}.rds.amazonaws.com", env.region),
        "port": 5432,
        "database_name": env.database.aurora.as_ref().map(|a| a.database_name.clone()),
        "master_user_secret_arn": secret_arn(env),
    })
}

/// `redis`.
pub fn redis(env: &Environment) -> Value {
    let host = format!(
        "master.mock-redis.000000.{}.cache.amazonaws.com",
        env.region
    );
    json!({
        "primary_endpoint_address": host,
        "port": 6379,
        "redis_url": format!("rediss://{host}:6379/0"),
    })
}

/// `memcached`.
pub fn memcached(env: &Environment) -> Value {
    let host = format!(
        "mock-memcached.000000.cfg.{}.cache.amazonaws.com",
        env.region
    );
    json!({
        "configuration_endpoint": format!("{host}:11211"),
        "endpoint_address": host,
        "port": 11211,
        "memcached_location": format!("{host}:11211"),
    })
}

/// `efs`.
pub fn efs(env: &Environment) -> Value {
    json!({
        "file_system_id": "fs-00000000000000001",
        "file_system_arn": arn(env, "elasticfilesystem", "file-system/fs-00000000000000001"),
        "access_point_id": "fsap-00000000000000001",
        "access_point_arn": arn(env, "elasticfilesystem", "access-point/fsap-00000000000000001"),
        "dns_name": format!("fs-00000000000000001.efs.{}.amazonaws.com", env.region),
    })
}

/// `app_secrets`.
pub fn app_secrets(project: &Project, env: &Environment) -> Value {
    let names: std::collections::BTreeSet<String> = env
        .generated_parameters(&project.name)
        .into_values()
        .collect();
    json!({
        "parameter_names": names,
        "parameter_arns": names.iter().map(|n| (n.clone(), Value::String(arn(env, "ssm", &format!("parameter/{n}"))))).collect::<serde_json::Map<_, _>>(),
    })
}

/// `migrations`.
pub fn migrations(env: &Environment) -> Value {
    json!({
        "project_name": "mock-migrations",
        "project_arn": arn(env, "codebuild", "project/mock-migrations"),
        "role_arn": format!("arn:aws:iam::{}:role/mock-migrations-codebuild", env.account_id),
    })
}
