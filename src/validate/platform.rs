//! Compute platform, add-ons, migrations and Packer: the choices of the EC2 reference system,
//! and how they combine with the rest of the environment.

use crate::project::{
    Addons, App, Compute, ComputePlatform, Database, Efs, Memcached, Migrations, Packer, Redis,
};
use crate::spec::model::EnvironmentSpec;
use crate::validate::EnvCheck;

/// What `resolve` decides.
pub(crate) struct Platform {
    pub compute: Compute,
    pub addons: Addons,
    pub migrations: Option<Migrations>,
    pub packer: Option<Packer>,
}

/// Variables tgforge itself hands to the app when the matching feature is on; a spec must not
/// set them too.
pub const ENDPOINT_VARIABLES: [&str; 11] = [
    "AWS_STORAGE_BUCKET_NAME",
    "DATABASE_HOST",
    "DATABASE_PORT",
    "DATABASE_NAME",
    "DATABASE_SECRET_ARN",
    "DATABASE_USER",
    "DATABASE_PASSWORD",
    "REDIS_URL",
    "MEMCACHED_LOCATION",
    "EFS_MOUNT_PATH",
    "DJANGO_SETTINGS_MODULE",
];

fn is_ec2_type(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    parts.len() == 2
        && parts[0].starts_with(|c: char| c.is_ascii_lowercase())
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        })
}

fn is_cache_type(s: &str) -> bool {
    s.strip_prefix("cache.").is_some_and(is_ec2_type)
}

/// Whether `version` is at least `minimum` (both `MAJOR.MINOR[.PATCH]`).
fn at_least(version: &str, minimum: &[u32]) -> bool {
    version_numbers(version).is_some_and(|v| v.as_slice() >= minimum)
}

/// `MAJOR.MINOR` or `MAJOR.MINOR.PATCH`, as numbers.
fn version_numbers(s: &str) -> Option<Vec<u32>> {
    let parts: Option<Vec<u32>> = s.split('.').map(|p| p.parse().ok()).collect();
    parts.filter(|p| (2..=3).contains(&p.len()))
}

/// An HTTPS git URL of GitHub or CodeCommit, which CodeBuild and Packer can both fetch.
fn is_git_url(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("https://") else {
        return false;
    };
    let host = rest.split('/').next().unwrap_or("");
    (host == "github.com"
        || host.starts_with("git-codecommit.") && host.ends_with(".amazonaws.com"))
        && rest.split('/').count() >= 3
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-._~/:".contains(c))
}

fn is_git_ref(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 200
        && !s.starts_with('-')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-._/".contains(c))
}

/// Whether the environment gets the static files bucket (`static_files.enabled`, default true).
fn static_files_enabled(spec: &EnvironmentSpec) -> bool {
    spec.static_files
        .as_ref()
        .and_then(|s| s.enabled)
        .unwrap_or(true)
}

