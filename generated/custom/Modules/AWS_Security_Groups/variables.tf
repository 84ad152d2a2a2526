variable "name_prefix" {
  type        = string
  description = "Prefix of the security group names, e.g. \"shop-prod\"; groups are named <name_prefix>-alb-..., <name_prefix>-app-... and so on."

  validation {
    condition     = length(var.name_prefix) >= 1 && length(var.name_prefix) <= 64 && !startswith(lower(var.name_prefix), "sg-")
    error_message = "name_prefix must be 1 to 64 characters long and must not start with \"sg-\" (reserved by EC2)."
  }
}

variable "vpc_id" {
  type        = string
  description = "ID of the VPC the security groups belong to."

  validation {
    condition     = length(trimspace(var.vpc_id)) > 0
    error_message = "vpc_id must not be empty."
  }
}

variable "app_port" {
  type        = number
  description = "TCP port the application containers listen on; the ALB forwards to it."

  validation {
    condition     = var.app_port >= 1 && var.app_port <= 65535 && floor(var.app_port) == var.app_port
    error_message = "app_port must be a whole number between 1 and 65535."
  }
}

variable "database_port" {
  type        = number
  description = "TCP port of the database (5432 for PostgreSQL, 3306 for MySQL/MariaDB)."
  default     = 5432

  validation {
    condition     = var.database_port >= 1 && var.database_port <= 65535 && floor(var.database_port) == var.database_port
    error_message = "database_port must be a whole number between 1 and 65535."
  }
}

variable "enable_migrations" {
  type        = bool
  description = "Create the security group of the in-VPC CodeBuild project that runs database migrations, and let it reach the database."
  default     = false
}

variable "enable_redis" {
  type        = bool
  description = "Create the Redis (ElastiCache) security group, reachable on 6379 from the app."
  default     = false
}

variable "enable_memcached" {
  type        = bool
  description = "Create the Memcached (ElastiCache) security group, reachable on 11211 from the app."
  default     = false
}

variable "enable_efs" {
  type        = bool
  description = "Create the EFS mount target security group, reachable on 2049 (NFS) from the app."
  default     = false
}

variable "cloudfront_origin_port" {
  type        = number
  description = "When CloudFront fronts the ALB, the ALB port it connects to: 443 (HTTPS; port 80 stays open to anyone but only redirects to HTTPS) or 80 (HTTP; port 443 is then closed). That port accepts only CloudFront's origin-facing addresses (AWS managed prefix list), so nobody reaches the app around CloudFront. Null: no CloudFront, both ports open to anyone (80 redirects)."
  default     = null

  validation {
    condition     = var.cloudfront_origin_port == null || contains([80, 443], coalesce(var.cloudfront_origin_port, 0))
    error_message = "cloudfront_origin_port must be null, 80 or 443."
  }
}
