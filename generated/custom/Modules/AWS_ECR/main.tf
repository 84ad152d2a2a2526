locals {
  lifecycle_policy_path = "${path.module}/${var.policy_json}"
}

resource "aws_ecr_repository" "this" {
  name                 = var.repository_name
  image_tag_mutability = var.image_tag_mutability
  force_delete         = var.force_delete

  image_scanning_configuration {
    scan_on_push = var.scan_on_push
  }

  # KMS with the AWS managed key (aws/ecr): encrypted at rest with CloudTrail-audited key
  # use and no customer key to manage. The encryption settings cannot change after
  # creation, so this is decided here once.
  encryption_configuration {
    encryption_type = "KMS"
  }
}

resource "aws_ecr_lifecycle_policy" "this" {
  repository = aws_ecr_repository.this.name
  policy     = file(local.lifecycle_policy_path)

  lifecycle {
    # Catch a wrong path or broken JSON at plan time with a clear message instead of an
    # API error during apply.
    precondition {
      condition     = fileexists(local.lifecycle_policy_path) && can(jsondecode(file(local.lifecycle_policy_path)).rules)
      error_message = "policy_json \"${var.policy_json}\" must name a JSON file inside the module folder holding an ECR lifecycle policy ({\"rules\": [...]})."
    }
  }
}
