//! The unit dependency graph of each environment: apply order, and the same graph as Mermaid
//! (for the generated README, so the diagram always matches the tree) or DOT.

use std::collections::BTreeSet;

use crate::plan::{Inputs, Unit, units_for};
use crate::project::{ComputePlatform, Environment, NatMode, Project};

/// Units grouped in apply order: every unit of a step depends only on units of earlier steps.
/// Units within a step are in name order (Terragrunt applies them in parallel).
pub fn apply_steps(units: &[Unit]) -> Vec<Vec<&str>> {
    let mut done: BTreeSet<&str> = BTreeSet::new();
    let mut steps = Vec::new();
    while done.len() < units.len() {
        let mut step: Vec<&str> = units
            .iter()
            .filter(|u| {
                !done.contains(u.name.as_str())
                    && u.dependencies.iter().all(|d| done.contains(d.as_str()))
            })
            .map(|u| u.name.as_str())
            .collect();
        assert!(!step.is_empty(), "unit dependencies form a cycle");
        step.sort_unstable();
        done.extend(step.iter().copied());
        steps.push(step);
    }
    steps
}

/// A Mermaid node id for `unit` of `env` (environment names may contain `-`).
fn node_id(env: &Environment, unit: &str) -> String {
    format!("{}_{unit}", env.name.replace('-', "_"))
}

/// What a unit is, in a few words taken from the spec, for diagram labels.
pub fn unit_label(project: &Project, env: &Environment, unit: &Unit) -> String {
    let n = &env.network;
    let nat = match n.nat {
        NatMode::None => "no NAT",
        NatMode::Single => "1 NAT gateway",
        NatMode::PerAz => "NAT per AZ",
    };
    let db_port = 5432;
    let domain = env.domain.as_deref().unwrap_or("default domain");
    match unit.name.as_str() {
        "vpc" => format!(
            "VPC {}<br/>{} AZs: {} public + {} private{} subnets<br/>IGW, {nat}",
            n.vpc_cidr,
            n.azs.len(),
            n.public_subnets.len(),
            n.private_subnets.len(),
            if n.database_subnets.is_empty() {
                String::new()
            } else {
                format!(" + {} isolated database", n.database_subnets.len())
            }
        ),
        "security_groups" => format!(
            "Security groups<br/>ALB 80/443 -> app {} -> Postgres {db_port}",
            env.app.port
        ),
        "ecr" => "ECR repository".to_string(),
        "alb" => match env.compute.platform {
            ComputePlatform::Fargate => "Application Load Balancer<br/>HTTP + HTTPS, IP targets",
            ComputePlatform::Asg => "Application Load Balancer<br/>HTTP + HTTPS, instance targets",
        }
        .to_string(),
        "acm_alb" => format!(
            "ACM certificate (ALB)<br/>{}",
            crate::plan::units::alb_certificate_domain(env).unwrap_or(domain)
        ),
        "acm_cloudfront" => format!("ACM certificate us-east-1<br/>{domain}"),
        "dns" => format!("Route 53 alias<br/>{domain}"),
        "dns_origin" => format!(
            "Route 53 alias<br/>{}",
            env.origin_domain.as_deref().unwrap_or(domain)
        ),
        "db_instance" => format!(
            "RDS Postgres {}<br/>{}",
            env.database.engine_version, env.database.instance_class
        ),
        "aurora" => {
            let a = env.database.aurora.as_ref();
            format!(
                "Aurora Postgres Serverless v2 {}<br/>{}-{} ACU{}",
                env.database.engine_version,
                a.map_or(0.0, |a| a.min_capacity),
                a.map_or(0.0, |a| a.max_capacity),
                if a.is_some_and(|a| a.data_api) {
                    ", Data API"
                } else {
                    ""
                }
            )
        }
        "redis" => "ElastiCache Redis<br/>sessions".to_string(),
        "memcached" => "ElastiCache Memcached<br/>cache".to_string(),
        "efs" => format!(
            "EFS shared files<br/>{}",
            env.addons
                .efs
                .as_ref()
                .map_or("", |e| e.mount_path.as_str())
        ),
        "app_secrets" => format!(
            "Generated secrets<br/>{} SecureString parameters",
            env.app.generated_secrets.len()
        ),
        "migrations" => "CodeBuild<br/>Django migrations".to_string(),
        "s3_static" => "S3 static files<br/>private".to_string(),
        "cloudfront" => format!("CloudFront<br/>{domain}"),
        "ecs_fargate" => format!(
            "ECS Fargate service<br/>{}-{} tasks, CPU target {}%",
            env.app.min_count, env.app.max_count, env.app.cpu_target
        ),
        "asg" => format!(
            "EC2 Auto Scaling group<br/>{}-{} x {}, CPU target {}%",
            env.app.min_count, env.app.max_count, env.compute.instance_type, env.app.cpu_target
        ),
        // A unit of the spec's own (never named like a built-in one): its name and module,
        // both validated to plain characters.
        _ if unit.inputs != Inputs::Template => {
            format!("{}<br/>{}", unit.name, unit.module.display())
        }
        other => format!("{other} ({})", project.name),
    }
}

