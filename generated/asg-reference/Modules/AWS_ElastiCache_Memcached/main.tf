locals {
  # cross-az needs at least two nodes; a single node can only live in one AZ.
  az_mode = var.num_cache_nodes >= 2 ? "cross-az" : "single-az"
}

resource "aws_elasticache_subnet_group" "this" {
  name        = var.cluster_id
  description = "Subnets of ElastiCache cluster ${var.cluster_id}"
  subnet_ids  = var.subnet_ids
}

resource "aws_elasticache_cluster" "this" {
  # No snapshot settings: Memcached has no backups; the cache is rebuilt from the database.
  cluster_id      = var.cluster_id
  engine          = "memcached"
  engine_version  = var.engine_version
  node_type       = var.node_type
  num_cache_nodes = var.num_cache_nodes
  port            = var.port
  az_mode         = local.az_mode

  subnet_group_name  = aws_elasticache_subnet_group.this.name
  security_group_ids = var.security_group_ids

  # TLS between the app and the nodes (Memcached >= 1.6.12): clients must enable TLS, e.g.
  # Django's PyMemcacheCache with OPTIONS {"tls_context": ssl.create_default_context()}.
  # There is no at-rest encryption setting: Memcached keeps everything in memory and persists
  # nothing.
  transit_encryption_enabled = true

  maintenance_window = var.maintenance_window
  # Changes wait for the maintenance window instead of flushing the cache mid-day.
  apply_immediately = false

  lifecycle {
    precondition {
      condition     = var.num_cache_nodes < 2 || length(var.subnet_ids) >= 2
      error_message = "Spreading nodes across AZs (num_cache_nodes >= 2) needs subnet_ids in at least two Availability Zones."
    }
  }
}
