output "project_name" {
  description = "Name of the CodeBuild project (aws codebuild start-build --project-name <this>)."
  value       = aws_codebuild_project.this.name
}

output "project_arn" {
  description = "ARN of the CodeBuild project."
  value       = aws_codebuild_project.this.arn
}

output "role_arn" {
  description = "ARN of the project's service role."
  value       = aws_iam_role.this.arn
}
