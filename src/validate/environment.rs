//! Resolution of one environment: identity, certificates, tags, then each section.

use crate::project::{Ecr, Environment, StaticFiles};
use crate::spec::model::EnvironmentSpec;
use crate::validate::EnvCheck;
use crate::validate::rules::{
    check_region, is_account_id, is_hostname, is_profile_name, parse_acm_arn,
};

const PRICE_CLASSES: [&str; 3] = ["PriceClass_100", "PriceClass_200", "PriceClass_All"];
/// Tag keys the AWS provider reserves or that tgforge sets itself.
const RESERVED_TAG_PREFIX: &str = "aws:";

pub(crate) fn resolve(check: &mut EnvCheck<'_>, spec: &EnvironmentSpec) -> Option<Environment> {
    let before = check.diagnostics.len();

    let region = spec.region.clone().unwrap_or_default();
    if spec.region.is_none() {
        check.missing("region", "region: eu-central-1");
    } else {
        check_region(&region, |m, h| check.error("region", m).hint = Some(h));
    }
    let profile = spec
        .profile
        .clone()
        .unwrap_or_else(|| "default".to_string());
    if !is_profile_name(&profile) {
        check
            .error("profile", "not a valid AWS CLI profile name")
            .hint = Some("letters, digits and . _ - only".into());
    }
    let account_id = spec.account_id.clone().unwrap_or_default();
    if spec.account_id.is_none() {
        check.missing("account_id", "account_id: \"123456789012\"");
    } else if !is_account_id(&account_id) {
        check
            .error("account_id", "an AWS account id is exactly 12 digits")
            .hint = Some("quote it in YAML (\"012345678901\") so leading zeros are kept".into());
    }

    for (field, value) in [
        ("domain", &spec.domain),
        ("origin_domain", &spec.origin_domain),
    ] {
        if let Some(v) = value
            && !is_hostname(v)
        {
            check
                .error(
                    field,
                    format!("`{}` is not a valid lowercase hostname", v.escape_debug()),
                )
                .hint = Some("for example `app.example.com`".into());
        }
    }

    let static_enabled = spec
        .static_files
        .as_ref()
        .and_then(|s| s.enabled)
        .unwrap_or(true);
    let zone = spec.route53_zone_id.clone();
    if let Some(z) = &zone {
        // Certificates and alias records are provisioned in the zone: given ARNs would conflict.
        if !(2..=32).contains(&z.len())
            || !z.starts_with('Z')
            || !z
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        {
            check
                .error(
                    "route53_zone_id",
                    format!("`{}` is not a Route 53 hosted zone id", z.escape_debug()),
                )
                .hint = Some("for example `Z0123456789ABCDEFGHIJ`".into());
        }
        for field in ["certificate_arn", "cloudfront_certificate_arn"] {
            let given = if field == "certificate_arn" {
                &spec.certificate_arn
            } else {
                &spec.cloudfront_certificate_arn
            };
            if given.is_some() {
                check.error(field, "not used with `route53_zone_id`: the certificates are requested and DNS-validated in the zone").hint =
                    Some("remove it, or remove `route53_zone_id` to use your own certificates".into());
            }
        }
        if spec.domain.is_none() {
            check.missing(
                "domain",
                "domain: app.example.com (a name in the hosted zone)",
            );
        }
    } else {
        match &spec.certificate_arn {
            None => check.missing(
                "certificate_arn",
                "certificate_arn: arn:aws:acm:REGION:ACCOUNT:certificate/ID (ALB HTTPS listener), or route53_zone_id to provision it",
            ),
            Some(arn) => check_certificate(check, "certificate_arn", arn, &region, &account_id),
        }
        if static_enabled {
            match &spec.cloudfront_certificate_arn {
                None => check.missing(
                    "cloudfront_certificate_arn",
                    "cloudfront_certificate_arn: arn:aws:acm:us-east-1:ACCOUNT:certificate/ID",
                ),
                Some(arn) => check_certificate(
                    check,
                    "cloudfront_certificate_arn",
                    arn,
                    "us-east-1",
                    &account_id,
                ),
            }
            if spec.domain.is_none() {
                check.missing(
                    "domain",
                    "domain: app.example.com (the CloudFront alias covered by its certificate)",
                );
            }
        }
    }
    if let (Some(domain), Some(origin)) = (&spec.domain, &spec.origin_domain)
        && domain == origin
    {
        check.error(
            "origin_domain",
            "must differ from `domain` (it names the ALB behind CloudFront)",
        );
    }

    if let Some(arn) = &spec.ci_role_arn
        && !is_role_arn(arn, &account_id)
    {
        check
            .error(
                "ci_role_arn",
                format!(
                    "`{}` is not an IAM role ARN of account {account_id}",
                    arn.escape_debug()
                ),
            )
            .hint = Some(format!("arn:aws:iam::{account_id}:role/NAME"));
    }

    let tags = spec.tags.clone().unwrap_or_default();
    for (key, value) in &tags {
        if key.is_empty()
            || key.len() > 128
            || key.to_ascii_lowercase().starts_with(RESERVED_TAG_PREFIX)
        {
            check.error(
                &format!("tags.{key}"),
                "tag keys are 1-128 characters and may not start with `aws:`",
            );
        }
        if value.len() > 256 {
            check.error(
                &format!("tags.{key}"),
                "tag values are at most 256 characters",
            );
        }
    }

    let network = super::network::resolve(check, &region, spec.network.as_ref());
    let app = super::app::resolve(check, spec.app.as_ref());
    let database = super::database::resolve(check, spec.database.as_ref());

    let static_files = static_enabled.then(|| {
        let price_class = spec
            .static_files
            .as_ref()
            .and_then(|s| s.price_class.clone())
            .unwrap_or_else(|| "PriceClass_100".to_string());
        if !PRICE_CLASSES.contains(&price_class.as_str()) {
            check
                .error(
                    "static_files.price_class",
                    format!(
                        "`{}` is not a CloudFront price class",
                        price_class.escape_debug()
                    ),
                )
                .hint = Some(format!("one of {}", PRICE_CLASSES.join(", ")));
        }
        StaticFiles { price_class }
    });

    let ecr = resolve_ecr(check, spec);
    let platform = super::platform::resolve(check, spec, app.as_ref(), database.as_ref());
    if let (Some(network), Some(platform)) = (&network, &platform) {
        super::network::check_without_nat(check, spec, network, &region, platform.compute.platform);
    }

    if check.diagnostics.len() > before {
        return None;
    }
    let platform = platform?;
    Some(Environment {
        name: check.env.to_string(),
        region,
        profile,
        account_id,
        domain: spec.domain.clone(),
        origin_domain: spec.origin_domain.clone(),
        ci_role_arn: spec.ci_role_arn.clone(),
        certificate_arn: spec.certificate_arn.clone().filter(|_| zone.is_none()),
        cloudfront_certificate_arn: spec
            .cloudfront_certificate_arn
            .clone()
            .filter(|_| static_enabled && zone.is_none()),
        route53_zone_id: zone,
        compute: platform.compute,
        addons: platform.addons,
        migrations: platform.migrations,
        packer: platform.packer,
        // The spec's own units are resolved once every environment is (see `validate::units`).
        units: Vec::new(),
        tags,
        network: network?,
        app: app?,
        database: database?,
        static_files,
        ecr: ecr?,
    })
}

