//! Network section: CIDR, AZs, subnet counts and their fit in the VPC.

use ipnet::Ipv4Net;

use crate::network::{self, TIER_DATABASE, TIER_PRIVATE, TIER_PUBLIC};
use crate::project::{NatMode, Network};
use crate::spec::model::NetworkSpec;
use crate::validate::EnvCheck;

pub(crate) fn resolve(
    check: &mut EnvCheck<'_>,
    region: &str,
    spec: Option<&NetworkSpec>,
) -> Option<Network> {
    let before = check.diagnostics.len();
    let empty = NetworkSpec::default();
    let spec = spec.unwrap_or(&empty);

    let cidr_text = spec
        .vpc_cidr
        .clone()
        .unwrap_or_else(|| "10.0.0.0/16".to_string());
    let vpc: Option<Ipv4Net> = match cidr_text.parse::<Ipv4Net>() {
        Err(_) => {
            check
                .error(
                    "network.vpc_cidr",
                    format!("`{}` is not an IPv4 CIDR block", cidr_text.escape_debug()),
                )
                .hint = Some("for example `10.0.0.0/16`".into());
            None
        }
        Ok(net) if net != net.trunc() => {
            check
                .error("network.vpc_cidr", format!("`{net}` has host bits set"))
                .hint = Some(format!("did you mean `{}`?", net.trunc()));
            None
        }
        Ok(net) if !(16..=24).contains(&net.prefix_len()) => {
            check.error("network.vpc_cidr", "AWS allows VPC blocks from /16 to /28; tgforge needs /16 to /24 to fit its subnet tiers");
            None
        }
        Ok(net) => Some(net),
    };

    let az_count = spec.azs.unwrap_or(2);
    let azs: Vec<String> = match &spec.availability_zones {
        Some(names) => {
            if names.len() != az_count as usize && spec.azs.is_some() {
                check.error(
                    "network.availability_zones",
                    format!("lists {} zones but `azs` is {az_count}", names.len()),
                );
            }
            for (i, name) in names.iter().enumerate() {
                let letter_ok = name.strip_prefix(region).is_some_and(|rest| {
                    rest.len() == 1 && rest.chars().all(|c| c.is_ascii_lowercase())
                });
                if !letter_ok {
                    check
                        .error(
                            &format!("network.availability_zones[{i}]"),
                            format!("`{}` is not an AZ of {region}", name.escape_debug()),
                        )
                        .hint = Some(format!("for example `{region}a`"));
                }
            }
            if names
                .iter()
                .collect::<std::collections::BTreeSet<_>>()
                .len()
                != names.len()
            {
                check.error("network.availability_zones", "lists a zone twice");
            }
            names.clone()
        }
        None => {
            let available = network::region_az_letters(region).map_or(0, str::len) as u32;
            if available > 0 && az_count > available {
                check.error(
                    "network.azs",
                    format!("{region} has {available} availability zones, not {az_count}"),
                );
            }
            network::azs(region, az_count)
        }
    };
    if azs.len() < 2 {
        check.error("network.azs", "at least 2 availability zones are needed (the ALB and the database subnet group span two)");
    }

    let public = spec.public_subnets.unwrap_or(azs.len().max(2) as u32);
    let private = spec.private_subnets.unwrap_or(azs.len().max(2) as u32);
    let nat = spec.nat_gateways.unwrap_or(NatMode::Single);
    if public < 2 {
        check
            .error(
                "network.public_subnets",
                format!("{public} public subnet(s) given; the ALB needs at least 2"),
            )
            .hint = Some(
            "an Application Load Balancer must have subnets in at least two availability zones"
                .into(),
        );
    }
    if private < 2 {
        check
            .error(
                "network.private_subnets",
                format!("{private} private subnet(s) given; at least 2 are needed"),
            )
            .hint = Some("the RDS subnet group must cover at least two availability zones".into());
    }
    if public >= 2 && (public as usize) < azs.len() {
        // The app runs in every AZ (private subnet i is in AZ i modulo the AZ count); an ALB
        // never sends traffic to targets in an AZ where it has no subnet, so tasks there fail
        // their health checks forever.
        check
            .error(
                "network.public_subnets",
                format!(
                    "{public} public subnet(s) for {} AZs: the ALB needs one in every AZ the app runs in",
                    azs.len()
                ),
            )
            .hint = Some(format!(
            "set `public_subnets` to at least {} (or lower `azs`)",
            azs.len()
        ));
    }
    for (field, count) in [
        ("network.public_subnets", public),
        ("network.private_subnets", private),
    ] {
        if (count as usize) > azs.len() * 16 {
            check.error(
                field,
                format!("{count} subnets is more than 16 per availability zone"),
            );
        }
    }

    let vpc = vpc?;
    let prefix = spec
        .subnet_prefix
        .unwrap_or_else(|| network::default_subnet_prefix(vpc));
    let tier = network::tier_prefix(vpc);
    if prefix < tier || prefix > 28 {
        check.error(
            "network.subnet_prefix",
            format!("must be between /{tier} (a quarter of the VPC) and /28"),
        );
        return None;
    }
    let capacity = network::tier_capacity(vpc, prefix);
    for (field, count) in [
        ("network.public_subnets", public),
        ("network.private_subnets", private),
    ] {
        if u64::from(count) > capacity {
            check.error(field, format!("{count} subnets of /{prefix} do not fit in a quarter of {vpc} (room for {capacity})")).hint =
                Some("use a larger `vpc_cidr` or a longer `subnet_prefix`".into());
        }
    }

    let az_total = azs.len() as u32;
    (check.diagnostics.len() == before).then(|| Network {
        vpc_cidr: vpc,
        public_subnets: network::tier_subnets(vpc, TIER_PUBLIC, prefix, public),
        private_subnets: network::tier_subnets(vpc, TIER_PRIVATE, prefix, private),
        // One isolated database subnet per AZ.
        database_subnets: if spec.database_subnets.unwrap_or(false) {
            network::tier_subnets(vpc, TIER_DATABASE, prefix, az_total)
        } else {
            Vec::new()
        },
        azs,
        nat,
    })
}

