//! Issue 9, "Password rotation never breaks the app": when RDS rotates the managed master
//! password, an EventBridge rule on the secret's RotationSucceeded starts an SSM Automation that
//! replaces the tasks (Fargate: `ecs:UpdateService` with `forceNewDeployment`) or the instances
//! (EC2: `autoscaling:StartInstanceRefresh`). Exercised here with real Terraform and real AWS
//! models, on the golden modules:
//! - `terraform test` (mock AWS provider, `apply`): the rule's pattern is the RDS secret's ARN as
//!   the unit passes it (known before the compute unit applies, so nothing unknowable is
//!   matched), the target starts this document with this role, the role's trust and its policy
//!   are exactly what the automation needs, and the document's step drives this module's own
//!   cluster/service or group;
//! - moto's EventBridge: the pattern Terraform renders is put on a rule and CloudTrail's
//!   RotationSucceeded event for the secret is delivered, other events are not;
//! - botocore's service models (the AWS SDK's API definitions): each `aws:executeAwsApi` step
//!   names a real API whose request members are exactly its inputs, required ones included.
//!
//! Not exercised (no emulator runs them): EventBridge assuming the role and starting the
//! automation, SSM running it, and IAM enforcing the policy; see docs/deployment.md.

mod common;

use std::process::Command;

use common::terraform::{
    ASG_TEST_VARIABLES, MOCK_PROVIDER, copy_module, fargate_test_variables, terraform, test_module,
};
use common::{moto::start_moto, repo};

/// An RDS-managed master secret: `rds!db-<uuid>` and the random suffix Secrets Manager adds,
/// the value `master_user_secret[0].secret_arn` gives the compute unit.
const SECRET_ARN: &str = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-0a1b2c3d-4e5f-6789-abcd-ef0123456789-AbC123";

/// The mock provider, with realistic ARNs and ids where the provider validates them (`apply`
/// under a mock fills computed attributes with random text otherwise).
fn mock_provider() -> String {
    let head = MOCK_PROVIDER.trim_end().strip_suffix('}').unwrap();
    let mut provider = head.to_string();
    for (resource, attribute, value) in [
        (
            "aws_iam_role",
            "arn",
            "arn:aws:iam::123456789012:role/mock-refresh",
        ),
        (
            "aws_iam_instance_profile",
            "arn",
            "arn:aws:iam::123456789012:instance-profile/mock",
        ),
        ("aws_launch_template", "id", "lt-0123456789abcdef0"),
    ] {
        provider.push_str(&format!(
            "  mock_resource \"{resource}\" {{\n    defaults = {{\n      {attribute} = \"{value}\"\n    }}\n  }}\n"
        ));
    }
    provider.push_str("}\n");
    provider
}

/// The event pattern the rule must carry for [`SECRET_ARN`], as HCL.
const PATTERN: &str = r#"jsonencode({
      source        = ["aws.secretsmanager"]
      "detail-type" = ["AWS Service Event via CloudTrail"]
      detail = {
        eventSource = ["secretsmanager.amazonaws.com"]
        eventName   = ["RotationSucceeded"]
        "$or" = [
          { additionalEventData = { SecretId = [var.secrets_manager_secrets.DATABASE_PASSWORD.secret_arn] } },
          { serviceEventDetails = { secretId = [var.secrets_manager_secrets.DATABASE_PASSWORD.secret_arn] } },
        ]
      }
    })"#;

/// The module under test: golden tree, module folder, `terraform test` variables, what the
/// automation calls and on which resource of the module.
struct Case {
    tree: &'static str,
    module: &'static str,
    variables: String,
    document_name: &'static str,
    /// HCL: the policy statement that lets the automation act, `{sid, actions, resources}`.
    act_statement: &'static str,
    /// HCL: the step's `inputs`, referring to the module's own resources.
    step: &'static str,
}

/// The Fargate service, redeployed with `ecs:UpdateService`.
fn fargate() -> Case {
    Case {
        tree: "team-task",
        module: "ECS_Fargate",
        variables: fargate_test_variables("{}"),
        document_name: "combo-test-app-redeploy",
        act_statement: r#"{ sid = "RedeployService", actions = ["ecs:UpdateService"], resources = [aws_ecs_service.this.id] }"#,
        step: r#"{ name = "ForceNewDeployment", action = "aws:executeAwsApi", inputs = { Service = "ecs", Api = "UpdateService", cluster = aws_ecs_cluster.this.name, service = aws_ecs_service.this.name, forceNewDeployment = true } }"#,
    }
}

