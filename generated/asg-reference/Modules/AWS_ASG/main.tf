# Django on EC2: an Auto Scaling group in the private subnets, behind the ALB's
# instance target group, launched from the newest AMI baked by Packer.
#
# Configuration reaches the instances through user_data, which carries only plain
# settings and the *names* of secrets; the values are fetched at every boot with the
# instance role into a root-only file on tmpfs (/run), so they never touch the disk,
# the launch template or the Terraform state. Access is via Session Manager only.

data "aws_partition" "current" {}
# The region's name is read as `id`, the one attribute holding it in provider 5.x and 6.x alike
# (`name` is deprecated in 6.x, `region` does not exist in 5.x).
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

# Provider default_tags are not applied to instances launched by an ASG, so they are
# propagated explicitly through the group's tags below.
data "aws_default_tags" "current" {}

data "aws_ami" "this" {
  most_recent = true
  owners      = ["self"]

  filter {
    name   = "name"
    values = [var.ami_name_pattern]
  }

  filter {
    name   = "state"
    values = ["available"]
  }
}

locals {
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.id
  account_id = data.aws_caller_identity.current.account_id

  # Parameter ARNs: names starting with "/" are appended to "parameter", others to "parameter/".
  parameter_arns = sort(distinct([
    for name in values(var.secrets) :
    "arn:${local.partition}:ssm:${local.region}:${local.account_id}:parameter${startswith(name, "/") ? "" : "/"}${name}"
  ]))
  secret_arns = sort(distinct([for s in values(var.secrets_manager_secrets) : s.secret_arn]))

  efs_file_system_arn  = var.efs_file_system_id == null ? null : "arn:${local.partition}:elasticfilesystem:${local.region}:${local.account_id}:file-system/${var.efs_file_system_id}"
  efs_access_point_arn = var.efs_access_point_id == null ? null : "arn:${local.partition}:elasticfilesystem:${local.region}:${local.account_id}:access-point/${var.efs_access_point_id}"

  create_runtime_policy = length(local.parameter_arns) + length(local.secret_arns) + length(var.kms_key_arns) > 0 || var.efs_file_system_id != null

  # systemd EnvironmentFile format: KEY="value" with \ " ` $ escaped, so any value is
  # taken literally (the same rules as a shell's double quotes). APP_PORT (read by the
  # AMI's gunicorn.conf.py) comes first and can be overridden.
  # Decoded from a JSON string (see variable "environment_json").
  environment     = tomap({ for k, v in jsondecode(var.environment_json) : k => tostring(v) })
  app_env         = merge({ APP_PORT = tostring(var.app_port) }, local.environment)
  app_env_escaped = { for k, v in local.app_env : k => replace(v, "/([\"\\\\`$])/", "\\$1") }
  app_env_file    = join("", [for k in sort(keys(local.app_env_escaped)) : format("%s=\"%s\"\n", k, local.app_env_escaped[k])])

  user_data = templatefile("${path.module}/user_data.sh.tftpl", {
    region = local.region
    # Base64 keeps arbitrary setting values from breaking the script's quoting.
    app_env_b64             = base64encode(local.app_env_file)
    secrets                 = var.secrets
    secrets_manager_secrets = var.secrets_manager_secrets
    # "" stands for "none" in the template. Not coalesce(x, ""): coalesce fails when every
    # argument is null or "", which is exactly the case without EFS.
    efs_file_system_id  = var.efs_file_system_id == null ? "" : var.efs_file_system_id
    efs_access_point_id = var.efs_access_point_id == null ? "" : var.efs_access_point_id
    efs_mount_path      = var.efs_mount_path
  })
}

resource "aws_launch_template" "this" {
  name        = var.name
  description = "Application instances of ${var.name}."

  image_id               = data.aws_ami.this.id
  instance_type          = var.instance_type
  vpc_security_group_ids = var.security_group_ids
  ebs_optimized          = true
  # No key_name: there is no SSH access; use Session Manager.

  # New versions become the default so that console/CLI launches match the ASG.
  update_default_version = true

  iam_instance_profile {
    arn = aws_iam_instance_profile.this.arn
  }

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required" # IMDSv2 only
    http_put_response_hop_limit = 1          # no container on the host needs IMDS
    instance_metadata_tags      = "enabled"
  }

  block_device_mappings {
    device_name = data.aws_ami.this.root_device_name

    ebs {
      volume_type           = "gp3"
      volume_size           = var.root_volume_size
      encrypted             = true
      delete_on_termination = true
    }
  }

  # Detailed (1-minute) metrics make target tracking react faster.
  monitoring {
    enabled = true
  }

  user_data = base64encode(local.user_data)
}

resource "aws_autoscaling_group" "this" {
  name = var.name

  vpc_zone_identifier       = var.subnet_ids
  target_group_arns         = var.target_group_arns
  health_check_type         = "ELB"
  health_check_grace_period = var.health_check_grace_period

  min_size         = var.min_size
  max_size         = var.max_size
  desired_capacity = var.desired_capacity

  launch_template {
    id      = aws_launch_template.this.id
    version = aws_launch_template.this.latest_version
  }

  # A new launch template version (new AMI, new settings) replaces the instances
  # gradually while keeping 90% of the capacity in service.
  instance_refresh {
    strategy = "Rolling"

    preferences {
      min_healthy_percentage = 90
    }
  }

  enabled_metrics = [
    "GroupDesiredCapacity",
    "GroupInServiceInstances",
    "GroupMaxSize",
    "GroupMinSize",
    "GroupPendingInstances",
    "GroupStandbyInstances",
    "GroupTerminatingInstances",
    "GroupTotalInstances",
  ]

  tag {
    key                 = "Name"
    value               = var.name
    propagate_at_launch = true
  }

  dynamic "tag" {
    for_each = { for k, v in data.aws_default_tags.current.tags : k => v if k != "Name" }

    content {
      key                 = tag.key
      value               = tag.value
      propagate_at_launch = true
    }
  }

  lifecycle {
    # The scaling policy owns the running capacity after creation.
    ignore_changes = [desired_capacity]

    precondition {
      condition     = var.min_size <= var.desired_capacity && var.desired_capacity <= var.max_size
      error_message = "Sizes must satisfy min_size <= desired_capacity <= max_size."
    }
  }
}

resource "aws_autoscaling_policy" "cpu" {
  name                   = "${var.name}-cpu"
  autoscaling_group_name = aws_autoscaling_group.this.name
  policy_type            = "TargetTrackingScaling"

  target_tracking_configuration {
    predefined_metric_specification {
      predefined_metric_type = "ASGAverageCPUUtilization"
    }

    target_value = var.cpu_target
  }
}
