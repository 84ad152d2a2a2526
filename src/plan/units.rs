//! The units of an environment: one Terragrunt folder per component, with its module and the
//! units whose outputs it reads.

use serde_json::{Value, json};

use crate::project::Environment;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    /// Folder name under `<env>/infrastructure/`, also the dependency name others use.
    pub name: &'static str,
    /// Folder under `Modules/`.
    pub module: &'static str,
    /// One line for the unit's header comment.
    pub description: &'static str,
    /// Units whose outputs this one reads, in apply order.
    pub dependencies: Vec<&'static str>,
}

impl Unit {
    pub fn to_context(&self) -> Value {
        json!({
            "name": self.name,
            "module": self.module,
            "description": self.description,
            "dependencies": self.dependencies,
        })
    }
}

fn unit(
    name: &'static str,
    module: &'static str,
    description: &'static str,
    dependencies: &[&'static str],
) -> Unit {
    Unit {
        name,
        module,
        description,
        dependencies: dependencies.to_vec(),
    }
}

/// The units `env` needs, in an order where every unit comes after its dependencies.
pub fn units_for(env: &Environment) -> Vec<Unit> {
    let mut units = vec![
        unit(
            "vpc",
            "AWS_VPC",
            "VPC, public and private subnets over every AZ, IGW, NAT and routes.",
            &[],
        ),
        unit(
            "security_groups",
            "AWS_Security_Groups",
            "Security groups chained ALB (80/443 from anywhere) -> app -> Postgres.",
            &["vpc"],
        ),
        unit(
            "ecr",
            "AWS_ECR",
            "Container registry for the app image, with its lifecycle policy.",
            &[],
        ),
        unit(
            "alb",
            "AWS_ALB",
            "Application Load Balancer in the public subnets with an IP target group.",
            &["vpc", "security_groups"],
        ),
        unit(
            "db_instance",
            "AWS_RDS",
            "RDS Postgres in the private subnets; credentials read from Parameter Store.",
            &["vpc", "security_groups"],
        ),
    ];
    if env.static_files.is_some() {
        units.push(unit(
            "s3_static",
            "AWS_S3_Static",
            "Private S3 bucket for Django's static files.",
            &[],
        ));
        units.push(unit(
            "cloudfront",
            "AWS_CloudFront",
            "CloudFront: /static/* from S3 (origin access control), everything else from the ALB.",
            &["s3_static", "alb"],
        ));
    }
    let mut ecs_deps = vec!["vpc", "security_groups", "alb"];
    if env.app.image.is_none() {
        ecs_deps.push("ecr");
    }
    units.push(unit(
        "ecs_fargate",
        "ECS_Fargate",
        "ECS cluster, task definition and Fargate service behind the ALB, with CPU autoscaling.",
        &ecs_deps,
    ));
    units
}
