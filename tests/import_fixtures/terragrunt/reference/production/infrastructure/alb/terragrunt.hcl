include "root" {
  path = find_in_parent_folders()
}

include "vpc" {
  path = "${get_terragrunt_dir()}/../dependency_blocks/vpc.hcl"
}

include "security_groups" {
  path = "${get_terragrunt_dir()}/../dependency_blocks/security_groups.hcl"
}

locals {
  common_vars = read_terragrunt_config(find_in_parent_folders("common_vars.hcl"))
}

terraform {
  source = "../../../Modules//AWS_ALB"
}

inputs = {
  vpc_id            = dependency.vpc.outputs.vpc_id
  subnet_ids        = dependency.vpc.outputs.public_subnet_ids
  certificate_arn   = local.common_vars.locals.certificate_arn
  target_port       = 8000
  health_check_path = "/"
}
