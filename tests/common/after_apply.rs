//! What must hold for a generated tree to work after `apply` (issue 9, "Works after apply"),
//! checked on the rendered files of every environment of a tree: the golden trees and every
//! architecture combination. Each rule returns the violations it finds, so one run reports all.

use std::collections::BTreeMap;

use hcl::Expression;

use super::unit_inputs::{object_key_name, unit_inputs};

type Tree = BTreeMap<String, Vec<u8>>;

fn text(tree: &Tree, path: &str) -> Option<String> {
    tree.get(path)
        .map(|b| String::from_utf8(b.clone()).unwrap())
}

/// The environments of a tree (folders holding `infrastructure/vpc`).
fn environments(tree: &Tree) -> Vec<String> {
    tree.keys()
        .filter_map(|p| p.strip_suffix("/infrastructure/vpc/terragrunt.hcl"))
        .map(str::to_string)
        .collect()
}

/// A unit's generated `inputs`, name -> expression; `None` when the unit does not exist.
fn inputs(tree: &Tree, env: &str, unit: &str) -> Option<BTreeMap<String, Expression>> {
    let unit_text = text(tree, &format!("{env}/infrastructure/{unit}/terragrunt.hcl"))?;
    unit_inputs(&unit_text)
}

fn expr_text(expr: &Expression) -> String {
    match expr {
        Expression::String(s) => s.clone(),
        other => hcl::format::to_string(other).unwrap(),
    }
}

/// Every key of an object expression, also inside `merge(...)` of objects.
fn object_entries(expr: &Expression) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    match expr {
        Expression::Object(object) => {
            for (k, v) in object {
                out.insert(object_key_name(k), expr_text(v));
            }
        }
        Expression::FuncCall(call) => {
            for arg in &call.args {
                out.extend(object_entries(arg));
            }
        }
        _ => {}
    }
    out
}

fn string_list(expr: &Expression) -> Vec<String> {
    match expr {
        Expression::Array(items) => items.iter().map(expr_text).collect(),
        other => vec![expr_text(other)],
    }
}

fn compute_unit(tree: &Tree, env: &str) -> &'static str {
    if tree.contains_key(&format!("{env}/infrastructure/asg/terragrunt.hcl")) {
        "asg"
    } else {
        "ecs_fargate"
    }
}

