output "alb_security_group_id" {
  description = "ID of the ALB security group (80/443 in from anywhere, app port out to the app)."
  value       = aws_security_group.alb.id
}

output "app_security_group_id" {
  description = "ID of the application security group (app port in from the ALB)."
  value       = aws_security_group.app.id
}

output "database_security_group_id" {
  description = "ID of the database security group (database port in from the app and migrations)."
  value       = aws_security_group.database.id
}

output "migrations_security_group_id" {
  description = "ID of the migrations CodeBuild security group; null unless enable_migrations."
  value       = one(aws_security_group.migrations[*].id)
}

output "redis_security_group_id" {
  description = "ID of the Redis security group; null unless enable_redis."
  value       = one(aws_security_group.redis[*].id)
}

output "memcached_security_group_id" {
  description = "ID of the Memcached security group; null unless enable_memcached."
  value       = one(aws_security_group.memcached[*].id)
}

output "efs_security_group_id" {
  description = "ID of the EFS security group; null unless enable_efs."
  value       = one(aws_security_group.efs[*].id)
}