/// The Auto Scaling group, refreshed with `autoscaling:StartInstanceRefresh`.
fn asg() -> Case {
    Case {
        tree: "asg-reference",
        module: "AWS_ASG",
        variables: ASG_TEST_VARIABLES.to_string(),
        document_name: "combo-test-app-refresh-instances",
        act_statement: r#"{ sid = "RefreshInstances", actions = ["autoscaling:StartInstanceRefresh"], resources = [aws_autoscaling_group.this.arn] }"#,
        step: r#"{ name = "StartInstanceRefresh", action = "aws:executeAwsApi", inputs = { Service = "autoscaling", Api = "StartInstanceRefresh", AutoScalingGroupName = aws_autoscaling_group.this.name } }"#,
    }
}

impl Case {
    /// `secrets_manager_secrets` with the managed secret, as the compute unit passes it.
    fn secrets(&self) -> String {
        format!(
            "  secrets_manager_secrets = {{\n    DATABASE_PASSWORD = {{\n      secret_arn = \"{SECRET_ARN}\"\n      json_key   = \"password\"\n    }}\n  }}\n"
        )
    }

    /// `terraform test` runs: the wiring with a managed secret, none without one, none when
    /// the module input opts out.
    fn runs(&self) -> String {
        let Case {
            variables,
            document_name,
            act_statement,
            step,
            ..
        } = self;
        let secrets = self.secrets();
        let automation =
            format!("arn:aws:ssm:eu-west-1:123456789012:automation-definition/{document_name}");
        format!(
            r#"variables {{
{variables}{secrets}}}

run "rotation_replaces_what_reads_the_secret" {{
  command = apply

  assert {{
    condition     = aws_cloudwatch_event_rule.rotation[0].event_pattern == {PATTERN}
    error_message = "event pattern: ${{aws_cloudwatch_event_rule.rotation[0].event_pattern}}"
  }}

  assert {{
    condition = (
      aws_cloudwatch_event_target.rotation[0].rule == aws_cloudwatch_event_rule.rotation[0].name
      && aws_cloudwatch_event_target.rotation[0].arn == "{automation}:$DEFAULT"
      && aws_cloudwatch_event_target.rotation[0].role_arn == aws_iam_role.refresh[0].arn
      && aws_cloudwatch_event_target.rotation[0].input == jsonencode({{ AutomationAssumeRole = [aws_iam_role.refresh[0].arn] }})
      && aws_ssm_document.refresh[0].name == "{document_name}"
    )
    error_message = "target: ${{aws_cloudwatch_event_target.rotation[0].arn}} ${{aws_cloudwatch_event_target.rotation[0].input}}"
  }}

  # EventBridge assumes the role to start the automation, which runs with it; both services
  # only on behalf of this account.
  assert {{
    condition = jsonencode([for s in data.aws_iam_policy_document.refresh_assume[0].statement : {{
      actions = s.actions, principals = s.principals, condition = s.condition
      }}]) == jsonencode([{{
      actions    = ["sts:AssumeRole"]
      condition  = [{{ test = "StringEquals", variable = "aws:SourceAccount", values = ["123456789012"] }}]
      principals = [{{ type = "Service", identifiers = ["events.amazonaws.com", "ssm.amazonaws.com"] }}]
    }}])
    error_message = "trust: ${{jsonencode(data.aws_iam_policy_document.refresh_assume[0].statement)}}"
  }}

  # Exactly what the automation needs: start this document, pass its own role to SSM, and the
  # one API call on this module's own resource.
  assert {{
    condition = jsonencode([for s in data.aws_iam_policy_document.refresh[0].statement : {{
      sid = s.sid, actions = sort(s.actions), resources = sort(s.resources), condition = s.condition
      }}]) == jsonencode([
      {{ sid = "StartAutomation", actions = ["ssm:StartAutomationExecution"], resources = ["{automation}:*"], condition = [] }},
      {{ sid = "PassOwnRole", actions = ["iam:PassRole"], resources = [aws_iam_role.refresh[0].arn], condition = [{{ test = "StringEquals", variable = "iam:PassedToService", values = ["ssm.amazonaws.com"] }}] }},
      merge({act_statement}, {{ condition = [] }}),
    ])
    error_message = "policy: ${{jsonencode(data.aws_iam_policy_document.refresh[0].statement)}}"
  }}

  assert {{
    condition = (
      aws_iam_role_policy.refresh[0].role == aws_iam_role.refresh[0].id
      && aws_iam_role_policy.refresh[0].policy == data.aws_iam_policy_document.refresh[0].json
    )
    error_message = "the role has other policies"
  }}

  # An Automation document (schema 0.3) run with the role it is given, whose one step calls the
  # API on this module's own cluster/service or group.
  assert {{
    condition = (
      aws_ssm_document.refresh[0].document_type == "Automation"
      && yamldecode(aws_ssm_document.refresh[0].content).schemaVersion == "0.3"
      && yamldecode(aws_ssm_document.refresh[0].content).assumeRole == "{{{{ AutomationAssumeRole }}}}"
      && jsonencode(keys(yamldecode(aws_ssm_document.refresh[0].content).parameters)) == jsonencode(["AutomationAssumeRole"])
      && jsonencode(yamldecode(aws_ssm_document.refresh[0].content).mainSteps) == jsonencode([{step}])
    )
    error_message = "document: ${{aws_ssm_document.refresh[0].content}}"
  }}
}}

run "no_managed_secret_no_rotation_wiring" {{
  command = plan

  variables {{
    secrets_manager_secrets = {{}}
  }}

  assert {{
    condition     = length(aws_cloudwatch_event_rule.rotation) + length(aws_ssm_document.refresh) + length(aws_iam_role.refresh) == 0
    error_message = "rotation wiring without a secret"
  }}
}}

run "opt_out" {{
  command = plan

  variables {{
    refresh_on_secret_rotation = false
  }}

  assert {{
    condition     = length(aws_cloudwatch_event_rule.rotation) + length(aws_ssm_document.refresh) == 0
    error_message = "rotation wiring despite the opt-out"
  }}
}}
"#
        )
    }

    /// The event pattern and automation document the module computes for the managed secret
    /// (its `rotation_event_pattern` and `refresh_document` locals, read with `terraform
    /// console`: exactly what the rule and the document resource encode).
    fn rendered(&self) -> (serde_json::Value, serde_json::Value) {
        let tf = terraform();
        let dir = copy_module(
            &repo()
                .join("generated")
                .join(self.tree)
                .join("Modules")
                .join(self.module),
        );
        tf.init(dir.path());
        // The `variables` block of the test as TF_VAR_ values (all literals): a string as it
        // is, anything else as JSON, as Terragrunt passes inputs.
        let variables: serde_json::Map<String, serde_json::Value> =
            hcl::from_str(&format!("{}{}", self.variables, self.secrets()))
                .expect("the test variables parse");
        let env: Vec<(String, String)> = variables
            .into_iter()
            .map(|(name, value)| {
                let text = match value {
                    serde_json::Value::String(s) => s,
                    other => other.to_string(),
                };
                (format!("TF_VAR_{name}"), text)
            })
            .collect();
        let value = tf
            .console(
                dir.path(),
                "{ pattern = local.rotation_event_pattern, document = local.refresh_document }",
                &env,
            )
            .unwrap_or_else(|e| panic!("{}: terraform console:\n{e}", self.module));
        (value["pattern"].clone(), value["document"].clone())
    }
}

