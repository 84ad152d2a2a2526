output "primary_endpoint_address" {
  description = "Address of the primary endpoint (follows the primary across failovers)."
  value       = aws_elasticache_replication_group.this.primary_endpoint_address
}

output "port" {
  description = "Port Redis listens on."
  value       = aws_elasticache_replication_group.this.port
}

output "redis_url" {
  description = "Connection URL for database 0, with the rediss:// (TLS) scheme because transit encryption is required."
  value       = "rediss://${aws_elasticache_replication_group.this.primary_endpoint_address}:${aws_elasticache_replication_group.this.port}/0"
}
