dependency "ecr" {
  config_path = "${get_terragrunt_dir()}/../ecr"
  mock_outputs_allowed_terraform_commands = ["init", "validate", "plan"]
}
