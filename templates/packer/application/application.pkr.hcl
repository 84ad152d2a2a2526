# Layer 3 of 3 (system -> middleware -> application): the application.
#
# Starts from the newest "<project>-middleware-*" AMI of this account, installs the app from
# app_repository at app_ref into /opt/app with its own virtualenv, and installs a systemd unit
# app.service that runs gunicorn on 0.0.0.0:app_port. The unit is enabled, not started: at boot
# the launch template's user data writes /etc/app/app.env and /run/app/secrets.env, and the
# unit starts once that has finished.
#
# The Auto Scaling group's launch template picks the newest "<project>-application-*" AMI owned
# by the account, so an app release is: rebuild this layer only, then roll the group.
#
# Build with ../build.sh, which runs `packer init` and `packer build -var-file=...` per layer.

packer {
  required_version = ">= 1.9.0"
  required_plugins {
    amazon = {
      source  = "github.com/hashicorp/amazon"
      version = "~> 1.3"
    }
  }
}

# ---------------------------------------------------------------------------------------------
# Variables. Every layer declares the same set so one per-environment var file
# (<env>/packer.pkrvars.hcl) loads into all three; variables a layer does not use have a default.
# ---------------------------------------------------------------------------------------------

variable "project" {
  type        = string
  description = "Name prefix of the AMIs: they are named <project>-<layer>-<timestamp> (usually <project>-<env>)."

  validation {
    # AMI names allow 3-128 characters; the layer and timestamp suffixes take up to 27.
    condition     = can(regex("^[a-z0-9][a-z0-9-]{1,99}$", var.project))
    error_message = "The project must be 2-100 lowercase letters, digits or hyphens, starting with a letter or digit."
  }
}

variable "region" {
  type        = string
  description = "AWS region where the AMI is built and registered (the environment's region)."

  validation {
    condition     = can(regex("^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-[0-9]+$", var.region))
    error_message = "The region must be an AWS region name such as eu-west-1."
  }
}

variable "instance_type" {
  type        = string
  description = "EC2 instance type of the temporary build instance. Must be x86_64: the AMIs are built from the x86_64 Amazon Linux 2023 image."
  default     = "t3.small"

  validation {
    # Graviton (arm64) families carry a "g" after the generation digit (t4g, m7g, c6gn...).
    condition     = can(regex("^[a-z][a-z0-9-]*\\.[a-z0-9]+$", var.instance_type)) && !can(regex("^[a-z]+[0-9]+[a-z]*g[a-z-]*\\.", var.instance_type))
    error_message = "The instance_type must be an x86_64 EC2 instance type such as t3.small (no Graviton types)."
  }
}

variable "subnet_id" {
  type        = string
  description = "Subnet of the build instance: a private subnet of the environment's VPC with a route to the internet (NAT) or VPC endpoints for SSM. Null or empty builds in the default VPC."
  default     = null

  validation {
    condition     = var.subnet_id == null || var.subnet_id == "" || can(regex("^subnet-[0-9a-f]{8,17}$", var.subnet_id))
    error_message = "The subnet_id must be empty or a subnet ID such as subnet-0123456789abcdef0."
  }
}

variable "subnet_name" {
  type        = string
  description = "Name tag pattern of the build instance's subnet when subnet_id is not set, e.g. \"shop-prod-private-1-*\" (the generated var file names the environment's first private subnet, so the build runs in the generated VPC). Null or empty: no lookup."
  default     = null
}

variable "iam_instance_profile" {
  type        = string
  description = "Existing instance profile for the build instance. Null or empty makes Packer create a temporary one granting only what Session Manager needs; set this when the account's Session Manager preferences require more (KMS-encrypted sessions, S3 or CloudWatch session logs)."
  default     = null
}

variable "app_repository" {
  type        = string
  description = "HTTPS URL of the application's Git repository: a public GitHub repository or an AWS CodeCommit repository (read with the build instance's role)."

  validation {
    condition     = can(regex("^https://(github\\.com|git-codecommit\\.[a-z0-9-]+\\.amazonaws\\.com)/[A-Za-z0-9._~/:-]+$", var.app_repository))
    error_message = "The app_repository must be an HTTPS GitHub or CodeCommit repository URL."
  }
}

