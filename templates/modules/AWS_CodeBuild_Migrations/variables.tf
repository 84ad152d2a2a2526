variable "name" {
  type        = string
  description = "Name of the CodeBuild project; also the stem of its log group and IAM role."

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9_-]{1,149}$", var.name))
    error_message = "name must be 2-150 characters: letters, digits, hyphens and underscores, starting with a letter or digit."
  }
}

variable "vpc_id" {
  type        = string
  description = "VPC in which the builds run (so they reach the private database)."

  validation {
    condition     = startswith(var.vpc_id, "vpc-")
    error_message = "vpc_id must be a VPC ID (vpc-...)."
  }
}

variable "subnet_ids" {
  type        = list(string)
  description = "Private subnet IDs for the build ENIs (they need a NAT route to fetch the source and packages)."

  validation {
    condition     = length(var.subnet_ids) > 0 && alltrue([for id in var.subnet_ids : startswith(id, "subnet-")])
    error_message = "subnet_ids must be a non-empty list of subnet IDs (subnet-...)."
  }
}

variable "security_group_ids" {
  type        = list(string)
  description = "Security group IDs of the build ENIs (allowed into the database)."

  validation {
    condition     = length(var.security_group_ids) > 0 && alltrue([for id in var.security_group_ids : startswith(id, "sg-")])
    error_message = "security_group_ids must be a non-empty list of security group IDs (sg-...)."
  }
}

variable "source_repository" {
  type        = string
  description = "HTTPS URL of the application's Git repository: https://github.com/ORG/REPO or https://git-codecommit.REGION.amazonaws.com/v1/repos/REPO. null = no source: the migrations run inside the app's own image (set image, and for ECR image_pull_credentials_type/ecr_repository_arn)."
  default     = null

  validation {
    condition     = var.source_repository == null || can(regex("^https://", var.source_repository))
    error_message = "source_repository must be null or an HTTPS URL (https://...)."
  }

  validation {
    # CodeBuild has no generic "GIT" source type: the host decides GITHUB or CODECOMMIT.
    condition     = var.source_repository == null || can(regex("^https://(github\\.com/[^/]+/[^/]+|git-codecommit\\.[a-z0-9-]+\\.amazonaws\\.com(\\.cn)?/v1/repos/[^/]+)/?$", var.source_repository))
    error_message = "source_repository must be a GitHub (https://github.com/ORG/REPO) or CodeCommit (https://git-codecommit.REGION.amazonaws.com/v1/repos/REPO) URL."
  }
}

variable "source_branch" {
  type        = string
  description = "Branch or tag to check out."
  default     = "main"
  nullable    = false

  validation {
    condition     = can(regex("^[A-Za-z0-9._/][A-Za-z0-9._/-]{0,199}$", var.source_branch))
    error_message = "source_branch must be a branch or tag name."
  }
}

variable "migrate_command" {
  type        = string
  description = "Command that applies the migrations: run from the repository root after installing requirements.txt, or (without source_repository) from working_directory inside the app's image."
  default     = "python manage.py migrate --noinput"
  nullable    = false

  validation {
    condition     = length(trimspace(var.migrate_command)) > 0 && !can(regex("\n", var.migrate_command))
    error_message = "migrate_command must be a single, non-empty command line."
  }
}

variable "image" {
  type        = string
  description = "Build image: a CodeBuild curated image with Python (with source_repository), or the app's own image (without)."
  default     = "aws/codebuild/standard:7.0"
  nullable    = false

  validation {
    condition     = length(trimspace(var.image)) > 0
    error_message = "image must not be empty."
  }
}

variable "image_pull_credentials_type" {
  type        = string
  description = "How CodeBuild pulls the image: CODEBUILD (curated and public images) or SERVICE_ROLE (private ECR image, with ecr_repository_arn)."
  default     = "CODEBUILD"
  nullable    = false

  validation {
    condition     = contains(["CODEBUILD", "SERVICE_ROLE"], var.image_pull_credentials_type)
    error_message = "image_pull_credentials_type must be CODEBUILD or SERVICE_ROLE."
  }
}

variable "ecr_repository_arn" {
  type        = string
  description = "ECR repository of the image, when it is pulled with the service role (pull permissions are granted on it only); null for none."
  default     = null

  validation {
    condition     = var.ecr_repository_arn == null || can(regex("^arn:aws[a-z-]*:ecr:[a-z0-9-]+:[0-9]{12}:repository/.+$", var.ecr_repository_arn))
    error_message = "ecr_repository_arn must be null or an ECR repository ARN."
  }
}

variable "working_directory" {
  type        = string
  description = "Without source_repository: directory of manage.py inside the app's image (CodeBuild ignores the image's WORKDIR). null = the directory of the first manage.py found outside site-packages."
  default     = null

  validation {
    condition     = var.working_directory == null || can(regex("^/[A-Za-z0-9._/-]*$", var.working_directory))
    error_message = "working_directory must be null or an absolute path (letters, digits, . _ - /)."
  }
}

