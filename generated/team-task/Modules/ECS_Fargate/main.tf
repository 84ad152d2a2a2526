# Django on ECS Fargate: one cluster, one service behind the ALB target group, CPU target
# tracking autoscaling, encrypted logs, secrets injected by ECS from Parameter Store and
# Secrets Manager (never written into the task definition).

data "aws_partition" "current" {}

data "aws_caller_identity" "current" {}

# The region's name is read as `id`, the one attribute holding it in provider 5.x and 6.x alike
# (`name` is deprecated in 6.x, `region` does not exist in 5.x).
data "aws_region" "current" {}

locals {
  partition  = data.aws_partition.current.partition
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.id

  log_group_name = "/ecs/${var.cluster_name}/${var.service_name}"
  # Built by hand rather than read from the log group because the KMS key policy needs it
  # before the log group (which uses the key) exists.
  log_group_arn = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:${local.log_group_name}"

  # Parameter Store names -> ARNs. Names with a leading "/" are hierarchical and already
  # carry the separator.
  ssm_parameter_arns = {
    for var_name, param in var.secrets :
    var_name => "arn:${local.partition}:ssm:${local.region}:${local.account_id}:parameter${startswith(param, "/") ? "" : "/"}${param}"
  }

  # "ARN:json-key::" (empty version stage and id = AWSCURRENT): ECS extracts one key of a JSON
  # secret, e.g. the password of an RDS-managed master secret.
  secrets_manager_value_from = {
    for var_name, s in var.secrets_manager_secrets : var_name => "${s.secret_arn}:${s.json_key}::"
  }
  secrets_manager_arns = distinct([for s in values(var.secrets_manager_secrets) : s.secret_arn])

  all_secrets = merge(local.ssm_parameter_arns, local.secrets_manager_value_from)

  # Decoded from a JSON string (see variable "environment_json").
  environment = tomap({ for k, v in jsondecode(var.environment_json) : k => tostring(v) })

  # Sorted so the rendered JSON is stable and plans show no spurious diffs.
  container_environment = [for k in sort(keys(local.environment)) : { name = k, value = local.environment[k] }]
  container_secrets     = [for k in sort(keys(local.all_secrets)) : { name = k, valueFrom = local.all_secrets[k] }]

  # Pull permissions are scoped to the one ECR repository the image comes from (if any):
  # ACCOUNT.dkr.ecr.REGION.amazonaws.com[.cn]/REPOSITORY[:tag][@digest].
  ecr_match          = try(regex("^([0-9]{12})\\.dkr\\.ecr(?:-fips)?\\.([a-z0-9-]+)\\.amazonaws\\.com(?:\\.cn)?/([^:@]+)", var.image), null)
  ecr_repository_arn = local.ecr_match == null ? null : "arn:${local.partition}:ecr:${local.ecr_match[1]}:${local.ecr_match[0]}:repository/${local.ecr_match[2]}"

  efs_enabled         = var.efs_file_system_id != null
  efs_file_system_arn = local.efs_enabled ? "arn:${local.partition}:elasticfilesystem:${local.region}:${local.account_id}:file-system/${var.efs_file_system_id}" : null
  efs_access_point_arn = (
    local.efs_enabled && var.efs_access_point_id != null
    ? "arn:${local.partition}:elasticfilesystem:${local.region}:${local.account_id}:access-point/${var.efs_access_point_id}"
    : null
  )

  # ECS Exec's SSM agent must write into the container filesystem, so it forces a writable
  # root. Otherwise the root is read-only and only /tmp (a task-local volume) is writable.
  readonly_root_filesystem = var.readonly_root_filesystem && !var.enable_execute_command

  mount_points = concat(
    local.readonly_root_filesystem ? [{ sourceVolume = "tmp", containerPath = "/tmp", readOnly = false }] : [],
    local.efs_enabled ? [{ sourceVolume = "efs", containerPath = var.efs_mount_path, readOnly = false }] : [],
  )

  # Valid Fargate memory sizes per CPU size: min, max and step in MiB (256 CPU is irregular).
  fargate_memory = {
    "512"   = { min = 1024, max = 4096, step = 1024 }
    "1024"  = { min = 2048, max = 8192, step = 1024 }
    "2048"  = { min = 4096, max = 16384, step = 1024 }
    "4096"  = { min = 8192, max = 30720, step = 1024 }
    "8192"  = { min = 16384, max = 61440, step = 4096 }
    "16384" = { min = 32768, max = 122880, step = 8192 }
  }
  fargate_size_valid = (
    var.cpu == 256
    ? contains([512, 1024, 2048], var.memory)
    : (
      var.memory >= local.fargate_memory[tostring(var.cpu)].min &&
      var.memory <= local.fargate_memory[tostring(var.cpu)].max &&
      (var.memory - local.fargate_memory[tostring(var.cpu)].min) % local.fargate_memory[tostring(var.cpu)].step == 0
    )
  )
}

