dependency "security_groups" {
  config_path = "${get_terragrunt_dir()}/../security_groups"
  mock_outputs_allowed_terraform_commands = ["init", "validate", "plan"]
}
