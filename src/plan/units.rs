//! The units of an environment: one Terragrunt folder per component, with its module and the
//! units whose outputs it reads.

use serde_json::Value;

use crate::plan::mocks;
use crate::project::{ComputePlatform, DatabaseEngine, Environment, MasterPassword, Project};
pub use crate::unit::{Inputs, Module, Unit};

fn unit(
    name: &'static str,
    module: &'static str,
    description: &'static str,
    dependencies: &[&'static str],
) -> Unit {
    Unit {
        name: name.to_string(),
        module: Module::Generated(module),
        description: description.to_string(),
        dependencies: dependencies.iter().map(|d| d.to_string()).collect(),
        mock_outputs: Value::Null,
        inputs: Inputs::Template,
    }
}

/// The name of the database unit `env` uses.
pub fn database_unit(env: &Environment) -> &'static str {
    match env.database.engine {
        DatabaseEngine::Postgres => "db_instance",
        DatabaseEngine::AuroraServerless => "aurora",
    }
}

/// The name of the compute unit `env` uses.
pub fn compute_unit(env: &Environment) -> &'static str {
    match env.compute.platform {
        ComputePlatform::Fargate => "ecs_fargate",
        ComputePlatform::Asg => "asg",
    }
}

/// Whether the ALB and CloudFront certificates are requested by the generated code.
pub fn provisions_certificates(env: &Environment) -> bool {
    env.route53_zone_id.is_some()
}

/// The name the ALB certificate is requested for: the app's domain, the Host that reaches
/// the ALB whether viewers come through CloudFront (which forwards it) or straight.
pub fn alb_certificate_domain(env: &Environment) -> Option<&str> {
    env.domain.as_deref()
}

/// Further names on a requested ALB certificate: the origin name CloudFront connects to, when
/// there is CloudFront and one.
pub fn alb_certificate_alternative_names(env: &Environment) -> Vec<&str> {
    env.origin_domain
        .as_deref()
        .filter(|_| env.static_files.is_some())
        .into_iter()
        .collect()
}

/// Whether CloudFront reaches the ALB over HTTPS. CloudFront forwards the viewer's Host and
/// checks the ALB's certificate against it, so HTTPS is used only where that certificate is
/// known to cover `domain`: a certificate tgforge requests (it names `domain`), the CloudFront
/// certificate itself reused by the ALB (CloudFront only accepts a certificate that covers its
/// aliases), or a given certificate the spec declares to cover an origin name (`origin_domain`,
/// documented to need `domain` on the same certificate).
pub fn cloudfront_origin_https(env: &Environment) -> bool {
    env.static_files.is_some()
        && (provisions_certificates(env)
            || env.origin_domain.is_some()
            || (env.certificate_arn.is_some()
                && env.certificate_arn == env.cloudfront_certificate_arn))
}

/// The ALB port CloudFront connects to, when CloudFront fronts the ALB: only CloudFront's
/// origin-facing addresses may use it.
pub fn cloudfront_origin_port(env: &Environment) -> Option<u16> {
    env.static_files.as_ref().map(|_| {
        if cloudfront_origin_https(env) {
            443
        } else {
            80
        }
    })
}

/// Whether the migrations job also uploads the static files (`collectstatic`).
pub fn collectstatic(env: &Environment) -> bool {
    env.static_files.is_some() && env.migrations.as_ref().is_some_and(|m| m.collectstatic)
}

/// Whether the app runs the environment's own ECR image.
pub fn uses_ecr(env: &Environment) -> bool {
    env.compute.platform == ComputePlatform::Fargate && env.app.image.is_none()
}

/// The units of `env`, in an order where every unit comes after its dependencies: the
/// built-in ones, then the spec's own, each with its mock outputs.
pub fn units_for(project: &Project, env: &Environment) -> Vec<Unit> {
    let mut units = built_in_units(project, env);
    // A unit no built-in unit reads has no written mocks: its module's outputs stand in (a
    // unit of the spec's own may read any of them).
    for unit in &mut units {
        if let (Value::Null, Module::Generated(module)) = (&unit.mock_outputs, &unit.module) {
            unit.mock_outputs = mocks::module_mocks(module);
        }
    }
    units.extend(env.units.iter().cloned());
    units
}

