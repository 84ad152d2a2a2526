//! Database section: an RDS Postgres instance or an Aurora Postgres Serverless v2 cluster, and
//! where its credentials come from.

use crate::project::{Aurora, Database, DatabaseEngine, MasterPassword};
use crate::spec::model::DatabaseSpec;
use crate::validate::EnvCheck;
use crate::validate::rules::is_parameter_suffix;

/// Postgres major versions RDS supports (standard or extended support).
const POSTGRES_MAJORS: [u32; 6] = [12, 13, 14, 15, 16, 17];
/// Aurora Postgres majors that run Serverless v2.
const AURORA_MAJORS: [u32; 5] = [13, 14, 15, 16, 17];
/// Instance families RDS offers for Postgres.
const FAMILIES: [&str; 12] = [
    "t3", "t4g", "m5", "m5d", "m6g", "m6gd", "m6i", "m7g", "m7i", "r5", "r6g", "r6i",
];
/// Names Postgres or RDS reserve for the master user.
const RESERVED_USERS: [&str; 5] = ["postgres", "rdsadmin", "admin", "root", "public"];

fn version_ok(version: &str, majors: &[u32]) -> bool {
    let mut parts = version.split('.');
    let major = parts.next().and_then(|m| m.parse::<u32>().ok());
    let minor_ok = parts
        .next()
        .is_none_or(|m| !m.is_empty() && m.chars().all(|c| c.is_ascii_digit()))
        && parts.next().is_none();
    major.is_some_and(|m| majors.contains(&m)) && minor_ok
}

/// A Postgres identifier: a letter, then letters, digits and `_`, at most 63 characters.
fn is_sql_identifier(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.starts_with(|c: char| c.is_ascii_alphabetic())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

pub(crate) fn resolve(check: &mut EnvCheck<'_>, spec: Option<&DatabaseSpec>) -> Option<Database> {
    let before = check.diagnostics.len();
    let s = spec.cloned().unwrap_or_default();
    let engine = s.engine.unwrap_or_default();
    let aurora = engine == DatabaseEngine::AuroraServerless;

    let engine_version = s
        .engine_version
        .clone()
        .unwrap_or_else(|| if aurora { "16.4" } else { "16" }.to_string());
    if aurora {
        // Aurora needs a full major.minor version; Serverless v2 starts at 13.
        if !version_ok(&engine_version, &AURORA_MAJORS) || !engine_version.contains('.') {
            check
                .error(
                    "database.engine_version",
                    format!(
                        "`{}` is not an Aurora Postgres version with Serverless v2",
                        engine_version.escape_debug()
                    ),
                )
                .hint = Some("MAJOR.MINOR with a major 13-17, e.g. `16.4`".into());
        }
    } else if !version_ok(&engine_version, &POSTGRES_MAJORS) {
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
        .clone()
        .unwrap_or_else(|| "db.t4g.micro".to_string());
    let class_parts: Vec<&str> = instance_class.split('.').collect();
    let class_ok = class_parts.len() == 3
        && class_parts[0] == "db"
        && FAMILIES.contains(&class_parts[1])
        && !class_parts[2].is_empty()
        && class_parts[2]
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    if !aurora && !class_ok {
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
    if aurora && s.instance_class.is_some() {
        check.error("database.instance_class", "Aurora Serverless v2 sizes itself by `min_capacity` and `max_capacity`, not by instance class");
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

    let master_password = match (engine, s.master_password) {
        (DatabaseEngine::AuroraServerless, Some(MasterPassword::Parameter)) => {
            check.error("database.master_password", "Aurora clusters generated by tgforge always use a managed master password").hint =
                Some("remove the field or set `managed`: RDS keeps and rotates the password in Secrets Manager".into());
            MasterPassword::Managed
        }
        (DatabaseEngine::AuroraServerless, _) => MasterPassword::Managed,
        (DatabaseEngine::Postgres, choice) => choice.unwrap_or_default(),
    };

    let params = s.parameters.clone().unwrap_or_default();
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

    let aurora_settings = aurora.then(|| {
        let min_capacity = s.min_capacity.unwrap_or(0.5);
        let max_capacity = s.max_capacity.unwrap_or(4.0);
        let half_steps = |v: f64| (v * 2.0).fract() == 0.0;
        if !(0.0..=256.0).contains(&min_capacity) || !half_steps(min_capacity) {
            check.error(
                "database.min_capacity",
                "Aurora Serverless v2 capacity is 0 to 256 ACUs in steps of 0.5",
            );
        }
        if !(1.0..=256.0).contains(&max_capacity)
            || !half_steps(max_capacity)
            || max_capacity < min_capacity
        {
            check.error(
                "database.max_capacity",
                "1 to 256 ACUs in steps of 0.5, and at least `min_capacity`",
            );
        }
        let instance_count = s.instance_count.unwrap_or(1);
        if !(1..=15).contains(&instance_count) {
            check.error(
                "database.instance_count",
                "an Aurora cluster has 1 to 15 instances",
            );
        }
        let database_name = s.database_name.clone().unwrap_or_else(|| "app".to_string());
        if !is_sql_identifier(&database_name) {
            check.error(
                "database.database_name",
                "a letter, then letters, digits and `_`, at most 63 characters",
            );
        }
        let master_username = s
            .master_username
            .clone()
            .unwrap_or_else(|| "app_admin".to_string());
        if !is_sql_identifier(&master_username)
            || RESERVED_USERS.contains(&master_username.to_ascii_lowercase().as_str())
        {
            check
                .error(
                    "database.master_username",
                    format!(
                        "`{}` cannot be the master user name",
                        master_username.escape_debug()
                    ),
                )
                .hint = Some(format!(
                "a letter, then letters, digits and `_`; not one of {}",
                RESERVED_USERS.join(", ")
            ));
        }
        Aurora {
            min_capacity,
            max_capacity,
            instance_count,
            data_api: s.data_api.unwrap_or(false),
            database_name,
            master_username,
        }
    });
    if !aurora {
        for (field, set) in [
            ("min_capacity", s.min_capacity.is_some()),
            ("max_capacity", s.max_capacity.is_some()),
            ("instance_count", s.instance_count.is_some()),
            ("data_api", s.data_api.is_some()),
            ("database_name", s.database_name.is_some()),
            ("master_username", s.master_username.is_some()),
        ] {
            if set {
                check
                    .error(
                        &format!("database.{field}"),
                        "only applies to `engine: aurora_serverless`",
                    )
                    .hint =
                    Some("an RDS instance reads its name and user from `parameters`".into());
            }
        }
    }

    (check.diagnostics.len() == before).then_some(Database {
        engine,
        master_password,
        aurora: aurora_settings,
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
