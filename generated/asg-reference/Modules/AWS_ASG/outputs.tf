output "autoscaling_group_name" {
  description = "Name of the Auto Scaling group."
  value       = aws_autoscaling_group.this.name
}

output "autoscaling_group_arn" {
  description = "ARN of the Auto Scaling group."
  value       = aws_autoscaling_group.this.arn
}

output "launch_template_id" {
  description = "ID of the launch template."
  value       = aws_launch_template.this.id
}

output "launch_template_latest_version" {
  description = "Latest version of the launch template (the one the group uses)."
  value       = aws_launch_template.this.latest_version
}

output "instance_role_arn" {
  description = "ARN of the instances' IAM role."
  value       = aws_iam_role.this.arn
}

output "instance_role_name" {
  description = "Name of the instances' IAM role (to attach further policies)."
  value       = aws_iam_role.this.name
}

output "ami_id" {
  description = "ID of the AMI the launch template uses (newest match of ami_name_pattern)."
  value       = data.aws_ami.this.id
}
