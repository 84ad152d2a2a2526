variable "bucket_id" {
  type        = string
  description = "Name of the private static files bucket (output bucket_id of AWS_S3_Static). Its bucket policy is written here."

  validation {
    condition     = length(var.bucket_id) >= 3 && length(var.bucket_id) <= 63
    error_message = "bucket_id must be an S3 bucket name (3-63 characters)."
  }
}

variable "bucket_arn" {
  type        = string
  description = "ARN of the static files bucket (output bucket_arn of AWS_S3_Static)."

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]+$", var.bucket_arn))
    error_message = "bucket_arn must be an S3 bucket ARN such as arn:aws:s3:::my-bucket."
  }
}

variable "bucket_regional_domain_name" {
  type        = string
  description = "Regional domain name of the static files bucket (output bucket_regional_domain_name of AWS_S3_Static), used as the S3 origin."

  validation {
    condition     = length(var.bucket_regional_domain_name) > 0
    error_message = "bucket_regional_domain_name must not be empty."
  }
}

variable "alb_origin_domain" {
  type        = string
  description = "Hostname (no scheme, no path) CloudFront uses to reach the application load balancer."

  validation {
    condition     = can(regex("^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$", var.alb_origin_domain))
    error_message = "alb_origin_domain must be a bare hostname such as origin.example.com (no scheme, port or path)."
  }
}

variable "alb_origin_protocol_policy" {
  type        = string
  description = "How CloudFront connects to the ALB: \"https-only\" when the ALB certificate covers the aliases (CloudFront forwards the viewer's Host and checks the certificate against it), else \"http-only\"."

  validation {
    condition     = contains(["https-only", "http-only"], var.alb_origin_protocol_policy)
    error_message = "alb_origin_protocol_policy must be \"https-only\" or \"http-only\"."
  }
}

variable "certificate_arn" {
  type        = string
  description = "ARN of the ACM certificate for the aliases. CloudFront only accepts certificates issued in us-east-1."

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:acm:us-east-1:[0-9]{12}:certificate/[A-Za-z0-9-]+$", var.certificate_arn))
    error_message = "certificate_arn must be an ACM certificate ARN in us-east-1 (arn:aws:acm:us-east-1:ACCOUNT:certificate/ID); CloudFront cannot use certificates from other regions."
  }
}

variable "aliases" {
  type        = list(string)
  description = "Alternate domain names (CNAMEs) served by the distribution; each must be covered by certificate_arn."
  default     = []

  validation {
    condition     = alltrue([for a in var.aliases : can(regex("^(\\*\\.)?[a-z0-9]([a-z0-9.-]*[a-z0-9])?$", a))])
    error_message = "Each alias must be a lowercase hostname, optionally starting with \"*.\"."
  }
}

variable "price_class" {
  type        = string
  description = "CloudFront price class: which edge locations serve viewers."
  default     = "PriceClass_100"

  validation {
    condition     = contains(["PriceClass_100", "PriceClass_200", "PriceClass_All"], var.price_class)
    error_message = "price_class must be one of PriceClass_100, PriceClass_200, PriceClass_All."
  }
}

variable "static_path_pattern" {
  type        = string
  description = "Path pattern routed to the static files bucket (Django STATIC_URL followed by *)."
  default     = "/static/*"

  validation {
    condition     = length(var.static_path_pattern) > 0 && length(var.static_path_pattern) <= 255
    error_message = "static_path_pattern must be 1-255 characters long."
  }
}
