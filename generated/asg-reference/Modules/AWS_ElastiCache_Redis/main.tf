locals {
  # Failover needs a replica to promote, and Multi-AZ needs automatic failover.
  ha_enabled = var.num_cache_clusters >= 2
}

resource "aws_elasticache_subnet_group" "this" {
  name        = var.replication_group_id
  description = "Subnets of ElastiCache replication group ${var.replication_group_id}"
  subnet_ids  = var.subnet_ids
}

resource "aws_elasticache_replication_group" "this" {
  # checkov:skip=CKV_AWS_31: no AUTH token on purpose. A token would sit in plaintext in the Terraform state and in the app's REDIS_URL; Django's cache backend cannot sign IAM auth tokens (RBAC + IAM). Access is limited instead to the app's security group inside private subnets, with TLS in transit; if a token is mandated, set auth_token from a secret in a Terragrunt override file
  # checkov:skip=CKV_AWS_191: a customer-managed key is optional (var.kms_key_arn); at-rest encryption is always on and uses the AWS-managed ElastiCache key by default, avoiding a per-key monthly cost for session data that expires anyway
  replication_group_id = var.replication_group_id
  description          = var.description

  # Redis OSS on purpose (not Valkey): the application is written and tested against it.
  engine             = "redis"
  engine_version     = var.engine_version
  node_type          = var.node_type
  num_cache_clusters = var.num_cache_clusters
  port               = var.port

  subnet_group_name  = aws_elasticache_subnet_group.this.name
  security_group_ids = var.security_group_ids

  automatic_failover_enabled = local.ha_enabled
  multi_az_enabled           = local.ha_enabled

  at_rest_encryption_enabled = true
  kms_key_id                 = var.kms_key_arn
  # TLS only: clients must connect with rediss:// (see the redis_url output). A new group
  # with transit encryption enabled is created in "required" mode; transit_encryption_mode is
  # only for migrating existing groups and needs Redis 7.0.5+, so it is left unset.
  transit_encryption_enabled = true

  snapshot_retention_limit   = var.snapshot_retention_limit
  snapshot_window            = var.snapshot_window
  maintenance_window         = var.maintenance_window
  auto_minor_version_upgrade = true
  # Changes wait for the maintenance window instead of interrupting live sessions.
  apply_immediately = false

  lifecycle {
    precondition {
      condition     = !local.ha_enabled || length(var.subnet_ids) >= 2
      error_message = "Multi-AZ (num_cache_clusters >= 2) needs subnet_ids in at least two Availability Zones."
    }
  }
}