/// The units tgforge decides from the spec's sections (every one with `Inputs::Template`),
/// each defined in one place: name, module, description, dependencies and mocks.
fn built_in_units(project: &Project, env: &Environment) -> Vec<Unit> {
    let provisioned = provisions_certificates(env);
    let database = database_unit(env);
    let mut units = vec![
        unit(
            "vpc",
            "AWS_VPC",
            if env.network.database_subnets.is_empty() {
                "VPC, public and private subnets over every AZ, IGW, NAT and routes."
            } else {
                "VPC, public, private and isolated database subnets over every AZ, IGW, NAT and routes."
            },
            &[],
        ).with_mocks(mocks::vpc(env)),
        unit(
            "security_groups",
            "AWS_Security_Groups",
            "Security groups chained ALB (80/443 from anywhere) -> app -> Postgres.",
            &["vpc"],
        ).with_mocks(mocks::security_groups(env)),
    ];
    if provisioned {
        units.push(
            unit(
                "acm_alb",
                "AWS_ACM",
                "ACM certificate for the ALB's HTTPS listener, DNS-validated in Route 53.",
                &[],
            )
            .with_mocks(mocks::acm(env, false)),
        );
    }
    if uses_ecr(env) {
        units.push(
            unit(
                "ecr",
                "AWS_ECR",
                "Container registry for the app image, with its lifecycle policy.",
                &[],
            )
            .with_mocks(mocks::ecr(env)),
        );
    }
    let mut alb_deps = vec!["vpc", "security_groups"];
    if provisioned {
        alb_deps.push("acm_alb");
    }
    units.push(
        unit(
            "alb",
            "AWS_ALB",
            match env.compute.platform {
                ComputePlatform::Fargate => {
                    "Application Load Balancer in the public subnets with an IP target group."
                }
                ComputePlatform::Asg => {
                    "Application Load Balancer in the public subnets with an instance target group."
                }
            },
            &alb_deps,
        )
        .with_mocks(mocks::alb(env)),
    );
    units.push(match env.database.engine {
        DatabaseEngine::Postgres => unit(
            "db_instance",
            "AWS_RDS",
            match env.database.master_password {
                MasterPassword::Parameter => {
                    "RDS Postgres, not publicly reachable; credentials read from Parameter Store."
                }
                MasterPassword::Managed => {
                    "RDS Postgres, not publicly reachable; master password managed and rotated by RDS in Secrets Manager."
                }
            },
            &["vpc", "security_groups"],
        ).with_mocks(mocks::db_instance(env)),
        DatabaseEngine::AuroraServerless => unit(
            "aurora",
            "AWS_Aurora_Serverless",
            "Aurora Postgres Serverless v2 cluster; master password managed and rotated by RDS in Secrets Manager.",
            &["vpc", "security_groups"],
        ).with_mocks(mocks::aurora(env)),
    });
    let addons = &env.addons;
    if addons.redis.is_some() {
        units.push(
            unit(
                "redis",
                "AWS_ElastiCache_Redis",
                "ElastiCache Redis for Django sessions, encrypted at rest and in transit.",
                &["vpc", "security_groups"],
            )
            .with_mocks(mocks::redis(env)),
        );
    }
    if addons.memcached.is_some() {
        units.push(
            unit(
                "memcached",
                "AWS_ElastiCache_Memcached",
                "ElastiCache Memcached for the Django cache, encrypted in transit.",
                &["vpc", "security_groups"],
            )
            .with_mocks(mocks::memcached(env)),
        );
    }
    if addons.efs.is_some() {
        units.push(
            unit(
                "efs",
                "AWS_EFS",
                "Encrypted EFS file system for shared, persistent files, one mount target per AZ.",
                &["vpc", "security_groups"],
            )
            .with_mocks(mocks::efs(env)),
        );
    }
    if !env.app.generated_secrets.is_empty() {
        units.push(
            unit(
                "app_secrets",
                "AWS_SSM_Secrets",
                "Application secrets generated once and stored as SecureString parameters.",
                &[],
            )
            .with_mocks(mocks::app_secrets(project, env)),
        );
    }
    // Units that hand the app an endpoint or a secret it reads at start.
    let mut runtime_deps = vec![database];
    for (name, present) in [
        ("redis", addons.redis.is_some()),
        ("memcached", addons.memcached.is_some()),
        ("efs", addons.efs.is_some()),
        ("app_secrets", !env.app.generated_secrets.is_empty()),
    ] {
        if present {
            runtime_deps.push(name);
        }
    }

    if env.static_files.is_some() {
        units.push(
            unit(
                "s3_static",
                "AWS_S3_Static",
                "Private S3 bucket for Django's static files.",
                &[],
            )
            .with_mocks(mocks::s3_static(env)),
        );
        // The app builds static URLs and the migrations job uploads with the bucket's name.
        runtime_deps.push("s3_static");
    }
    if env.migrations.is_some() {
        let mut deps = vec!["vpc", "security_groups"];
        if uses_ecr(env)
            && env
                .migrations
                .as_ref()
                .is_some_and(|m| m.repository.is_none())
        {
            deps.push("ecr");
        }
        deps.extend(&runtime_deps);
        units.push(unit(
            "migrations",
            "AWS_CodeBuild_Migrations",
            if collectstatic(env) {
                "CodeBuild project in the private subnets that runs the Django migrations, then collectstatic into the static files bucket."
            } else {
                "CodeBuild project in the private subnets that runs the Django migrations."
            },
            &deps,
        ).with_mocks(mocks::migrations(env)));
    }
    let mut compute_deps = vec!["vpc", "security_groups", "alb"];
    if uses_ecr(env) {
        compute_deps.push("ecr");
    }
    compute_deps.extend(&runtime_deps);
    // Migrations run before the app takes traffic: the app's unit comes after the job's.
    if env.migrations.is_some() {
        compute_deps.push("migrations");
    }
    units.push(match env.compute.platform {
        ComputePlatform::Fargate => unit(
            "ecs_fargate",
            "ECS_Fargate",
            "ECS cluster, task definition and Fargate service behind the ALB, with CPU autoscaling.",
            &compute_deps,
        ),
        ComputePlatform::Asg => unit(
            "asg",
            "AWS_ASG",
            "EC2 Auto Scaling group behind the ALB: launch template on the baked AMI, instance refresh, CPU scaling, Session Manager access.",
            &compute_deps,
        ),
    });
    if env.static_files.is_some() {
        if provisioned {
            units.push(
                unit(
                    "acm_cloudfront",
                    "AWS_ACM",
                    "ACM certificate in us-east-1 for CloudFront, DNS-validated in Route 53.",
                    &[],
                )
                .with_mocks(mocks::acm(env, true)),
            );
        }
        let mut deps = vec!["s3_static", "alb"];
        if provisioned {
            deps.push("acm_cloudfront");
        }
        units.push(unit(
            "cloudfront",
            "AWS_CloudFront",
            "CloudFront: /static/* from S3 (origin access control), everything else from the ALB.",
            &deps,
        ).with_mocks(mocks::cloudfront(env)));
    }
    if provisioned {
        let target = if env.static_files.is_some() {
            "cloudfront"
        } else {
            "alb"
        };
        units.push(unit(
            "dns",
            "AWS_Route53_Alias",
            "Route 53 alias record of the app's domain.",
            &[target],
        ));
        if env.static_files.is_some() && env.origin_domain.is_some() {
            units.push(unit(
                "dns_origin",
                "AWS_Route53_Alias",
                "Route 53 alias record of the ALB's origin name, which CloudFront connects to.",
                &["alb"],
            ));
        }
    }
    units
}
