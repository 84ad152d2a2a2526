dependency "db_instance" {
  config_path = "${get_terragrunt_dir()}/../db_instance"
  mock_outputs_allowed_terraform_commands = ["init", "validate", "plan"]
}