# --- Logs -----------------------------------------------------------------------------------

data "aws_iam_policy_document" "logs_key" {
  # checkov:skip=CKV_AWS_109: KMS key policy: Resource "*" means this key only, and the account-root statement delegates access control to IAM as AWS recommends.
  # checkov:skip=CKV_AWS_111: KMS key policy: Resource "*" means this key only, and the account-root statement delegates access control to IAM as AWS recommends.
  # checkov:skip=CKV_AWS_356: KMS key policies can only name "*" (the key itself) as resource.
  # Without this statement the key could become unmanageable; IAM policies decide who may
  # use it (the task role for ECS Exec, operators for execute-command).
  statement {
    sid       = "AccountAdministration"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }

  # CloudWatch Logs encrypts the log group with this key, for this log group only.
  statement {
    sid = "CloudWatchLogs"
    actions = [
      "kms:Encrypt*",
      "kms:Decrypt*",
      "kms:ReEncrypt*",
      "kms:GenerateDataKey*",
      "kms:Describe*",
    ]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["logs.${local.region}.amazonaws.com"]
    }

    condition {
      test     = "ArnEquals"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = [local.log_group_arn]
    }
  }
}

resource "aws_kms_key" "logs" {
  description             = "Encrypts the logs and ECS Exec sessions of ${var.cluster_name}/${var.service_name}"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.logs_key.json
}

resource "aws_kms_alias" "logs" {
  name          = "alias/${var.cluster_name}/${var.service_name}-logs"
  target_key_id = aws_kms_key.logs.key_id
}

resource "aws_cloudwatch_log_group" "this" {
  name              = local.log_group_name
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.logs.arn
}

# --- Cluster --------------------------------------------------------------------------------

resource "aws_ecs_cluster" "this" {
  name = var.cluster_name

  setting {
    name  = "containerInsights"
    value = "enabled"
  }

  # ECS Exec sessions (when enable_execute_command is on) are encrypted with the service's
  # key and recorded in its encrypted log group, so every shell session is auditable.
  configuration {
    execute_command_configuration {
      kms_key_id = aws_kms_key.logs.arn
      logging    = "OVERRIDE"

      log_configuration {
        cloud_watch_log_group_name     = aws_cloudwatch_log_group.this.name
        cloud_watch_encryption_enabled = true
      }
    }
  }
}

# --- Task definition ------------------------------------------------------------------------

