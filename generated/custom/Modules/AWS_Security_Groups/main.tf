# Security groups are declared without inline rules; every rule is its own
# aws_vpc_security_group_*_rule resource so rules can reference each other's groups without
# dependency cycles and can change without replacing the group.
#
# Terraform deletes the default allow-all egress rule AWS adds to new groups, so a group
# with no egress rule below really has no egress. Traffic to the VPC DNS resolver, instance
# metadata and NTP (169.254.x) is not filtered by security groups and needs no rule.
#
# name_prefix + create_before_destroy lets a group be replaced (e.g. a new description)
# while network interfaces still use the old one.

locals {
  https_port     = 443
  http_port      = 80
  redis_port     = 6379
  memcached_port = 11211
  nfs_port       = 2049
}

################################################################################
# ALB: the only group open to the internet
################################################################################

resource "aws_security_group" "alb" {
  # checkov:skip=CKV2_AWS_5: attached by the alb/compute/database units
  name_prefix = "${var.name_prefix}-alb-"
  description = "Public Application Load Balancer of ${var.name_prefix}: HTTP/HTTPS in from anywhere, app port out to the app only"
  vpc_id      = var.vpc_id

  tags = {
    Name = "${var.name_prefix}-alb"
  }

  lifecycle {
    create_before_destroy = true
  }
}

# CloudFront's origin-facing addresses, kept current by AWS. A reference to it counts as the
# list's maximum size (55 today) against the 60 inbound rules a group may have, so only one
# rule references it.
data "aws_ec2_managed_prefix_list" "cloudfront" {
  count = var.cloudfront_origin_port == null ? 0 : 1

  name = "com.amazonaws.global.cloudfront.origin-facing"
}

locals {
  cloudfront_prefix_list_id = one(data.aws_ec2_managed_prefix_list.cloudfront[*].id)
}

resource "aws_vpc_security_group_ingress_rule" "alb_https" {
  # Closed when CloudFront reaches the ALB over HTTP: nothing else may use the ALB.
  count = var.cloudfront_origin_port == 80 ? 0 : 1

  security_group_id = aws_security_group.alb.id
  description       = var.cloudfront_origin_port == 443 ? "HTTPS from CloudFront only (origin-facing prefix list)" : "HTTPS from anywhere: public web entry point"
  ip_protocol       = "tcp"
  from_port         = local.https_port
  to_port           = local.https_port
  cidr_ipv4         = var.cloudfront_origin_port == 443 ? null : "0.0.0.0/0"
  prefix_list_id    = var.cloudfront_origin_port == 443 ? local.cloudfront_prefix_list_id : null
}

resource "aws_vpc_security_group_ingress_rule" "alb_http" {
  # checkov:skip=CKV_AWS_260: port 80 from anywhere only answers 301 to HTTPS (listener action redirect); when CloudFront reaches the ALB over HTTP the rule admits CloudFront's prefix list only
  security_group_id = aws_security_group.alb.id
  description       = var.cloudfront_origin_port == 80 ? "HTTP from CloudFront only (origin-facing prefix list)" : "HTTP from anywhere: redirected to HTTPS by the listener"
  ip_protocol       = "tcp"
  from_port         = local.http_port
  to_port           = local.http_port
  cidr_ipv4         = var.cloudfront_origin_port == 80 ? null : "0.0.0.0/0"
  prefix_list_id    = var.cloudfront_origin_port == 80 ? local.cloudfront_prefix_list_id : null
}

resource "aws_vpc_security_group_egress_rule" "alb_to_app" {
  security_group_id            = aws_security_group.alb.id
  description                  = "Forward requests and health checks to the app"
  ip_protocol                  = "tcp"
  from_port                    = var.app_port
  to_port                      = var.app_port
  referenced_security_group_id = aws_security_group.app.id
}

################################################################################
# App (ECS tasks / instances)
################################################################################

