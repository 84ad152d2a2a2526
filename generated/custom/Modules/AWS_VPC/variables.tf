variable "name" {
  type        = string
  description = "Name of the VPC; also used as the prefix of every resource name and Name tag in this module."

  validation {
    condition     = length(trimspace(var.name)) > 0
    error_message = "name must not be empty."
  }
}

variable "cidr_block" {
  type        = string
  description = "IPv4 CIDR block of the VPC, e.g. \"10.0.0.0/16\"."

  validation {
    condition     = can(cidrhost(var.cidr_block, 0))
    error_message = "cidr_block must be a valid IPv4 CIDR block, e.g. \"10.0.0.0/16\"."
  }
}

variable "azs" {
  type        = list(string)
  description = "Availability zones to spread subnets over. Subnet i of every tier is placed in azs[i % length(azs)]."

  validation {
    condition     = length(var.azs) >= 1 && length(distinct(var.azs)) == length(var.azs)
    error_message = "azs must contain at least one availability zone and no duplicates."
  }
}

variable "public_subnet_cidrs" {
  type        = list(string)
  description = "CIDR blocks of the public subnets (route to the internet gateway; hold the ALB and NAT gateways)."

  validation {
    condition     = alltrue([for c in var.public_subnet_cidrs : can(cidrhost(c, 0))])
    error_message = "Every entry of public_subnet_cidrs must be a valid IPv4 CIDR block."
  }
}

variable "private_subnet_cidrs" {
  type        = list(string)
  description = "CIDR blocks of the private subnets (application tier; outbound internet only through NAT, per nat_gateway_mode)."

  validation {
    condition     = alltrue([for c in var.private_subnet_cidrs : can(cidrhost(c, 0))])
    error_message = "Every entry of private_subnet_cidrs must be a valid IPv4 CIDR block."
  }
}

variable "database_subnet_cidrs" {
  type        = list(string)
  description = "CIDR blocks of the isolated database subnets. They share one route table without any default route (no NAT, no internet gateway)."
  default     = []

  validation {
    condition     = alltrue([for c in var.database_subnet_cidrs : can(cidrhost(c, 0))])
    error_message = "Every entry of database_subnet_cidrs must be a valid IPv4 CIDR block."
  }
}

variable "nat_gateway_mode" {
  type        = string
  description = "NAT gateways for the private subnets: \"none\" (no default route), \"single\" (one NAT in public subnet 0, cheapest) or \"per_az\" (one NAT per AZ, survives an AZ outage)."

  validation {
    condition     = contains(["none", "single", "per_az"], var.nat_gateway_mode)
    error_message = "nat_gateway_mode must be one of \"none\", \"single\" or \"per_az\"."
  }
}

variable "flow_log_retention_days" {
  type        = number
  description = "Retention in days of the VPC flow log group. Must be a value CloudWatch Logs accepts; 0 keeps logs forever."
  default     = 365

  validation {
    condition     = contains([0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.flow_log_retention_days)
    error_message = "flow_log_retention_days must be one of 0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653."
  }
}

variable "flow_log_traffic_type" {
  type        = string
  description = "Traffic captured by the VPC flow log: ACCEPT, REJECT or ALL."
  default     = "ALL"

  validation {
    condition     = contains(["ACCEPT", "REJECT", "ALL"], var.flow_log_traffic_type)
    error_message = "flow_log_traffic_type must be one of ACCEPT, REJECT or ALL."
  }
}

variable "interface_endpoints" {
  type        = list(string)
  description = "Interface VPC endpoints to create in the private subnets (one subnet per AZ), by service suffix, e.g. [\"ecr.api\", \"ecr.dkr\", \"logs\"]. Needed when private subnets have no NAT."
  default     = []

  validation {
    condition = alltrue([
      for s in var.interface_endpoints :
      contains(["ecr.api", "ecr.dkr", "logs", "ssm", "ssmmessages", "ec2messages", "secretsmanager", "kms", "sts", "monitoring"], s)
    ])
    error_message = "interface_endpoints entries must be among ecr.api, ecr.dkr, logs, ssm, ssmmessages, ec2messages, secretsmanager, kms, sts, monitoring."
  }
}

variable "gateway_endpoints" {
  type        = list(string)
  description = "Gateway VPC endpoints on the private route tables, e.g. [\"s3\"]."
  default     = []

  validation {
    condition     = alltrue([for s in var.gateway_endpoints : contains(["s3", "dynamodb"], s)])
    error_message = "gateway_endpoints entries must be \"s3\" or \"dynamodb\"."
  }
}
