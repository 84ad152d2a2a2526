//! Mock outputs of every unit others depend on, shaped exactly like the real outputs for this
//! spec (one subnet id per subnet, null where the module returns null, and so on), so
//! `terragrunt run-all init`, `validate` and `plan` work before the dependency is applied.

use serde_json::{Value, json};

use crate::module_interface::ModuleInterface;
use crate::project::{Environment, MasterPassword, NatMode, Project};
use crate::unit::{Module, Unit};

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

/// Mock outputs of the built-in unit `unit` of `env`: written out for the units others read,
/// else derived from its module's outputs (a unit of the spec's own may read any of them).
pub fn mock_outputs(project: &Project, env: &Environment, unit: &Unit) -> Value {
    match (built_in(project, env, &unit.name), &unit.module) {
        (Some(mocks), _) => mocks,
        (None, Module::Generated(module)) => ModuleInterface::embedded(module).mock_outputs(),
        (None, _) => Value::Object(Default::default()),
    }
}

/// The written-out mock outputs of built-in unit `dependency` of `env`, if it has them.
fn built_in(project: &Project, env: &Environment, dependency: &str) -> Option<Value> {
    let arn = |service: &str, resource: &str| {
        format!(
            "arn:aws:{service}:{}:{}:{resource}",
            env.region, env.account_id
        )
    };
    let secret_arn = arn("secretsmanager", "secret:rds!mock-000000");
    let enabled = |on: bool, n: usize| on.then(|| mock_id("sg", n));
    let addons = &env.addons;
    Some(match dependency {
        "vpc" => json!({
            "vpc_id": mock_id("vpc", 1),
            "vpc_cidr_block": env.network.vpc_cidr.to_string(),
            "public_subnet_ids": mock_ids("subnet", 0x100, env.network.public_subnets.len()),
            "private_subnet_ids": mock_ids("subnet", 0x200, env.network.private_subnets.len()),
            "database_subnet_ids": mock_ids("subnet", 0x300, env.network.database_subnets.len()),
            "nat_public_ips": (1..=nat_gateways(env)).map(|n| format!("198.51.100.{n}")).collect::<Vec<_>>(),
        }),
        "security_groups" => json!({
            "alb_security_group_id": mock_id("sg", 1),
            "app_security_group_id": mock_id("sg", 2),
            "database_security_group_id": mock_id("sg", 3),
            "migrations_security_group_id": enabled(env.migrations.is_some(), 4),
            "redis_security_group_id": enabled(addons.redis.is_some(), 5),
            "memcached_security_group_id": enabled(addons.memcached.is_some(), 6),
            "efs_security_group_id": enabled(addons.efs.is_some(), 7),
        }),
        "acm_alb" | "acm_cloudfront" => {
            let region = if dependency == "acm_cloudfront" {
                "us-east-1"
            } else {
                &env.region
            };
            json!({
                "certificate_arn": format!("arn:aws:acm:{region}:{}:certificate/00000000-0000-0000-0000-000000000000", env.account_id),
                "domain_name": env.domain,
            })
        }
        "s3_static" => json!({
            "bucket_id": "mock-static-bucket",
            "bucket_arn": "arn:aws:s3:::mock-static-bucket",
            "bucket_regional_domain_name": format!("mock-static-bucket.s3.{}.amazonaws.com", env.region),
        }),
        "ecr" => json!({
            "repository_url": format!("{}.dkr.ecr.{}.amazonaws.com/mock-repository", env.account_id, env.region),
            "repository_arn": arn("ecr", "repository/mock-repository"),
            "repository_name": "mock-repository",
        }),
        "alb" => json!({
            "alb_arn": arn("elasticloadbalancing", "loadbalancer/app/mock-alb/0000000000000000"),
            "alb_arn_suffix": "app/mock-alb/0000000000000000",
            "alb_dns_name": format!("mock-alb-1234567890.{}.elb.amazonaws.com", env.region),
            "alb_zone_id": "Z00000000000000000000",
            "target_group_arn": arn("elasticloadbalancing", "targetgroup/mock-tg/0000000000000000"),
            "target_group_arn_suffix": "targetgroup/mock-tg/0000000000000000",
            "https_listener_arn": arn("elasticloadbalancing", "listener/app/mock-alb/0000000000000000/0000000000000001"),
            "http_listener_arn": arn("elasticloadbalancing", "listener/app/mock-alb/0000000000000000/0000000000000002"),
        }),
        "cloudfront" => json!({
            "distribution_id": "E0000000000000",
            "distribution_arn": format!("arn:aws:cloudfront::{}:distribution/E0000000000000", env.account_id),
            "domain_name": "d000000000000.cloudfront.net",
            // CloudFront's fixed hosted zone id, the same for every distribution.
            "hosted_zone_id": "Z2FDTNDATAQYW2",
        }),
        "db_instance" => {
            let managed = env.database.master_password == MasterPassword::Managed;
            json!({
                "address": format!("mock-postgres.000000000000.{}.rds.amazonaws.com", env.region),
                "port": 5432,
                "endpoint": format!("mock-postgres.000000000000.{}.rds.amazonaws.com:5432", env.region),
                "db_instance_identifier": "mock-postgres",
                "db_instance_arn": arn("rds", "db:mock-postgres"),
                "database_name": "mock",
                "master_user_secret_arn": managed.then_some(&secret_arn),
            })
        }
        "aurora" => json!({
            "cluster_identifier": "mock-aurora",
            "cluster_arn": arn("rds", "cluster:mock-aurora"),
            "cluster_endpoint": format!("mock-aurora.cluster-000000000000.{}.rds.amazonaws.com", env.region),
            "reader_endpoint": format!("mock-aurora.cluster-ro-000000000000.{}.rds.amazonaws.com", env.region),
            "port": 5432,
            "database_name": env.database.aurora.as_ref().map(|a| a.database_name.clone()),
            "master_user_secret_arn": secret_arn,
        }),
        "redis" => {
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
        "memcached" => {
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
        "efs" => json!({
            "file_system_id": "fs-00000000000000001",
            "file_system_arn": arn("elasticfilesystem", "file-system/fs-00000000000000001"),
            "access_point_id": "fsap-00000000000000001",
            "access_point_arn": arn("elasticfilesystem", "access-point/fsap-00000000000000001"),
            "dns_name": format!("fs-00000000000000001.efs.{}.amazonaws.com", env.region),
        }),
        "app_secrets" => {
            let names: std::collections::BTreeSet<String> = env
                .generated_parameters(&project.name)
                .into_values()
                .collect();
            json!({
                "parameter_names": names,
                "parameter_arns": names.iter().map(|n| (n.clone(), Value::String(arn("ssm", &format!("parameter/{n}"))))).collect::<serde_json::Map<_, _>>(),
            })
        }
        "migrations" => json!({
            "project_name": "mock-migrations",
            "project_arn": arn("codebuild", "project/mock-migrations"),
            "role_arn": format!("arn:aws:iam::{}:role/mock-migrations-codebuild", env.account_id),
        }),
        _ => return None,
    })
}
