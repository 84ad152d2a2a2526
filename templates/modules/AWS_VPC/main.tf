data "aws_partition" "current" {}
# The region's name is read as `id`, the one attribute holding it in provider 5.x and 6.x alike
# (`name` is deprecated in 6.x, `region` does not exist in 5.x).
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

locals {
  az_count = length(var.azs)

  # Subnet i of every tier goes to azs[i % length(azs)], so tiers line up AZ by AZ.
  public_azs   = [for i in range(length(var.public_subnet_cidrs)) : var.azs[i % local.az_count]]
  private_azs  = [for i in range(length(var.private_subnet_cidrs)) : var.azs[i % local.az_count]]
  database_azs = [for i in range(length(var.database_subnet_cidrs)) : var.azs[i % local.az_count]]

  # AZs that get a NAT gateway: none, the AZ of public subnet 0, or every AZ that has a public subnet.
  nat_azs = (
    var.nat_gateway_mode == "per_az" ? distinct(local.public_azs) :
    var.nat_gateway_mode == "single" ? slice(local.public_azs, 0, min(1, length(local.public_azs))) :
    []
  )
  # Each NAT sits in the first public subnet of its AZ.
  nat_public_subnet_indexes = [for az in local.nat_azs : index(local.public_azs, az)]

  # One private route table per NAT gateway in "per_az" mode (so each AZ keeps egress when
  # another AZ fails), otherwise a single shared one.
  private_route_table_count = length(var.private_subnet_cidrs) == 0 ? 0 : (
    var.nat_gateway_mode == "per_az" ? max(1, length(local.nat_azs)) : 1
  )
  # Route table used by each private subnet; falls back to 0 only when the precondition on
  # aws_vpc.this already fails, so plan reports the readable error instead of an index error.
  private_route_table_index = [
    for az in local.private_azs :
    var.nat_gateway_mode == "per_az" && contains(local.nat_azs, az) ? index(local.nat_azs, az) : 0
  ]

  flow_log_group_name = "/aws/vpc-flow-log/${var.name}"
  # Built from parts (not from the log group resource) so the KMS key policy can name the
  # log group without a dependency cycle.
  flow_log_group_arn = "arn:${data.aws_partition.current.partition}:logs:${data.aws_region.current.id}:${data.aws_caller_identity.current.account_id}:log-group:${local.flow_log_group_name}"
}

################################################################################
# VPC
################################################################################

resource "aws_vpc" "this" {
  cidr_block = var.cidr_block
  # Needed for VPC interface endpoints, private hosted zones and RDS/ElastiCache DNS names.
  enable_dns_support   = true
  enable_dns_hostnames = true

  tags = {
    Name = var.name
  }

  lifecycle {
    # Cross-variable checks live here because variable validation blocks can only see their
    # own variable on Terraform 1.5.
    precondition {
      condition     = var.nat_gateway_mode == "none" || length(var.public_subnet_cidrs) > 0
      error_message = "nat_gateway_mode \"${var.nat_gateway_mode}\" needs at least one public subnet to hold the NAT gateway."
    }
    precondition {
      condition = var.nat_gateway_mode != "per_az" || alltrue([
        for az in local.private_azs : contains(local.public_azs, az)
      ])
      error_message = "nat_gateway_mode \"per_az\" needs a public subnet in every AZ that has a private subnet: give public_subnet_cidrs at least as many entries as azs."
    }
  }
}

# Take over the default security group and strip all its rules, so anything launched
# without an explicit security group gets no network access (CKV2_AWS_12).
resource "aws_default_security_group" "this" {
  vpc_id = aws_vpc.this.id

  tags = {
    Name = "${var.name}-default-deny-all"
  }
}

resource "aws_internet_gateway" "this" {
  vpc_id = aws_vpc.this.id

  tags = {
    Name = var.name
  }
}

################################################################################
# Public subnets
################################################################################

