variable "domain_name" {
  type        = string
  description = "Primary domain name of the certificate (e.g. app.example.com)."

  validation {
    condition     = length(trimspace(var.domain_name)) > 0 && length(var.domain_name) <= 253
    error_message = "domain_name must be a non-empty DNS name of at most 253 characters."
  }
}

variable "subject_alternative_names" {
  type        = list(string)
  description = "Additional names covered by the certificate. All must live in the hosted zone given by zone_id, because validation records are written there."
  default     = []
  nullable    = false
}

variable "zone_id" {
  type        = string
  description = "Route 53 hosted zone ID in which the DNS validation records are created."

  validation {
    condition     = startswith(var.zone_id, "Z")
    error_message = "zone_id must be a Route 53 hosted zone ID (it starts with \"Z\")."
  }
}
