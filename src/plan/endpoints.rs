//! VPC endpoints: what the private subnets need to reach AWS APIs when there is no NAT.
//!
//! With `nat_gateways: none` a private subnet has no route out, yet the workloads tgforge
//! generates call AWS: Fargate pulls its image from ECR (API + registry, layers from S3),
//! ships logs to CloudWatch Logs and has ECS read its secrets from Parameter Store or Secrets
//! Manager; the migrations job does the same in CodeBuild; EC2 instances read their secrets at
//! boot, send CloudWatch agent metrics and logs, and are reached through Session Manager
//! (ssm, ssmmessages, ec2messages). Each endpoint is created only when some workload of the
//! environment uses it: interface endpoints cost per AZ and hour. Specs whose workloads need
//! the internet itself (an image from another registry, a build that clones from GitHub and
//! runs pip) are refused by validation instead (src/validate/network.rs).

use std::collections::BTreeSet;

use crate::plan::runtime::managed_credentials;
use crate::project::{ComputePlatform, Environment, NatMode};

/// Interface and gateway endpoints of `env`'s VPC (service suffixes, sorted); both empty when
/// the private subnets have a NAT gateway.
pub fn vpc_endpoints(env: &Environment) -> (Vec<&'static str>, Vec<&'static str>) {
    if env.network.nat != NatMode::None {
        return (Vec::new(), Vec::new());
    }
    let mut interface = BTreeSet::new();
    let secrets_manager = managed_credentials(env);
    // Parameter Store is read for the app's secrets and, without a managed master password,
    // for the database credentials.
    let parameters =
        !env.app.secrets.is_empty() || !env.app.generated_secrets.is_empty() || !secrets_manager;
    match env.compute.platform {
        ComputePlatform::Fargate => {
            // Pulling the image (validation allows only ECR images of the region without NAT):
            // the ECR API (auth token) and registry; layers come from S3.
            interface.extend(["ecr.api", "ecr.dkr", "logs"]);
            if parameters {
                interface.insert("ssm");
            }
        }
        ComputePlatform::Asg => {
            // Secrets at boot (app-boot), Session Manager, CloudWatch agent metrics and logs.
            interface.extend(["ssm", "ssmmessages", "ec2messages", "logs", "monitoring"]);
        }
    }
    if let Some(migrations) = &env.migrations {
        interface.insert("logs");
        if migrations.repository.is_none() {
            // The job runs in the app's image, from ECR.
            interface.extend(["ecr.api", "ecr.dkr"]);
        }
        if parameters {
            // The job reads the database settings and the app's secrets like the app does.
            interface.insert("ssm");
        }
    }
    if secrets_manager {
        interface.insert("secretsmanager");
    }
    (interface.into_iter().collect(), vec!["s3"])
}