resource "aws_subnet" "public" {
  count = length(var.public_subnet_cidrs)

  vpc_id            = aws_vpc.this.id
  cidr_block        = var.public_subnet_cidrs[count.index]
  availability_zone = local.public_azs[count.index]
  # Nothing here should get a public IP implicitly: the ALB and NAT gateways bring their own
  # addresses (CKV_AWS_130).
  map_public_ip_on_launch = false

  tags = {
    Name = "${var.name}-public-${count.index + 1}-${local.public_azs[count.index]}"
    Tier = "public"
  }
}

resource "aws_route_table" "public" {
  count = length(var.public_subnet_cidrs) > 0 ? 1 : 0

  vpc_id = aws_vpc.this.id

  tags = {
    Name = "${var.name}-public"
  }
}

resource "aws_route" "public_internet" {
  count = length(aws_route_table.public)

  route_table_id         = aws_route_table.public[0].id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.this.id
}

resource "aws_route_table_association" "public" {
  count = length(var.public_subnet_cidrs)

  subnet_id      = aws_subnet.public[count.index].id
  route_table_id = aws_route_table.public[0].id
}

################################################################################
# NAT gateways
################################################################################

resource "aws_eip" "nat" {
  count = length(local.nat_azs)

  domain = "vpc"

  tags = {
    Name = "${var.name}-nat-${local.nat_azs[count.index]}"
  }

  # The EIP can only be associated once the VPC has an internet gateway.
  depends_on = [aws_internet_gateway.this]
}

resource "aws_nat_gateway" "this" {
  count = length(local.nat_azs)

  allocation_id = aws_eip.nat[count.index].id
  subnet_id     = aws_subnet.public[local.nat_public_subnet_indexes[count.index]].id

  tags = {
    Name = "${var.name}-nat-${local.nat_azs[count.index]}"
  }

  depends_on = [aws_internet_gateway.this]
}

################################################################################
# Private subnets
################################################################################

resource "aws_subnet" "private" {
  count = length(var.private_subnet_cidrs)

  vpc_id            = aws_vpc.this.id
  cidr_block        = var.private_subnet_cidrs[count.index]
  availability_zone = local.private_azs[count.index]

  tags = {
    Name = "${var.name}-private-${count.index + 1}-${local.private_azs[count.index]}"
    Tier = "private"
  }
}

resource "aws_route_table" "private" {
  count = local.private_route_table_count

  vpc_id = aws_vpc.this.id

  tags = {
    Name = (
      var.nat_gateway_mode == "per_az" && length(local.nat_azs) > 0
      ? "${var.name}-private-${local.nat_azs[count.index]}"
      : "${var.name}-private"
    )
  }
}

# With nat_gateway_mode = "none" there is no default route: private subnets reach AWS
# services only through VPC endpoints added beside this module.
resource "aws_route" "private_nat" {
  count = min(local.private_route_table_count, length(aws_nat_gateway.this))

  route_table_id         = aws_route_table.private[count.index].id
  destination_cidr_block = "0.0.0.0/0"
  nat_gateway_id         = aws_nat_gateway.this[count.index].id
}

resource "aws_route_table_association" "private" {
  count = length(var.private_subnet_cidrs)

  subnet_id      = aws_subnet.private[count.index].id
  route_table_id = aws_route_table.private[local.private_route_table_index[count.index]].id
}

################################################################################
# Database subnets (isolated: no route to the internet in either direction)
################################################################################

resource "aws_subnet" "database" {
  count = length(var.database_subnet_cidrs)

  vpc_id            = aws_vpc.this.id
  cidr_block        = var.database_subnet_cidrs[count.index]
  availability_zone = local.database_azs[count.index]

  tags = {
    Name = "${var.name}-database-${count.index + 1}-${local.database_azs[count.index]}"
    Tier = "database"
  }
}

# An explicit table (rather than the VPC main table) keeps the database tier isolated even
# if someone later adds a default route to the main table.
resource "aws_route_table" "database" {
  count = length(var.database_subnet_cidrs) > 0 ? 1 : 0

  vpc_id = aws_vpc.this.id

  tags = {
    Name = "${var.name}-database"
  }
}

resource "aws_route_table_association" "database" {
  count = length(var.database_subnet_cidrs)

  subnet_id      = aws_subnet.database[count.index].id
  route_table_id = aws_route_table.database[0].id
}
