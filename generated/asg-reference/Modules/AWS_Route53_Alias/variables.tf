variable "zone_id" {
  type        = string
  description = "Route 53 hosted zone ID in which the alias record(s) are created."

  validation {
    condition     = startswith(var.zone_id, "Z")
    error_message = "zone_id must be a Route 53 hosted zone ID (it starts with \"Z\")."
  }
}

variable "name" {
  type        = string
  description = "Fully qualified domain name of the record (e.g. app.example.com)."

  validation {
    condition     = length(trimspace(var.name)) > 0 && length(var.name) <= 253
    error_message = "name must be a non-empty DNS name of at most 253 characters."
  }
}

variable "alias_dns_name" {
  type        = string
  description = "DNS name of the alias target (ALB dns_name or CloudFront domain_name)."

  validation {
    condition     = length(trimspace(var.alias_dns_name)) > 0
    error_message = "alias_dns_name must not be empty."
  }
}

variable "alias_zone_id" {
  type        = string
  description = "Hosted zone ID of the alias target: the ALB's zone_id, or \"Z2FDTNDATAQYW2\" for CloudFront."

  validation {
    condition     = startswith(var.alias_zone_id, "Z")
    error_message = "alias_zone_id must be a hosted zone ID (it starts with \"Z\")."
  }
}

variable "evaluate_target_health" {
  type        = bool
  description = "Whether Route 53 checks the health of the alias target. CloudFront targets do not support it."
  default     = false
  nullable    = false
}

variable "create_ipv6" {
  type        = bool
  description = "Also create an AAAA alias record (for dual-stack targets such as CloudFront)."
  default     = false
  nullable    = false
}
