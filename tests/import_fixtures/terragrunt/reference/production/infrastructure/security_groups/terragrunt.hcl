include "root" {
  path = find_in_parent_folders()
}

include "vpc" {
  path = "${get_terragrunt_dir()}/../dependency_blocks/vpc.hcl"
}

locals {
  common_vars = read_terragrunt_config(find_in_parent_folders("common_vars.hcl"))
}

terraform {
  source = "../../../Modules//AWS_Security_Groups"
}

inputs = {
  vpc_id   = dependency.vpc.outputs.vpc_id
  app_port = 8000
}
