# CodeBuild project that runs the Django migrations from inside the VPC, so the
# database never needs to be reachable from outside it.
#
# Run a migration (e.g. after deploying a new release):
#
#   aws codebuild start-build --project-name NAME
#
# (NAME = the project_name output; with a repository, add --source-version TAG to migrate
# another ref.)
# Follow the logs with: aws logs tail /aws/codebuild/NAME --follow

data "aws_partition" "current" {}
# The region's name is read as `id`, the one attribute holding it in provider 5.x and 6.x alike
# (`name` is deprecated in 6.x, `region` does not exist in 5.x).
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

locals {
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.id
  account_id = data.aws_caller_identity.current.account_id

  # Decoded from a JSON string (see variable "environment_json").
  environment = tomap({ for k, v in jsondecode(var.environment_json) : k => tostring(v) })

  # CodeBuild has no generic "GIT" source type, so the type follows the host (the only
  # two the generator accepts). A private GitHub repository needs the account's
  # CodeBuild GitHub credential (connection or token) set up once outside Terraform.
  # Without a repository the build has no source and runs inside the app's own image.
  # (can/try rather than "x != null && ...": Terraform < 1.12 does not short-circuit.)
  use_source    = var.source_repository != null
  is_codecommit = can(regex("^https://git-codecommit\\.", var.source_repository))
  source_type   = local.use_source ? (local.is_codecommit ? "CODECOMMIT" : "GITHUB") : "NO_SOURCE"
  # https://git-codecommit.REGION.amazonaws.com/v1/repos/NAME -> repository ARN, for GitPull.
  codecommit_repository_arn = try(format(
    "arn:%s:codecommit:%s:%s:%s",
    local.partition,
    split(".", trimprefix(var.source_repository, "https://git-codecommit."))[0],
    local.account_id,
    trimsuffix(split("/v1/repos/", var.source_repository)[1], "/"),
  ), null)

  parameter_arns = sort(distinct([
    for name in values(var.secrets) :
    "arn:${local.partition}:ssm:${local.region}:${local.account_id}:parameter${startswith(name, "/") ? "" : "/"}${name}"
  ]))
  secret_arns = sort(distinct([for s in values(var.secrets_manager_secrets) : s.secret_arn]))
  subnet_arns = [for id in var.subnet_ids : "arn:${local.partition}:ec2:${local.region}:${local.account_id}:subnet/${id}"]

  log_group_name = "/aws/codebuild/${var.name}"

  # CodeBuild runs the commands in its (here empty) source directory, not the image's
  # WORKDIR, so image builds first change to the directory that holds manage.py.
  image_cd = var.working_directory != null ? "cd '${var.working_directory}'" : join(" ", [
    "cd \"$(dirname \"$(find / -xdev -maxdepth 5 -name manage.py -type f -not -path '*/site-packages/*' -not -path '/proc/*' -print -quit)\")\"",
    "&& test -f manage.py || { echo 'manage.py not found in the image: set working_directory' >&2; exit 1; }",
  ])

  buildspec = yamlencode({
    version = "0.2"
    phases = merge(
      # No runtime-versions: the image's default Python is used, so custom images work too.
      # The app's own image (no repository) already contains the code and its dependencies.
      local.use_source ? { install = { commands = ["pip install -r requirements.txt"] } } : {},
      { build = { commands = local.use_source ? [var.migrate_command] : [local.image_cd, var.migrate_command] } },
    )
  })
}

resource "aws_cloudwatch_log_group" "this" {
  # checkov:skip=CKV_AWS_158: KMS is optional (log_kms_key_arn): build logs hold no secret values (CodeBuild masks PARAMETER_STORE/SECRETS_MANAGER variables) and CloudWatch Logs encrypts them at rest by default; a CMK adds cost and key-policy setup.
  name              = local.log_group_name
  retention_in_days = var.log_retention_days
  kms_key_id        = var.log_kms_key_arn
}

resource "aws_codebuild_project" "this" {
  # checkov:skip=CKV_AWS_147: The project produces no artifacts (NO_ARTIFACTS) and has no cache, so there is nothing for a CMK to protect beyond the AWS managed aws/s3 key CodeBuild uses by default.
  name          = var.name
  description   = "Runs the Django migrations of ${var.name} inside the VPC."
  service_role  = aws_iam_role.this.arn
  build_timeout = var.build_timeout
  # Two migrations running at once could interleave schema changes.
  concurrent_build_limit = 1

  source {
    type            = local.source_type
    location        = var.source_repository
    git_clone_depth = local.use_source ? 1 : null
    buildspec       = local.buildspec
  }

  source_version = local.use_source ? var.source_branch : null

  artifacts {
    type = "NO_ARTIFACTS"
  }

  environment {
    type                        = "LINUX_CONTAINER"
    image                       = var.image
    image_pull_credentials_type = var.image_pull_credentials_type
    compute_type                = var.compute_type
    privileged_mode             = false

    dynamic "environment_variable" {
      for_each = local.environment

      content {
        name  = environment_variable.key
        value = environment_variable.value
        type  = "PLAINTEXT"
      }
    }

    # Resolved by CodeBuild at build start with the service role; values never appear
    # in the project definition or the Terraform state.
    dynamic "environment_variable" {
      for_each = var.secrets

      content {
        name  = environment_variable.key
        value = environment_variable.value
        type  = "PARAMETER_STORE"
      }
    }

    dynamic "environment_variable" {
      for_each = var.secrets_manager_secrets

      content {
        name = environment_variable.key
        # secret-id:json-key; a full ARN is accepted as secret-id.
        value = environment_variable.value.json_key == "" ? environment_variable.value.secret_arn : "${environment_variable.value.secret_arn}:${environment_variable.value.json_key}"
        type  = "SECRETS_MANAGER"
      }
    }
  }

  vpc_config {
    vpc_id             = var.vpc_id
    subnets            = var.subnet_ids
    security_group_ids = var.security_group_ids
  }

  logs_config {
    cloudwatch_logs {
      status     = "ENABLED"
      group_name = aws_cloudwatch_log_group.this.name
    }

    s3_logs {
      status = "DISABLED"
    }
  }

  # The role's policy must exist before CodeBuild validates the VPC configuration
  # (it creates ENIs with the role when the project is saved).
  depends_on = [aws_iam_role_policy.this]
}
