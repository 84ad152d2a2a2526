//! Template contexts: every value a template prints, decided and named here.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::naming::{self, fit};
use crate::network;
use crate::plan::{Unit, runtime, units};
use crate::project::{
    ComputePlatform, DatabaseEngine, Ecr, Environment, IacTool, MasterPassword, NatMode, Project,
    StateLocking,
};
use crate::render::filters::text::shell_quote;

/// The Terraform/OpenTofu versions the tree needs: S3 native locking came in 1.10 for both.
pub fn version_constraint(project: &Project) -> &'static str {
    match (project.state.locking, project.tooling.iac) {
        (StateLocking::S3Lockfile, _) => ">= 1.10.0",
        (_, IacTool::Opentofu) => ">= 1.6.0",
        (_, IacTool::Terraform) => ">= 1.5.0",
    }
}

/// Context of `root.hcl`.
pub fn root(project: &Project) -> Value {
    let s = &project.state;
    json!({
        "spec_name": project.spec_name,
        "project": project.name,
        "opentofu": project.tooling.iac == IacTool::Opentofu,
        "version_constraint": version_constraint(project),
        // The docs and CI use `run --all` from Terragrunt 0.77 on, so that is the minimum then.
        "terragrunt_constraint": if project.tooling.terragrunt_run_all() == "run --all" { ">= 0.77.0" } else { ">= 0.67.0" },
        "state": {
            "bucket": s.bucket,
            "per_account": s.per_account,
            "region": s.region,
            "profile": s.profile,
            "lock_table": if s.locking == StateLocking::Dynamodb { Some(&s.lock_table) } else { None },
            "use_lockfile": s.locking == StateLocking::S3Lockfile,
        },
    })
}

/// The ECR lifecycle policy file of `env`, relative to the ECR module.
pub fn ecr_policy_path(env: &Environment) -> String {
    match &env.ecr {
        Ecr::KeepNewest(n) => format!("lifecycle_policy/keep-{n}.json"),
        // A user's policy is copied per environment, so two environments can use different
        // files of the same name.
        Ecr::PolicyFile { .. } => format!("lifecycle_policy/{}-custom.json", env.name),
    }
}

/// Names of the environment's AWS resources, all within AWS limits.
fn names(project: &Project, env: &Environment) -> Value {
    let prefix = env.prefix(&project.name);
    json!({
        "prefix": prefix,
        "vpc": prefix,
        "alb": fit(&prefix, naming::ALB_MAX),
        // The module appends "-" and an 8-character hash of what forces a replacement.
        "target_group": fit(&format!("{prefix}-tg"), naming::TARGET_GROUP_MAX - 9),
        // Bucket names are global: the account id keeps them unique across accounts.
        "static_bucket": fit(&format!("{prefix}-static-{}", env.account_id), naming::S3_BUCKET_MAX),
        "ecr_repository": prefix,
        "db_identifier": fit(&format!("{prefix}-postgres"), naming::RDS_IDENTIFIER_MAX),
        "aurora_cluster": fit(&format!("{prefix}-aurora"), naming::RDS_IDENTIFIER_MAX),
        "redis": fit(&format!("{prefix}-redis"), naming::ELASTICACHE_ID_MAX),
        "memcached": fit(&format!("{prefix}-memcached"), naming::ELASTICACHE_ID_MAX),
        "efs": fit(&format!("{prefix}-shared"), naming::DEFAULT_MAX),
        "cluster": prefix,
        "service": fit(&format!("{prefix}-app"), naming::DEFAULT_MAX),
        // Also the stem of IAM role names, which add a suffix.
        "asg": fit(&format!("{prefix}-app"), naming::IAM_ROLE_PREFIX_MAX),
        "migrations": fit(&format!("{prefix}-migrations"), naming::IAM_ROLE_PREFIX_MAX),
        "cloudfront": prefix,
        // Packer names AMIs `<ami_prefix>-<layer>-<timestamp>`; the launch template picks the
        // newest application layer by this pattern.
        "ami_prefix": prefix,
        "ami_pattern": format!("{prefix}-application-*"),
        // The Name tag AWS_VPC gives the first private subnet, `<vpc>-private-1-<az>`: Packer
        // builds there.
        "packer_subnet": format!("{prefix}-private-1-*"),
    })
}

