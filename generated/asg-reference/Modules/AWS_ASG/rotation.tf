# Password rotation never breaks the app: instances read the database secret once, at boot,
# so when RDS rotates the master password (RotationSucceeded on one of the Secrets Manager
# secrets the app reads) an EventBridge rule starts an SSM Automation that begins an instance
# refresh. New instances boot with the new password and replace the old ones gradually, within
# the group's min_healthy_percentage. Postgres keeps sessions opened with the old password, so
# instances still being replaced keep serving on their open connections.
#
# RotationSucceeded is a CloudTrail event ("AWS Service Event via CloudTrail"): the account's
# CloudTrail management events must be on (the default event history is enough for EventBridge
# in the region of the secret).

locals {
  refresh_on_rotation = var.refresh_on_secret_rotation && length(local.secret_arns) > 0
}

resource "aws_ssm_document" "refresh" {
  count = local.refresh_on_rotation ? 1 : 0

  name            = "${var.name}-refresh-instances"
  document_type   = "Automation"
  document_format = "YAML"
  content = yamlencode({
    schemaVersion = "0.3"
    description   = "Starts an instance refresh of ${var.name} so that its instances read rotated secrets."
    assumeRole    = "{{ AutomationAssumeRole }}"
    parameters = {
      AutomationAssumeRole = {
        type        = "String"
        description = "Role the automation runs with."
      }
    }
    mainSteps = [{
      name   = "StartInstanceRefresh"
      action = "aws:executeAwsApi"
      inputs = {
        Service              = "autoscaling"
        Api                  = "StartInstanceRefresh"
        AutoScalingGroupName = aws_autoscaling_group.this.name
      }
    }]
  })
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

  name               = "${var.name}-refresh"
  description        = "Starts an instance refresh of ${var.name} after a secret rotation."
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
    sid       = "RefreshInstances"
    actions   = ["autoscaling:StartInstanceRefresh"]
    resources = [aws_autoscaling_group.this.arn]
  }
}

resource "aws_iam_role_policy" "refresh" {
  count = local.refresh_on_rotation ? 1 : 0

  name   = "refresh-instances"
  role   = aws_iam_role.refresh[0].id
  policy = data.aws_iam_policy_document.refresh[0].json
}

resource "aws_cloudwatch_event_rule" "rotation" {
  count = local.refresh_on_rotation ? 1 : 0

  name        = "${var.name}-secret-rotated"
  description = "A secret read by ${var.name} was rotated: refresh its instances."
  event_pattern = jsonencode({
    source        = ["aws.secretsmanager"]
    "detail-type" = ["AWS Service Event via CloudTrail"]
    detail = {
      eventSource         = ["secretsmanager.amazonaws.com"]
      eventName           = ["RotationSucceeded"]
      additionalEventData = { SecretId = local.secret_arns }
    }
  })
}

resource "aws_cloudwatch_event_target" "rotation" {
  count = local.refresh_on_rotation ? 1 : 0

  rule     = aws_cloudwatch_event_rule.rotation[0].name
  arn      = "arn:${local.partition}:ssm:${local.region}:${local.account_id}:automation-definition/${aws_ssm_document.refresh[0].name}:$DEFAULT"
  role_arn = aws_iam_role.refresh[0].arn
  input    = jsonencode({ AutomationAssumeRole = [aws_iam_role.refresh[0].arn] })

  depends_on = [aws_iam_role_policy.refresh]
}
