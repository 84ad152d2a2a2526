variable "name" {
  type        = string
  description = "Name of the file system (creation token and Name tag; also names the access point)."

  validation {
    # The creation token is limited to 64 characters.
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", var.name))
    error_message = "name must be 1-64 letters, digits, dots, underscores or hyphens, starting with a letter or digit."
  }
}

variable "subnet_ids" {
  type        = list(string)
  description = "Private subnet IDs, one per Availability Zone: a mount target is created in each."

  validation {
    condition     = length(var.subnet_ids) >= 1 && length(distinct(var.subnet_ids)) == length(var.subnet_ids)
    error_message = "subnet_ids must hold at least one subnet ID and no duplicates (one subnet per AZ)."
  }
}

variable "security_group_ids" {
  type        = list(string)
  description = "Security group IDs attached to the mount targets; they decide who can reach NFS (TCP 2049)."

  validation {
    condition     = length(var.security_group_ids) >= 1 && length(var.security_group_ids) <= 5
    error_message = "security_group_ids must hold between 1 and 5 security group IDs (the mount target limit)."
  }
}

variable "posix_uid" {
  type        = number
  description = "POSIX user ID every access through the access point runs as, and owner of the root directory."
  default     = 1000

  validation {
    # 0 would give the application root on the shared file system.
    condition     = var.posix_uid >= 1 && var.posix_uid <= 4294967295 && floor(var.posix_uid) == var.posix_uid
    error_message = "posix_uid must be a whole number between 1 and 4294967295 (not root)."
  }
}

variable "posix_gid" {
  type        = number
  description = "POSIX group ID every access through the access point runs as, and group of the root directory."
  default     = 1000

  validation {
    condition     = var.posix_gid >= 1 && var.posix_gid <= 4294967295 && floor(var.posix_gid) == var.posix_gid
    error_message = "posix_gid must be a whole number between 1 and 4294967295 (not root)."
  }
}

variable "root_directory" {
  type        = string
  description = "Directory exposed as / through the access point; created with owner posix_uid:posix_gid and mode 0750 if missing."
  default     = "/app"

  validation {
    condition     = can(regex("^(/[A-Za-z0-9._-]+)+$", var.root_directory)) && length(var.root_directory) <= 100
    error_message = "root_directory must be an absolute path below / such as \"/app\" (letters, digits, dots, underscores, hyphens; at most 100 characters; no trailing slash)."
  }
}

variable "transition_to_ia" {
  type        = string
  description = "When files not accessed move to the cheaper Infrequent Access class, e.g. \"AFTER_30_DAYS\"."
  default     = "AFTER_30_DAYS"

  validation {
    condition     = contains(["AFTER_1_DAY", "AFTER_7_DAYS", "AFTER_14_DAYS", "AFTER_30_DAYS", "AFTER_60_DAYS", "AFTER_90_DAYS", "AFTER_180_DAYS", "AFTER_270_DAYS", "AFTER_365_DAYS"], var.transition_to_ia)
    error_message = "transition_to_ia must be one of AFTER_1_DAY, AFTER_7_DAYS, AFTER_14_DAYS, AFTER_30_DAYS, AFTER_60_DAYS, AFTER_90_DAYS, AFTER_180_DAYS, AFTER_270_DAYS, AFTER_365_DAYS."
  }
}

variable "kms_key_arn" {
  type        = string
  description = "ARN of a customer-managed KMS key for encryption at rest. null uses the AWS-managed aws/elasticfilesystem key."
  default     = null
}