resource "aws_security_group" "app" {
  # checkov:skip=CKV2_AWS_5: attached by the alb/compute/database units
  name_prefix = "${var.name_prefix}-app-"
  description = "Application of ${var.name_prefix}: app port in from the ALB only"
  vpc_id      = var.vpc_id

  tags = {
    Name = "${var.name_prefix}-app"
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "app_from_alb" {
  security_group_id            = aws_security_group.app.id
  description                  = "App port from the ALB only"
  ip_protocol                  = "tcp"
  from_port                    = var.app_port
  to_port                      = var.app_port
  referenced_security_group_id = aws_security_group.alb.id
}

# AWS APIs (ECR image pulls and S3 layers, SSM/Secrets Manager, CloudWatch Logs, S3) are
# public HTTPS endpoints reached through the NAT gateway; their IP ranges are large and
# change, so 443 is open to any address. Nothing else leaves the app to the internet.
resource "aws_vpc_security_group_egress_rule" "app_https" {
  security_group_id = aws_security_group.app.id
  description       = "HTTPS to AWS APIs (ECR, S3, SSM, Secrets Manager, CloudWatch Logs)"
  ip_protocol       = "tcp"
  from_port         = local.https_port
  to_port           = local.https_port
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_egress_rule" "app_to_database" {
  security_group_id            = aws_security_group.app.id
  description                  = "Database port to the database"
  ip_protocol                  = "tcp"
  from_port                    = var.database_port
  to_port                      = var.database_port
  referenced_security_group_id = aws_security_group.database.id
}

resource "aws_vpc_security_group_egress_rule" "app_to_redis" {
  count = var.enable_redis ? 1 : 0

  security_group_id            = aws_security_group.app.id
  description                  = "Redis to the Redis cache"
  ip_protocol                  = "tcp"
  from_port                    = local.redis_port
  to_port                      = local.redis_port
  referenced_security_group_id = aws_security_group.redis[0].id
}

resource "aws_vpc_security_group_egress_rule" "app_to_memcached" {
  count = var.enable_memcached ? 1 : 0

  security_group_id            = aws_security_group.app.id
  description                  = "Memcached to the Memcached cache"
  ip_protocol                  = "tcp"
  from_port                    = local.memcached_port
  to_port                      = local.memcached_port
  referenced_security_group_id = aws_security_group.memcached[0].id
}

resource "aws_vpc_security_group_egress_rule" "app_to_efs" {
  count = var.enable_efs ? 1 : 0

  security_group_id            = aws_security_group.app.id
  description                  = "NFS to the EFS mount targets"
  ip_protocol                  = "tcp"
  from_port                    = local.nfs_port
  to_port                      = local.nfs_port
  referenced_security_group_id = aws_security_group.efs[0].id
}

################################################################################
# Database: reachable from the app (and migrations), no egress at all
################################################################################

resource "aws_security_group" "database" {
  # checkov:skip=CKV2_AWS_5: attached by the alb/compute/database units
  name_prefix = "${var.name_prefix}-database-"
  description = "Database of ${var.name_prefix}: database port in from the app (and migrations) only, no egress"
  vpc_id      = var.vpc_id

  tags = {
    Name = "${var.name_prefix}-database"
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "database_from_app" {
  security_group_id            = aws_security_group.database.id
  description                  = "Database port from the app"
  ip_protocol                  = "tcp"
  from_port                    = var.database_port
  to_port                      = var.database_port
  referenced_security_group_id = aws_security_group.app.id
}

resource "aws_vpc_security_group_ingress_rule" "database_from_migrations" {
  count = var.enable_migrations ? 1 : 0

  security_group_id            = aws_security_group.database.id
  description                  = "Database port from the migrations CodeBuild project"
  ip_protocol                  = "tcp"
  from_port                    = var.database_port
  to_port                      = var.database_port
  referenced_security_group_id = aws_security_group.migrations[0].id
}

################################################################################
# Migrations (CodeBuild in the VPC): outbound only
################################################################################

resource "aws_security_group" "migrations" {
  # checkov:skip=CKV2_AWS_5: attached by the alb/compute/database units
  count = var.enable_migrations ? 1 : 0

  name_prefix = "${var.name_prefix}-migrations-"
  description = "Database migrations CodeBuild project of ${var.name_prefix}: no ingress, HTTPS and database port out"
  vpc_id      = var.vpc_id

  tags = {
    Name = "${var.name_prefix}-migrations"
  }

  lifecycle {
    create_before_destroy = true
  }
}

# CodeBuild downloads its source and images, ships logs and reads SSM parameters over
# public HTTPS endpoints (through the NAT gateway), whose IP ranges are not fixed.
resource "aws_vpc_security_group_egress_rule" "migrations_https" {
  count = var.enable_migrations ? 1 : 0

  security_group_id = aws_security_group.migrations[0].id
  description       = "HTTPS to AWS APIs (source download, CloudWatch Logs, SSM)"
  ip_protocol       = "tcp"
  from_port         = local.https_port
  to_port           = local.https_port
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_egress_rule" "migrations_to_database" {
  count = var.enable_migrations ? 1 : 0

  security_group_id            = aws_security_group.migrations[0].id
  description                  = "Database port to the database"
  ip_protocol                  = "tcp"
  from_port                    = var.database_port
  to_port                      = var.database_port
  referenced_security_group_id = aws_security_group.database.id
}

################################################################################
# Optional data stores: reachable from the app only, no egress
################################################################################

resource "aws_security_group" "redis" {
  # checkov:skip=CKV2_AWS_5: attached by the alb/compute/database units
  count = var.enable_redis ? 1 : 0

  name_prefix = "${var.name_prefix}-redis-"
  description = "Redis cache of ${var.name_prefix}: 6379 in from the app only, no egress"
  vpc_id      = var.vpc_id

  tags = {
    Name = "${var.name_prefix}-redis"
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "redis_from_app" {
  count = var.enable_redis ? 1 : 0

  security_group_id            = aws_security_group.redis[0].id
  description                  = "Redis from the app"
  ip_protocol                  = "tcp"
  from_port                    = local.redis_port
  to_port                      = local.redis_port
  referenced_security_group_id = aws_security_group.app.id
}

resource "aws_security_group" "memcached" {
  # checkov:skip=CKV2_AWS_5: attached by the alb/compute/database units
  count = var.enable_memcached ? 1 : 0

  name_prefix = "${var.name_prefix}-memcached-"
  description = "Memcached cache of ${var.name_prefix}: 11211 in from the app only, no egress"
  vpc_id      = var.vpc_id

  tags = {
    Name = "${var.name_prefix}-memcached"
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "memcached_from_app" {
  count = var.enable_memcached ? 1 : 0

  security_group_id            = aws_security_group.memcached[0].id
  description                  = "Memcached from the app"
  ip_protocol                  = "tcp"
  from_port                    = local.memcached_port
  to_port                      = local.memcached_port
  referenced_security_group_id = aws_security_group.app.id
}

resource "aws_security_group" "efs" {
  # checkov:skip=CKV2_AWS_5: attached by the alb/compute/database units
  count = var.enable_efs ? 1 : 0

  name_prefix = "${var.name_prefix}-efs-"
  description = "EFS mount targets of ${var.name_prefix}: NFS 2049 in from the app only, no egress"
  vpc_id      = var.vpc_id

  tags = {
    Name = "${var.name_prefix}-efs"
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "efs_from_app" {
  count = var.enable_efs ? 1 : 0

  security_group_id            = aws_security_group.efs[0].id
  description                  = "NFS from the app"
  ip_protocol                  = "tcp"
  from_port                    = local.nfs_port
  to_port                      = local.nfs_port
  referenced_security_group_id = aws_security_group.app.id
}
