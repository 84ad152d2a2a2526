output "configuration_endpoint" {
  description = "Configuration endpoint (host:port) for clients with Auto Discovery of the nodes."
  value       = aws_elasticache_cluster.this.configuration_endpoint
}

output "endpoint_address" {
  description = "DNS name of the cluster's configuration endpoint, without the port."
  value       = aws_elasticache_cluster.this.cluster_address
}

output "port" {
  description = "Port Memcached listens on."
  value       = aws_elasticache_cluster.this.port
}

output "memcached_location" {
  description = "\"HOST:PORT\" for Django's CACHES LOCATION (connect with TLS enabled)."
  value       = "${aws_elasticache_cluster.this.cluster_address}:${aws_elasticache_cluster.this.port}"
}
