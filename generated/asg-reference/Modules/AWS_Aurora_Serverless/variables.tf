variable "cluster_identifier" {
  type        = string
  description = "Identifier of the Aurora cluster; also the prefix of the instance, subnet group and parameter group names."

  validation {
    # RDS rules: 1-63 characters, lowercase letters, digits and hyphens, starts with a letter,
    # no trailing hyphen and no two consecutive hyphens. RDS would lowercase the name itself,
    # which would make Terraform see a permanent diff, so uppercase is refused here.
    condition     = can(regex("^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$", var.cluster_identifier)) && !can(regex("--", var.cluster_identifier))
    error_message = "cluster_identifier must be 1-63 lowercase letters, digits or hyphens, start with a letter, not end with a hyphen and not contain two consecutive hyphens."
  }
}

variable "engine_version" {
  type        = string
  description = "Aurora PostgreSQL engine version, e.g. \"16.4\". The major version selects the cluster parameter group family."

  validation {
    # Serverless v2 needs Aurora PostgreSQL 13 or later.
    condition     = can(regex("^[0-9]+\\.[0-9]+$", var.engine_version)) && try(tonumber(split(".", var.engine_version)[0]) >= 13, false)
    error_message = "engine_version must look like \"16.4\" (major.minor) with a major version of at least 13."
  }
}

variable "min_capacity" {
  type        = number
  description = "Minimum Aurora Serverless v2 capacity in ACUs (0 to 256 in steps of 0.5). 0 lets the cluster auto-pause on engine versions that support it."

  validation {
    condition     = var.min_capacity >= 0 && var.min_capacity <= 256 && floor(var.min_capacity * 2) == var.min_capacity * 2
    error_message = "min_capacity must be between 0 and 256 in steps of 0.5."
  }
}

variable "max_capacity" {
  type        = number
  description = "Maximum Aurora Serverless v2 capacity in ACUs (1 to 256 in steps of 0.5). Must be at least min_capacity."

  validation {
    condition     = var.max_capacity >= 1 && var.max_capacity <= 256 && floor(var.max_capacity * 2) == var.max_capacity * 2
    error_message = "max_capacity must be between 1 and 256 in steps of 0.5."
  }
}

variable "instance_count" {
  type        = number
  description = "Number of db.serverless instances in the cluster (1 writer plus readers); 2 or more gives a Multi-AZ failover target."

  validation {
    condition     = var.instance_count >= 1 && var.instance_count <= 15 && floor(var.instance_count) == var.instance_count
    error_message = "instance_count must be a whole number between 1 and 15."
  }
}

variable "enable_data_api" {
  type        = bool
  description = "Enable the RDS Data API (HTTP endpoint) on the cluster, for ad-hoc SQL through IAM without network access."
  default     = false
}

variable "database_name" {
  type        = string
  description = "Name of the database created in the cluster."

  validation {
    condition     = can(regex("^[A-Za-z][A-Za-z0-9_]{0,62}$", var.database_name))
    error_message = "database_name must start with a letter and contain only letters, digits and underscores (at most 63 characters)."
  }
}

variable "master_username" {
  type        = string
  description = "Master user name. Its password is generated and rotated by RDS in Secrets Manager."

  validation {
    # "postgres", "admin", "rdsadmin"... are reserved words for Aurora PostgreSQL master users.
    condition     = can(regex("^[A-Za-z][A-Za-z0-9_]{0,62}$", var.master_username)) && !contains(["postgres", "admin", "rdsadmin", "rds_superuser", "rdsrepladmin"], lower(var.master_username))
    error_message = "master_username must start with a letter, contain only letters, digits and underscores (at most 63 characters) and not be a reserved name such as postgres, admin or rdsadmin."
  }
}

variable "backup_retention_period" {
  type        = number
  description = "Days automated backups (point-in-time recovery) are kept, 1 to 35."

  validation {
    condition     = var.backup_retention_period >= 1 && var.backup_retention_period <= 35 && floor(var.backup_retention_period) == var.backup_retention_period
    error_message = "backup_retention_period must be a whole number between 1 and 35."
  }
}

variable "deletion_protection" {
  type        = bool
  description = "Refuse to delete the cluster while true."
}

variable "subnet_ids" {
  type        = list(string)
  description = "Private (database) subnet IDs for the DB subnet group; at least two, in different Availability Zones."

  validation {
    condition     = length(var.subnet_ids) >= 2
    error_message = "subnet_ids must hold at least two subnets in different Availability Zones."
  }
}

variable "security_group_ids" {
  type        = list(string)
  description = "Security group IDs attached to the cluster; they decide who can reach the database port."

  validation {
    condition     = length(var.security_group_ids) >= 1
    error_message = "security_group_ids must hold at least one security group ID."
  }
}

variable "port" {
  type        = number
  description = "Port the cluster listens on."
  default     = 5432

  validation {
    condition     = var.port >= 1150 && var.port <= 65535
    error_message = "port must be between 1150 and 65535 (RDS reserves lower ports)."
  }
}

variable "performance_insights_enabled" {
  type        = bool
  description = "Enable Performance Insights on the cluster instances (7 days retention, free tier)."
  default     = true
}

variable "kms_key_id" {
  type        = string
  description = "ARN of a customer-managed KMS key for storage encryption, the master user secret and Performance Insights. null uses the AWS-managed keys (aws/rds, aws/secretsmanager)."
  default     = null
}

variable "monitoring_interval" {
  type        = number
  description = "Enhanced Monitoring interval in seconds (0 disables it and its IAM role)."
  default     = 60

  validation {
    condition     = contains([0, 1, 5, 10, 15, 30, 60], var.monitoring_interval)
    error_message = "monitoring_interval must be one of 0, 1, 5, 10, 15, 30 or 60."
  }
}

variable "preferred_backup_window" {
  type        = string
  description = "Daily UTC window for automated backups (hh24:mi-hh24:mi); must not overlap the maintenance window."
  default     = "03:00-04:00"

  validation {
    condition     = can(regex("^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-3]):[0-5][0-9]$", var.preferred_backup_window))
    error_message = "preferred_backup_window must look like \"03:00-04:00\"."
  }
}

variable "preferred_maintenance_window" {
  type        = string
  description = "Weekly UTC maintenance window (ddd:hh24:mi-ddd:hh24:mi)."
  default     = "sun:05:00-sun:06:00"

  validation {
    condition     = can(regex("^(mon|tue|wed|thu|fri|sat|sun):([01][0-9]|2[0-3]):[0-5][0-9]-(mon|tue|wed|thu|fri|sat|sun):([01][0-9]|2[0-3]):[0-5][0-9]$", var.preferred_maintenance_window))
    error_message = "preferred_maintenance_window must look like \"sun:05:00-sun:06:00\"."
  }
}

variable "auto_minor_version_upgrade" {
  type        = bool
  description = "Let RDS apply minor engine upgrades in the maintenance window. Turn it off when engine_version names a minor version: after an automatic upgrade the configured version would differ from the running one on every plan (and Terraform would try to downgrade)."
  default     = true
  nullable    = false
}
