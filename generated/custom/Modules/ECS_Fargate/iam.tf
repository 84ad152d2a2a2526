# Two roles, as ECS intends:
# - execution role: used by the ECS agent to pull the image, write logs and resolve secrets;
# - task role: the application's own AWS identity (empty unless EFS or ECS Exec is used).
# Both are inline policies scoped to the exact ARNs this service uses, rather than the broad
# AmazonECSTaskExecutionRolePolicy (which allows pulling from every repository).

data "aws_iam_policy_document" "ecs_tasks_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }

    # Confused-deputy protection: only ECS acting for this account and region.
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:${local.partition}:ecs:${local.region}:${local.account_id}:*"]
    }
  }
}

# --- Execution role -------------------------------------------------------------------------

resource "aws_iam_role" "execution" {
  name               = "${substr(var.service_name, 0, 48)}-execution"
  description        = "ECS agent role of ${var.service_name}: image pull, logs, secrets"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
}

data "aws_iam_policy_document" "execution" {
  # Resource "*" is required: ecr:GetAuthorizationToken is account-wide and supports no
  # resource-level permissions.
  statement {
    sid       = "EcrAuth"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  dynamic "statement" {
    for_each = local.ecr_repository_arn == null ? [] : [local.ecr_repository_arn]

    content {
      sid = "EcrPull"
      actions = [
        "ecr:BatchCheckLayerAvailability",
        "ecr:BatchGetImage",
        "ecr:GetDownloadUrlForLayer",
      ]
      resources = [statement.value]
    }
  }

  statement {
    sid       = "Logs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.this.arn}:log-stream:*"]
  }

  dynamic "statement" {
    for_each = length(local.ssm_parameter_arns) > 0 ? [sort(distinct(values(local.ssm_parameter_arns)))] : []

    content {
      sid       = "ParameterStoreSecrets"
      actions   = ["ssm:GetParameters"]
      resources = statement.value
    }
  }

  dynamic "statement" {
    for_each = length(local.secrets_manager_arns) > 0 ? [sort(local.secrets_manager_arns)] : []

    content {
      sid       = "SecretsManagerSecrets"
      actions   = ["secretsmanager:GetSecretValue"]
      resources = statement.value
    }
  }

  # Only for customer managed keys; AWS managed keys (aws/ssm, aws/secretsmanager) need no
  # grant. Limited to decryption requested through those two services.
  dynamic "statement" {
    for_each = length(var.secrets_kms_key_arns) > 0 ? [var.secrets_kms_key_arns] : []

    content {
      sid       = "DecryptSecrets"
      actions   = ["kms:Decrypt"]
      resources = statement.value

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values = [
          "ssm.${local.region}.amazonaws.com",
          "secretsmanager.${local.region}.amazonaws.com",
        ]
      }
    }
  }
}

resource "aws_iam_role_policy" "execution" {
  name   = "execution"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution.json
}

# --- Task role ------------------------------------------------------------------------------

resource "aws_iam_role" "task" {
  name               = "${substr(var.service_name, 0, 48)}-task"
  description        = "Application role of ${var.service_name}"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
}

data "aws_iam_policy_document" "task" {
  count = local.efs_enabled || var.enable_execute_command ? 1 : 0

  # Mount and write, but only through the configured access point (which pins the POSIX
  # user and root directory); no root access.
  dynamic "statement" {
    for_each = local.efs_enabled ? [1] : []

    content {
      sid       = "EfsMount"
      actions   = ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"]
      resources = [local.efs_file_system_arn]

      condition {
        test     = "StringEquals"
        variable = "elasticfilesystem:AccessPointArn"
        values   = [local.efs_access_point_arn]
      }
    }
  }

  # ECS Exec: the SSM agent in the task opens the session channels. Resource "*" is required:
  # ssmmessages actions support no resource-level permissions.
  dynamic "statement" {
    for_each = var.enable_execute_command ? [1] : []

    content {
      sid = "EcsExecChannels"
      actions = [
        "ssmmessages:CreateControlChannel",
        "ssmmessages:CreateDataChannel",
        "ssmmessages:OpenControlChannel",
        "ssmmessages:OpenDataChannel",
      ]
      resources = ["*"]
    }
  }

  # ECS Exec session logging checks that the log group is encrypted; DescribeLogGroups
  # supports no resource-level permissions, so Resource "*" is required.
  dynamic "statement" {
    for_each = var.enable_execute_command ? [1] : []

    content {
      sid       = "EcsExecDescribeLogGroups"
      actions   = ["logs:DescribeLogGroups"]
      resources = ["*"]
    }
  }

  dynamic "statement" {
    for_each = var.enable_execute_command ? [1] : []

    content {
      sid       = "EcsExecSessionLogs"
      actions   = ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"]
      resources = [aws_cloudwatch_log_group.this.arn, "${aws_cloudwatch_log_group.this.arn}:log-stream:*"]
    }
  }

  # ECS Exec sessions are encrypted with the service key (cluster execute_command_configuration).
  dynamic "statement" {
    for_each = var.enable_execute_command ? [1] : []

    content {
      sid       = "EcsExecSessionKey"
      actions   = ["kms:Decrypt"]
      resources = [aws_kms_key.logs.arn]
    }
  }
}

resource "aws_iam_role_policy" "task" {
  count = local.efs_enabled || var.enable_execute_command ? 1 : 0

  name   = "task"
  role   = aws_iam_role.task.id
  policy = data.aws_iam_policy_document.task[0].json
}
