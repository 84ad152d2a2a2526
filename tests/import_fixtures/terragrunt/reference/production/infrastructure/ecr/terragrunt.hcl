include "root" {
  path = find_in_parent_folders()
}

locals {
  common_vars = read_terragrunt_config(find_in_parent_folders("common_vars.hcl"))
}

terraform {
  source = "../../../Modules//AWS_ECR"
}

inputs = {
  repository_name = "${local.common_vars.locals.project}-${local.common_vars.locals.environment}"
  policy_json     = "lifecycle_policy/policy.json"
}
