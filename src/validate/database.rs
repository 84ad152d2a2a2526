//! Database section: RDS Postgres instance settings and its Parameter Store names.

use crate::project::Database;
use crate::spec::model::DatabaseSpec;
use crate::validate::EnvCheck;
use crate::validate::rules::is_parameter_suffix;

/// Postgres major versions RDS supports (standard support or extended support).
const POSTGRES_MAJORS: [u32; 6] = [12, 13, 14, 15, 16, 17];
/// Instance families RDS offers for Postgres.
const FAMILIES: [&str; 12] = [
    "t3", "t4g", "m5", "m5d", "m6g", "m6gd", "m6i", "m7g", "m7i", "r5", "r6g", "r6i",
];

pub(crate) fn resolve(check: &mut EnvCheck<'_>, spec: Option<&DatabaseSpec>) -> Option<Database> {
    let before = check.diagnostics.len();
    let s = spec.cloned().unwrap_or(DatabaseSpec {
        engine_version: None,
        instance_class: None,
        allocated_storage: None,
        max_allocated_storage: None,
        backup_retention_days: None,
        multi_az: None,
        deletion_protection: None,
        parameters: None,
    });

    let engine_version = s.engine_version.unwrap_or_else(|| "16".to_string());
    let mut parts = engine_version.split('.');
    let major = parts.next().and_then(|m| m.parse::<u32>().ok());
    let minor_ok = parts
        .next()
        .is_none_or(|m| !m.is_empty() && m.chars().all(|c| c.is_ascii_digit()))
        && parts.next().is_none();
    if !major.is_some_and(|m| POSTGRES_MAJORS.contains(&m)) || !minor_ok {
        check
            .error(
                "database.engine_version",
                format!(
                    "`{}` is not a supported RDS Postgres version",
                    engine_version.escape_debug()
                ),
            )
            .hint =
            Some("a major version 12-17, optionally with a minor, e.g. `16` or `16.4`".into());
    }
    let instance_class = s
        .instance_class
        .unwrap_or_else(|| "db.t4g.micro".to_string());
    let class_parts: Vec<&str> = instance_class.split('.').collect();
    let class_ok = class_parts.len() == 3
        && class_parts[0] == "db"
        && FAMILIES.contains(&class_parts[1])
        && !class_parts[2].is_empty()
        && class_parts[2]
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    if !class_ok {
        check
            .error(
                "database.instance_class",
                format!(
                    "`{}` is not an RDS Postgres instance class",
                    instance_class.escape_debug()
                ),
            )
            .hint = Some(format!(
            "db.FAMILY.SIZE with FAMILY one of {}, e.g. `db.t4g.micro`",
            FAMILIES.join(", ")
        ));
    }
    let allocated_storage = s.allocated_storage.unwrap_or(20);
    if !(20..=65536).contains(&allocated_storage) {
        check.error(
            "database.allocated_storage",
            "gp3 storage is 20 to 65536 GiB",
        );
    }
    let max_allocated_storage = s
        .max_allocated_storage
        .unwrap_or(allocated_storage.max(100));
    if max_allocated_storage != 0 && max_allocated_storage < allocated_storage
        || max_allocated_storage > 65536
    {
        check.error(
            "database.max_allocated_storage",
            "must be 0 (no autoscaling) or between allocated_storage and 65536",
        );
    }
    let backup_retention_days = s.backup_retention_days.unwrap_or(7);
    if !(1..=35).contains(&backup_retention_days) {
        check.error(
            "database.backup_retention_days",
            "automated backups are kept 1 to 35 days",
        );
    }

    let params = s
        .parameters
        .unwrap_or(crate::spec::model::DatabaseParameters {
            db_name: None,
            username: None,
            password: None,
        });
    let db_name_parameter = params.db_name.unwrap_or_else(|| "postgres_db".into());
    let username_parameter = params
        .username
        .unwrap_or_else(|| "database_username".into());
    let password_parameter = params
        .password
        .unwrap_or_else(|| "database_password".into());
    for (field, value) in [
        ("db_name", &db_name_parameter),
        ("username", &username_parameter),
        ("password", &password_parameter),
    ] {
        if !is_parameter_suffix(value) {
            check.error(
                &format!("database.parameters.{field}"),
                format!(
                    "`{}` is not a valid Parameter Store name suffix",
                    value.escape_debug()
                ),
            );
        }
    }

    (check.diagnostics.len() == before).then_some(Database {
        engine_version,
        instance_class,
        allocated_storage,
        max_allocated_storage,
        backup_retention_days,
        multi_az: s.multi_az.unwrap_or(false),
        deletion_protection: s.deletion_protection.unwrap_or(true),
        db_name_parameter,
        username_parameter,
        password_parameter,
    })
}
