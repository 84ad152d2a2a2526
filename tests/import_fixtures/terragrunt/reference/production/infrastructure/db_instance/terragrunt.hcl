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
  source = "../../../Modules//AWS_RDS"
}

inputs = {
  engine_version          = "16"
  instance_class          = "db.t4g.micro"
  allocated_storage       = 20
  max_allocated_storage   = 100
  backup_retention_period = 7
  multi_az                = false
  deletion_protection     = true
  subnet_ids              = dependency.vpc.outputs.private_subnet_ids

  # Parameter Store names (PROJECT-ENVIRONMENT_NAME), as the reference README describes.
  postgres_db       = "postgres_db"
  database_username = "database_username"
  database_password = "database_password"
}
