# Service role of the project: write its own logs, manage the build ENIs in the VPC,
# pull the source (CodeCommit) or the image (ECR), and read exactly the
# parameters/secrets of the build.

data "aws_iam_policy_document" "assume_role" {
  statement {
    sid     = "CodeBuildAssumeRole"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["codebuild.amazonaws.com"]
    }

    # Confused-deputy protection: only this account's project may use the role.
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "this" {
  # IAM role names are limited to 64 characters; long project names fall back to a prefix.
  name               = length(var.name) <= 54 ? "${var.name}-codebuild" : null
  name_prefix        = length(var.name) <= 54 ? null : "${substr(var.name, 0, 37)}-"
  description        = "Service role of the ${var.name} CodeBuild project (Django migrations)."
  assume_role_policy = data.aws_iam_policy_document.assume_role.json
}

data "aws_iam_policy_document" "this" {
  # checkov:skip=CKV_AWS_111: The EC2 ENI actions CodeBuild needs for VPC builds do not support resource-level permissions, so AWS documents Resource "*" for them; CreateNetworkInterfacePermission is scoped by subnet and service.
  # checkov:skip=CKV_AWS_356: Same statement: the ENI create/describe/delete actions only accept Resource "*" (see the VpcNetworkInterfaces statement).
  statement {
    sid     = "WriteBuildLogs"
    actions = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = [
      aws_cloudwatch_log_group.this.arn,
      "${aws_cloudwatch_log_group.this.arn}:*",
    ]
  }

  # Resource "*" is required: these EC2 actions have no resource-level permissions
  # (documented CodeBuild VPC policy); CodeBuild uses them to attach the build ENI.
  statement {
    sid = "VpcNetworkInterfaces"
    actions = [
      "ec2:CreateNetworkInterface",
      "ec2:DeleteNetworkInterface",
      "ec2:DescribeDhcpOptions",
      "ec2:DescribeNetworkInterfaces",
      "ec2:DescribeSecurityGroups",
      "ec2:DescribeSubnets",
      "ec2:DescribeVpcs",
    ]
    resources = ["*"]
  }

  statement {
    sid       = "VpcNetworkInterfacePermission"
    actions   = ["ec2:CreateNetworkInterfacePermission"]
    resources = ["arn:${local.partition}:ec2:${local.region}:${local.account_id}:network-interface/*"]

    condition {
      test     = "StringEquals"
      variable = "ec2:Subnet"
      values   = local.subnet_arns
    }

    condition {
      test     = "StringEquals"
      variable = "ec2:AuthorizedService"
      values   = ["codebuild.amazonaws.com"]
    }
  }

  dynamic "statement" {
    for_each = local.is_codecommit ? [1] : []

    content {
      sid       = "PullSource"
      actions   = ["codecommit:GitPull"]
      resources = [local.codecommit_repository_arn]
    }
  }

  dynamic "statement" {
    for_each = var.ecr_repository_arn != null ? [1] : []

    content {
      sid = "PullImage"
      actions = [
        "ecr:BatchCheckLayerAvailability",
        "ecr:BatchGetImage",
        "ecr:GetDownloadUrlForLayer",
      ]
      resources = [var.ecr_repository_arn]
    }
  }

  # GetAuthorizationToken has no resource-level permissions: AWS requires Resource "*".
  dynamic "statement" {
    for_each = var.ecr_repository_arn != null ? [1] : []

    content {
      sid       = "EcrLogin"
      actions   = ["ecr:GetAuthorizationToken"]
      resources = ["*"]
    }
  }

  # collectstatic (django-storages) checks which files exist before uploading: list the
  # prefix, read and write objects under it, nothing else in the bucket.
  dynamic "statement" {
    for_each = var.static_files_bucket_arn != null ? [1] : []

    content {
      sid       = "ListStaticFiles"
      actions   = ["s3:ListBucket"]
      resources = [var.static_files_bucket_arn]

      condition {
        test     = "StringLike"
        variable = "s3:prefix"
        values   = [var.static_files_prefix, "${var.static_files_prefix}/*"]
      }
    }
  }

  dynamic "statement" {
    for_each = var.static_files_bucket_arn != null ? [1] : []

    content {
      sid       = "UploadStaticFiles"
      actions   = ["s3:GetObject", "s3:PutObject"]
      resources = ["${var.static_files_bucket_arn}/${var.static_files_prefix}/*"]
    }
  }

  dynamic "statement" {
    for_each = length(local.parameter_arns) > 0 ? [1] : []

    content {
      sid       = "ReadBuildParameters"
      actions   = ["ssm:GetParameters"]
      resources = local.parameter_arns
    }
  }

  dynamic "statement" {
    for_each = length(local.secret_arns) > 0 ? [1] : []

    content {
      sid       = "ReadBuildSecrets"
      actions   = ["secretsmanager:GetSecretValue"]
      resources = local.secret_arns
    }
  }

  dynamic "statement" {
    for_each = length(var.kms_key_arns) > 0 ? [1] : []

    content {
      sid       = "DecryptBuildSecrets"
      actions   = ["kms:Decrypt"]
      resources = var.kms_key_arns
    }
  }
}

resource "aws_iam_role_policy" "this" {
  name   = "codebuild"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.this.json
}
