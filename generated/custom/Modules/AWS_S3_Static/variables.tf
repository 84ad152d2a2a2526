variable "bucket_name" {
  type        = string
  description = "Globally unique name of the private bucket holding the Django static files (collectstatic output)."

  validation {
    # S3 general purpose bucket naming rules: 3-63 chars, lowercase letters, digits, dots
    # and hyphens, starting and ending with a letter or digit, no "..", not an IP address.
    condition = (
      length(var.bucket_name) >= 3 &&
      length(var.bucket_name) <= 63 &&
      can(regex("^[a-z0-9][a-z0-9.-]*[a-z0-9]$", var.bucket_name)) &&
      !strcontains(var.bucket_name, "..") &&
      !can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+$", var.bucket_name)) &&
      !startswith(var.bucket_name, "xn--") &&
      !endswith(var.bucket_name, "-s3alias")
    )
    error_message = "bucket_name must be a valid S3 bucket name: 3-63 characters, lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit, no consecutive dots, not formatted as an IP address."
  }
}

variable "force_destroy" {
  type        = bool
  description = "Allow Terraform to delete the bucket even when it still holds objects. Keep false outside throwaway environments."
  default     = false
}

variable "noncurrent_version_expiration_days" {
  type        = number
  description = "Days after which noncurrent (overwritten or deleted) object versions are permanently removed."
  default     = 30

  validation {
    condition     = var.noncurrent_version_expiration_days >= 1 && floor(var.noncurrent_version_expiration_days) == var.noncurrent_version_expiration_days
    error_message = "noncurrent_version_expiration_days must be a whole number of at least 1."
  }
}
