# Instance role: Session Manager (the only way in — no SSH key, no port 22) with only the
# actions sessions need, the CloudWatch agent, and read access to exactly the
# parameters/secrets the app uses.

data "aws_iam_policy_document" "assume_role" {
  statement {
    sid     = "EC2AssumeRole"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "this" {
  name               = "${var.name}-instance"
  description        = "Instance role of the ${var.name} Auto Scaling group."
  assume_role_policy = data.aws_iam_policy_document.assume_role.json
}

# Lets the CloudWatch agent (installed in the AMI) ship logs and metrics; its only parameter
# access is to the agent's own AmazonCloudWatch-* configuration parameters.
resource "aws_iam_role_policy_attachment" "cloudwatch_agent" {
  role       = aws_iam_role.this.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/CloudWatchAgentServerPolicy"
}

# Session Manager shell access, instead of SSH, with only the actions the SSM agent needs to
# register the instance and carry sessions. Not AmazonSSMManagedInstanceCore: that policy
# also grants ssm:GetParameter(s) on every parameter of the account (and Run Command,
# inventory and patching), while the app reads exactly its own parameters (runtime policy).
data "aws_iam_policy_document" "session_manager" {
  # checkov:skip=CKV_AWS_111: the ssmmessages channel actions support no resource-level permissions (AWS documents Resource "*"); they only open session channels for this instance
  # checkov:skip=CKV_AWS_356: same statement: ssmmessages actions accept Resource "*" only
  statement {
    sid       = "RegisterInstance"
    actions   = ["ssm:UpdateInstanceInformation"]
    resources = ["arn:${local.partition}:ec2:${local.region}:${local.account_id}:instance/*"]
  }

  statement {
    sid = "SessionChannels"
    actions = [
      "ssmmessages:CreateControlChannel",
      "ssmmessages:CreateDataChannel",
      "ssmmessages:OpenControlChannel",
      "ssmmessages:OpenDataChannel",
    ]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "session_manager" {
  name   = "session-manager"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.session_manager.json
}

resource "aws_iam_instance_profile" "this" {
  name = "${var.name}-instance"
  role = aws_iam_role.this.name
}

data "aws_iam_policy_document" "runtime" {
  count = local.create_runtime_policy ? 1 : 0

  dynamic "statement" {
    for_each = length(local.parameter_arns) > 0 ? [1] : []

    content {
      sid       = "ReadAppParameters"
      actions   = ["ssm:GetParameter", "ssm:GetParameters"]
      resources = local.parameter_arns
    }
  }

  dynamic "statement" {
    for_each = length(local.secret_arns) > 0 ? [1] : []

    content {
      sid       = "ReadAppSecrets"
      actions   = ["secretsmanager:GetSecretValue"]
      resources = local.secret_arns
    }
  }

  dynamic "statement" {
    for_each = length(var.kms_key_arns) > 0 ? [1] : []

    content {
      sid       = "DecryptAppSecrets"
      actions   = ["kms:Decrypt"]
      resources = var.kms_key_arns
    }
  }

  dynamic "statement" {
    for_each = var.efs_file_system_id != null ? [1] : []

    content {
      sid       = "MountSharedFiles"
      actions   = ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"]
      resources = [local.efs_file_system_arn]

      # With an access point, mounting is only allowed through it (it pins the
      # POSIX user and root directory).
      dynamic "condition" {
        for_each = var.efs_access_point_id != null ? [1] : []

        content {
          test     = "StringEquals"
          variable = "elasticfilesystem:AccessPointArn"
          values   = [local.efs_access_point_arn]
        }
      }
    }
  }
}

resource "aws_iam_role_policy" "runtime" {
  count = local.create_runtime_policy ? 1 : 0

  name   = "runtime"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.runtime[0].json
}
