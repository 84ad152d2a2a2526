# Enhanced Monitoring: RDS publishes OS metrics to CloudWatch Logs through this role.
data "aws_iam_policy_document" "monitoring_assume" {
  count = local.create_monitoring_role ? 1 : 0

  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["monitoring.rds.amazonaws.com"]
    }

    # Confused-deputy protection: only RDS acting for this account may assume the role.
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_iam_role" "monitoring" {
  count = local.create_monitoring_role ? 1 : 0

  # IAM role names are limited to 64 characters.
  name               = "${substr(var.cluster_identifier, 0, 48)}-rds-monitoring"
  description        = "Enhanced Monitoring for Aurora cluster ${var.cluster_identifier}"
  assume_role_policy = data.aws_iam_policy_document.monitoring_assume[0].json
}

# AWS's managed policy only allows writing to the RDSOSMetrics log group.
resource "aws_iam_role_policy_attachment" "monitoring" {
  count = local.create_monitoring_role ? 1 : 0

  role       = aws_iam_role.monitoring[0].name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
}
