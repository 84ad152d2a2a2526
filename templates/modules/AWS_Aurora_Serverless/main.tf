data "aws_partition" "current" {}

data "aws_caller_identity" "current" {}

locals {
  # When the resource is created (kept by ignore_changes on final_snapshot_identifier).
  created_at = formatdate("YYYYMMDDhhmmss", timestamp())

  # "16.4" -> "aurora-postgresql16": the parameter group family follows the major version.
  major_version = split(".", var.engine_version)[0]
  family        = "aurora-postgresql${local.major_version}"

  create_monitoring_role = var.monitoring_interval > 0
}

resource "aws_db_subnet_group" "this" {
  name        = var.cluster_identifier
  description = "Subnets of Aurora cluster ${var.cluster_identifier}"
  subnet_ids  = var.subnet_ids
}

resource "aws_rds_cluster_parameter_group" "this" {
  # A prefix plus create_before_destroy lets a major-version upgrade (new family) create the
  # replacement group before the old one, still attached to the cluster, is deleted.
  name_prefix = "${var.cluster_identifier}-"
  family      = local.family
  description = "Aurora PostgreSQL ${local.major_version} settings for ${var.cluster_identifier}"

  # Refuse unencrypted client connections: credentials and data never cross the VPC in clear.
  parameter {
    name  = "rds.force_ssl"
    value = "1"
  }

  # Log schema changes (not every statement: DML would put application data in the logs)...
  parameter {
    name  = "log_statement"
    value = "ddl"
  }

  # ...and any statement slower than one second, to find slow queries in CloudWatch Logs.
  parameter {
    name  = "log_min_duration_statement"
    value = "1000"
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_rds_cluster" "this" {
  # checkov:skip=CKV_AWS_327: a customer-managed key is optional (var.kms_key_id); by default storage is still encrypted with the AWS-managed aws/rds key, which avoids a per-key monthly cost for small projects
  # checkov:skip=CKV2_AWS_8: Aurora's continuous automated backups (backup_retention_period, point-in-time recovery) are the backup mechanism; an AWS Backup plan is an account-level choice made outside this module
  cluster_identifier = var.cluster_identifier
  engine             = "aurora-postgresql"
  # Serverless v2 runs as "provisioned" clusters with db.serverless instances.
  engine_mode    = "provisioned"
  engine_version = var.engine_version

  database_name   = var.database_name
  master_username = var.master_username
  # RDS generates the password, stores it in Secrets Manager and rotates it: it never appears
  # in a file, in a plan or in the Terraform state.
  manage_master_user_password   = true
  master_user_secret_kms_key_id = var.kms_key_id

  port                            = var.port
  db_subnet_group_name            = aws_db_subnet_group.this.name
  vpc_security_group_ids          = var.security_group_ids
  db_cluster_parameter_group_name = aws_rds_cluster_parameter_group.this.name

  serverlessv2_scaling_configuration {
    min_capacity = var.min_capacity
    max_capacity = var.max_capacity
  }

  storage_encrypted                   = true
  kms_key_id                          = var.kms_key_id
  iam_database_authentication_enabled = true
  enable_http_endpoint                = var.enable_data_api
  enabled_cloudwatch_logs_exports     = ["postgresql"]

  backup_retention_period      = var.backup_retention_period
  preferred_backup_window      = var.preferred_backup_window
  preferred_maintenance_window = var.preferred_maintenance_window
  copy_tags_to_snapshot        = true
  deletion_protection          = var.deletion_protection
  # Always keep a last snapshot when the cluster is destroyed; deleting it is a manual decision.
  skip_final_snapshot = false
  # Stamped with the creation time, so destroying a re-created cluster never collides with
  # the snapshot an earlier destroy left behind (ignore_changes keeps the stamp stable).
  final_snapshot_identifier = "${var.cluster_identifier}-final-${local.created_at}"

  # Major upgrades change the parameter group family and need a planned migration.
  allow_major_version_upgrade = false
  apply_immediately           = false

  lifecycle {
    ignore_changes = [final_snapshot_identifier]

    # Checked here rather than in a variable validation because cross-variable validations
    # need Terraform 1.9.
    precondition {
      condition     = var.min_capacity <= var.max_capacity
      error_message = "min_capacity must not be greater than max_capacity."
    }
  }
}

resource "aws_rds_cluster_instance" "this" {
  count = var.instance_count

  identifier         = "${var.cluster_identifier}-${count.index + 1}"
  cluster_identifier = aws_rds_cluster.this.id
  instance_class     = "db.serverless"
  engine             = aws_rds_cluster.this.engine
  engine_version     = aws_rds_cluster.this.engine_version

  db_subnet_group_name = aws_db_subnet_group.this.name
  publicly_accessible  = false

  performance_insights_enabled = var.performance_insights_enabled
  # 7 days is the free retention tier.
  performance_insights_retention_period = var.performance_insights_enabled ? 7 : null
  performance_insights_kms_key_id       = var.performance_insights_enabled ? var.kms_key_id : null

  monitoring_interval = var.monitoring_interval
  monitoring_role_arn = local.create_monitoring_role ? aws_iam_role.monitoring[0].arn : null

  # Off when engine_version pins a minor (always, for Aurora): an automatic upgrade would
  # leave the cluster's configured version behind the running one on every plan.
  auto_minor_version_upgrade   = var.auto_minor_version_upgrade
  preferred_maintenance_window = var.preferred_maintenance_window
  copy_tags_to_snapshot        = true
  apply_immediately            = false
}