/// `arn:aws:iam::ACCOUNT:role/PATH/NAME` with the environment's account.
fn is_role_arn(arn: &str, account: &str) -> bool {
    let Some(rest) = arn.strip_prefix("arn:aws:iam::") else {
        return false;
    };
    let Some((acct, role)) = rest.split_once(':') else {
        return false;
    };
    let Some(name) = role.strip_prefix("role/") else {
        return false;
    };
    (acct == account || !is_account_id(account))
        && is_account_id(acct)
        && !name.is_empty()
        && name.len() <= 512
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-/".contains(c))
}

fn check_certificate(
    check: &mut EnvCheck<'_>,
    field: &str,
    arn: &str,
    region: &str,
    account: &str,
) {
    match parse_acm_arn(arn) {
        None => {
            check
                .error(
                    field,
                    format!("`{}` is not an ACM certificate ARN", arn.escape_debug()),
                )
                .hint = Some("arn:aws:acm:REGION:ACCOUNT:certificate/ID".into());
        }
        Some(parsed) => {
            if parsed.region != region {
                let why = if region == "us-east-1" && field.starts_with("cloudfront") {
                    "CloudFront only accepts certificates from us-east-1"
                } else {
                    "an ALB only accepts certificates from its own region"
                };
                check
                    .error(
                        field,
                        format!(
                            "the certificate is in `{}`, but must be in `{region}`",
                            parsed.region
                        ),
                    )
                    .hint = Some(why.into());
            }
            if is_account_id(account) && parsed.account != account {
                check
                    .error(
                        field,
                        format!(
                            "the certificate belongs to account {}, not {account}",
                            parsed.account
                        ),
                    )
                    .hint = Some(
                    "certificates cannot be shared across accounts; request one in this account"
                        .into(),
                );
            }
        }
    }
}

/// The largest lifecycle policy file read (ECR accepts policies of up to 30 720 characters).
pub const MAX_POLICY_FILE_BYTES: usize = 64 * 1024;

