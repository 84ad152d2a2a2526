//! App section: Fargate sizing, scaling bounds, ports, environment and secrets.

use crate::project::App;
use crate::spec::model::AppSpec;
use crate::validate::EnvCheck;
use crate::validate::rules::{has_url_credentials, is_python_module, looks_secret};

/// Memory sizes (MiB) Fargate accepts for a CPU size: (cpu, min, max, step).
const FARGATE_SIZES: [(u32, u32, u32, u32); 7] = [
    (256, 512, 2048, 512),
    (512, 1024, 4096, 1024),
    (1024, 2048, 8192, 1024),
    (2048, 4096, 16384, 1024),
    (4096, 8192, 30720, 1024),
    (8192, 16384, 61440, 4096),
    (16384, 32768, 122880, 8192),
];

/// Whether Fargate runs a task of `cpu` units and `memory` MiB.
pub fn fargate_size_ok(cpu: u32, memory: u32) -> bool {
    if cpu == 256 {
        // The smallest size is not a regular range: 0.5, 1 and 2 GiB only.
        return matches!(memory, 512 | 1024 | 2048);
    }
    FARGATE_SIZES.iter().any(|&(c, min, max, step)| {
        c == cpu && (min..=max).contains(&memory) && (memory - min).is_multiple_of(step)
    })
}

fn memory_choices(cpu: u32) -> Option<String> {
    FARGATE_SIZES
        .iter()
        .find(|s| s.0 == cpu)
        .map(|&(_, min, max, step)| {
            if cpu == 256 {
                "512, 1024 or 2048".to_string()
            } else {
                format!("{min} to {max} in steps of {step}")
            }
        })
}