variable "app_ref" {
  type        = string
  description = "Branch, tag or commit of the application to bake."
  default     = "main"

  validation {
    condition     = can(regex("^[A-Za-z0-9._/][A-Za-z0-9._/-]{0,199}$", var.app_ref))
    error_message = "The app_ref must be a branch, tag or commit: up to 200 letters, digits and . _ / -, not starting with -."
  }
}

variable "app_port" {
  type        = number
  description = "TCP port gunicorn listens on; the ALB target group and the instances' security group use the same port."
  default     = 8000

  validation {
    # gunicorn runs as an unprivileged user, which cannot bind ports below 1024.
    condition     = var.app_port >= 1024 && var.app_port <= 65535 && floor(var.app_port) == var.app_port
    error_message = "The app_port must be an integer between 1024 and 65535."
  }
}

variable "settings_module" {
  type        = string
  description = "Django settings module baked in as DJANGO_SETTINGS_MODULE (app.env can override it). Null or empty leaves it to app.env."
  default     = null

  validation {
    condition     = var.settings_module == null || var.settings_module == "" || can(regex("^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*$", var.settings_module))
    error_message = "The settings_module must be a dotted Python module path such as config.settings.production."
  }
}

variable "wsgi_app" {
  type        = string
  description = "Gunicorn WSGI application as module:callable. Null or empty derives <first package of settings_module>.wsgi:application (Django's layout), or wsgi:application without a settings module."
  default     = null

  validation {
    condition     = var.wsgi_app == null || var.wsgi_app == "" || can(regex("^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*:[A-Za-z_][A-Za-z0-9_]*$", var.wsgi_app))
    error_message = "The wsgi_app must look like package.module:callable, e.g. config.wsgi:application."
  }
}

locals {
  layer     = "application"
  timestamp = regex_replace(timestamp(), "[- TZ:]", "")

  # The generated var file may say subnet_id = "" when no subnet was chosen; null lets Packer
  # fall back to the default VPC.
  subnet_id            = var.subnet_id == "" ? null : var.subnet_id
  iam_instance_profile = var.iam_instance_profile == "" ? null : var.iam_instance_profile

  # subnet_id wins over the name lookup.
  subnet_name = local.subnet_id == null && var.subnet_name != "" ? var.subnet_name : null
  in_vpc      = local.subnet_id != null || local.subnet_name != null

  tags = {
    Project   = var.project
    Layer     = local.layer
    BaseLayer = "middleware"
    BuiltBy   = "packer"
    AppRef    = var.app_ref
  }

  settings_module = var.settings_module == null ? "" : var.settings_module
  wsgi_app = (var.wsgi_app != null && var.wsgi_app != "") ? var.wsgi_app : (
    local.settings_module != "" ? "${split(".", local.settings_module)[0]}.wsgi:application" : "wsgi:application"
  )

  # A CodeCommit repository is read with the build instance's role: [region, repository name].
  codecommit = try(regex("^https://git-codecommit\\.([a-z0-9-]+)\\.amazonaws\\.com/v1/repos/([A-Za-z0-9._-]+)$", var.app_repository), null)
  # Packer has no caller-identity lookup, hence the account wildcard; region and name pin the repo.
  codecommit_partition       = can(regex("^us-gov-", var.region)) ? "aws-us-gov" : "aws"
  codecommit_repository_arns = local.codecommit == null ? [] : ["arn:${local.codecommit_partition}:codecommit:${local.codecommit[0]}:*:${local.codecommit[1]}"]
}

