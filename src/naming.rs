//! AWS resource names derived from project and environment names, always within AWS limits.
//!
//! A name that would be too long is cut and given a short hash of the full name, so it stays
//! unique and is the same on every run (no apply-time "name too long" failures).

use sha2::{Digest, Sha256};

/// AWS name length limits that matter for derived names.
pub const ALB_MAX: usize = 32;
pub const TARGET_GROUP_MAX: usize = 32;
pub const S3_BUCKET_MAX: usize = 63;
pub const RDS_IDENTIFIER_MAX: usize = 63;
pub const IAM_ROLE_PREFIX_MAX: usize = 38;
pub const DEFAULT_MAX: usize = 63;
/// ElastiCache replication group and cluster ids.
pub const ELASTICACHE_ID_MAX: usize = 40;

/// `name` if it fits in `max` characters, else a prefix of it plus `-` and 6 hex digits of its
/// SHA-256. Trailing hyphens are never left before the hash.
pub fn fit(name: &str, max: usize) -> String {
    if name.len() <= max {
        return name.to_string();
    }
    let digest = Sha256::digest(name.as_bytes());
    let hash: String = digest.iter().take(3).map(|b| format!("{b:02x}")).collect();
    let keep = max.saturating_sub(hash.len() + 1);
    let head = name[..keep].trim_end_matches('-');
    format!("{head}-{hash}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names_are_kept() {
        assert_eq!(fit("team-task-production", ALB_MAX), "team-task-production");
    }

    #[test]
    fn long_names_are_cut_deterministically_and_stay_distinct() {
        let a = fit("a-very-long-project-name-production-tg", TARGET_GROUP_MAX);
        let b = fit("a-very-long-project-name-production-tx", TARGET_GROUP_MAX);
        assert!(a.len() <= TARGET_GROUP_MAX, "{a}");
        assert_eq!(
            a,
            fit("a-very-long-project-name-production-tg", TARGET_GROUP_MAX)
        );
        assert_ne!(a, b);
        assert!(!a.contains("--"));
    }
}