/// Default tags of every resource: who owns it and where it comes from, then the spec's own.
pub fn tags(project: &Project, env: &Environment) -> BTreeMap<String, String> {
    let mut tags = BTreeMap::from([
        ("Project".to_string(), project.name.clone()),
        ("Environment".to_string(), env.name.clone()),
        ("ManagedBy".to_string(), "tgforge".to_string()),
    ]);
    tags.extend(env.tags.clone());
    tags
}

/// How many subnets the ALB, the app's networking (ECS service, CodeBuild) and the subnet
/// groups (RDS, Aurora, ElastiCache) take; `null` where they take the whole tier.
fn subnet_takes(env: &Environment) -> Value {
    let n = &env.network;
    let database_tier = if n.database_subnets.is_empty() {
        n.private_subnets.len()
    } else {
        n.database_subnets.len()
    };
    json!({
        // One public subnet per AZ: validation ensures there are at least as many as AZs.
        "alb": network::take_subnets(n.public_subnets.len(), n.azs.len()),
        "app": network::take_subnets(
            n.private_subnets.len(),
            network::ECS_SERVICE_MAX_SUBNETS.min(network::CODEBUILD_MAX_SUBNETS),
        ),
        "subnet_group": network::take_subnets(database_tier, network::SUBNET_GROUP_MAX_SUBNETS),
        "cache_subnet_group": network::take_subnets(n.private_subnets.len(), network::SUBNET_GROUP_MAX_SUBNETS),
    })
}

