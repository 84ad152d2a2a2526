variable "replication_group_id" {
  type        = string
  description = "Identifier of the replication group (and name of its subnet group)."

  validation {
    # ElastiCache rules: 1-40 characters, lowercase letters, digits and hyphens, starts with a
    # letter, no trailing hyphen and no two consecutive hyphens.
    condition     = can(regex("^[a-z]([a-z0-9-]{0,38}[a-z0-9])?$", var.replication_group_id)) && !can(regex("--", var.replication_group_id))
    error_message = "replication_group_id must be 1-40 lowercase letters, digits or hyphens, start with a letter, not end with a hyphen and not contain two consecutive hyphens."
  }
}

variable "description" {
  type        = string
  description = "Description of the replication group."
  default     = "Django sessions"

  validation {
    condition     = length(trimspace(var.description)) > 0
    error_message = "description must not be empty."
  }
}

variable "node_type" {
  type        = string
  description = "Cache node type, e.g. \"cache.t4g.micro\"."

  validation {
    condition     = can(regex("^cache\\.[a-z0-9-]+\\.[a-z0-9]+$", var.node_type))
    error_message = "node_type must be an ElastiCache node type such as \"cache.t4g.micro\"."
  }
}

variable "engine_version" {
  type        = string
  description = "Redis OSS engine version (major.minor), e.g. \"7.1\"."
  default     = "7.1"

  validation {
    # From Redis 6 on, ElastiCache takes major.minor and applies patch releases itself.
    condition     = can(regex("^[0-9]+\\.[0-9]+$", var.engine_version)) && try(tonumber(split(".", var.engine_version)[0]) >= 6, false)
    error_message = "engine_version must look like \"7.1\" (major.minor) with a major version of at least 6."
  }
}

variable "num_cache_clusters" {
  type        = number
  description = "Number of nodes (1 primary plus replicas), 1 to 6. With 2 or more, automatic failover and Multi-AZ are enabled."

  validation {
    condition     = var.num_cache_clusters >= 1 && var.num_cache_clusters <= 6 && floor(var.num_cache_clusters) == var.num_cache_clusters
    error_message = "num_cache_clusters must be a whole number between 1 and 6."
  }
}

variable "subnet_ids" {
  type        = list(string)
  description = "Private subnet IDs for the cache subnet group; at least two (in different AZs) when num_cache_clusters >= 2."

  validation {
    condition     = length(var.subnet_ids) >= 1
    error_message = "subnet_ids must hold at least one subnet ID."
  }
}

variable "security_group_ids" {
  type        = list(string)
  description = "Security group IDs attached to the nodes; they decide who can reach the Redis port."

  validation {
    condition     = length(var.security_group_ids) >= 1
    error_message = "security_group_ids must hold at least one security group ID."
  }
}

variable "snapshot_retention_limit" {
  type        = number
  description = "Days automatic snapshots are kept (0 disables them, at most 35)."
  default     = 7

  validation {
    condition     = var.snapshot_retention_limit >= 0 && var.snapshot_retention_limit <= 35 && floor(var.snapshot_retention_limit) == var.snapshot_retention_limit
    error_message = "snapshot_retention_limit must be a whole number between 0 and 35."
  }
}

variable "port" {
  type        = number
  description = "Port Redis listens on."
  default     = 6379

  validation {
    condition     = var.port >= 1024 && var.port <= 65535
    error_message = "port must be between 1024 and 65535."
  }
}

variable "kms_key_arn" {
  type        = string
  description = "ARN of a customer-managed KMS key for at-rest encryption. null uses the AWS-managed ElastiCache key."
  default     = null
}

variable "snapshot_window" {
  type        = string
  description = "Daily UTC window for automatic snapshots (hh24:mi-hh24:mi); must not overlap the maintenance window."
  default     = "03:00-04:00"

  validation {
    condition     = can(regex("^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-3]):[0-5][0-9]$", var.snapshot_window))
    error_message = "snapshot_window must look like \"03:00-04:00\"."
  }
}

variable "maintenance_window" {
  type        = string
  description = "Weekly UTC maintenance window (ddd:hh24:mi-ddd:hh24:mi)."
  default     = "sun:05:00-sun:06:00"

  validation {
    condition     = can(regex("^(mon|tue|wed|thu|fri|sat|sun):([01][0-9]|2[0-3]):[0-5][0-9]-(mon|tue|wed|thu|fri|sat|sun):([01][0-9]|2[0-3]):[0-5][0-9]$", var.maintenance_window))
    error_message = "maintenance_window must look like \"sun:05:00-sun:06:00\"."
  }
}
