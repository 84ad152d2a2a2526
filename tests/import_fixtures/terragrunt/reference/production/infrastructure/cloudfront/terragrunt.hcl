include "root" {
  path = find_in_parent_folders()
}

include "s3_static" {
  path = "${get_terragrunt_dir()}/../dependency_blocks/s3_static.hcl"
}

include "alb" {
  path = "${get_terragrunt_dir()}/../dependency_blocks/alb.hcl"
}

locals {
  common_vars = read_terragrunt_config(find_in_parent_folders("common_vars.hcl"))
}

terraform {
  source = "../../../Modules//AWS_CloudFront"
}

inputs = {
  bucket_id       = dependency.s3_static.outputs.bucket_id
  certificate_arn = local.common_vars.locals.certificate_arn
  aliases         = ["team-task.example.com"]
  price_class     = "PriceClass_100"
}
