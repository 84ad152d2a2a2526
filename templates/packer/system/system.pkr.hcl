# Layer 1 of 3 (system -> middleware -> application): the operating-system baseline.
#
# Starts from the newest Amazon Linux 2023 x86_64 AMI and adds what every instance of the
# project needs whatever runs on it: all OS updates, the SSM agent (the only way in: there is
# no SSH access to the fleet), the CloudWatch agent and the EFS mount helper. The middleware
# layer starts from the newest "<project>-system-*" AMI this build registers.
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
  description = "HTTPS URL of the application's Git repository. Used by the application layer only."
  default     = null
}

variable "app_ref" {
  type        = string
  description = "Branch, tag or commit of the application to bake. Used by the application layer only."
  default     = null
}

variable "app_port" {
  type        = number
  description = "TCP port gunicorn listens on. Used by the application layer only."
  default     = 8000
}

variable "settings_module" {
  type        = string
  description = "Django settings module (DJANGO_SETTINGS_MODULE). Used by the application layer only."
  default     = null
}

variable "wsgi_app" {
  type        = string
  description = "Gunicorn WSGI application (module:callable). Used by the application layer only."
  default     = null
}

locals {
  layer     = "system"
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
    BaseLayer = "amazon-linux-2023"
    BuiltBy   = "packer"
  }
}

source "amazon-ebs" "system" {
  region          = var.region
  instance_type   = var.instance_type
  ami_name        = "${var.project}-${local.layer}-${local.timestamp}"
  ami_description = "${var.project} ${local.layer} layer: Amazon Linux 2023, updated, with the SSM and CloudWatch agents and amazon-efs-utils"

  source_ami_filter {
    filters = {
      name                = "al2023-ami-2023.*-x86_64"
      architecture        = "x86_64"
      virtualization-type = "hvm"
      root-device-type    = "ebs"
    }
    owners      = ["amazon"]
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
  }

  # IMDSv2 only, on the build instance and as the default of every instance launched from the AMI.
  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }
  imds_support = "v2.0"

  # Encrypt the root volume at launch (account default EBS key) so the AMI snapshot is encrypted
  # from the start; encrypt_boot would only add a slow re-encrypting copy at the end. The size is
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
  name    = "system"
  sources = ["source.amazon-ebs.system"]

  provisioner "shell" {
    script = "${path.root}/scripts/system.sh"
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
      layer      = local.layer
      source_ami = build.SourceAMI
    }
  }
}
