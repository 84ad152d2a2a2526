variable "cluster_id" {
  type        = string
  description = "Identifier of the Memcached cluster (and name of its subnet group)."

  validation {
    # ElastiCache rules: 1-40 characters, lowercase letters, digits and hyphens, starts with a
    # letter, no trailing hyphen and no two consecutive hyphens.
    condition     = can(regex("^[a-z]([a-z0-9-]{0,38}[a-z0-9])?$", var.cluster_id)) && !can(regex("--", var.cluster_id))
    error_message = "cluster_id must be 1-40 lowercase letters, digits or hyphens, start with a letter, not end with a hyphen and not contain two consecutive hyphens."
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
  description = "Memcached engine version (major.minor.patch); at least 1.6.12, the first with in-transit encryption."
  default     = "1.6.22"

  validation {
    condition = can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+$", var.engine_version)) && try(
      tonumber(split(".", var.engine_version)[0]) > 1 ||
      (tonumber(split(".", var.engine_version)[0]) == 1 && tonumber(split(".", var.engine_version)[1]) > 6) ||
      (tonumber(split(".", var.engine_version)[0]) == 1 && tonumber(split(".", var.engine_version)[1]) == 6 && tonumber(split(".", var.engine_version)[2]) >= 12),
      false
    )
    error_message = "engine_version must look like \"1.6.22\" and be at least 1.6.12 (needed for in-transit encryption)."
  }
}

variable "num_cache_nodes" {
  type        = number
  description = "Number of cache nodes, 1 to 40. With 2 or more, nodes are spread across Availability Zones."

  validation {
    condition     = var.num_cache_nodes >= 1 && var.num_cache_nodes <= 40 && floor(var.num_cache_nodes) == var.num_cache_nodes
    error_message = "num_cache_nodes must be a whole number between 1 and 40."
  }
}

variable "subnet_ids" {
  type        = list(string)
  description = "Private subnet IDs for the cache subnet group; at least two (in different AZs) when num_cache_nodes >= 2."

  validation {
    condition     = length(var.subnet_ids) >= 1
    error_message = "subnet_ids must hold at least one subnet ID."
  }
}

variable "security_group_ids" {
  type        = list(string)
  description = "Security group IDs attached to the nodes; they decide who can reach the Memcached port."

  validation {
    condition     = length(var.security_group_ids) >= 1
    error_message = "security_group_ids must hold at least one security group ID."
  }
}

variable "port" {
  type        = number
  description = "Port Memcached listens on."
  default     = 11211

  validation {
    condition     = var.port >= 1024 && var.port <= 65535
    error_message = "port must be between 1024 and 65535."
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
