dependency "s3_static" {
  config_path = "${get_terragrunt_dir()}/../s3_static"
  mock_outputs_allowed_terraform_commands = ["init", "validate", "plan"]
}
