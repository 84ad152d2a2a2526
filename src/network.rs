//! Subnet CIDR layout and availability zones.
//!
//! The VPC is split into four equal tier blocks: public, private, database, and one spare for
//! later tiers. Each tier numbers its subnets inside its own block, so adding a subnet to one
//! tier never moves a subnet of another (which would force Terraform to replace it).

use ipnet::Ipv4Net;

pub const TIER_PUBLIC: u8 = 0;
pub const TIER_PRIVATE: u8 = 1;
pub const TIER_DATABASE: u8 = 2;

/// Prefix length of each tier block inside `vpc`.
pub fn tier_prefix(vpc: Ipv4Net) -> u8 {
    vpc.prefix_len() + 2
}

/// The default subnet size: 8 bits smaller than the VPC (a /24 in a /16), at most a /28.
pub fn default_subnet_prefix(vpc: Ipv4Net) -> u8 {
    (vpc.prefix_len() + 8).min(28)
}

/// How many subnets of `subnet_prefix` fit in one tier block.
pub fn tier_capacity(vpc: Ipv4Net, subnet_prefix: u8) -> u64 {
    1u64 << (subnet_prefix.saturating_sub(tier_prefix(vpc)))
}

/// The first `count` subnets of `tier`. The caller has checked that they fit.
pub fn tier_subnets(vpc: Ipv4Net, tier: u8, subnet_prefix: u8, count: u32) -> Vec<Ipv4Net> {
    let block = vpc
        .subnets(tier_prefix(vpc))
        .expect("tier prefix is longer than the VPC prefix")
        .nth(usize::from(tier))
        .expect("four tier blocks");
    block
        .subnets(subnet_prefix)
        .expect("subnet prefix is within the tier block")
        .take(count as usize)
        .collect()
}

/// AZ suffix letters of each region tgforge knows. AZ names are written into the generated
/// code (reviewable, no plan-time lookup); `network.availability_zones` overrides them.
pub fn region_az_letters(region: &str) -> Option<&'static str> {
    Some(match region {
        "us-east-1" => "abcdef",
        "us-west-2" => "abcd",
        "ap-northeast-1" => "acd",
        "ap-northeast-2" => "abcd",
        "ca-central-1" => "abd",
        "us-west-1" => "bc",
        "us-east-2" | "ca-west-1" | "eu-central-1" | "eu-central-2" | "eu-west-1" | "eu-west-2"
        | "eu-west-3" | "eu-north-1" | "eu-south-1" | "eu-south-2" | "ap-south-1"
        | "ap-south-2" | "ap-northeast-3" | "ap-southeast-1" | "ap-southeast-2"
        | "ap-southeast-3" | "ap-southeast-4" | "ap-southeast-5" | "ap-southeast-7"
        | "ap-east-1" | "sa-east-1" | "me-south-1" | "me-central-1" | "af-south-1"
        | "il-central-1" | "mx-central-1" => "abc",
        _ => return None,
    })
}

/// Every region name tgforge accepts.
pub const KNOWN_REGIONS: [&str; 31] = [
    "af-south-1",
    "ap-east-1",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
];

/// The first `count` AZ names of `region` (the caller has checked that there are enough).
pub fn azs(region: &str, count: u32) -> Vec<String> {
    region_az_letters(region)
        .unwrap_or("")
        .chars()
        .take(count as usize)
        .map(|letter| format!("{region}{letter}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiers_do_not_overlap_and_are_stable() {
        let vpc: Ipv4Net = "10.0.0.0/16".parse().unwrap();
        let p = default_subnet_prefix(vpc);
        assert_eq!(p, 24);
        let public = tier_subnets(vpc, TIER_PUBLIC, p, 2);
        let private = tier_subnets(vpc, TIER_PRIVATE, p, 3);
        assert_eq!(
            public,
            vec![
                "10.0.0.0/24".parse::<Ipv4Net>().unwrap(),
                "10.0.1.0/24".parse().unwrap()
            ]
        );
        assert_eq!(private[0], "10.0.64.0/24".parse::<Ipv4Net>().unwrap());
        // Adding a public subnet leaves the private ones where they were.
        assert_eq!(tier_subnets(vpc, TIER_PRIVATE, p, 3), private);
        assert_eq!(tier_capacity(vpc, p), 64);
    }

    #[test]
    fn every_known_region_has_at_least_two_azs_and_a_name_list() {
        for region in KNOWN_REGIONS {
            assert!(
                region_az_letters(region).is_some_and(|l| l.len() >= 2),
                "{region}"
            );
        }
        assert_eq!(azs("eu-west-1", 2), vec!["eu-west-1a", "eu-west-1b"]);
    }
}