/// The refresh role gets its permissions from its one inline policy only (the `terraform test`
/// runs check that policy exactly).
fn assert_no_other_policy_on_the_refresh_role(case: &Case) {
    let rotation = std::fs::read_to_string(
        repo()
            .join("generated")
            .join(case.tree)
            .join("Modules")
            .join(case.module)
            .join("rotation.tf"),
    )
    .unwrap();
    for other in [
        "aws_iam_role_policy_attachment",
        "managed_policy_arns",
        "inline_policy",
    ] {
        assert!(!rotation.contains(other), "{}: {other}", case.module);
    }
    let module: String = std::fs::read_dir(
        repo()
            .join("generated")
            .join(case.tree)
            .join("Modules")
            .join(case.module),
    )
    .unwrap()
    .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap_or_default())
    .collect();
    assert_eq!(
        module.matches("aws_iam_role.refresh[0].id").count(),
        1,
        "{}: one policy on the refresh role",
        case.module
    );
}

#[test]
fn fargate_rotation_wiring_redeploys_the_service_with_exactly_its_permissions() {
    let fargate = fargate();
    assert_no_other_policy_on_the_refresh_role(&fargate);
    test_module(
        fargate.tree,
        fargate.module,
        &mock_provider(),
        &fargate.runs(),
        3,
    );
}

