# Enhanced Monitoring: the RDS agent publishes OS metrics to CloudWatch Logs through this role.

data "aws_partition" "current" {}

data "aws_caller_identity" "current" {}

# The region's name is read as `id`, the one attribute holding it in provider 5.x and 6.x alike
# (`name` is deprecated in 6.x, `region` does not exist in 5.x).
data "aws_region" "current" {}

data "aws_iam_policy_document" "monitoring_assume" {
  count = var.monitoring_interval > 0 ? 1 : 0

  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["monitoring.rds.amazonaws.com"]
    }

    # Confused-deputy protection: only RDS acting for this account's instance may assume it.
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:${data.aws_partition.current.partition}:rds:${data.aws_region.current.id}:${data.aws_caller_identity.current.account_id}:db:${var.identifier}"]
    }
  }
}

resource "aws_iam_role" "monitoring" {
  count = var.monitoring_interval > 0 ? 1 : 0

  name               = "${substr(var.identifier, 0, 40)}-rds-monitoring"
  description        = "Enhanced Monitoring for RDS instance ${var.identifier}"
  assume_role_policy = data.aws_iam_policy_document.monitoring_assume[0].json
}

# AWS managed policy scoped by AWS to the RDSOSMetrics log group: exactly what the agent needs.
resource "aws_iam_role_policy_attachment" "monitoring" {
  count = var.monitoring_interval > 0 ? 1 : 0

  role       = aws_iam_role.monitoring[0].name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
}
