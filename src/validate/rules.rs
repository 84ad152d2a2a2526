//! Small, pure checks on single values, shared by the validation of every section.

use crate::diagnostic::did_you_mean;
use crate::network::{REGIONS_CHECKED, region_az_letters, region_names};

/// Lowercase letters, digits and inner hyphens, starting with a letter, at most `max` long.
pub fn is_dns_label(s: &str, max: usize) -> bool {
    !s.is_empty()
        && s.len() <= max
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && !s.ends_with('-')
        && !s.contains("--")
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// A DNS hostname such as `app.example.com` (at least two labels).
pub fn is_hostname(s: &str) -> bool {
    s.len() <= 253
        && s.split('.').count() >= 2
        && s.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        })
}

/// S3 bucket naming rules (general purpose buckets).
pub fn is_s3_bucket_name(s: &str) -> bool {
    (3..=63).contains(&s.len())
        && s.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && s.ends_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
        && !s.contains("..")
        && !s.starts_with("xn--")
        && s.parse::<std::net::Ipv4Addr>().is_err()
}

pub fn is_dynamodb_table_name(s: &str) -> bool {
    (3..=255).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

pub fn is_profile_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// A POSIX-style environment variable name.
pub fn is_env_var_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 255
        && s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Characters Parameter Store allows in a name (without a leading `/`: names are
/// `PROJECT-ENVIRONMENT_SUFFIX`, as in the reference system).
pub fn is_parameter_suffix(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 200
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

/// A dotted Python module path (`mysite.settings.cloud`): identifiers joined by dots.
pub fn is_python_module(m: &str) -> bool {
    m.split('.').all(|part| {
        !part.is_empty()
            && part.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

/// Whether an environment variable name says it holds a secret.
pub fn looks_secret(key: &str) -> bool {
    let upper = key.to_ascii_uppercase();
    [
        "PASSWORD",
        "PASSWD",
        "SECRET",
        "TOKEN",
        "PRIVATE_KEY",
        "API_KEY",
        "ACCESS_KEY",
        "CREDENTIAL",
    ]
    .iter()
    .any(|w| upper.contains(w))
        || upper.ends_with("_KEY")
        || upper == "KEY"
}

/// Whether a value is a URL carrying credentials (`scheme://user:pass@host`).
pub fn has_url_credentials(value: &str) -> bool {
    match value.split_once("://") {
        Some((_, rest)) => {
            let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
            authority.contains('@') && authority.split('@').next().is_some_and(|u| u.contains(':'))
        }
        None => false,
    }
}

/// Checks a region name; calls `report(message, hint)` when it is unknown.
pub fn check_region(region: &str, mut report: impl FnMut(String, String)) {
    if region_az_letters(region).is_none() {
        let hint = match did_you_mean(region, region_names()) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!(
                "AWS commercial regions (as of {REGIONS_CHECKED}): {}",
                region_names().collect::<Vec<_>>().join(", ")
            ),
        };
        report(
            format!("`{}` is not a known AWS region", region.escape_debug()),
            hint,
        );
    }
}

/// The parts of an ACM certificate ARN: `arn:aws:acm:REGION:ACCOUNT:certificate/ID`.
#[derive(Debug, PartialEq, Eq)]
pub struct AcmArn<'a> {
    pub region: &'a str,
    pub account: &'a str,
}

pub fn parse_acm_arn(arn: &str) -> Option<AcmArn<'_>> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    if parts.len() != 6
        || parts[0] != "arn"
        || !matches!(parts[1], "aws" | "aws-cn" | "aws-us-gov")
        || parts[2] != "acm"
    {
        return None;
    }
    let id = parts[5].strip_prefix("certificate/")?;
    let id_ok = !id.is_empty() && id.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
    (is_account_id(parts[4]) && id_ok).then_some(AcmArn {
        region: parts[3],
        account: parts[4],
    })
}

pub fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.chars().all(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns_labels() {
        assert!(is_dns_label("team-task", 24));
        for bad in [
            "",
            "Team",
            "1team",
            "team-",
            "te--am",
            "team_task",
            "a\"b",
            "${x}",
        ] {
            assert!(!is_dns_label(bad, 24), "{bad}");
        }
        assert!(!is_dns_label("abcdefghijklmnopqrstuvwxy", 24));
    }

    #[test]
    fn hostnames_and_buckets() {
        assert!(is_hostname("app.example.com"));
        assert!(!is_hostname("example"));
        assert!(!is_hostname("-a.example.com"));
        assert!(is_s3_bucket_name("team-task-terraform-state"));
        assert!(!is_s3_bucket_name("Team"));
        assert!(!is_s3_bucket_name("192.168.1.1"));
    }

    #[test]
    fn secrets_are_recognised_by_name_and_url() {
        for key in [
            "DB_PASSWORD",
            "DJANGO_SECRET_KEY",
            "GITHUB_TOKEN",
            "AWS_ACCESS_KEY_ID",
            "STRIPE_API_KEY",
        ] {
            assert!(looks_secret(key), "{key}");
        }
        for key in ["DEBUG", "DJANGO_ALLOWED_HOSTS", "KEYBOARD_LAYOUT"] {
            assert!(!looks_secret(key), "{key}");
        }
        assert!(has_url_credentials("postgres://user:pw@db:5432/app"));
        assert!(!has_url_credentials("postgres://db:5432/app"));
        assert!(!has_url_credentials("https://example.com/a@b"));
    }

    #[test]
    fn acm_arns() {
        let arn =
            "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-1111-2222-3333-444455556666";
        assert_eq!(
            parse_acm_arn(arn),
            Some(AcmArn {
                region: "us-east-1",
                account: "123456789012"
            })
        );
        assert_eq!(parse_acm_arn("arn:aws:iam::123456789012:role/x"), None);
        assert_eq!(
            parse_acm_arn("arn:aws:acm:us-east-1:1234:certificate/ab"),
            None
        );
    }
}
