include "root" {
  path = find_in_parent_folders()
}

include "vpc" {
  path = "${get_terragrunt_dir()}/../dependency_blocks/vpc.hcl"
}

include "security_groups" {
  path = "${get_terragrunt_dir()}/../dependency_blocks/security_groups.hcl"
}

include "ecr" {
  path = "${get_terragrunt_dir()}/../dependency_blocks/ecr.hcl"
}

include "alb" {
  path = "${get_terragrunt_dir()}/../dependency_blocks/alb.hcl"
}

include "db_instance" {
  path = "${get_terragrunt_dir()}/../dependency_blocks/db_instance.hcl"
}

locals {
  common_vars = read_terragrunt_config(find_in_parent_folders("common_vars.hcl"))
}

terraform {
  source = "../../../Modules//ECS_Fargate"
}

inputs = {
  image          = "${dependency.ecr.outputs.repository_url}:latest"
  cpu            = 256
  memory         = 512
  container_port = 8000
  desired_count  = 1
  min_count      = 1
  max_count      = 4
  cpu_target     = 75
}
