//! What the app receives at run time, on either compute platform and in the migrations job:
//! plain settings, endpoints of the generated infrastructure, and secrets by reference.
//!
//! Endpoints are Terraform expressions over dependency outputs that tgforge itself writes
//! (unit and output names, never spec values); spec values stay in the maps that templates
//! print through the `hcl` filter.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::plan::units::database_unit;
use crate::project::{DatabaseEngine, Environment, MasterPassword, Project};

/// Whether the database's master credentials live in a Secrets Manager secret managed by RDS.
pub fn managed_credentials(env: &Environment) -> bool {
    env.database.engine == DatabaseEngine::AuroraServerless
        || env.database.master_password == MasterPassword::Managed
}

/// Container/process variable -> full Parameter Store name: the spec's `secrets` and the
/// generated ones.
pub fn secret_parameters(project: &Project, env: &Environment) -> BTreeMap<String, String> {
    let mut secrets: BTreeMap<String, String> = env
        .app
        .secrets
        .iter()
        .map(|(var, suffix)| (var.clone(), env.parameter_name(&project.name, suffix)))
        .collect();
    secrets.extend(env.generated_parameters(&project.name));
    secrets
}

/// The runtime context shared by the compute and migrations units.
pub fn runtime(project: &Project, env: &Environment) -> Value {
    let db = database_unit(env);
    let db_outputs = format!("dependency.{db}.outputs");
    let host_output = match env.database.engine {
        DatabaseEngine::Postgres => "address",
        DatabaseEngine::AuroraServerless => "cluster_endpoint",
    };

    // Plain settings: the spec's, plus the ones tgforge derives from other spec fields.
    let mut environment = env.app.environment.clone();
    if let Some(module) = &env.app.settings_module {
        environment.insert("DJANGO_SETTINGS_MODULE".into(), module.clone());
    }
    if let Some(efs) = &env.addons.efs {
        environment.insert("EFS_MOUNT_PATH".into(), efs.mount_path.clone());
    }

    let mut endpoints = vec![
        (
            "DATABASE_HOST".to_string(),
            format!("{db_outputs}.{host_output}"),
        ),
        (
            "DATABASE_PORT".to_string(),
            format!("tostring({db_outputs}.port)"),
        ),
    ];
    let mut secrets_manager = Vec::new();
    if managed_credentials(env) {
        endpoints.push((
            "DATABASE_NAME".into(),
            format!("{db_outputs}.database_name"),
        ));
        endpoints.push((
            "DATABASE_SECRET_ARN".into(),
            format!("{db_outputs}.master_user_secret_arn"),
        ));
        // RDS keeps `username` and `password` keys in the secret it manages.
        for (var, key) in [
            ("DATABASE_PASSWORD", "password"),
            ("DATABASE_USER", "username"),
        ] {
            secrets_manager.push(json!({
                "name": var,
                "secret_arn": format!("{db_outputs}.master_user_secret_arn"),
                "json_key": key,
            }));
        }
    }
    if env.addons.redis.is_some() {
        endpoints.push((
            "REDIS_URL".into(),
            "dependency.redis.outputs.redis_url".into(),
        ));
    }
    if env.addons.memcached.is_some() {
        endpoints.push((
            "MEMCACHED_LOCATION".into(),
            "dependency.memcached.outputs.memcached_location".into(),
        ));
    }
    endpoints.sort();

    json!({
        "environment": environment,
        "endpoints": endpoints.iter().map(|(name, expr)| json!({ "name": name, "expr": expr })).collect::<Vec<_>>(),
        "secrets": secret_parameters(project, env),
        "secrets_manager": secrets_manager,
        "efs": env.addons.efs.as_ref().map(|e| json!({ "mount_path": e.mount_path })),
    })
}