/// Whether `file` (as written in the spec) names a file inside the spec's folder `base`,
/// after resolving `..` and every symbolic link; the error says where it leads otherwise.
fn inside_spec_folder(base: &std::path::Path, file: &str) -> Result<(), String> {
    let relative = std::path::Path::new(file);
    if relative.is_absolute() || relative.has_root() {
        return Err(format!(
            "`{}` is an absolute path; the policy file must be in the spec's folder",
            file.escape_debug()
        ));
    }
    // Written as leading out (`../x.json`, `a/../../x.json`): refused whether or not the file
    // exists, so an error message never tells whether a file elsewhere exists.
    let mut depth = 0usize;
    for part in relative.components() {
        match part {
            std::path::Component::ParentDir if depth == 0 => {
                return Err(format!(
                    "`{}` leads out of the spec's folder",
                    file.escape_debug()
                ));
            }
            std::path::Component::ParentDir => depth -= 1,
            std::path::Component::Normal(_) => depth += 1,
            _ => {}
        }
    }
    let base = if base.as_os_str().is_empty() {
        std::path::Path::new(".")
    } else {
        base
    };
    let Ok(real_base) = base.canonicalize() else {
        return Ok(()); // the spec's own folder is unreadable: reported when the file is read
    };
    // The file, or its nearest existing folder, with every link resolved, must be inside. A
    // link that resolves to nothing is refused too: whether a file exists elsewhere on the
    // machine must not show in the error.
    let joined = base.join(relative);
    let mut probe = joined.as_path();
    loop {
        match probe.canonicalize() {
            Ok(real) if real.starts_with(&real_base) => return Ok(()),
            // Where it leads is not shown: the message is the same whether the file out
            // there exists or not.
            Ok(_) => {
                return Err(format!(
                    "`{}` leads outside the spec's folder {}",
                    file.escape_debug(),
                    real_base.display()
                ));
            }
            Err(_) if probe.is_symlink() => {
                return Err(format!(
                    "`{}` goes through a symbolic link that leads nowhere",
                    file.escape_debug()
                ));
            }
            Err(_) => match probe.parent() {
                Some(parent) if parent != probe => probe = parent,
                _ => return Ok(()),
            },
        }
    }
}

fn resolve_ecr(check: &mut EnvCheck<'_>, spec: &EnvironmentSpec) -> Option<Ecr> {
    let ecr = spec.ecr.as_ref();
    if let Some(file) = ecr.and_then(|e| e.lifecycle_policy_file.as_ref()) {
        let path = check.spec.base_dir.join(file);
        let file_name = std::path::Path::new(file)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if !file_name.ends_with(".json")
            || !file_name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        {
            check.error("ecr.lifecycle_policy_file", "the policy file name must end in .json and use only letters, digits, `.`, `_` and `-`");
            return None;
        }
        let outside_allowed = ecr
            .and_then(|e| e.allow_policy_file_outside_spec_folder)
            .unwrap_or(false);
        if !outside_allowed && let Err(why) = inside_spec_folder(&check.spec.base_dir, file) {
            check
                .error("ecr.lifecycle_policy_file", why)
                .hint = Some("keep the policy file in the spec's folder (or below it); to read it from elsewhere, set `ecr.allow_policy_file_outside_spec_folder: true`".into());
            return None;
        }
        let bytes = match crate::spec::load::read_limited(&path, MAX_POLICY_FILE_BYTES) {
            Ok(bytes) => bytes,
            Err(e) => {
                check
                    .error(
                        "ecr.lifecycle_policy_file",
                        format!("cannot read {}: {e}", path.display()),
                    )
                    .hint = Some(format!(
                    "{}; the path is relative to the spec file",
                    e.hint()
                ));
                return None;
            }
        };
        let Ok(text) = String::from_utf8(bytes) else {
            check.error(
                "ecr.lifecycle_policy_file",
                format!("{} is not UTF-8 text", path.display()),
            );
            return None;
        };
        return match serde_json::from_str::<serde_json::Value>(&text) {
            Ok(v) if v.get("rules").is_some_and(|r| r.is_array()) => Some(Ecr::PolicyFile {
                file_name,
                json: serde_json::to_string_pretty(&v).expect("a parsed JSON value serializes")
                    + "\n",
            }),
            Ok(_) => {
                check.error(
                    "ecr.lifecycle_policy_file",
                    "an ECR lifecycle policy is a JSON object with a `rules` list",
                );
                None
            }
            Err(e) => {
                check.error(
                    "ecr.lifecycle_policy_file",
                    format!("{} is not valid JSON: {e}", path.display()),
                );
                None
            }
        };
    }
    let keep = ecr.and_then(|e| e.keep_images).unwrap_or(15);
    if !(1..=10_000).contains(&keep) {
        check.error("ecr.keep_images", "keep between 1 and 10000 images");
        return None;
    }
    Some(Ecr::KeepNewest(keep))
}