resource "aws_ecs_task_definition" "this" {
  family                   = var.service_name
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.cpu
  memory                   = var.memory
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.task.arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = var.cpu_architecture
  }

  container_definitions = jsonencode([
    {
      name      = var.container_name
      image     = var.image
      essential = true

      portMappings = [
        {
          containerPort = var.container_port
          hostPort      = var.container_port
          protocol      = "tcp"
        }
      ]

      environment = local.container_environment
      # Only references (ARNs); ECS resolves the values when the task starts.
      secrets = local.container_secrets

      readonlyRootFilesystem = local.readonly_root_filesystem
      mountPoints            = local.mount_points

      linuxParameters = {
        # A tiny init as PID 1 reaps zombie processes and forwards signals (graceful
        # gunicorn shutdown); also recommended for ECS Exec.
        initProcessEnabled = true
      }

      logConfiguration = {
        logDriver = "awslogs"
        options = {
          "awslogs-group"         = aws_cloudwatch_log_group.this.name
          "awslogs-region"        = local.region
          "awslogs-stream-prefix" = var.container_name
        }
      }
    }
  ])

  # Task-local scratch space for /tmp while the root filesystem is read-only (a bind mount
  # on the task's ephemeral storage; nothing persists).
  dynamic "volume" {
    for_each = local.readonly_root_filesystem ? ["tmp"] : []

    content {
      name = volume.value
    }
  }

  dynamic "volume" {
    for_each = local.efs_enabled ? ["efs"] : []

    content {
      name = volume.value

      efs_volume_configuration {
        file_system_id     = var.efs_file_system_id
        transit_encryption = "ENABLED"

        # Mount through the access point with the task role's IAM identity, so the file
        # system policy and the access point decide what the task may do.
        authorization_config {
          access_point_id = var.efs_access_point_id
          iam             = "ENABLED"
        }
      }
    }
  }

  lifecycle {
    precondition {
      condition     = local.fargate_size_valid
      error_message = "cpu/memory is not a valid Fargate size: 256 -> 512/1024/2048; 512 -> 1024-4096; 1024 -> 2048-8192; 2048 -> 4096-16384; 4096 -> 8192-30720 (1024 steps); 8192 -> 16384-61440 (4096 steps); 16384 -> 32768-122880 (8192 steps)."
    }

    precondition {
      condition     = length(setintersection(keys(var.secrets), keys(var.secrets_manager_secrets))) == 0
      error_message = "A container variable appears in both secrets and secrets_manager_secrets."
    }

    precondition {
      condition     = length(setintersection(keys(local.environment), keys(local.all_secrets))) == 0
      error_message = "A container variable appears both in environment and in a secrets map."
    }

    precondition {
      condition     = (var.efs_file_system_id == null) == (var.efs_access_point_id == null)
      error_message = "efs_file_system_id and efs_access_point_id must be set together (the task mounts EFS through the access point with IAM authorization)."
    }
  }
}

# --- Service --------------------------------------------------------------------------------

resource "aws_ecs_service" "this" {
  name             = var.service_name
  cluster          = aws_ecs_cluster.this.arn
  task_definition  = aws_ecs_task_definition.this.arn
  desired_count    = var.desired_count
  launch_type      = "FARGATE"
  platform_version = "LATEST"

  enable_execute_command            = var.enable_execute_command
  health_check_grace_period_seconds = var.health_check_grace_period_seconds

  # Rolling deployments keep full capacity and roll back automatically if new tasks never
  # become healthy.
  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  network_configuration {
    subnets          = var.subnet_ids
    security_groups  = var.security_group_ids
    assign_public_ip = false
  }

  load_balancer {
    target_group_arn = var.target_group_arn
    container_name   = var.container_name
    container_port   = var.container_port
  }

  # Tasks carry the service's tags (and so the provider's default tags) for cost allocation.
  propagate_tags          = "SERVICE"
  enable_ecs_managed_tags = true

  lifecycle {
    # Autoscaling owns the running count after creation.
    ignore_changes = [desired_count]

    precondition {
      condition     = var.desired_count >= var.min_count && var.desired_count <= var.max_count
      error_message = "desired_count must be between min_count and max_count."
    }
  }

  # Keep the roles' permissions until the service (and its tasks) are gone on destroy, and
  # in place before the first task starts on create.
  depends_on = [
    aws_iam_role_policy.execution,
    aws_iam_role_policy.task,
  ]
}

# --- Autoscaling ----------------------------------------------------------------------------

resource "aws_appautoscaling_target" "this" {
  service_namespace  = "ecs"
  scalable_dimension = "ecs:service:DesiredCount"
  resource_id        = "service/${aws_ecs_cluster.this.name}/${aws_ecs_service.this.name}"
  min_capacity       = var.min_count
  max_capacity       = var.max_count

  lifecycle {
    precondition {
      condition     = var.min_count <= var.max_count
      error_message = "min_count must not be greater than max_count."
    }
  }
}

resource "aws_appautoscaling_policy" "cpu" {
  name               = "${var.service_name}-cpu-target"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.this.service_namespace
  scalable_dimension = aws_appautoscaling_target.this.scalable_dimension
  resource_id        = aws_appautoscaling_target.this.resource_id

  target_tracking_scaling_policy_configuration {
    target_value       = var.cpu_target
    scale_in_cooldown  = var.scale_in_cooldown
    scale_out_cooldown = var.scale_out_cooldown

    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageCPUUtilization"
    }
  }
}
