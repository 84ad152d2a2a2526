# PostgreSQL on RDS: private, encrypted, TLS-only, with backups, logs exported to
# CloudWatch, Performance Insights and Enhanced Monitoring.

locals {
  # When the resource is created (kept by ignore_changes on final_snapshot_identifier).
  created_at = formatdate("YYYYMMDDhhmmss", timestamp())

  use_parameters = var.master_password_source == "parameter"
  managed        = var.master_password_source == "managed"

  # "parameter" mode reads all three values from Parameter Store. "managed" mode only needs
  # the database name and username, taken from database_name / master_username when set,
  # otherwise from db_name_parameter / username_parameter.
  read_db_name_parameter  = local.use_parameters || var.database_name == null
  read_username_parameter = local.use_parameters || var.master_username == null

  # "16" and "16.4" both map to the "postgres16" parameter group family.
  major_version = split(".", var.engine_version)[0]
  family        = "postgres${local.major_version}"
}

# --- Credentials from Parameter Store ------------------------------------------------------
# Read at plan time by name so no value is ever written into a file. The password still
# ends up in the Terraform state (aws_db_instance.password); the state lives in an
# encrypted, private S3 bucket, which is what keeps it safe.

data "aws_ssm_parameter" "db_name" {
  count = local.read_db_name_parameter ? 1 : 0

  name            = var.db_name_parameter
  with_decryption = true

  lifecycle {
    precondition {
      condition     = var.db_name_parameter != null
      error_message = "db_name_parameter is required when master_password_source = \"parameter\", and with \"managed\" when database_name is not set."
    }
  }
}

data "aws_ssm_parameter" "username" {
  count = local.read_username_parameter ? 1 : 0

  name            = var.username_parameter
  with_decryption = true

  lifecycle {
    precondition {
      condition     = var.username_parameter != null
      error_message = "username_parameter is required when master_password_source = \"parameter\", and with \"managed\" when master_username is not set."
    }
  }
}

data "aws_ssm_parameter" "password" {
  count = local.use_parameters ? 1 : 0

  name            = var.password_parameter
  with_decryption = true

  lifecycle {
    precondition {
      condition     = var.password_parameter != null
      error_message = "password_parameter is required when master_password_source = \"parameter\"."
    }
  }
}

locals {
  # The database name is an identifier, not a secret: unmarking it keeps the
  # database_name output usable. Username and password stay sensitive.
  db_name  = local.read_db_name_parameter ? nonsensitive(data.aws_ssm_parameter.db_name[0].value) : var.database_name
  username = local.read_username_parameter ? data.aws_ssm_parameter.username[0].value : var.master_username
  password = local.use_parameters ? data.aws_ssm_parameter.password[0].value : null
}

# --- Networking and parameters -------------------------------------------------------------

resource "aws_db_subnet_group" "this" {
  name        = var.identifier
  description = "Private subnets for ${var.identifier}"
  subnet_ids  = var.subnet_ids
}

resource "aws_db_parameter_group" "this" {
  # name_prefix + create_before_destroy: a major version upgrade needs a parameter group of
  # the new family before the old one can be released.
  name_prefix = "${var.identifier}-${local.family}-"
  family      = local.family
  description = "PostgreSQL ${local.major_version} settings for ${var.identifier}"

  # Refuse unencrypted client connections.
  parameter {
    name  = "rds.force_ssl"
    value = "1"
  }

  # Who connected and when: needed to investigate access.
  parameter {
    name  = "log_connections"
    value = "1"
  }

  parameter {
    name  = "log_disconnections"
    value = "1"
  }

  # Schema changes (Django migrations, manual DDL) are audited. Caveat: DDL includes
  # ALTER ROLE ... PASSWORD, so change passwords with psql's \password, which sends a hash.
  parameter {
    name  = "log_statement"
    value = "ddl"
  }

  # Slow queries with their duration, to find what to index.
  parameter {
    name  = "log_min_duration_statement"
    value = tostring(var.log_min_duration_statement_ms)
  }

  parameter {
    name  = "log_lock_waits"
    value = "1"
  }

  lifecycle {
    create_before_destroy = true
  }
}

# --- Instance -------------------------------------------------------------------------------

resource "aws_db_instance" "this" {
  # checkov:skip=CKV_AWS_354: Performance Insights uses the AWS managed aws/rds key: data is encrypted at rest, and a customer managed key would add cost and key-policy management for metrics only.
  identifier     = var.identifier
  engine         = "postgres"
  engine_version = var.engine_version
  instance_class = var.instance_class
  port           = var.port

  db_name  = local.db_name
  username = local.username
  # "parameter" mode: the password from Parameter Store. "managed" mode: null, RDS generates
  # it, stores it in Secrets Manager (default aws/secretsmanager key) and rotates it.
  password                    = local.password
  manage_master_user_password = local.managed ? true : null

  allocated_storage     = var.allocated_storage
  max_allocated_storage = var.max_allocated_storage
  storage_type          = "gp3"
  storage_encrypted     = true

  db_subnet_group_name   = aws_db_subnet_group.this.name
  vpc_security_group_ids = var.security_group_ids
  parameter_group_name   = aws_db_parameter_group.this.name
  publicly_accessible    = false
  multi_az               = var.multi_az

  # Lets the app or operators use short-lived IAM tokens instead of passwords where wanted.
  iam_database_authentication_enabled = true

  backup_retention_period = var.backup_retention_period
  backup_window           = var.backup_window
  maintenance_window      = var.maintenance_window
  copy_tags_to_snapshot   = true

  # Security patches arrive as minor versions; take them in the maintenance window unless
  # engine_version pins a minor (see the variable). With a major-only engine_version the
  # provider compares it as a prefix of the running version, so an upgrade leaves no diff.
  auto_minor_version_upgrade  = var.auto_minor_version_upgrade
  allow_major_version_upgrade = false
  # Changes wait for the maintenance window instead of restarting production mid-day.
  apply_immediately = false

  enabled_cloudwatch_logs_exports = ["postgresql", "upgrade"]

  performance_insights_enabled          = var.performance_insights_enabled
  performance_insights_retention_period = var.performance_insights_enabled ? 7 : null

  monitoring_interval = var.monitoring_interval
  monitoring_role_arn = var.monitoring_interval > 0 ? aws_iam_role.monitoring[0].arn : null

  deletion_protection = var.deletion_protection
  # Always keep a last snapshot when the instance is destroyed.
  skip_final_snapshot = false
  # Stamped with the creation time, so destroying a re-created instance never collides with
  # the snapshot an earlier destroy left behind (ignore_changes keeps the stamp stable).
  final_snapshot_identifier = "${var.identifier}-final-${local.created_at}"

  lifecycle {
    ignore_changes = [final_snapshot_identifier]

    precondition {
      condition     = var.max_allocated_storage == 0 || var.max_allocated_storage >= var.allocated_storage
      error_message = "max_allocated_storage must be 0 (no autoscaling) or at least allocated_storage."
    }
  }

  depends_on = [aws_iam_role_policy_attachment.monitoring]
}
