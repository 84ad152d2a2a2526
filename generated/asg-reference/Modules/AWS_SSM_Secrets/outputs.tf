output "parameter_names" {
  description = "Names of the parameters, sorted."
  value       = sort([for p in aws_ssm_parameter.this : p.name])
}

output "parameter_arns" {
  description = "ARN of each parameter, keyed by name (for ECS secrets valueFrom and ssm:GetParameters IAM policies)."
  value       = { for name, p in aws_ssm_parameter.this : name => p.arn }
}
