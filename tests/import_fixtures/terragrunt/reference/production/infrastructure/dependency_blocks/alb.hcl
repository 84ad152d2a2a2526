dependency "alb" {
  config_path = "${get_terragrunt_dir()}/../alb"
  mock_outputs_allowed_terraform_commands = ["init", "validate", "plan"]
}