fn module_text(tree: &Tree, module: &str) -> String {
    let prefix = format!("Modules/{module}/");
    tree.iter()
        .filter(|(p, _)| p.starts_with(&prefix) && p.ends_with(".tf"))
        .map(|(_, b)| String::from_utf8(b.clone()).unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every violation of the after-apply rules in `tree`, one line each.
pub fn after_apply_violations(tree: &Tree) -> Vec<String> {
    let mut problems = Vec::new();
    let mut fail = |rule: &str, msg: String| problems.push(format!("{rule}: {msg}"));
    for env in environments(tree) {
        let compute = compute_unit(tree, &env);
        let app = inputs(tree, &env, compute).expect("compute unit");
        let app_env = object_entries(&app["environment_json"]);
        let app_secrets = object_entries(&app["secrets"]);
        let migrations = inputs(tree, &env, "migrations");
        let alb = inputs(tree, &env, "alb").expect("alb unit");
        let security_groups = inputs(tree, &env, "security_groups").expect("sg unit");

        // 1. CloudFront over HTTPS: the ALB certificate covers the Host CloudFront forwards.
        if let Some(cloudfront) = inputs(tree, &env, "cloudfront") {
            let https = expr_text(&cloudfront["alb_origin_protocol_policy"]) == "https-only";
            let aliases = string_list(&cloudfront["aliases"]);
            if https {
                let covered = match inputs(tree, &env, "acm_alb") {
                    Some(acm) => {
                        let mut names = vec![expr_text(&acm["domain_name"])];
                        if let Some(sans) = acm.get("subject_alternative_names") {
                            names.extend(string_list(sans));
                        }
                        aliases.iter().all(|a| names.contains(a))
                    }
                    // A given certificate: the CloudFront one reused, or one the spec declares
                    // for an origin name (documented to cover `domain` as well).
                    None => {
                        expr_text(&alb["certificate_arn"])
                            == expr_text(&cloudfront["certificate_arn"])
                            || matches!(cloudfront["alb_origin_domain"], Expression::String(_))
                    }
                };
                if !covered {
                    fail(
                        "origin certificate",
                        format!(
                            "{env}: HTTPS to the ALB but its certificate does not cover {aliases:?}"
                        ),
                    );
                }
            }
            if !module_text(tree, "AWS_CloudFront")
                .contains("origin_request_policy_name = \"Managed-AllViewer\"")
            {
                fail(
                    "origin certificate",
                    "CloudFront does not forward the viewer's Host".into(),
                );
            }
            if inputs(tree, &env, "acm_alb").is_some() && !https {
                fail(
                    "origin certificate",
                    format!("{env}: a requested certificate but HTTP to the ALB"),
                );
            }
            // 2. No plain-HTTP path around CloudFront: the origin port admits CloudFront only,
            // port 80 redirects unless it is CloudFront's own HTTP leg.
            let port = security_groups
                .get("cloudfront_origin_port")
                .map(expr_text)
                .unwrap_or_default();
            let want = if https { "443" } else { "80" };
            if port != want {
                fail(
                    "no plain HTTP",
                    format!("{env}: cloudfront_origin_port is {port:?}, want {want}"),
                );
            }
            let action = expr_text(&alb["http_listener_action"]);
            if https && action != "redirect" {
                fail(
                    "no plain HTTP",
                    format!("{env}: port 80 {action}s with HTTPS to the ALB"),
                );
            }
        } else if expr_text(&alb["http_listener_action"]) != "redirect" {
            fail(
                "no plain HTTP",
                format!("{env}: port 80 forwards without CloudFront"),
            );
        }
        let sg_module = module_text(tree, "AWS_Security_Groups");
        if !sg_module.contains("com.amazonaws.global.cloudfront.origin-facing") {
            fail(
                "no plain HTTP",
                "the ALB group never uses CloudFront's prefix list".into(),
            );
        }

        // 3. Rotation: a secret from Secrets Manager means a refresh/redeploy on rotation.
        if app.contains_key("secrets_manager_secrets") {
            let module = if compute == "asg" {
                "AWS_ASG"
            } else {
                "ECS_Fargate"
            };
            let api = if compute == "asg" {
                "StartInstanceRefresh"
            } else {
                "UpdateService"
            };
            let text = module_text(tree, module);
            if !(text.contains("\"RotationSucceeded\"")
                && text.contains(api)
                && text.contains("aws_cloudwatch_event_target"))
                || app.contains_key("refresh_on_secret_rotation")
            {
                fail(
                    "rotation",
                    format!("{env}: nothing replaces {compute} when the database secret rotates"),
                );
            }
        }

        // 4. Parameter mode: the app and migrate log in with the parameters the DB was made with.
        if let Some(db) = inputs(tree, &env, "db_instance")
            && db.contains_key("password_parameter")
        {
            let want = [
                ("DATABASE_NAME", "db_name_parameter"),
                ("DATABASE_USER", "username_parameter"),
                ("DATABASE_PASSWORD", "password_parameter"),
            ];
            for (unit, unit_inputs) in [(compute, Some(&app)), ("migrations", migrations.as_ref())]
            {
                let Some(unit_inputs) = unit_inputs else {
                    continue;
                };
                let secrets = object_entries(&unit_inputs["secrets"]);
                for (var, param) in want {
                    if secrets.get(var) != Some(&expr_text(&db[param])) {
                        fail(
                            "database credentials",
                            format!("{env}/{unit}: {var} is not the {param} reference"),
                        );
                    }
                }
            }
        }

        // 5. Static files: the app knows the bucket and URL; the job may upload.
        if inputs(tree, &env, "s3_static").is_some() {
            if app_env.get("AWS_STORAGE_BUCKET_NAME").map(String::as_str)
                != Some("dependency.s3_static.outputs.bucket_id")
                || !app_env
                    .get("STATIC_URL")
                    .is_some_and(|u| u.ends_with("/static/"))
            {
                fail(
                    "static files",
                    format!("{env}: the app lacks the bucket name or STATIC_URL"),
                );
            }
            match &migrations {
                Some(m) => {
                    let iam = module_text(tree, "AWS_CodeBuild_Migrations");
                    if !(m.contains_key("collectstatic_command")
                        && m.get("static_files_bucket_arn").map(expr_text).as_deref()
                            == Some("dependency.s3_static.outputs.bucket_arn")
                        && iam.contains("\"s3:PutObject\""))
                    {
                        fail(
                            "static files",
                            format!("{env}: the migrations job cannot upload the static files"),
                        );
                    }
                }
                None => {
                    let readme = text(tree, "README.md").unwrap_or_default();
                    if !readme.contains("s3:PutObject") {
                        fail(
                            "static files",
                            format!("{env}: no job and no documented upload"),
                        );
                    }
                }
            }
        }

        // 6. Health checks with a strict ALLOWED_HOSTS: the targets' networks are handed over.
        let vpc = inputs(tree, &env, "vpc").expect("vpc unit");
        let private = string_list(&vpc["private_subnet_cidrs"]).join(",");
        if app_env.get("DJANGO_ALLOWED_CIDR_NETS") != Some(&private) {
            fail(
                "health checks",
                format!("{env}: DJANGO_ALLOWED_CIDR_NETS is not {private}"),
            );
        }

        if compute == "asg"
            && !text(tree, "Modules/AWS_ASG/user_data.sh.tftpl")
                .unwrap_or_default()
                .contains("printf 'DJANGO_ALLOWED_HOSTS=\"%s,%s\"\\n' \"$hosts\" \"$ip\"")
        {
            fail(
                "health checks",
                format!("{env}: instances do not add their own IP to a strict ALLOWED_HOSTS"),
            );
        }

        // 7. Migrations before the app: dependency, and the README's steps in that order.
        if migrations.is_some() {
            let unit_text = text(
                tree,
                &format!("{env}/infrastructure/{compute}/terragrunt.hcl"),
            )
            .unwrap();
            if !unit_text.contains("dependency_blocks/migrations.hcl") {
                fail(
                    "migrations first",
                    format!("{env}: {compute} does not depend on migrations"),
                );
            }
            let readme = text(tree, "README.md").unwrap_or_default();
            // Either Terragrunt syntax (the README follows the pinned version).
            let find_any = |candidates: [String; 2]| {
                candidates
                    .iter()
                    .filter_map(|c| readme.find(c.as_str()))
                    .min()
            };
            let first = find_any([
                format!(
                    "cd {env}/infrastructure && terragrunt run --all apply --queue-include-dir migrations"
                ),
                format!(
                    "cd {env}/infrastructure && terragrunt run-all apply --terragrunt-include-dir migrations"
                ),
            ]);
            let build = readme.find("aws codebuild start-build");
            let rest = find_any([
                format!("cd {env}/infrastructure && terragrunt run --all apply\n"),
                format!("cd {env}/infrastructure && terragrunt run-all apply\n"),
            ]);
            if !(first.is_some() && first < build && build < rest) {
                fail(
                    "migrations first",
                    format!("{env}: the README does not apply the job, migrate, then the rest"),
                );
            }
        }
        let _ = app_secrets;

        // 8. Least privilege on EC2: no managed policy reading every parameter.
        if compute == "asg" {
            let asg = module_text(tree, "AWS_ASG");
            if asg.contains("\"AmazonSSMManagedInstanceCore\"") || asg.contains("ssm:GetParameter*")
            {
                fail(
                    "least privilege",
                    "the instance role can read every parameter".into(),
                );
            }
            if !asg.contains("ssmmessages:OpenDataChannel") {
                fail(
                    "least privilege",
                    "the instance role cannot carry Session Manager sessions".into(),
                );
            }
        }

        // 9. Smaller rules.
        for (unit, module) in [
            ("db_instance", "AWS_RDS"),
            ("aurora", "AWS_Aurora_Serverless"),
        ] {
            let Some(db) = inputs(tree, &env, unit) else {
                continue;
            };
            let text = module_text(tree, module);
            if text.contains("-final\"")
                || !text.contains("ignore_changes = [final_snapshot_identifier]")
            {
                fail(
                    "final snapshot",
                    format!("{module}: a fixed final snapshot identifier"),
                );
            }
            let pinned = expr_text(&db["engine_version"]).contains('.');
            let auto = db.get("auto_minor_version_upgrade").map(expr_text);
            if pinned && auto.as_deref() != Some("false") {
                fail(
                    "minor upgrades",
                    format!("{env}/{unit}: pinned engine_version with automatic minor upgrades"),
                );
            }
            if !text.contains("auto_minor_version_upgrade   = var.auto_minor_version_upgrade")
                && !text.contains("auto_minor_version_upgrade  = var.auto_minor_version_upgrade")
            {
                fail(
                    "minor upgrades",
                    format!("{module}: automatic minor upgrades cannot be turned off"),
                );
            }
        }
        let alb_module = module_text(tree, "AWS_ALB");
        if !(alb_module.contains("name        = local.target_group_name")
            && alb_module.contains(
                "sha1(jsonencode([var.target_port, \"HTTP\", var.target_type, var.vpc_id]))",
            ))
        {
            fail(
                "target group",
                "a replacement target group reuses the old name".into(),
            );
        }
        if compute == "ecs_fargate" {
            let ecs = module_text(tree, "ECS_Fargate");
            if !ecs.contains("wait_for_steady_state = var.wait_for_steady_state") {
                fail(
                    "steady state",
                    "the ECS service does not wait for steady state".into(),
                );
            }
        }
        if let Some(pkrvars) = text(tree, &format!("{env}/packer.pkrvars.hcl")) {
            let name = expr_text(&vpc["name"]);
            if !pkrvars.contains(&format!("subnet_name = \"{name}-private-1-*\"")) {
                fail(
                    "packer",
                    format!("{env}: Packer does not build in the generated VPC"),
                );
            }
            for layer in ["system", "middleware", "application"] {
                let template = text(tree, &format!("Packer/{layer}/{layer}.pkr.hcl")).unwrap();
                if !template.contains("dynamic \"subnet_filter\"") {
                    fail("packer", format!("{layer}: no subnet lookup by name"));
                }
            }
        }
    }
    problems
}
