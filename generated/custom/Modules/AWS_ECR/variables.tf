variable "repository_name" {
  type        = string
  description = "Name of the ECR repository, e.g. \"shop/web\" (lowercase; may contain / . _ - separators)."

  validation {
    condition = (
      length(var.repository_name) >= 2 && length(var.repository_name) <= 256 &&
      can(regex("^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$", var.repository_name))
    )
    error_message = "repository_name must be 2-256 characters of lowercase letters, digits and single . _ - / separators, e.g. \"shop/web\"."
  }
}

variable "policy_json" {
  type        = string
  description = "Path, relative to this module's folder, of the lifecycle policy JSON file, e.g. \"lifecycle_policy/keep-15.json\"."

  validation {
    condition     = length(trimspace(var.policy_json)) > 0 && !startswith(var.policy_json, "/")
    error_message = "policy_json must be a non-empty path relative to the module folder, e.g. \"lifecycle_policy/keep-15.json\"."
  }
}

variable "image_tag_mutability" {
  type        = string
  description = "IMMUTABLE (a tag always names the same image) or MUTABLE (needed when the app deploys a moving tag such as \"latest\")."
  default     = "IMMUTABLE"

  validation {
    condition     = contains(["MUTABLE", "IMMUTABLE"], var.image_tag_mutability)
    error_message = "image_tag_mutability must be MUTABLE or IMMUTABLE."
  }
}

variable "scan_on_push" {
  type        = bool
  description = "Scan every pushed image for known vulnerabilities (basic scanning)."
  default     = true
}

variable "force_delete" {
  type        = bool
  description = "Allow destroying the repository while it still holds images. Keep false outside throwaway environments."
  default     = false
}
