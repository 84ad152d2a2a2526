output "file_system_id" {
  description = "ID of the EFS file system (for ECS efs_volume_configuration)."
  value       = aws_efs_file_system.this.id
}

output "file_system_arn" {
  description = "ARN of the EFS file system (resource of the clients' elasticfilesystem:Client* IAM permissions)."
  value       = aws_efs_file_system.this.arn
}

output "access_point_id" {
  description = "ID of the access point clients must mount through."
  value       = aws_efs_access_point.this.id
}

output "access_point_arn" {
  description = "ARN of the access point (value of the elasticfilesystem:AccessPointArn condition)."
  value       = aws_efs_access_point.this.arn
}

output "dns_name" {
  description = "Regional DNS name of the file system, resolving to the mount target in the client's AZ."
  value       = aws_efs_file_system.this.dns_name
}
