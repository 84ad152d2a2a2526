//! Subnet CIDR layout and availability zones.
//!
//! The VPC is split into four equal tier blocks: public, private, database, and one spare for
//! later tiers. Each tier numbers its subnets inside its own block, so adding a subnet to one
//! tier never moves a subnet of another (which would force Terraform to replace it).

use ipnet::Ipv4Net;

pub const TIER_PUBLIC: u8 = 0;
pub const TIER_PRIVATE: u8 = 1;
pub const TIER_DATABASE: u8 = 2;

/// AWS limits on how many subnets one resource takes. ECS services (awsvpc networking) and
/// CodeBuild VPC configs take at most 16; RDS, Aurora and ElastiCache subnet groups at most
/// 20 (the default quota). An ALB takes at most one subnet per AZ.
pub const ECS_SERVICE_MAX_SUBNETS: usize = 16;
pub const CODEBUILD_MAX_SUBNETS: usize = 16;
pub const SUBNET_GROUP_MAX_SUBNETS: usize = 20;

/// How many of a tier's `total` subnets a resource taking at most `limit` gets: `None` when
/// it takes them all, else `Some(limit)`. Subnet `i` of every tier is in AZ `i % AZs`, so the
/// first `limit` subnets are spread over the AZs as evenly as `limit` allows.
pub fn take_subnets(total: usize, limit: usize) -> Option<usize> {
    (total > limit).then_some(limit)
}

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

/// The date the region table below was last checked against AWS's list of commercial regions
/// (`aws ec2 describe-regions --all-regions` and `aws ec2 describe-availability-zones` per
/// region). Update both together when AWS opens a region.
pub const REGIONS_CHECKED: &str = "2026-12-02";

/// Every AWS commercial region (the `aws` partition; not GovCloud, China or the European
/// Sovereign Cloud) and the suffix letters of its availability zones, in region order.
///
/// AZ names are written into the generated code (reviewable, no plan-time lookup). In a few
/// regions AWS maps names to zones per account and new accounts see a subset (`us-west-1`
/// shows two of `a`, `b`, `c`); the letters here are the ones new accounts get, and
/// `network.availability_zones` overrides them for an account that differs.
pub const REGIONS: [(&str, &str); 34] = [
    ("af-south-1", "abc"),
    ("ap-east-1", "abc"),
    ("ap-east-2", "abc"),
    ("ap-northeast-1", "acd"),
    ("ap-northeast-2", "abcd"),
    ("ap-northeast-3", "abc"),
    ("ap-south-1", "abc"),
    ("ap-south-2", "abc"),
    ("ap-southeast-1", "abc"),
    ("ap-southeast-2", "abc"),
    ("ap-southeast-3", "abc"),
    ("ap-southeast-4", "abc"),
    ("ap-southeast-5", "abc"),
    ("ap-southeast-6", "abc"),
    ("ap-southeast-7", "abc"),
    ("ca-central-1", "abd"),
    ("ca-west-1", "abc"),
    ("eu-central-1", "abc"),
    ("eu-central-2", "abc"),
    ("eu-north-1", "abc"),
    ("eu-south-1", "abc"),
    ("eu-south-2", "abc"),
    ("eu-west-1", "abc"),
    ("eu-west-2", "abc"),
    ("eu-west-3", "abc"),
    ("il-central-1", "abc"),
    ("me-central-1", "abc"),
    ("me-south-1", "abc"),
    ("mx-central-1", "abc"),
    ("sa-east-1", "abc"),
    ("us-east-1", "abcdef"),
    ("us-east-2", "abc"),
    ("us-west-1", "bc"),
    ("us-west-2", "abcd"),
];

/// The AZ suffix letters of `region`, or `None` for a region not in [`REGIONS`].
pub fn region_az_letters(region: &str) -> Option<&'static str> {
    REGIONS
        .iter()
        .find(|(name, _)| *name == region)
        .map(|(_, letters)| *letters)
}

/// Every region name tgforge accepts, in table order.
pub fn region_names() -> impl Iterator<Item = &'static str> + Clone {
    REGIONS.iter().map(|(name, _)| *name)
}

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
    fn subnets_are_taken_within_limits_and_spread_over_azs() {
        assert_eq!(take_subnets(16, ECS_SERVICE_MAX_SUBNETS), None);
        assert_eq!(take_subnets(17, ECS_SERVICE_MAX_SUBNETS), Some(16));
        assert_eq!(take_subnets(40, SUBNET_GROUP_MAX_SUBNETS), Some(20));
        // The first 16 of 40 subnets over 3 AZs: 6, 5 and 5 per AZ, never 0.
        let per_az = (0..16).fold([0; 3], |mut n, i| {
            n[i % 3] += 1;
            n
        });
        assert_eq!(per_az, [6, 5, 5]);
    }

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
    fn the_region_table_is_sorted_without_duplicates_and_every_region_has_az_data() {
        let names: Vec<&str> = region_names().collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(names, sorted, "REGIONS is sorted by name, each region once");
        for (region, letters) in REGIONS {
            // Every region has AZ data: at least the two AZs an ALB needs, distinct letters
            // in order.
            assert!(letters.len() >= 2, "{region}");
            let mut l: Vec<char> = letters.chars().collect();
            l.dedup();
            assert!(l.is_sorted() && l.len() == letters.len(), "{region}");
            assert!(l.iter().all(char::is_ascii_lowercase), "{region}");
            assert_eq!(region_az_letters(region), Some(letters));
        }
        assert_eq!(azs("eu-west-1", 2), vec!["eu-west-1a", "eu-west-1b"]);
        assert_eq!(
            azs("us-west-2", 4).last().map(String::as_str),
            Some("us-west-2d")
        );
    }

    #[test]
    fn every_region_with_az_data_is_an_accepted_region_and_the_reverse() {
        // The reverse direction: a name is known exactly when it has AZ letters.
        for region in region_names() {
            assert!(region_az_letters(region).is_some(), "{region}");
        }
        for unknown in ["us-west-3", "eu-wset-1", "us-gov-west-1", "cn-north-1", ""] {
            assert!(region_az_letters(unknown).is_none(), "{unknown}");
            assert!(!region_names().any(|r| r == unknown), "{unknown}");
        }
        // Regions a new user is likely to try, including ones once missing from the table.
        for region in [
            "us-west-2",
            "us-east-1",
            "ap-east-2",
            "ap-southeast-6",
            "mx-central-1",
        ] {
            assert!(region_names().any(|r| r == region), "{region}");
        }
        assert!(REGIONS_CHECKED.len() == 10 && REGIONS_CHECKED.starts_with("20"));
    }
}
