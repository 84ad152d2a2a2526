data "aws_partition" "current" {}

data "aws_caller_identity" "current" {}

resource "aws_efs_file_system" "this" {
  # checkov:skip=CKV_AWS_184: a customer-managed key is optional (var.kms_key_arn); encryption at rest is always on and uses the AWS-managed aws/elasticfilesystem key by default, avoiding a per-key monthly cost
  creation_token = var.name
  encrypted      = true
  kms_key_id     = var.kms_key_arn

  performance_mode = "generalPurpose"
  # Elastic throughput scales with the workload and bills per use: no provisioned MiB/s to size.
  throughput_mode = "elastic"

  lifecycle_policy {
    transition_to_ia = var.transition_to_ia
  }

  # A file read again leaves Infrequent Access, so hot files are not billed per access.
  lifecycle_policy {
    transition_to_primary_storage_class = "AFTER_1_ACCESS"
  }

  tags = {
    Name = var.name
  }
}

# Daily AWS Backup copies (35 days retention, AWS's default EFS plan).
resource "aws_efs_backup_policy" "this" {
  file_system_id = aws_efs_file_system.this.id

  backup_policy {
    status = "ENABLED"
  }
}

# One mount target per subnet (the caller passes one private subnet per AZ), so clients
# mount through their own AZ.
resource "aws_efs_mount_target" "this" {
  count = length(var.subnet_ids)

  file_system_id  = aws_efs_file_system.this.id
  subnet_id       = var.subnet_ids[count.index]
  security_groups = var.security_group_ids
}

# The only way in: every client runs as posix_uid:posix_gid, confined to root_directory.
resource "aws_efs_access_point" "this" {
  file_system_id = aws_efs_file_system.this.id

  posix_user {
    uid = var.posix_uid
    gid = var.posix_gid
  }

  root_directory {
    path = var.root_directory

    # Created on first use when missing; 0750 keeps other users out.
    creation_info {
      owner_uid   = var.posix_uid
      owner_gid   = var.posix_gid
      permissions = "0750"
    }
  }

  tags = {
    Name = var.name
  }
}

data "aws_iam_policy_document" "file_system" {
  # Refuse any request not made over TLS (clients mount with the "tls" option; ECS sets
  # transit_encryption = "ENABLED").
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["*"]
    resources = [aws_efs_file_system.this.arn]

    principals {
      type        = "AWS"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }

  # Mount and write only through the access point, only for IAM principals of this account
  # that are also allowed by their own IAM policy (clients mount with IAM authorization).
  # ClientRootAccess is never granted.
  statement {
    sid       = "AllowMountThroughAccessPoint"
    effect    = "Allow"
    actions   = ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"]
    resources = [aws_efs_file_system.this.arn]

    principals {
      type        = "AWS"
      identifiers = ["arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root"]
    }

    condition {
      test     = "StringEquals"
      variable = "elasticfilesystem:AccessPointArn"
      values   = [aws_efs_access_point.this.arn]
    }

    condition {
      test     = "Bool"
      variable = "elasticfilesystem:AccessedViaMountTarget"
      values   = ["true"]
    }
  }
}

resource "aws_efs_file_system_policy" "this" {
  file_system_id = aws_efs_file_system.this.id
  policy         = data.aws_iam_policy_document.file_system.json
}