pub(crate) fn resolve(
    check: &mut EnvCheck<'_>,
    spec: &EnvironmentSpec,
    app: Option<&App>,
    database: Option<&Database>,
) -> Option<Platform> {
    let before = check.diagnostics.len();
    let c = spec.compute.clone().unwrap_or_default();
    let platform = c.platform.unwrap_or_default();
    let asg = platform == ComputePlatform::Asg;
    let instance_type = c
        .instance_type
        .clone()
        .unwrap_or_else(|| "t3.small".to_string());
    if !is_ec2_type(&instance_type) {
        check
            .error(
                "compute.instance_type",
                format!(
                    "`{}` is not an EC2 instance type",
                    instance_type.escape_debug()
                ),
            )
            .hint = Some("for example `t3.small` or `m7g.large`".into());
    }
    let health_check_grace_period = c.health_check_grace_period.unwrap_or(300);
    if health_check_grace_period > 7200 {
        check.error("compute.health_check_grace_period", "at most 7200 seconds");
    }
    let root_volume_size = c.root_volume_size.unwrap_or(20);
    if !(8..=16384).contains(&root_volume_size) {
        check.error("compute.root_volume_size", "8 to 16384 GiB");
    }
    if !asg {
        for (field, set) in [
            ("instance_type", c.instance_type.is_some()),
            (
                "health_check_grace_period",
                c.health_check_grace_period.is_some(),
            ),
            ("root_volume_size", c.root_volume_size.is_some()),
        ] {
            if set {
                check.error(
                    &format!("compute.{field}"),
                    "only applies to `platform: asg`",
                );
            }
        }
    }
    if asg && app.is_some_and(|a| a.image.is_some()) {
        check
            .error(
                "app.image",
                "the EC2 platform runs the app baked into its AMI, not a container image",
            )
            .hint = Some("remove `app.image`, or use `compute.platform: fargate`".into());
    }

    let addons_spec = spec.addons.clone().unwrap_or_default();
    let redis = addons_spec.redis.map(|r| {
        let node_type = r.node_type.unwrap_or_else(|| "cache.t4g.micro".to_string());
        if !is_cache_type(&node_type) {
            check
                .error(
                    "addons.redis.node_type",
                    format!(
                        "`{}` is not an ElastiCache node type",
                        node_type.escape_debug()
                    ),
                )
                .hint = Some("for example `cache.t4g.micro`".into());
        }
        let engine_version = r.engine_version.unwrap_or_else(|| "7.1".to_string());
        if !version_numbers(&engine_version)
            .is_some_and(|v| v.len() == 2 && (6..=7).contains(&v[0]))
        {
            check.error(
                "addons.redis.engine_version",
                "Redis 6.x or 7.x as MAJOR.MINOR, e.g. `7.1`",
            );
        }
        let nodes = r.nodes.unwrap_or(2);
        if !(1..=6).contains(&nodes) {
            check.error(
                "addons.redis.nodes",
                "1 to 6 nodes (2 or more enable automatic failover)",
            );
        }
        Redis {
            node_type,
            engine_version,
            nodes,
        }
    });
    let memcached = addons_spec.memcached.map(|m| {
        let node_type = m.node_type.unwrap_or_else(|| "cache.t4g.micro".to_string());
        if !is_cache_type(&node_type) {
            check.error(
                "addons.memcached.node_type",
                format!(
                    "`{}` is not an ElastiCache node type",
                    node_type.escape_debug()
                ),
            );
        }
        let engine_version = m.engine_version.unwrap_or_else(|| "1.6.22".to_string());
        if !at_least(&engine_version, &[1, 6, 12]) {
            check.error(
                "addons.memcached.engine_version",
                format!(
                    "`{}`: in-transit encryption needs Memcached 1.6.12 or later",
                    engine_version.escape_debug()
                ),
            );
        }
        let nodes = m.nodes.unwrap_or(1);
        if !(1..=40).contains(&nodes) {
            check.error("addons.memcached.nodes", "1 to 40 nodes");
        }
        Memcached {
            node_type,
            engine_version,
            nodes,
        }
    });
    let efs = addons_spec.efs.map(|e| {
        let mount_path = e.mount_path.unwrap_or_else(|| "/mnt/shared".to_string());
        let ok = mount_path.starts_with('/')
            && mount_path.len() > 1
            && !mount_path.ends_with('/')
            && !mount_path.split('/').any(|p| p == "..")
            && mount_path
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "/_-.".contains(c));
        if !ok {
            check.error(
                "addons.efs.mount_path",
                "an absolute path such as `/mnt/shared`",
            );
        }
        Efs { mount_path }
    });

    let migrations = spec.migrations.clone().filter(|m| m.enabled.unwrap_or(true)).map(|m| {
        if let Some(repo) = &m.repository
            && !is_git_url(repo)
        {
            check.error("migrations.repository", format!("`{}` is not an HTTPS GitHub or CodeCommit repository URL", repo.escape_debug()));
        }
        if asg && m.repository.is_none() {
            check.missing("migrations.repository", "repository: https://github.com/ORG/APP (the EC2 platform has no container image to run migrations in)");
        }
        let branch = m.branch.unwrap_or_else(|| "main".to_string());
        if !is_git_ref(&branch) {
            check.error("migrations.branch", "a branch or tag name");
        }
        let command = m.command.unwrap_or_else(|| "python manage.py migrate --noinput".to_string());
        if command.trim().is_empty() || command.contains('\n') || command.len() > 500 {
            check.error("migrations.command", "one command line");
        }
        Migrations {
            repository: m.repository,
            branch,
            command,
            collectstatic: m.collectstatic.unwrap_or(true),
        }
    });

    let packer = match (&spec.packer, asg) {
        (Some(p), true) => {
            let app_repository = p.app_repository.clone().unwrap_or_default();
            if p.app_repository.is_none() {
                check.missing(
                    "packer.app_repository",
                    "app_repository: https://github.com/ORG/APP",
                );
            } else if !is_git_url(&app_repository) {
                check.error(
                    "packer.app_repository",
                    "an HTTPS GitHub or CodeCommit repository URL",
                );
            }
            let app_ref = p.app_ref.clone().unwrap_or_else(|| "main".to_string());
            if !is_git_ref(&app_ref) {
                check.error("packer.app_ref", "a branch, tag or commit");
            }
            let instance_type = p
                .instance_type
                .clone()
                .unwrap_or_else(|| "t3.small".to_string());
            if !is_ec2_type(&instance_type) {
                check.error(
                    "packer.instance_type",
                    "an EC2 instance type such as `t3.small`",
                );
            }
            Some(Packer {
                app_repository,
                app_ref,
                instance_type,
            })
        }
        (None, true) => {
            check.missing("packer", "packer: {app_repository: https://github.com/ORG/APP} (the AMI layers of the EC2 platform)");
            None
        }
        (Some(_), false) => {
            check.error("packer", "only applies to `compute.platform: asg`");
            None
        }
        (None, false) => None,
    };

    // Variables tgforge sets must not be set by hand as well.
    if let Some(app) = app {
        let aurora = database.is_some_and(|d| d.aurora.is_some());
        for name in ENDPOINT_VARIABLES {
            let set_by_tgforge = match name {
                "DATABASE_HOST" | "DATABASE_PORT" => true,
                "DATABASE_NAME" | "DATABASE_SECRET_ARN" | "DATABASE_USER" | "DATABASE_PASSWORD" => {
                    aurora
                        || database.is_some_and(|d| {
                            d.master_password == crate::project::MasterPassword::Managed
                        })
                }
                "AWS_STORAGE_BUCKET_NAME" => static_files_enabled(spec),
                "REDIS_URL" => redis.is_some(),
                "MEMCACHED_LOCATION" => memcached.is_some(),
                "EFS_MOUNT_PATH" => efs.is_some(),
                _ => app.settings_module.is_some(),
            };
            for (section, map) in [
                ("environment", &app.environment),
                ("secrets", &app.secrets),
                ("generated_secrets", &app.generated_secrets),
            ] {
                if set_by_tgforge
                    && map.contains_key(name)
                    && !(name == "DJANGO_SETTINGS_MODULE" && section == "environment")
                {
                    check
                        .error(
                            &format!("app.{section}.{name}"),
                            "is set by tgforge from the generated infrastructure",
                        )
                        .hint = Some("remove it; the app receives it automatically".into());
                }
            }
        }
    }

    (check.diagnostics.len() == before).then_some(Platform {
        compute: Compute {
            platform,
            instance_type,
            health_check_grace_period,
            root_volume_size,
            wait_for_steady_state: spec
                .compute
                .as_ref()
                .and_then(|c| c.wait_for_steady_state)
                .unwrap_or(true),
        },
        addons: Addons {
            redis,
            memcached,
            efs,
        },
        migrations,
        packer,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_shapes() {
        assert!(
            is_ec2_type("t3.small")
                && is_ec2_type("m7g.large")
                && !is_ec2_type("t3")
                && !is_ec2_type("T3.small")
        );
        assert!(is_cache_type("cache.t4g.micro") && !is_cache_type("t4g.micro"));
        assert!(
            is_git_url("https://github.com/org/app")
                && is_git_url("https://git-codecommit.eu-west-1.amazonaws.com/v1/repos/app")
        );
        assert!(
            !is_git_url("http://github.com/org/app") && !is_git_url("https://example.com/org/app")
        );
        assert!(at_least("1.6.22", &[1, 6, 12]));
        assert!(!at_least("1.6.6", &[1, 6, 12]));
    }
}