/// The context shared by every file of one environment.
pub fn environment(project: &Project, env: &Environment) -> Value {
    let nat = match env.network.nat {
        NatMode::None => "none",
        NatMode::Single => "single",
        NatMode::PerAz => "per_az",
    };
    let app = &env.app;
    let secrets: BTreeMap<&String, String> = app
        .secrets
        .iter()
        .map(|(var, suffix)| (var, env.parameter_name(&project.name, suffix)))
        .collect();
    let db = &env.database;
    let (interface_endpoints, gateway_endpoints) = super::endpoints::vpc_endpoints(env);
    json!({
        "spec_name": project.spec_name,
        "project": project.name,
        // Set only when each account has its own state bucket.
        "state_bucket": project.state.per_account.then(|| project.state.bucket_for(env)),
        "env": {
            "name": env.name,
            "region": env.region,
            "profile": env.profile,
            "account_id": env.account_id,
            "domain": env.domain,
            "origin_domain": env.origin_domain,
            "certificate_arn": env.certificate_arn,
            "cloudfront_certificate_arn": env.cloudfront_certificate_arn,
            "tags": tags(project, env),
        },
        "names": names(project, env),
        "network": {
            "vpc_cidr": env.network.vpc_cidr.to_string(),
            "azs": env.network.azs,
            "public_subnets": env.network.public_subnets.iter().map(ToString::to_string).collect::<Vec<_>>(),
            "private_subnets": env.network.private_subnets.iter().map(ToString::to_string).collect::<Vec<_>>(),
            "database_subnets": env.network.database_subnets.iter().map(ToString::to_string).collect::<Vec<_>>(),
            "nat": nat,
            // The database tier when the spec has one, else the private subnets.
            "database_subnet_output": if env.network.database_subnets.is_empty() { "private_subnet_ids" } else { "database_subnet_ids" },
            // One subnet per AZ for EFS mount targets: subnet i is in AZ i % AZs.
            "efs_subnet_count": env.network.azs.len().min(env.network.private_subnets.len()),
            // How many subnets of the tier each resource takes (null: all of them), within
            // the AWS limits; see crate::network.
            "take": subnet_takes(env),
            // VPC endpoints the workloads need when the private subnets have no NAT.
            "endpoints": {
                "interface": interface_endpoints,
                "gateway": gateway_endpoints,
            },
        },
        "app": {
            "image": app.image,
            "image_tag": app.image_tag,
            "port": app.port,
            "cpu": app.cpu,
            "memory": app.memory,
            "desired_count": app.desired_count,
            "min_count": app.min_count,
            "max_count": app.max_count,
            "cpu_target": app.cpu_target,
            "health_check_path": app.health_check_path,
            "environment": app.environment,
            "secrets": secrets,
            "log_retention_days": app.log_retention_days,
            "settings_module": app.settings_module,
        },
        "database": {
            "unit": units::database_unit(env),
            "managed_password": db.master_password == MasterPassword::Managed,
            "aurora": db.aurora.as_ref().map(|a| json!({
                "min_capacity": a.min_capacity,
                "max_capacity": a.max_capacity,
                "instance_count": a.instance_count,
                "data_api": a.data_api,
                "database_name": a.database_name,
                "master_username": a.master_username,
            })),
            "engine_version": db.engine_version,
            // A pinned minor version and automatic minor upgrades would disagree after the
            // first upgrade (a diff on every plan), so pinning turns them off.
            "auto_minor_version_upgrade": !db.engine_version.contains('.'),
            "instance_class": db.instance_class,
            "allocated_storage": db.allocated_storage,
            "max_allocated_storage": db.max_allocated_storage,
            "backup_retention_days": db.backup_retention_days,
            "multi_az": db.multi_az,
            "deletion_protection": db.deletion_protection,
            "db_name_parameter": env.parameter_name(&project.name, &db.db_name_parameter),
            "username_parameter": env.parameter_name(&project.name, &db.username_parameter),
            "password_parameter": env.parameter_name(&project.name, &db.password_parameter),
        },
        "static_files": env.static_files.as_ref().map(|s| json!({
            "price_class": s.price_class,
            "origin_https": units::cloudfront_origin_https(env),
            "aliases": env.domain.iter().collect::<Vec<_>>(),
        })),
        "ecr": {
            "policy_json": ecr_policy_path(env),
            // A moving tag (the default `latest`) must be pushable again; fixed tags stay
            // immutable, the module's default.
            "mutable_tags": app.image_tag == "latest",
        },
        "compute": {
            "unit": units::compute_unit(env),
            "instance_type": env.compute.instance_type,
            "health_check_grace_period": env.compute.health_check_grace_period,
            "root_volume_size": env.compute.root_volume_size,
            "wait_for_steady_state": env.compute.wait_for_steady_state,
        },
        "certificates": {
            "provisioned": units::provisions_certificates(env),
            "zone_id": env.route53_zone_id,
            "alb_domain": units::alb_certificate_domain(env),
            "alb_alternative_names": units::alb_certificate_alternative_names(env),
        },
        "addons": {
            "redis": env.addons.redis.as_ref().map(|r| json!({ "node_type": r.node_type, "engine_version": r.engine_version, "nodes": r.nodes })),
            "memcached": env.addons.memcached.as_ref().map(|m| json!({ "node_type": m.node_type, "engine_version": m.engine_version, "nodes": m.nodes })),
            "efs": env.addons.efs.as_ref().map(|e| json!({ "mount_path": e.mount_path })),
        },
        // Full parameter name -> description, for the app_secrets unit.
        "generated_secrets": env.generated_parameters(&project.name).into_iter().map(|(var, name)| {
            (name, format!("{var} of {}, generated by tgforge", env.prefix(&project.name)))
        }).collect::<BTreeMap<_, _>>(),
        "migrations": env.migrations.as_ref().map(|m| json!({
            "repository": m.repository,
            "branch": m.branch,
            "command": m.command,
            "collectstatic": units::collectstatic(env),
        })),
        "packer": env.packer.as_ref().map(|p| json!({
            "app_repository": p.app_repository,
            "app_ref": p.app_ref,
            "instance_type": p.instance_type,
        })),
        "runtime": runtime::runtime(project, env),
        "alb": {
            "target_type": match env.compute.platform { ComputePlatform::Fargate => "ip", ComputePlatform::Asg => "instance" },
            // Port 80 only ever redirects to HTTPS, except when CloudFront reaches the ALB over
            // plain HTTP (no certificate known to cover the viewer's Host): then it forwards,
            // and only CloudFront may connect to it (see `cloudfront_origin_port`).
            "http_listener_action": if units::cloudfront_origin_port(env) == Some(80) { "forward" } else { "redirect" },
            "cloudfront_origin_port": units::cloudfront_origin_port(env),
        },
    })
}