source "amazon-ebs" "application" {
  # The repository and ref go to the AppRef tag and manifest.json, not the description: it holds
  # 255 characters.
  region          = var.region
  instance_type   = var.instance_type
  ami_name        = "${var.project}-${local.layer}-${local.timestamp}"
  ami_description = "${var.project} ${local.layer} layer: the app served by gunicorn on port ${var.app_port}"

  # The newest middleware layer this account built for the project.
  source_ami_filter {
    filters = {
      name                = "${var.project}-middleware-*"
      architecture        = "x86_64"
      virtualization-type = "hvm"
      root-device-type    = "ebs"
    }
    owners      = ["self"]
    most_recent = true
  }

  subnet_id = local.subnet_id

  # The environment's private subnet, found by its Name tag (the VPC must be applied first).
  dynamic "subnet_filter" {
    for_each = local.subnet_name == null ? [] : [local.subnet_name]

    content {
      filters = {
        "tag:Name" = subnet_filter.value
      }
      most_free = true
    }
  }

  # In a private subnet the instance reaches SSM through NAT or VPC endpoints and must not get a
  # public address. In the default VPC (no subnet given) the subnet's own setting applies: it
  # hands out a public IP, the only way out there since the default VPC has no NAT.
  associate_public_ip_address = local.in_vpc ? false : null

  # No SSH from the network. Packer reaches the instance through an SSM Session Manager tunnel
  # that the SSM agent opens outbound over HTTPS, and still speaks SSH inside that tunnel (with a
  # throwaway key pair). With ssh_interface = "session_manager" the plugin creates its temporary
  # security group WITHOUT any ingress rule, so temporary_security_group_source_cidrs and
  # temporary_security_group_source_public_ip are deliberately left unset: they only shape that
  # (skipped) rule, and an empty CIDR list would even mean the 0.0.0.0/0 default.
  communicator            = "ssh"
  ssh_username            = "ec2-user"
  ssh_interface           = "session_manager"
  ssh_timeout             = "10m"
  temporary_key_pair_type = "ed25519"

  iam_instance_profile = local.iam_instance_profile
  # Used only when iam_instance_profile is not set. These are the actions the SSM agent needs to
  # register and to carry Session Manager sessions (what AmazonSSMManagedInstanceCore grants for
  # sessions, without Run Command or parameter access). Resource "*" because the ssmmessages
  # actions support no resource-level permissions and UpdateInstanceInformation only ever acts
  # on the calling instance; the profile exists for the duration of the build.
  temporary_iam_instance_profile_policy_document {
    Version = "2012-10-17"
    Statement {
      Effect = "Allow"
      Action = [
        "ssm:UpdateInstanceInformation",
        "ssmmessages:CreateControlChannel",
        "ssmmessages:CreateDataChannel",
        "ssmmessages:OpenControlChannel",
        "ssmmessages:OpenDataChannel",
      ]
      Resource = ["*"]
    }
    # Read access to the app's CodeCommit repository, when it is one (git's AWS CLI credential
    # helper signs the clone with this role).
    dynamic "Statement" {
      for_each = local.codecommit_repository_arns
      content {
        Effect   = "Allow"
        Action   = ["codecommit:GitPull"]
        Resource = [Statement.value]
      }
    }
  }

  # IMDSv2 only, on the build instance and as the default of every instance launched from the AMI.
  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }
  imds_support = "v2.0"

  # The middleware layer is already encrypted; stating it keeps the guarantee if the source changes,
  # and costs nothing (encrypt_boot would add a slow re-encrypting copy at the end). The size is
  # left to the source snapshot so the launch template's root volume is never smaller than the AMI.
  launch_block_device_mappings {
    device_name           = "/dev/xvda"
    volume_type           = "gp3"
    encrypted             = true
    delete_on_termination = true
  }

  # If Packer dies mid-build, an OS shutdown terminates the instance instead of leaving it stopped.
  shutdown_behavior = "terminate"

  tags            = local.tags
  run_tags        = local.tags
  run_volume_tags = local.tags
  snapshot_tags   = local.tags
}

build {
  name    = "application"
  sources = ["source.amazon-ebs.application"]

  provisioner "shell" {
    script = "${path.root}/scripts/application.sh"
    environment_vars = [
      "PROJECT=${var.project}",
      "APP_REPOSITORY=${var.app_repository}",
      "APP_REF=${var.app_ref}",
      "APP_PORT=${var.app_port}",
      "SETTINGS_MODULE=${local.settings_module}",
      "WSGI_APP=${local.wsgi_app}",
    ]
  }

  # Last: scrub per-instance state so every instance launched from the AMI starts fresh.
  provisioner "shell" {
    script = "${path.root}/scripts/cleanup.sh"
  }

  # manifest.json (next to this file) records the AMI ID and its source AMI for CI and audits.
  post-processor "manifest" {
    output     = "${path.root}/manifest.json"
    strip_path = true
    custom_data = {
      layer          = local.layer
      source_ami     = build.SourceAMI
      app_repository = var.app_repository
      app_ref        = var.app_ref
    }
  }
}
