variable "cluster_name" {
  type        = string
  description = "Name of the ECS cluster created for the service."

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,255}$", var.cluster_name))
    error_message = "cluster_name must be 1-255 letters, digits, hyphens or underscores."
  }
}

variable "service_name" {
  type        = string
  description = "Name of the ECS service; also the task definition family and the stem of the IAM role names."

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,255}$", var.service_name))
    error_message = "service_name must be 1-255 letters, digits, hyphens or underscores."
  }
}

variable "image" {
  type        = string
  description = "Container image reference (repository URL with tag or digest). Pull permissions are granted on the ECR repository it names, if it is an ECR image."

  validation {
    condition     = length(trimspace(var.image)) > 0
    error_message = "image must not be empty."
  }
}

variable "cpu" {
  type        = number
  description = "Task CPU units (256 = 0.25 vCPU). Must be a Fargate size; the memory combination is checked by a precondition."

  validation {
    condition     = contains([256, 512, 1024, 2048, 4096, 8192, 16384], var.cpu)
    error_message = "cpu must be one of 256, 512, 1024, 2048, 4096, 8192, 16384."
  }
}

variable "memory" {
  type        = number
  description = "Task memory in MiB; must be valid for the chosen cpu on Fargate."

  validation {
    condition     = var.memory >= 512 && var.memory <= 122880 && floor(var.memory) == var.memory
    error_message = "memory must be a whole number of MiB between 512 and 122880."
  }
}

variable "container_port" {
  type        = number
  description = "Port the application listens on inside the container (the target group forwards here)."

  validation {
    condition     = var.container_port >= 1 && var.container_port <= 65535 && floor(var.container_port) == var.container_port
    error_message = "container_port must be a whole number from 1 to 65535."
  }
}

variable "desired_count" {
  type        = number
  description = "Initial number of tasks. Afterwards autoscaling owns the count (changes here are ignored)."

  validation {
    condition     = var.desired_count >= 0 && floor(var.desired_count) == var.desired_count
    error_message = "desired_count must be a whole number >= 0."
  }
}

variable "min_count" {
  type        = number
  description = "Minimum number of tasks autoscaling keeps running."

  validation {
    condition     = var.min_count >= 0 && floor(var.min_count) == var.min_count
    error_message = "min_count must be a whole number >= 0."
  }
}

variable "max_count" {
  type        = number
  description = "Maximum number of tasks autoscaling may run."

  validation {
    condition     = var.max_count >= 1 && floor(var.max_count) == var.max_count
    error_message = "max_count must be a whole number >= 1."
  }
}

variable "cpu_target" {
  type        = number
  description = "Average service CPU utilisation (percent) that target tracking aims for."

  validation {
    condition     = var.cpu_target >= 1 && var.cpu_target <= 100
    error_message = "cpu_target must be between 1 and 100."
  }
}

variable "log_retention_days" {
  type        = number
  description = "Days container logs are kept in CloudWatch Logs."

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a value CloudWatch Logs accepts: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653."
  }
}

variable "subnet_ids" {
  type        = list(string)
  description = "Private subnets the tasks run in (no public IPs are assigned)."

  validation {
    condition     = length(var.subnet_ids) >= 1
    error_message = "subnet_ids must contain at least one subnet."
  }
}

variable "security_group_ids" {
  type        = list(string)
  description = "Security groups attached to the tasks' network interfaces."

  validation {
    condition     = length(var.security_group_ids) >= 1
    error_message = "security_group_ids must contain at least one security group."
  }
}

variable "target_group_arn" {
  type        = string
  description = "ARN of the ALB target group (target type ip) the service registers its tasks in."

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:[0-9]{12}:targetgroup/.+$", var.target_group_arn))
    error_message = "target_group_arn must be an Elastic Load Balancing target group ARN."
  }
}

# A JSON string rather than a map: Terragrunt hands a map input to Terraform as TF_VAR_... text
# that Terraform parses as an HCL expression, where "${" or "%{" inside a value is read as a
# template; a string input reaches Terraform verbatim, whatever the Terragrunt version.
variable "environment_json" {
  type        = string
  description = "Plain (non-secret) environment variables for the container: a JSON object of strings, e.g. jsonencode({ DEBUG = \"false\" })."
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
  description = "Container variable -> full Parameter Store name (e.g. \"team-task-production_SECRET_KEY\" or \"/app/SECRET_KEY\"). ECS injects the values at start; the execution role may read exactly these parameters."
  default     = {}

  validation {
    condition     = alltrue([for k in keys(var.secrets) : can(regex("^[A-Za-z_][A-Za-z0-9_]*$", k))])
    error_message = "secrets keys must be valid variable names (letters, digits, underscores, not starting with a digit)."
  }

  validation {
    condition     = alltrue([for v in values(var.secrets) : can(regex("^[A-Za-z0-9_./-]+$", v)) && length(v) <= 2048 && !startswith(v, "arn:")])
    error_message = "secrets values must be Parameter Store names (letters, digits, _ . - /), not ARNs."
  }
}