/// Parameter Store entries a person creates before the first apply (the bootstrap script
/// prompts for each): full name and what it holds, sorted by name. Generated secrets and
/// RDS-managed passwords are not among them.
pub fn parameters(project: &Project, env: &Environment) -> Vec<Value> {
    let db = &env.database;
    let mut params: BTreeMap<String, String> = BTreeMap::new();
    if db.engine == DatabaseEngine::Postgres {
        params.insert(
            env.parameter_name(&project.name, &db.db_name_parameter),
            "name of the database to create".into(),
        );
        params.insert(
            env.parameter_name(&project.name, &db.username_parameter),
            "database master user name".into(),
        );
        if db.master_password == MasterPassword::Parameter {
            params.insert(
                env.parameter_name(&project.name, &db.password_parameter),
                "database master password".into(),
            );
        }
    }
    let generated: std::collections::BTreeSet<&String> =
        env.app.generated_secrets.values().collect();
    for (var, suffix) in &env.app.secrets {
        if generated.contains(suffix) {
            continue;
        }
        params
            .entry(env.parameter_name(&project.name, suffix))
            .or_insert_with(|| format!("container secret {var}"));
    }
    params
        .into_iter()
        .map(|(name, description)| json!({ "name": name, "description": description }))
        .collect()
}

/// Context of the per-environment bootstrap script.
pub fn bootstrap(project: &Project, env: &Environment) -> Value {
    json!({
        "spec_name": project.spec_name,
        "env": { "name": env.name, "region": env.region, "profile": env.profile, "parameters": parameters(project, env) },
        // The CI plan role bootstrap can create (with --github-repository).
        "ci": env.ci_role_arn.as_ref().filter(|_| project.tooling.github_actions.is_some()).map(|arn| {
            let role = arn.split_once(":role").map_or("", |(_, r)| r);
            let (path, name) = role.rsplit_once('/').unwrap_or(("", role));
            json!({
                "account_id": env.account_id,
                "role_name": name,
                "role_path": format!("{path}/"),
                "state_key_prefix": format!("{}/{}", project.name, env.name),
            })
        }),
        "state": {
            "bucket": project.state.bucket_for(env),
            "lock_table": (project.state.locking == StateLocking::Dynamodb).then_some(&project.state.lock_table),
            "region": project.state.region,
            "profile": project.state.profile.clone().unwrap_or_else(|| env.profile.clone()),
        },
    })
}

/// The README's part about `env`, whose units are `units` (`units_for`): made while the
/// environment is planned, on its thread, from the units planned there.
pub fn readme_environment(project: &Project, env: &Environment, units: &[Unit]) -> Value {
    let names = names(project, env);
    let uses_ecr = units::uses_ecr(env);
    // The manual steps, in order; the template words each one.
    let mut steps = vec!["bootstrap"];
    if uses_ecr {
        steps.push("push_image");
    }
    if env.packer.is_some() {
        steps.push("bake_amis");
    }
    // Migrations run before the app takes traffic: the database and the job first,
    // then the migrations (and collectstatic), then the app and everything else.
    if env.migrations.is_some() {
        steps.push("apply_migrations");
        steps.push("migrate");
    }
    steps.push("apply");
    // Static files nothing in the tree uploads: a documented deploy step.
    if env.static_files.is_some() && !units::collectstatic(env) {
        steps.push("upload_static");
    }
    if env.domain.is_some() && !units::provisions_certificates(env) {
        steps.push("point_dns");
    }
    json!({
        "name": env.name,
        "region": env.region,
        "profile": env.profile,
        "account_id": env.account_id,
        "domain": env.domain,
        "origin_domain": env.origin_domain,
        "static_files": env.static_files.is_some(),
        "provisioned_certificates": units::provisions_certificates(env),
        "subnets": crate::graph::subnet_rows(env),
        "apply_steps": crate::graph::apply_steps(units),
        "parameters": parameters(project, env),
        "generated_secrets": env.generated_parameters(&project.name).into_values().collect::<Vec<_>>(),
        "managed_password": runtime::managed_credentials(env),
        "image_tag": env.app.image_tag,
        "repository": names["ecr_repository"],
        "migrations_project": names["migrations"],
        "collectstatic": units::collectstatic(env),
        "static_bucket": names["static_bucket"],
        "migrations": env.migrations.is_some(),
        "compute_unit": units::compute_unit(env),
        "ami_pattern": names["ami_pattern"],
        "steps": steps,
        "ci_role": env.ci_role_arn.as_ref().filter(|_| project.tooling.github_actions.is_some()),
        "plan_blockers": plan_blockers(env),
    })
}