/// A Mermaid flowchart of every environment: one node per unit, one edge per dependency
/// (`unit --> dependency`: the unit reads the dependency's outputs).
pub fn mermaid(project: &Project) -> String {
    let parts: Vec<String> = project
        .environments
        .iter()
        .map(|env| mermaid_environment(project, env, &units_for(project, env)))
        .collect();
    mermaid_of(&parts)
}

/// The flowchart made of each environment's part ([`mermaid_environment`]), in order.
pub fn mermaid_of(parts: &[String]) -> String {
    let mut out = String::from("flowchart TB\n");
    for part in parts {
        out.push_str(part);
    }
    out
}

/// The subgraph and edges of `env`, whose units are `units` (`units_for`).
pub fn mermaid_environment(project: &Project, env: &Environment, units: &[Unit]) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "  subgraph {}[\"{} ({})\"]\n",
        env.name.replace('-', "_"),
        env.name,
        env.region
    ));
    for unit in units {
        out.push_str(&format!(
            "    {}[\"{}\"]\n",
            node_id(env, &unit.name),
            unit_label(project, env, unit).replace('"', "#quot;")
        ));
    }
    out.push_str("  end\n");
    for unit in units {
        for dependency in &unit.dependencies {
            out.push_str(&format!(
                "  {} --> {}\n",
                node_id(env, &unit.name),
                node_id(env, dependency)
            ));
        }
    }
    out
}

/// The same graph in Graphviz DOT.
pub fn dot(project: &Project) -> String {
    let mut out = String::from("digraph units {\n  rankdir=LR;\n");
    for env in &project.environments {
        let units = units_for(project, env);
        out.push_str(&format!(
            "  subgraph \"cluster_{}\" {{\n    label=\"{} ({})\";\n",
            env.name, env.name, env.region
        ));
        for unit in &units {
            out.push_str(&format!(
                "    \"{}/{}\" [label=\"{}\"];\n",
                env.name, unit.name, unit.name
            ));
        }
        out.push_str("  }\n");
        for unit in &units {
            for dependency in &unit.dependencies {
                out.push_str(&format!(
                    "  \"{}/{}\" -> \"{}/{}\";\n",
                    env.name, unit.name, env.name, dependency
                ));
            }
        }
    }
    out.push_str("}\n");
    out
}

/// The apply order of every environment as text, one numbered step per line.
pub fn apply_order_text(project: &Project) -> String {
    let mut out = String::new();
    for env in &project.environments {
        out.push_str(&format!("{}:\n", env.name));
        for (i, step) in apply_steps(&units_for(project, env)).iter().enumerate() {
            out.push_str(&format!("  {}. {}\n", i + 1, step.join(", ")));
        }
    }
    out
}

/// The subnet CIDRs of `env` per tier, for documentation.
pub fn subnet_rows(env: &Environment) -> Vec<(String, String, String)> {
    let mut rows = Vec::new();
    for (tier, subnets) in [
        ("public", &env.network.public_subnets),
        ("private", &env.network.private_subnets),
        ("database", &env.network.database_subnets),
    ] {
        for (i, cidr) in subnets.iter().enumerate() {
            let az = &env.network.azs[i % env.network.azs.len()];
            rows.push((tier.to_string(), cidr.to_string(), az.clone()));
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Unit;

    fn unit(name: &str, deps: &[&str]) -> Unit {
        Unit {
            name: name.to_string(),
            module: crate::unit::Module::Generated("M"),
            description: String::new(),
            dependencies: deps.iter().map(|d| d.to_string()).collect(),
            mock_outputs: serde_json::Value::Null,
            inputs: Inputs::Template,
        }
    }

    #[test]
    fn steps_follow_dependencies() {
        let units = vec![
            unit("c", &["a", "b"]),
            unit("a", &[]),
            unit("b", &["a"]),
            unit("d", &[]),
        ];
        assert_eq!(
            apply_steps(&units),
            vec![vec!["a", "d"], vec!["b"], vec!["c"]]
        );
    }
}
