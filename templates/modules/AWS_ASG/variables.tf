variable "name" {
  type        = string
  description = "Name of the Auto Scaling group and launch template, and stem of the IAM role and instance profile names."

  validation {
    # 48 leaves room for the "-instance" suffix within IAM's 64-character role name limit.
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9_-]{0,47}$", var.name))
    error_message = "name must be 1-48 characters: letters, digits, hyphens and underscores, starting with a letter or digit."
  }
}

variable "instance_type" {
  type        = string
  description = "EC2 instance type of the application instances (e.g. t3.small)."

  validation {
    # The launch template sets ebs_optimized, which these previous-generation families reject at launch.
    condition     = can(regex("^[a-z][a-z0-9-]*\\.[a-z0-9-]+$", var.instance_type)) && !can(regex("^(t1|t2)\\.", var.instance_type))
    error_message = "instance_type must be an EC2 instance type such as \"t3.small\"; t1/t2 types do not support EBS optimization."
  }
}

variable "ami_name_pattern" {
  type        = string
  description = "Name pattern of the AMI baked by Packer (e.g. \"team-task-application-*\"); the newest matching AMI owned by this account is used."

  validation {
    condition     = length(trimspace(var.ami_name_pattern)) > 0
    error_message = "ami_name_pattern must not be empty."
  }
}

variable "subnet_ids" {
  type        = list(string)
  description = "Private subnet IDs in which instances are launched (one per AZ for resilience)."

  validation {
    condition     = length(var.subnet_ids) > 0 && alltrue([for id in var.subnet_ids : startswith(id, "subnet-")])
    error_message = "subnet_ids must be a non-empty list of subnet IDs (subnet-...)."
  }
}

variable "security_group_ids" {
  type        = list(string)
  description = "Security group IDs attached to the instances."

  validation {
    condition     = length(var.security_group_ids) > 0 && alltrue([for id in var.security_group_ids : startswith(id, "sg-")])
    error_message = "security_group_ids must be a non-empty list of security group IDs (sg-...)."
  }
}

variable "target_group_arns" {
  type        = list(string)
  description = "ARNs of the ALB target groups (instance target type) the instances register with."

  validation {
    # health_check_type is ELB, which needs at least one target group to mean anything.
    condition     = length(var.target_group_arns) > 0 && alltrue([for arn in var.target_group_arns : startswith(arn, "arn:")])
    error_message = "target_group_arns must be a non-empty list of target group ARNs."
  }
}

variable "min_size" {
  type        = number
  description = "Minimum number of instances."

  validation {
    condition     = var.min_size >= 0 && floor(var.min_size) == var.min_size
    error_message = "min_size must be a whole number >= 0."
  }
}

variable "max_size" {
  type        = number
  description = "Maximum number of instances."

  validation {
    condition     = var.max_size >= 1 && floor(var.max_size) == var.max_size
    error_message = "max_size must be a whole number >= 1."
  }
}

variable "desired_capacity" {
  type        = number
  description = "Initial number of instances. Afterwards the scaling policy owns it (changes are ignored)."

  validation {
    condition     = var.desired_capacity >= 0 && floor(var.desired_capacity) == var.desired_capacity
    error_message = "desired_capacity must be a whole number >= 0."
  }
}

variable "health_check_grace_period" {
  type        = number
  description = "Seconds after launch before failed ELB health checks count (boot, secret fetch and app start)."
  default     = 300
  nullable    = false

  validation {
    condition     = var.health_check_grace_period >= 0 && var.health_check_grace_period <= 7200
    error_message = "health_check_grace_period must be between 0 and 7200 seconds."
  }
}

variable "cpu_target" {
  type        = number
  description = "Target average CPU utilisation (percent) of the group for target-tracking scaling."

  validation {
    condition     = var.cpu_target >= 1 && var.cpu_target <= 100
    error_message = "cpu_target must be between 1 and 100."
  }
}

variable "root_volume_size" {
  type        = number
  description = "Size of the encrypted gp3 root volume in GiB; must be at least the AMI's snapshot size."
  default     = 20
  nullable    = false

  validation {
    condition     = var.root_volume_size >= 8 && var.root_volume_size <= 16384 && floor(var.root_volume_size) == var.root_volume_size
    error_message = "root_volume_size must be a whole number of GiB between 8 and 16384."
  }
}

variable "app_port" {
  type        = number
  description = "Port the application listens on; exported to the app as APP_PORT (the AMI's gunicorn binds to it)."
  default     = 8000
  nullable    = false

  validation {
    condition     = var.app_port >= 1 && var.app_port <= 65535 && var.app_port != 22
    error_message = "app_port must be a TCP port between 1 and 65535 (and not 22)."
  }
}

# A JSON string rather than a map: Terragrunt hands a map input to Terraform as TF_VAR_... text
# that Terraform parses as an HCL expression, where "${" or "%{" inside a value is read as a
# template; a string input reaches Terraform verbatim, whatever the Terragrunt version.
variable "environment_json" {
  type        = string
  description = "Plain (non-secret) settings for the application, written to /etc/app/app.env: a JSON object of strings, e.g. jsonencode({ DEBUG = \"false\" })."
  default     = "{}"
  nullable    = false

  validation {
    condition = try(alltrue([
      for k, v in jsondecode(var.environment_json) :
      can(regex("^[A-Za-z_][A-Za-z0-9_]*$", k)) && v != null && can(tostring(v))
    ]), false)
    error_message = "environment_json must be a JSON object of strings whose keys are valid environment variable names."
  }
}

variable "secrets" {
  type        = map(string)
  description = "Environment variable -> full Parameter Store name of a (SecureString) parameter, fetched at every boot."
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue([for k in keys(var.secrets) : can(regex("^[A-Za-z_][A-Za-z0-9_]*$", k))])
    error_message = "secrets keys must be valid environment variable names."
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
  description = "Environment variable -> Secrets Manager secret (full ARN) and JSON key inside its SecretString (\"\" = the whole string), fetched at every boot."
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue([for k in keys(var.secrets_manager_secrets) : can(regex("^[A-Za-z_][A-Za-z0-9_]*$", k))])
    error_message = "secrets_manager_secrets keys must be valid environment variable names."
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

variable "efs_file_system_id" {
  type        = string
  description = "EFS file system to mount on the instances (fs-...), or null for none."
  default     = null

  validation {
    condition     = var.efs_file_system_id == null || can(regex("^fs-[0-9a-f]+$", var.efs_file_system_id))
    error_message = "efs_file_system_id must be null or an EFS file system ID (fs-...)."
  }
}

variable "efs_access_point_id" {
  type        = string
  description = "EFS access point used for the mount (fsap-...), or null to mount the file system root."
  default     = null

  validation {
    condition     = var.efs_access_point_id == null || can(regex("^fsap-[0-9a-f]+$", var.efs_access_point_id))
    error_message = "efs_access_point_id must be null or an EFS access point ID (fsap-...)."
  }
}

variable "efs_mount_path" {
  type        = string
  description = "Absolute path at which the EFS file system is mounted."
  default     = "/mnt/efs"
  nullable    = false

  validation {
    condition     = can(regex("^/[A-Za-z0-9._/-]+$", var.efs_mount_path))
    error_message = "efs_mount_path must be an absolute path (letters, digits, . _ - /)."
  }
}