pub(crate) fn resolve(check: &mut EnvCheck<'_>, spec: Option<&AppSpec>) -> Option<App> {
    let before = check.diagnostics.len();
    let s = spec.cloned().unwrap_or_default();

    let port = s.port.unwrap_or(8000);
    if port == 0 {
        check.error("app.port", "ports are 1-65535");
    }
    let cpu = s.cpu.unwrap_or(256);
    let memory = s.memory.unwrap_or(512);
    match memory_choices(cpu) {
        None => {
            check
                .error("app.cpu", format!("{cpu} is not a Fargate CPU size"))
                .hint = Some("one of 256, 512, 1024, 2048, 4096, 8192, 16384".into());
        }
        Some(choices) if !fargate_size_ok(cpu, memory) => {
            check
                .error(
                    "app.memory",
                    format!("Fargate does not run {cpu} CPU units with {memory} MiB"),
                )
                .hint = Some(format!("with cpu {cpu}, memory is {choices}"));
        }
        Some(_) => {}
    }

    let min = s.min_count.unwrap_or(1);
    let max = s.max_count.unwrap_or(min.max(4));
    let desired = s.desired_count.unwrap_or(min.max(1));
    if min > desired || desired > max {
        check.error(
            "app.desired_count",
            format!(
                "needs min_count <= desired_count <= max_count, got {min} <= {desired} <= {max}"
            ),
        );
    }
    if max == 0 || max > 1000 {
        check.error("app.max_count", "between 1 and 1000 tasks");
    }
    let cpu_target = s.cpu_target.unwrap_or(70);
    if !(1..=100).contains(&cpu_target) {
        check.error(
            "app.cpu_target",
            format!("{cpu_target} is not a percentage between 1 and 100"),
        );
    }
    let health_check_path = s.health_check_path.unwrap_or_else(|| "/".to_string());
    if !health_check_path.starts_with('/')
        || health_check_path.len() > 1024
        || health_check_path
            .chars()
            .any(|c| c.is_whitespace() || c.is_control())
    {
        check.error(
            "app.health_check_path",
            "an absolute URL path such as `/health/`, without spaces",
        );
    }
    let image_tag = s.image_tag.unwrap_or_else(|| "latest".to_string());
    if image_tag.is_empty()
        || image_tag.len() > 128
        || !image_tag
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
    {
        check.error(
            "app.image_tag",
            "an image tag is 1-128 letters, digits, `_`, `.` and `-`",
        );
    }
    if let Some(image) = &s.image
        && (image.is_empty() || image.chars().any(|c| c.is_whitespace() || c.is_control()))
    {
        check.error("app.image", "an image reference such as `nginx:1.27` or `123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:v1`");
    }
    let log_retention_days = s.log_retention_days.unwrap_or(30);
    const RETENTION: [u32; 22] = [
        1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557,
        2922, 3288, 3653,
    ];
    if !RETENTION.contains(&log_retention_days) {
        check.error("app.log_retention_days", format!("CloudWatch does not offer {log_retention_days} days")).hint =
            Some("one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653".into());
    }

    let environment = s.environment.unwrap_or_default();
    for (key, value) in &environment {
        let field = format!("app.environment.{key}");
        if check.env_var_name(&field, key) && (looks_secret(key) || has_url_credentials(value)) {
            check.error(&field, "this looks like a secret; plain environment values are written into generated files").hint =
                Some(format!("move it to `app.secrets` (e.g. `{key}: {}`) and store the value in Parameter Store", key.to_ascii_lowercase()));
        }
    }
    let secrets = s.secrets.unwrap_or_default();
    for (key, suffix) in &secrets {
        let field = format!("app.secrets.{key}");
        check.env_var_name(&field, key);
        if let Some(error) = check.parameter_suffix(&field, suffix) {
            error.hint = Some(
                "letters, digits, `_`, `.` and `-`; the full name is PROJECT-ENVIRONMENT_SUFFIX"
                    .into(),
            );
        }
        if environment.contains_key(key) {
            check.error(&field, "is set both in `environment` and in `secrets`");
        }
    }

    let generated_secrets = s.generated_secrets.unwrap_or_default();
    for (key, suffix) in &generated_secrets {
        let field = format!("app.generated_secrets.{key}");
        check.env_var_name(&field, key);
        check.parameter_suffix(&field, suffix);
        if environment.contains_key(key) || secrets.contains_key(key) {
            check.error(&field, "is also set in `environment` or `secrets`");
        }
        if secrets.values().any(|s| s == suffix) {
            check.error(&field, format!("the parameter suffix `{suffix}` is also read by `secrets`; a generated parameter is written by Terraform, not by hand"));
        }
    }
    let settings_module = s.settings_module;
    if let Some(module) = &settings_module {
        if !is_python_module(module) {
            check
                .error(
                    "app.settings_module",
                    format!("`{}` is not a Python module path", module.escape_debug()),
                )
                .hint = Some("for example `mysite.settings.cloud`".into());
        }
        if environment.contains_key("DJANGO_SETTINGS_MODULE") {
            check.error(
                "app.environment.DJANGO_SETTINGS_MODULE",
                "is also set by `app.settings_module`; keep one",
            );
        }
    }

    (check.diagnostics.len() == before).then_some(App {
        generated_secrets,
        settings_module,
        image: s.image,
        image_tag,
        port,
        cpu,
        memory,
        desired_count: desired,
        min_count: min,
        max_count: max,
        cpu_target,
        health_check_path,
        environment,
        secrets,
        log_retention_days,
    })
}

#[cfg(test)]
mod tests {
    use super::fargate_size_ok;

    #[test]
    fn fargate_pairs() {
        assert!(fargate_size_ok(256, 512));
        assert!(fargate_size_ok(256, 1024));
        assert!(fargate_size_ok(256, 2048));
        assert!(!fargate_size_ok(256, 4096));
        assert!(fargate_size_ok(1024, 3072));
        assert!(!fargate_size_ok(1024, 1024));
        assert!(fargate_size_ok(8192, 20480));
        assert!(!fargate_size_ok(8192, 18432));
        assert!(!fargate_size_ok(300, 512));
    }
}