variable "secrets_manager_secrets" {
  type = map(object({
    secret_arn = string
    json_key   = string
  }))
  description = "Container variable -> key of a JSON secret in Secrets Manager (e.g. the RDS-managed master secret's \"password\"). The execution role may read exactly these secrets."
  default     = {}

  validation {
    condition     = alltrue([for k in keys(var.secrets_manager_secrets) : can(regex("^[A-Za-z_][A-Za-z0-9_]*$", k))])
    error_message = "secrets_manager_secrets keys must be valid variable names (letters, digits, underscores, not starting with a digit)."
  }

  validation {
    condition = alltrue([
      for s in values(var.secrets_manager_secrets) :
      can(regex("^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:.+$", s.secret_arn)) && length(s.json_key) > 0
    ])
    error_message = "Each secrets_manager_secrets entry needs a Secrets Manager secret ARN and a non-empty json_key."
  }
}

variable "secrets_kms_key_arns" {
  type        = list(string)
  description = "Customer managed KMS keys encrypting the referenced parameters or secrets; the execution role may decrypt with them. Not needed for the AWS managed aws/ssm and aws/secretsmanager keys."
  default     = []

  validation {
    condition     = alltrue([for k in var.secrets_kms_key_arns : can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", k))])
    error_message = "secrets_kms_key_arns must contain KMS key ARNs (arn:...:kms:REGION:ACCOUNT:key/ID)."
  }
}

variable "efs_file_system_id" {
  type        = string
  description = "EFS file system mounted into the container (e.g. for media files); null for none. Requires efs_access_point_id."
  default     = null

  validation {
    condition     = var.efs_file_system_id == null || can(regex("^fs-[0-9a-f]+$", var.efs_file_system_id))
    error_message = "efs_file_system_id must look like fs-0123456789abcdef0."
  }
}

variable "efs_access_point_id" {
  type        = string
  description = "EFS access point the task mounts through (enforces its POSIX user and root directory). Required when efs_file_system_id is set."
  default     = null

  validation {
    condition     = var.efs_access_point_id == null || can(regex("^fsap-[0-9a-f]+$", var.efs_access_point_id))
    error_message = "efs_access_point_id must look like fsap-0123456789abcdef0."
  }
}

variable "efs_mount_path" {
  type        = string
  description = "Absolute path where the EFS volume appears in the container."
  default     = "/mnt/efs"

  validation {
    condition     = startswith(var.efs_mount_path, "/") && var.efs_mount_path != "/"
    error_message = "efs_mount_path must be an absolute path other than \"/\"."
  }
}

variable "health_check_grace_period_seconds" {
  type        = number
  description = "Seconds ECS ignores failing load balancer health checks after a task starts (Django start-up, migrations checks)."
  default     = 60

  validation {
    condition     = var.health_check_grace_period_seconds >= 0 && var.health_check_grace_period_seconds <= 2147483647
    error_message = "health_check_grace_period_seconds must be >= 0."
  }
}

variable "container_name" {
  type        = string
  description = "Name of the application container in the task definition."
  default     = "app"

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,255}$", var.container_name))
    error_message = "container_name must be 1-255 letters, digits, hyphens or underscores."
  }
}

variable "enable_execute_command" {
  type        = bool
  description = "Allow `aws ecs execute-command` into running tasks (e.g. for manage.py shell). Sessions are encrypted and logged; it also makes the root filesystem writable, which ECS Exec requires."
  default     = false
}

variable "readonly_root_filesystem" {
  type        = bool
  description = "Mount the container's root filesystem read-only; /tmp stays writable through a task-local volume (Django uploads, gunicorn heartbeat). Turn off if the image writes elsewhere at run time. Ignored (writable) when enable_execute_command is true."
  default     = true
}

variable "cpu_architecture" {
  type        = string
  description = "CPU architecture the image is built for."
  default     = "X86_64"

  validation {
    condition     = contains(["X86_64", "ARM64"], var.cpu_architecture)
    error_message = "cpu_architecture must be X86_64 or ARM64."
  }
}

variable "scale_in_cooldown" {
  type        = number
  description = "Seconds after a scale-in before another scale-in may start."
  default     = 300

  validation {
    condition     = var.scale_in_cooldown >= 0
    error_message = "scale_in_cooldown must be >= 0."
  }
}

variable "scale_out_cooldown" {
  type        = number
  description = "Seconds after a scale-out before another scale-out may start."
  default     = 60

  validation {
    condition     = var.scale_out_cooldown >= 0
    error_message = "scale_out_cooldown must be >= 0."
  }
}