#[test]
fn asg_rotation_wiring_refreshes_the_instances_with_exactly_its_permissions() {
    let asg = asg();
    assert_no_other_policy_on_the_refresh_role(&asg);
    test_module(asg.tree, asg.module, &mock_provider(), &asg.runs(), 3);
}

/// CloudTrail's RotationSucceeded for a secret as EventBridge receives it ("AWS Service Event
/// via CloudTrail"; shape from AWS's documentation and published event samples), with the
/// secret's ARN where `location` puts it.
fn cloudtrail_event(event_name: &str, detail_type: &str, location: &str, arn: &str) -> String {
    let mut detail = serde_json::json!({
        "eventVersion": "1.08",
        "userIdentity": {"accountId": "123456789012", "invokedBy": "secretsmanager.amazonaws.com"},
        "eventTime": "2026-12-02T03:00:00Z",
        "eventSource": "secretsmanager.amazonaws.com",
        "eventName": event_name,
        "awsRegion": "eu-west-1",
        "sourceIPAddress": "secretsmanager.amazonaws.com",
        "userAgent": "secretsmanager.amazonaws.com",
        "requestParameters": null,
        "responseElements": null,
        "requestID": format!("Rotation-{arn}-7ac47c8c-f328-423b-9698-6926dd1f293e"),
        "eventID": "638c6d2d-e098-4100-a3e0-a4b7b87e5b92",
        "readOnly": false,
        "eventType": "AwsServiceEvent",
        "managementEvent": true,
        "recipientAccountId": "123456789012",
        "eventCategory": "Management"
    });
    let (object, key) = location.split_once('.').unwrap();
    let mut holder = serde_json::Map::new();
    holder.insert(key.to_string(), arn.into());
    detail[object] = holder.into();
    serde_json::json!([{
        "Source": "aws.secretsmanager",
        "DetailType": detail_type,
        "Detail": detail.to_string(),
    }])
    .to_string()
}

