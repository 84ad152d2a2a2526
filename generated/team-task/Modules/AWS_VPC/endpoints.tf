################################################################################
# VPC endpoints: how private subnets without NAT reach AWS APIs
################################################################################
#
# With nat_gateway_mode = "none" the private subnets have no route to the internet, yet
# Fargate must pull images (ECR API + registry, layers from S3), ship logs (CloudWatch Logs)
# and read secrets (SSM, Secrets Manager), and Session Manager needs ssm, ssmmessages and
# ec2messages. tgforge passes exactly the endpoints the environment's workloads use.

locals {
  # An interface endpoint takes at most one subnet per AZ: private subnet i is in AZ
  # i % az_count, so the first az_count private subnets cover each AZ once.
  endpoint_subnet_ids = slice(aws_subnet.private[*].id, 0, min(local.az_count, length(var.private_subnet_cidrs)))
  endpoint_service    = "com.amazonaws.${data.aws_region.current.id}"
}

resource "aws_security_group" "endpoints" {
  count = length(var.interface_endpoints) > 0 ? 1 : 0

  name_prefix = "${var.name}-endpoints-"
  description = "Interface VPC endpoints of ${var.name}: HTTPS in from inside the VPC only"
  vpc_id      = aws_vpc.this.id

  tags = {
    Name = "${var.name}-endpoints"
  }

  lifecycle {
    create_before_destroy = true
  }
}

# No egress rule: an endpoint only answers connections, and security groups are stateful.
resource "aws_vpc_security_group_ingress_rule" "endpoints_https" {
  count = length(aws_security_group.endpoints)

  security_group_id = aws_security_group.endpoints[0].id
  description       = "HTTPS from the VPC to the AWS API endpoints"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = aws_vpc.this.cidr_block
}

resource "aws_vpc_endpoint" "interface" {
  for_each = toset(var.interface_endpoints)

  vpc_id              = aws_vpc.this.id
  service_name        = "${local.endpoint_service}.${each.key}"
  vpc_endpoint_type   = "Interface"
  subnet_ids          = local.endpoint_subnet_ids
  security_group_ids  = [aws_security_group.endpoints[0].id]
  private_dns_enabled = true

  tags = {
    Name = "${var.name}-${each.key}"
  }
}

# Gateway endpoints (S3) are free and work through the private route tables.
resource "aws_vpc_endpoint" "gateway" {
  for_each = toset(var.gateway_endpoints)

  vpc_id            = aws_vpc.this.id
  service_name      = "${local.endpoint_service}.${each.key}"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = aws_route_table.private[*].id

  tags = {
    Name = "${var.name}-${each.key}"
  }
}
