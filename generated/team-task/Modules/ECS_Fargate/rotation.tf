# Password rotation never breaks the app: ECS resolves secrets once, when a task starts, so
# when RDS rotates the master password (RotationSucceeded on one of the Secrets Manager
# secrets in secrets_manager_secrets) an EventBridge rule starts an SSM Automation that forces
# a new deployment. New tasks start with the new password and replace the old ones under the
# service's rolling deployment (100% minimum healthy, circuit breaker). Postgres keeps
# sessions opened with the old password, so tasks still being replaced keep serving on their
# open connections; their new connections fail until they are replaced (persistent
# connections, Django's CONN_MAX_AGE, shorten that gap: docs/deployment.md).
#
# RotationSucceeded is a CloudTrail event ("AWS Service Event via CloudTrail"): the account's
# CloudTrail management events must be on (the default event history is enough for EventBridge
# in the region of the secret).

locals {
  refresh_on_rotation = var.refresh_on_secret_rotation && length(local.secrets_manager_arns) > 0
  refresh_name        = substr("${var.service_name}-redeploy", 0, 56)

  # RotationSucceeded for one of the secrets, as CloudTrail hands it to EventBridge: a service
  # event (not an API call), the secret's full ARN (the one RDS returns, with its random
  # suffix) in additionalEventData.SecretId, as AWS documents it. Some reports of RDS-managed
  # rotation put it in serviceEventDetails.secretId instead; both are matched, still only for
  # these secrets.
  rotation_event_pattern = {
    source        = ["aws.secretsmanager"]
    "detail-type" = ["AWS Service Event via CloudTrail"]
    detail = {
      eventSource = ["secretsmanager.amazonaws.com"]
      eventName   = ["RotationSucceeded"]
      "$or" = [
        { additionalEventData = { SecretId = local.secrets_manager_arns } },
        { serviceEventDetails = { secretId = local.secrets_manager_arns } },
      ]
    }
  }

  # The automation: one aws:executeAwsApi step whose inputs are the API's own request members
  # (the cluster and service names are the inputs the resources are created with).
  refresh_document = {
    schemaVersion = "0.3"
    description   = "Forces a new deployment of ${var.service_name} so that its tasks read rotated secrets."
    assumeRole    = "{{ AutomationAssumeRole }}"
    parameters = {
      AutomationAssumeRole = {
        type        = "String"
        description = "Role the automation runs with."
      }
    }
    mainSteps = [{
      name   = "ForceNewDeployment"
      action = "aws:executeAwsApi"
      inputs = {
        Service            = "ecs"
        Api                = "UpdateService"
        cluster            = var.cluster_name
        service            = var.service_name
        forceNewDeployment = true
      }
    }]
  }
}

resource "aws_ssm_document" "refresh" {
  count = local.refresh_on_rotation ? 1 : 0

  name            = local.refresh_name
  document_type   = "Automation"
  document_format = "YAML"
  content         = yamlencode(local.refresh_document)
}

data "aws_iam_policy_document" "refresh_assume" {
  count = local.refresh_on_rotation ? 1 : 0

  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com", "ssm.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

# One role: EventBridge assumes it to start the automation, which runs with it as well.
resource "aws_iam_role" "refresh" {
  count = local.refresh_on_rotation ? 1 : 0

  name               = local.refresh_name
  description        = "Redeploys ${var.service_name} after a secret rotation."
  assume_role_policy = data.aws_iam_policy_document.refresh_assume[0].json
}

data "aws_iam_policy_document" "refresh" {
  count = local.refresh_on_rotation ? 1 : 0

  statement {
    sid       = "StartAutomation"
    actions   = ["ssm:StartAutomationExecution"]
    resources = ["arn:${local.partition}:ssm:${local.region}:${local.account_id}:automation-definition/${aws_ssm_document.refresh[0].name}:*"]
  }

  statement {
    sid       = "PassOwnRole"
    actions   = ["iam:PassRole"]
    resources = [aws_iam_role.refresh[0].arn]

    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["ssm.amazonaws.com"]
    }
  }

  statement {
    sid       = "RedeployService"
    actions   = ["ecs:UpdateService"]
    resources = [aws_ecs_service.this.id]
  }
}

resource "aws_iam_role_policy" "refresh" {
  count = local.refresh_on_rotation ? 1 : 0

  name   = "redeploy-service"
  role   = aws_iam_role.refresh[0].id
  policy = data.aws_iam_policy_document.refresh[0].json
}

resource "aws_cloudwatch_event_rule" "rotation" {
  count = local.refresh_on_rotation ? 1 : 0

  name          = "${substr(var.service_name, 0, 48)}-secret-rotated"
  description   = "A secret read by ${var.service_name} was rotated: redeploy its tasks."
  event_pattern = jsonencode(local.rotation_event_pattern)
}

resource "aws_cloudwatch_event_target" "rotation" {
  count = local.refresh_on_rotation ? 1 : 0

  rule     = aws_cloudwatch_event_rule.rotation[0].name
  arn      = "arn:${local.partition}:ssm:${local.region}:${local.account_id}:automation-definition/${aws_ssm_document.refresh[0].name}:$DEFAULT"
  role_arn = aws_iam_role.refresh[0].arn
  input    = jsonencode({ AutomationAssumeRole = [aws_iam_role.refresh[0].arn] })

  depends_on = [aws_iam_role_policy.refresh]
}
