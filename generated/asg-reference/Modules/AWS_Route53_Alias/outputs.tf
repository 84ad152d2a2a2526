output "fqdn" {
  description = "Fully qualified domain name of the alias record."
  value       = aws_route53_record.this["A"].fqdn
}