variable "compute_type" {
  type        = string
  description = "CodeBuild compute type of the Linux container."
  default     = "BUILD_GENERAL1_SMALL"
  nullable    = false

  validation {
    condition     = contains(["BUILD_GENERAL1_SMALL", "BUILD_GENERAL1_MEDIUM", "BUILD_GENERAL1_LARGE", "BUILD_GENERAL1_XLARGE", "BUILD_GENERAL1_2XLARGE"], var.compute_type)
    error_message = "compute_type must be one of BUILD_GENERAL1_SMALL, _MEDIUM, _LARGE, _XLARGE, _2XLARGE."
  }
}

# A JSON string rather than a map: Terragrunt hands a map input to Terraform as TF_VAR_... text
# that Terraform parses as an HCL expression, where "${" or "%{" inside a value is read as a
# template; a string input reaches Terraform verbatim, whatever the Terragrunt version.
variable "environment_json" {
  type        = string
  description = "Plain (non-secret) environment variables of the build: a JSON object of strings, e.g. jsonencode({ DEBUG = \"false\" })."
  default     = "{}"
  nullable    = false

  validation {
    condition = try(alltrue([
      for k, v in jsondecode(var.environment_json) :
      can(regex("^[A-Za-z_][A-Za-z0-9_]*$", k)) && !startswith(k, "CODEBUILD_") && v != null && can(tostring(v))
    ]), false)
    error_message = "environment_json must be a JSON object of strings whose keys are valid environment variable names not starting with CODEBUILD_ (reserved)."
  }
}

variable "secrets" {
  type        = map(string)
  description = "Environment variable -> full Parameter Store name; CodeBuild resolves the value at build start (type PARAMETER_STORE)."
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue([for k in keys(var.secrets) : can(regex("^[A-Za-z_][A-Za-z0-9_]*$", k)) && !startswith(k, "CODEBUILD_")])
    error_message = "secrets keys must be valid environment variable names not starting with CODEBUILD_ (reserved)."
  }

  validation {
    condition     = alltrue([for v in values(var.secrets) : can(regex("^[A-Za-z0-9_./-]+$", v))])
    error_message = "secrets values must be Parameter Store names (letters, digits, _ . - /)."
  }
}

variable "secrets_manager_secrets" {
  type = map(object({
    secret_arn = string
    json_key   = string
  }))
  description = "Environment variable -> Secrets Manager secret (full ARN) and JSON key (\"\" = whole SecretString); CodeBuild resolves it at build start (type SECRETS_MANAGER)."
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue([for k in keys(var.secrets_manager_secrets) : can(regex("^[A-Za-z_][A-Za-z0-9_]*$", k)) && !startswith(k, "CODEBUILD_")])
    error_message = "secrets_manager_secrets keys must be valid environment variable names not starting with CODEBUILD_ (reserved)."
  }

  validation {
    condition = alltrue([
      for s in values(var.secrets_manager_secrets) :
      can(regex("^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:[A-Za-z0-9/_+=.@!-]+$", s.secret_arn))
      && can(regex("^[A-Za-z0-9_.-]*$", s.json_key))
    ])
    error_message = "Each secret_arn must be a full Secrets Manager secret ARN (arn:...:secret:NAME-xxxxxx) and each json_key may only contain letters, digits, _ . -."
  }
}

variable "kms_key_arns" {
  type        = list(string)
  description = "Customer managed KMS keys that encrypt the referenced parameters/secrets (kms:Decrypt is granted on them). Not needed for the AWS managed aws/ssm and aws/secretsmanager keys."
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for arn in var.kms_key_arns : can(regex("^arn:aws[a-z-]*:kms:", arn))])
    error_message = "kms_key_arns must contain KMS key ARNs."
  }
}

variable "log_retention_days" {
  type        = number
  description = "Retention of the build logs in days (0 = never expire)."
  default     = 365
  nullable    = false

  validation {
    condition     = contains([0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a value CloudWatch Logs accepts (0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653)."
  }
}

variable "log_kms_key_arn" {
  type        = string
  description = "Optional customer managed KMS key for the log group (its key policy must allow CloudWatch Logs); null = CloudWatch Logs' default encryption."
  default     = null

  validation {
    condition     = var.log_kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:", var.log_kms_key_arn))
    error_message = "log_kms_key_arn must be null or a KMS key ARN."
  }
}

variable "build_timeout" {
  type        = number
  description = "Minutes after which a build is stopped."
  default     = 30
  nullable    = false

  validation {
    condition     = var.build_timeout >= 5 && var.build_timeout <= 2160 && floor(var.build_timeout) == var.build_timeout
    error_message = "build_timeout must be a whole number of minutes between 5 and 2160."
  }
}
