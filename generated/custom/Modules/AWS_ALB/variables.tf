variable "name" {
  type        = string
  description = "Name of the Application Load Balancer (at most 32 characters: letters, digits and hyphens)."

  validation {
    condition = (
      can(regex("^[A-Za-z0-9]([A-Za-z0-9-]{0,30}[A-Za-z0-9])?$", var.name)) &&
      !startswith(lower(var.name), "internal-")
    )
    error_message = "name must be 1-32 letters, digits or hyphens, must not start or end with a hyphen and must not start with \"internal-\"."
  }
}

variable "target_group_name" {
  type        = string
  description = "Stem of the target group's name (letters, digits and hyphens): its first 23 characters, then a hash of the port, protocol, target type and VPC, so a replacement group never clashes with the one it replaces."

  validation {
    condition     = can(regex("^[A-Za-z0-9]([A-Za-z0-9-]{0,30}[A-Za-z0-9])?$", var.target_group_name))
    error_message = "target_group_name must be 1-32 letters, digits or hyphens and must not start or end with a hyphen."
  }
}

variable "vpc_id" {
  type        = string
  description = "ID of the VPC of the target group."

  validation {
    condition     = length(trimspace(var.vpc_id)) > 0
    error_message = "vpc_id must not be empty."
  }
}

variable "subnet_ids" {
  type        = list(string)
  description = "Public subnet IDs for the load balancer, in at least two availability zones."

  validation {
    condition     = length(distinct(var.subnet_ids)) >= 2
    error_message = "subnet_ids must hold at least two distinct subnets (an ALB needs two availability zones)."
  }
}

variable "security_group_ids" {
  type        = list(string)
  description = "Security group IDs attached to the load balancer."

  validation {
    condition     = length(var.security_group_ids) >= 1
    error_message = "security_group_ids must hold at least one security group."
  }
}

variable "certificate_arn" {
  type        = string
  description = "ARN of the ACM certificate served by the HTTPS listener (in the load balancer's region)."

  validation {
    # arn:aws:acm: (also accepts the arn:aws-cn / arn:aws-us-gov partitions).
    condition     = can(regex("^arn:aws(-[a-z]+)*:acm:", var.certificate_arn))
    error_message = "certificate_arn must be an ACM certificate ARN starting with \"arn:aws:acm:\"."
  }
}

variable "target_type" {
  type        = string
  description = "How targets register: \"ip\" (ECS Fargate / awsvpc tasks) or \"instance\" (EC2 instances)."

  validation {
    condition     = contains(["ip", "instance"], var.target_type)
    error_message = "target_type must be \"ip\" or \"instance\"."
  }
}

variable "target_port" {
  type        = number
  description = "Port the targets listen on (plain HTTP)."

  validation {
    condition     = var.target_port >= 1 && var.target_port <= 65535 && floor(var.target_port) == var.target_port
    error_message = "target_port must be a whole number between 1 and 65535."
  }
}

variable "health_check_path" {
  type        = string
  description = "HTTP path of the target health check, e.g. \"/health\"."

  validation {
    condition     = startswith(var.health_check_path, "/") && length(var.health_check_path) <= 1024
    error_message = "health_check_path must start with \"/\" and be at most 1024 characters."
  }
}

variable "http_listener_action" {
  type        = string
  default     = "redirect"
  description = "What the port 80 listener does: \"redirect\" (301 to HTTPS on 443) or \"forward\" (to the target group; only for CloudFront reaching the ALB over HTTP, with port 80 open to CloudFront alone)."

  validation {
    condition     = contains(["forward", "redirect"], var.http_listener_action)
    error_message = "http_listener_action must be \"forward\" or \"redirect\"."
  }
}

variable "deletion_protection" {
  type        = bool
  description = "Protect the load balancer from deletion (must be turned off, and applied, before a destroy)."
  default     = true
}

variable "idle_timeout" {
  type        = number
  description = "Seconds a connection may stay idle before the load balancer closes it."
  default     = 60

  validation {
    condition     = var.idle_timeout >= 1 && var.idle_timeout <= 4000 && floor(var.idle_timeout) == var.idle_timeout
    error_message = "idle_timeout must be a whole number of seconds between 1 and 4000."
  }
}

variable "ssl_policy" {
  type        = string
  description = "Security policy of the HTTPS listener; the default allows only TLS 1.2 and 1.3."
  default     = "ELBSecurityPolicy-TLS13-1-2-2021-06"

  validation {
    condition     = startswith(var.ssl_policy, "ELBSecurityPolicy-")
    error_message = "ssl_policy must be an ELB security policy name (ELBSecurityPolicy-...)."
  }
}

variable "access_logs_bucket" {
  type        = string
  description = "S3 bucket receiving the access logs; null disables access logs. The bucket policy must let the regional ELB log delivery write to it."
  default     = null
}

variable "access_logs_prefix" {
  type        = string
  description = "Key prefix of the access logs inside access_logs_bucket; null writes at the bucket root."
  default     = null
}
