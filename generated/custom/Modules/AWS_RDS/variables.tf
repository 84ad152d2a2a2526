variable "identifier" {
  type        = string
  description = "RDS instance identifier; also names the subnet group, parameter group, monitoring role and final snapshot."

  validation {
    # RDS rules: 1-63 characters, lowercase letters, digits and hyphens, starting with a
    # letter, no trailing hyphen and no two consecutive hyphens.
    condition     = can(regex("^[a-z][a-z0-9-]{0,62}$", var.identifier)) && !endswith(var.identifier, "-") && !strcontains(var.identifier, "--")
    error_message = "identifier must be 1-63 lowercase letters, digits or hyphens, start with a letter, and neither end with a hyphen nor contain two consecutive hyphens."
  }
}

variable "engine_version" {
  type        = string
  description = "PostgreSQL version. A major version such as \"16\" (or \"16.4\") lets automatic minor upgrades happen without showing drift; the parameter group family is derived from the major version."

  validation {
    condition     = can(regex("^[0-9]{2}(\\.[0-9]+)?$", var.engine_version))
    error_message = "engine_version must be a PostgreSQL major version (e.g. \"16\") or major.minor (e.g. \"16.4\")."
  }
}

variable "instance_class" {
  type        = string
  description = "RDS instance class, e.g. db.t4g.micro."

  validation {
    condition     = startswith(var.instance_class, "db.")
    error_message = "instance_class must start with \"db.\" (e.g. db.t4g.micro)."
  }
}

variable "allocated_storage" {
  type        = number
  description = "Initial gp3 storage in GiB."

  validation {
    condition     = var.allocated_storage >= 20 && var.allocated_storage <= 65536 && floor(var.allocated_storage) == var.allocated_storage
    error_message = "allocated_storage must be a whole number of GiB between 20 and 65536 (gp3 limits)."
  }
}

variable "max_allocated_storage" {
  type        = number
  description = "Upper limit in GiB for storage autoscaling; 0 disables autoscaling. Otherwise must be at least allocated_storage (checked by a precondition)."

  validation {
    condition     = var.max_allocated_storage >= 0 && var.max_allocated_storage <= 65536 && floor(var.max_allocated_storage) == var.max_allocated_storage
    error_message = "max_allocated_storage must be 0 (no autoscaling) or a whole number of GiB up to 65536."
  }
}

variable "backup_retention_period" {
  type        = number
  description = "Days automated backups are kept (1-35)."

  validation {
    condition     = var.backup_retention_period >= 1 && var.backup_retention_period <= 35 && floor(var.backup_retention_period) == var.backup_retention_period
    error_message = "backup_retention_period must be a whole number from 1 to 35."
  }
}

variable "multi_az" {
  type        = bool
  description = "Run a synchronous standby in a second availability zone."
}

variable "deletion_protection" {
  type        = bool
  description = "Refuse deletion of the instance until this is turned off."
}

variable "subnet_ids" {
  type        = list(string)
  description = "Private subnet IDs for the DB subnet group (at least two, in different availability zones)."

  validation {
    condition     = length(var.subnet_ids) >= 2
    error_message = "subnet_ids must contain at least two subnets (RDS requires two availability zones)."
  }
}

variable "security_group_ids" {
  type        = list(string)
  description = "Security groups attached to the instance (normally one allowing the app's security group on the database port)."

  validation {
    condition     = length(var.security_group_ids) >= 1
    error_message = "security_group_ids must contain at least one security group."
  }
}

variable "master_password_source" {
  type        = string
  description = "\"parameter\": database name, master username and password are read from Parameter Store (db_name_parameter, username_parameter, password_parameter). \"managed\": RDS generates the password, keeps it in Secrets Manager and rotates it; name and username come from database_name / master_username, or from db_name_parameter / username_parameter when those are null."
  default     = "parameter"

  validation {
    condition     = contains(["parameter", "managed"], var.master_password_source)
    error_message = "master_password_source must be \"parameter\" or \"managed\"."
  }
}

variable "db_name_parameter" {
  type        = string
  description = "Full Parameter Store name holding the database name. Required when master_password_source = \"parameter\"; with \"managed\", used when database_name is null."
  default     = null

  validation {
    condition     = var.db_name_parameter == null ? true : (can(regex("^[A-Za-z0-9_./-]+$", var.db_name_parameter)) && length(var.db_name_parameter) <= 2048)
    error_message = "db_name_parameter must be a Parameter Store name (letters, digits, _ . - /)."
  }
}