/// Whether `image` is in a private ECR registry of `region` (reachable through the ECR VPC
/// endpoints of that region).
fn is_regional_ecr_image(image: &str, region: &str) -> bool {
    image
        .split_once('/')
        .and_then(|(host, _)| host.split_once(".dkr.ecr."))
        .is_some_and(|(account, rest)| {
            account.len() == 12
                && account.chars().all(|c| c.is_ascii_digit())
                && rest == format!("{region}.amazonaws.com")
        })
}

/// Without NAT the private subnets reach only what VPC endpoints serve (src/plan/endpoints.rs
/// adds them). Workloads that need the internet itself are refused here, located at the
/// field that asks for it.
pub(crate) fn check_without_nat(
    check: &mut EnvCheck<'_>,
    spec: &crate::spec::model::EnvironmentSpec,
    network: &Network,
    region: &str,
    platform: crate::project::ComputePlatform,
) {
    if network.nat != NatMode::None {
        return;
    }
    let hint = "set `network.nat_gateways: single` (or `per_az`): private subnets without NAT reach AWS only through the VPC endpoints tgforge adds";
    if platform == crate::project::ComputePlatform::Fargate
        && let Some(image) = spec.app.as_ref().and_then(|a| a.image.as_ref())
        && !is_regional_ecr_image(image, region)
    {
        check
            .error(
                "app.image",
                format!(
                    "`{}` cannot be pulled with `nat_gateways: none`: only ECR images of {region} are reachable through VPC endpoints",
                    image.escape_debug()
                ),
            )
            .hint = Some(format!(
            "remove `app.image` to use the environment's ECR repository, or {hint}"
        ));
    }
    if let Some(repository) = spec
        .migrations
        .as_ref()
        .filter(|m| m.enabled != Some(false))
        .and_then(|m| m.repository.as_ref())
    {
        check
            .error(
                "migrations.repository",
                format!(
                    "the migrations job clones `{}` and runs pip install: it needs the internet, and `nat_gateways: none` gives the private subnets none",
                    repository.escape_debug()
                ),
            )
            .hint = Some(format!(
            "remove `migrations.repository` to run the migrations in the app's ECR image (Fargate), or {hint}"
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::is_regional_ecr_image;

    #[test]
    fn regional_ecr_images() {
        assert!(is_regional_ecr_image(
            "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1.2",
            "eu-west-1"
        ));
        assert!(!is_regional_ecr_image(
            "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1.2",
            "eu-west-1"
        ));
        assert!(!is_regional_ecr_image("nginx:latest", "eu-west-1"));
        assert!(!is_regional_ecr_image("ghcr.io/org/app:1", "eu-west-1"));
    }
}
