resource "aws_lb" "this" {
  # checkov:skip=CKV_AWS_91: optional: set access_logs_bucket
  # checkov:skip=CKV2_AWS_28: WAF is not part of the reference design; attach a WAF web ACL (aws_wafv2_web_acl_association) from an extra .tf beside the module
  name               = var.name
  load_balancer_type = "application"
  internal           = false
  subnets            = var.subnet_ids
  security_groups    = var.security_group_ids

  # Reject requests with malformed headers instead of passing them to the app
  # (request smuggling defence).
  drop_invalid_header_fields = true
  enable_deletion_protection = var.deletion_protection
  idle_timeout               = var.idle_timeout

  dynamic "access_logs" {
    for_each = var.access_logs_bucket == null ? [] : [var.access_logs_bucket]

    content {
      bucket  = access_logs.value
      prefix  = var.access_logs_prefix
      enabled = true
    }
  }
}

locals {
  # Target group names are unique per account and region, and a group is replaced (created
  # before the old one is destroyed, below) when its port, protocol, target type or VPC
  # changes. Those values are hashed into the name, so the replacement always gets a new name
  # and never clashes with the group it replaces; otherwise the name stays the same.
  target_group_stem = trimsuffix(substr(var.target_group_name, 0, 23), "-")
  target_group_hash = substr(sha1(jsonencode([var.target_port, "HTTP", var.target_type, var.vpc_id])), 0, 8)
  target_group_name = "${local.target_group_stem}-${local.target_group_hash}"
}

resource "aws_lb_target_group" "this" {
  # checkov:skip=CKV_AWS_378: TLS terminates at the ALB; ALB-to-target traffic stays inside the VPC, restricted by security groups, and the app serves plain HTTP
  name        = local.target_group_name
  vpc_id      = var.vpc_id
  port        = var.target_port
  protocol    = "HTTP"
  target_type = var.target_type

  # Short drain: requests are short-lived web requests, and a long delay only slows deploys.
  deregistration_delay = 30

  health_check {
    enabled             = true
    protocol            = "HTTP"
    port                = "traffic-port"
    path                = var.health_check_path
    matcher             = "200-399"
    interval            = 15
    timeout             = 5
    healthy_threshold   = 3
    unhealthy_threshold = 3
  }

  # The listeners point at the group, so it cannot be deleted first; create the new group
  # (under its new name, see local.target_group_name), move the listeners, then delete the
  # old one.
  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.this.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = var.ssl_policy
  certificate_arn   = var.certificate_arn

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.this.arn
  }
}

# One listener whose action changes in place, so switching http_listener_action never has
# two listeners competing for port 80.
resource "aws_lb_listener" "http" {
  # checkov:skip=CKV_AWS_2: with "redirect" (the default) this listener only answers 301 to HTTPS; "forward" is for CloudFront reaching the ALB over HTTP, with port 80 open to CloudFront's prefix list only (AWS_Security_Groups cloudfront_origin_port = 80)
  # checkov:skip=CKV_AWS_103: same listener: plain HTTP by design (a 301 redirect to the TLS 1.2+ HTTPS listener, or CloudFront's HTTP origin leg)
  load_balancer_arn = aws_lb.this.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type             = var.http_listener_action
    target_group_arn = var.http_listener_action == "forward" ? aws_lb_target_group.this.arn : null

    dynamic "redirect" {
      for_each = var.http_listener_action == "redirect" ? [1] : []

      content {
        protocol    = "HTTPS"
        port        = "443"
        status_code = "HTTP_301"
      }
    }
  }
}