/// Context of the tree's README, from each environment's part ([`readme_environment`]) and the
/// flowchart, in the order of the environments.
pub fn readme(project: &Project, environments: Vec<Value>, mermaid: String) -> Value {
    json!({
        "spec_name": project.spec_name,
        "project": project.name,
        "run_all": project.tooling.terragrunt_run_all(),
        "terragrunt_version": project.tooling.terragrunt_version,
        // Run from the repository root: the spec and the tree where the repository keeps them.
        "regenerate_command": regenerate_command(project),
        // Built by graph::mermaid from validated names, with labels escaped there.
        "mermaid": mermaid,
        "environments": environments,
    })
}

/// Units whose plan reads something that exists only after a manual step: the Parameter
/// Store entries (created by bootstrap) or a baked AMI. Every other unit plans on a fresh
/// account, its dependencies' outputs mocked until they are applied.
fn plan_blockers(env: &Environment) -> Vec<Value> {
    let mut blockers = Vec::new();
    if env.database.engine == DatabaseEngine::Postgres {
        blockers.push(json!({ "unit": "db_instance", "needs": "the database Parameter Store entries (bootstrap)" }));
    }
    if env.compute.platform == ComputePlatform::Asg {
        blockers.push(json!({ "unit": "asg", "needs": "a baked application AMI (Packer)" }));
    }
    blockers
}

/// `tgforge gen SPEC -o TREE` with the spec and tree paths of the infra repository (the CI
/// settings when given, else the spec's file name and the repository root).
fn regenerate_command(project: &Project) -> String {
    let gha = project.tooling.github_actions.as_ref();
    let spec_path = gha.map_or(project.spec_name.clone(), |g| g.spec_path.clone());
    let tree_path = gha.map_or(".".to_string(), |g| g.tree_path.clone());
    format!(
        "tgforge gen {} -o {}",
        shell_quote(&spec_path),
        shell_quote(&tree_path)
    )
}

/// Context of the CI workflow and the pre-commit configuration.
pub fn tooling(project: &Project) -> Value {
    let gha = project.tooling.github_actions.as_ref();
    let opentofu = project.tooling.iac == IacTool::Opentofu;
    let spec_path = gha.map_or(project.spec_name.clone(), |g| g.spec_path.clone());
    let tree_path = gha.map_or(".".to_string(), |g| g.tree_path.clone());
    let iac = if opentofu { "tofu" } else { "terraform" };
    json!({
        "run_all": project.tooling.terragrunt_run_all(),
        // Whole shell command lines, quoted here, then written as one YAML string each.
        "check_command": format!("tgforge gen {} -o {} --check", shell_quote(&spec_path), shell_quote(&tree_path)),
        // In CI, drift is also annotated on the pull request's changed lines.
        "check_command_github": format!("tgforge gen {} -o {} --check --format github", shell_quote(&spec_path), shell_quote(&tree_path)),
        "fmt_command": format!("{iac} fmt -check -recursive {}", shell_quote(&tree_path)),
        "spec_name": project.spec_name,
        "opentofu": opentofu,
        "github_actions": gha.map(|g| json!({
            "spec_path": g.spec_path,
            "tree_path": g.tree_path,
            "tgforge_install": g.tgforge_install,
            "terragrunt_version": g.terragrunt_version,
            "iac_version": g.iac_version,
        })),
        "tree_path": tree_path,
        "environments": project.environments.iter().map(|e| json!({
            "name": e.name,
            "region": e.region,
            "role": e.ci_role_arn,
        })).collect::<Vec<_>>(),
    })
}
