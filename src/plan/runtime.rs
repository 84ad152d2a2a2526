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

/// Plain settings tgforge derives for the app, under the names Django projects use; a value
/// the spec sets under the same name wins.
///
/// - `DJANGO_ALLOWED_CIDR_NETS`: the private subnets, where the app's instances and tasks
///   get their addresses. ALB health checks send the target's own IP as Host, which a strict
///   `ALLOWED_HOSTS` refuses (400); allowing these networks (django-allow-cidr's
///   `ALLOWED_CIDR_NETS`) lets the checks through without opening `ALLOWED_HOSTS` to `*`.
/// - With static files, django-storages' settings: the bucket's region, the `static/` key
///   prefix CloudFront's `/static/*` behaviour serves, the public host, and `STATIC_URL`
///   (the bucket name itself is an endpoint, `AWS_STORAGE_BUCKET_NAME`).
pub fn derived_settings(env: &Environment) -> Vec<(&'static str, String)> {
    let private: Vec<String> = env
        .network
        .private_subnets
        .iter()
        .map(ToString::to_string)
        .collect();
    let mut settings = vec![("DJANGO_ALLOWED_CIDR_NETS", private.join(","))];
    if env.static_files.is_some() {
        settings.push(("AWS_S3_REGION_NAME", env.region.clone()));
        settings.push(("AWS_LOCATION", STATIC_PREFIX.to_string()));
        if let Some(domain) = &env.domain {
            settings.push(("AWS_S3_CUSTOM_DOMAIN", domain.clone()));
            settings.push(("STATIC_URL", format!("https://{domain}/{STATIC_PREFIX}/")));
        }
    }
    settings
}

/// The key prefix of static files in the bucket: CloudFront sends `/static/*` to the bucket
/// with the path unchanged.
pub const STATIC_PREFIX: &str = "static";

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
    for (var, value) in derived_settings(env) {
        environment.entry(var.to_string()).or_insert(value);
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
    let mut secrets = secret_parameters(project, env);
    let mut secrets_manager = Vec::new();
    if !managed_credentials(env) {
        // The master credentials the database was created with, by Parameter Store name, so
        // the app and `migrate` log in with them. A name the spec maps itself is left alone.
        let db = &env.database;
        for (var, suffix) in [
            ("DATABASE_NAME", &db.db_name_parameter),
            ("DATABASE_USER", &db.username_parameter),
            ("DATABASE_PASSWORD", &db.password_parameter),
        ] {
            if !environment.contains_key(var) && !secrets.contains_key(var) {
                secrets.insert(var.to_string(), env.parameter_name(&project.name, suffix));
            }
        }
    }
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
    if env.static_files.is_some() {
        endpoints.push((
            "AWS_STORAGE_BUCKET_NAME".into(),
            "dependency.s3_static.outputs.bucket_id".into(),
        ));
    }
    endpoints.sort();

    json!({
        "environment": environment,
        "endpoints": endpoints.iter().map(|(name, expr)| json!({ "name": name, "expr": expr })).collect::<Vec<_>>(),
        "secrets": secrets,
        "secrets_manager": secrets_manager,
        "efs": env.addons.efs.as_ref().map(|e| json!({ "mount_path": e.mount_path })),
    })
}
