output "certificate_arn" {
  description = "ARN of the validated certificate. Taken from the validation resource so that dependents (ALB listener, CloudFront) wait until the certificate is issued."
  value       = aws_acm_certificate_validation.this.certificate_arn
}

output "domain_name" {
  description = "Primary domain name of the certificate."
  value       = aws_acm_certificate.this.domain_name
}