#[test]
fn the_rendered_pattern_matches_cloudtrails_rotation_event_in_eventbridge_and_the_steps_are_real_apis()
 {
    let Some(moto) = start_moto() else { return };
    let aws = |args: &[&str]| {
        let out = Command::new("aws")
            .args(args)
            .args(["--region", "eu-west-1", "--output", "json"])
            .env("AWS_ENDPOINT_URL", &moto.url)
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env_remove("AWS_PROFILE")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "aws {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    for case in [fargate(), asg()] {
        let (pattern, document) = case.rendered();

        // The pattern on a rule whose target is a log group: what matches is written there.
        let rule = format!("{}-rotation", case.module);
        let group = format!("/test/{rule}");
        aws(&[
            "events",
            "put-rule",
            "--name",
            &rule,
            "--event-pattern",
            &pattern.to_string(),
        ]);
        aws(&["logs", "create-log-group", "--log-group-name", &group]);
        aws(&[
            "events",
            "put-targets",
            "--rule",
            &rule,
            "--targets",
            &format!("Id=log,Arn=arn:aws:logs:eu-west-1:123456789012:log-group:{group}"),
        ]);
        let service = "AWS Service Event via CloudTrail";
        let other_secret = SECRET_ARN.replace("-AbC123", "-XyZ789");
        let sent = [
            // Delivered: the documented shape, and the one reported for RDS-managed rotation.
            (
                "RotationSucceeded",
                service,
                "additionalEventData.SecretId",
                SECRET_ARN,
                true,
            ),
            (
                "RotationSucceeded",
                service,
                "serviceEventDetails.secretId",
                SECRET_ARN,
                true,
            ),
            // Not delivered: another secret, a failed rotation, an API call.
            (
                "RotationSucceeded",
                service,
                "additionalEventData.SecretId",
                other_secret.as_str(),
                false,
            ),
            (
                "RotationFailed",
                service,
                "additionalEventData.SecretId",
                SECRET_ARN,
                false,
            ),
            (
                "RotationSucceeded",
                "AWS API Call via CloudTrail",
                "additionalEventData.SecretId",
                SECRET_ARN,
                false,
            ),
        ];
        for (name, detail_type, location, arn, _) in sent {
            let out = aws(&[
                "events",
                "put-events",
                "--entries",
                &cloudtrail_event(name, detail_type, location, arn),
            ]);
            assert!(out.contains("\"FailedEntryCount\": 0"), "{out}");
        }
        let logged: serde_json::Value = serde_json::from_str(&aws(&[
            "logs",
            "filter-log-events",
            "--log-group-name",
            &group,
        ]))
        .unwrap();
        let mut delivered: Vec<(String, String)> = logged["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                let event: serde_json::Value =
                    serde_json::from_str(e["message"].as_str().unwrap()).unwrap();
                let detail = &event["detail"];
                let location = if detail["additionalEventData"].is_object() {
                    "additionalEventData.SecretId"
                } else {
                    "serviceEventDetails.secretId"
                };
                (
                    format!("{} {}", detail["eventName"].as_str().unwrap(), location),
                    detail_secret(detail),
                )
            })
            .collect();
        delivered.sort();
        let expected: Vec<(String, String)> = sent
            .iter()
            .filter(|s| s.4)
            .map(|(name, _, location, arn, _)| (format!("{name} {location}"), arn.to_string()))
            .collect();
        assert_eq!(delivered, expected, "{}: {pattern}", case.module);

        // The automation document is accepted as an Automation document, and each step calls a
        // real API with exactly its request members.
        aws(&[
            "ssm",
            "create-document",
            "--name",
            case.document_name,
            "--document-type",
            "Automation",
            "--document-format",
            "JSON",
            "--content",
            &document.to_string(),
        ]);
        for step in document["mainSteps"].as_array().unwrap() {
            assert_eq!(step["action"], "aws:executeAwsApi");
            check_api_call(&moto.python(), &step["inputs"]);
        }
    }
}

/// The secret ARN an event carries, wherever it is.
fn detail_secret(detail: &serde_json::Value) -> String {
    detail["additionalEventData"]["SecretId"]
        .as_str()
        .or(detail["serviceEventDetails"]["secretId"].as_str())
        .unwrap()
        .to_string()
}

/// Checks an `aws:executeAwsApi` step's inputs against botocore's model of the API: the
/// service and operation exist, every other input is a request member of the right type, and
/// every required member is given.
fn check_api_call(python: &std::path::Path, inputs: &serde_json::Value) {
    const CHECK: &str = r#"
import json, sys
import botocore.session
inputs = json.loads(sys.argv[1])
service, api = inputs.pop("Service"), inputs.pop("Api")
shape = botocore.session.get_session().get_service_model(service).operation_model(api).input_shape
problems = [f"{k}: not a member of {api}" for k in inputs if k not in shape.members]
problems += [f"{k}: required by {api}" for k in shape.required_members if k not in inputs]
kinds = {"string": str, "boolean": bool, "integer": int}
for k, v in inputs.items():
    kind = shape.members[k].type_name if k in shape.members else None
    if kind in kinds and not isinstance(v, kinds[kind]):
        problems.append(f"{k}: {api} takes a {kind}, not {v!r}")
print(json.dumps(problems))
"#;
    let out = Command::new(python)
        .args(["-c", CHECK, &inputs.to_string()])
        .output()
        .unwrap_or_else(|e| panic!("{}: {e}", python.display()));
    assert!(
        out.status.success(),
        "{inputs}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let problems: Vec<String> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(problems.is_empty(), "{inputs}: {problems:?}");
}