variable "username_parameter" {
  type        = string
  description = "Full Parameter Store name holding the master username. Required when master_password_source = \"parameter\"; with \"managed\", used when master_username is null."
  default     = null

  validation {
    condition     = var.username_parameter == null ? true : (can(regex("^[A-Za-z0-9_./-]+$", var.username_parameter)) && length(var.username_parameter) <= 2048)
    error_message = "username_parameter must be a Parameter Store name (letters, digits, _ . - /)."
  }
}

variable "password_parameter" {
  type        = string
  description = "Full Parameter Store name of the SecureString holding the master password. Required when master_password_source = \"parameter\"."
  default     = null

  validation {
    condition     = var.password_parameter == null ? true : (can(regex("^[A-Za-z0-9_./-]+$", var.password_parameter)) && length(var.password_parameter) <= 2048)
    error_message = "password_parameter must be a Parameter Store name (letters, digits, _ . - /)."
  }
}

variable "database_name" {
  type        = string
  description = "Name of the database created in the instance, for master_password_source = \"managed\" (ignored otherwise). When null, db_name_parameter is read instead."
  default     = null

  validation {
    condition     = var.database_name == null || can(regex("^[A-Za-z][A-Za-z0-9_]{0,62}$", var.database_name))
    error_message = "database_name must start with a letter and contain only letters, digits and underscores (max 63)."
  }
}

variable "master_username" {
  type        = string
  description = "Master username, for master_password_source = \"managed\" (ignored otherwise). When null, username_parameter is read instead."
  default     = null

  validation {
    condition     = var.master_username == null || (can(regex("^[A-Za-z][A-Za-z0-9_]{0,62}$", var.master_username)) && var.master_username != "rdsadmin")
    error_message = "master_username must start with a letter, contain only letters, digits and underscores (max 63) and not be a reserved name."
  }
}

variable "port" {
  type        = number
  description = "TCP port the database listens on."
  default     = 5432

  validation {
    condition     = var.port >= 1150 && var.port <= 65535
    error_message = "port must be between 1150 and 65535 (RDS limits)."
  }
}

variable "performance_insights_enabled" {
  type        = bool
  description = "Enable Performance Insights (7 days retention, free tier, encrypted with the AWS managed RDS key)."
  default     = true
}

variable "monitoring_interval" {
  type        = number
  description = "Enhanced Monitoring interval in seconds; 0 disables it (and the monitoring role)."
  default     = 60

  validation {
    condition     = contains([0, 1, 5, 10, 15, 30, 60], var.monitoring_interval)
    error_message = "monitoring_interval must be one of 0, 1, 5, 10, 15, 30, 60."
  }
}

variable "backup_window" {
  type        = string
  description = "Daily UTC window for automated backups (hh24:mi-hh24:mi); must not overlap maintenance_window."
  default     = "03:00-04:00"

  validation {
    condition     = can(regex("^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-3]):[0-5][0-9]$", var.backup_window))
    error_message = "backup_window must look like 03:00-04:00 (UTC)."
  }
}

variable "maintenance_window" {
  type        = string
  description = "Weekly UTC window for maintenance (ddd:hh24:mi-ddd:hh24:mi); must not overlap backup_window."
  default     = "sun:04:30-sun:05:30"

  validation {
    condition     = can(regex("^(mon|tue|wed|thu|fri|sat|sun):([01][0-9]|2[0-3]):[0-5][0-9]-(mon|tue|wed|thu|fri|sat|sun):([01][0-9]|2[0-3]):[0-5][0-9]$", var.maintenance_window))
    error_message = "maintenance_window must look like sun:04:30-sun:05:30 (UTC)."
  }
}

variable "log_min_duration_statement_ms" {
  type        = number
  description = "Statements running longer than this many milliseconds are logged with their duration; -1 disables slow query logging."
  default     = 1000

  validation {
    condition     = var.log_min_duration_statement_ms >= -1 && floor(var.log_min_duration_statement_ms) == var.log_min_duration_statement_ms
    error_message = "log_min_duration_statement_ms must be -1 or a whole number of milliseconds."
  }
}

variable "auto_minor_version_upgrade" {
  type        = bool
  description = "Let RDS apply minor engine upgrades in the maintenance window. Turn it off when engine_version names a minor version: after an automatic upgrade the configured version would differ from the running one on every plan (and Terraform would try to downgrade)."
  default     = true
  nullable    = false
}
