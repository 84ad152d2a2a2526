# One distribution in front of both the Django app (ALB, default behaviour, never cached)
# and its static files (private S3 bucket via Origin Access Control, cached).

locals {
  s3_origin_id  = "static-s3"
  alb_origin_id = "app-alb"

  # Policy and OAC names allow letters, digits, hyphens and underscores only; bucket names
  # can contain dots.
  name = replace(var.bucket_id, ".", "-")

  # The viewer's Host header is always forwarded, so Django sees its public hostname
  # (ALLOWED_HOSTS, CSRF origin checks, absolute URLs). Over HTTPS CloudFront then checks the
  # ALB certificate against that Host, so the certificate must cover the aliases.
  origin_request_policy_name = "Managed-AllViewer"
}

data "aws_cloudfront_cache_policy" "caching_optimized" {
  name = "Managed-CachingOptimized"
}

data "aws_cloudfront_cache_policy" "caching_disabled" {
  name = "Managed-CachingDisabled"
}

data "aws_cloudfront_origin_request_policy" "app" {
  name = local.origin_request_policy_name
}

resource "aws_cloudfront_origin_access_control" "this" {
  name                              = substr("${local.name}-oac", 0, 64)
  description                       = "CloudFront access to the static files bucket ${var.bucket_id}"
  origin_access_control_origin_type = "s3"
  # Always sign: the bucket is private and only trusts signed CloudFront requests.
  signing_behavior = "always"
  signing_protocol = "sigv4"
}

resource "aws_cloudfront_response_headers_policy" "security" {
  name    = substr("${local.name}-security-headers", 0, 128)
  comment = "Security headers for the app and its static files"

  security_headers_config {
    # HSTS: the site is HTTPS-only, so browsers should never try plain HTTP again. The
    # preload directive only declares eligibility; nothing is added to browser preload
    # lists unless the apex domain is submitted to hstspreload.org by hand.
    strict_transport_security {
      access_control_max_age_sec = 31536000
      include_subdomains         = true
      preload                    = true
      override                   = true
    }

    content_type_options {
      override = true
    }

    # Not overriding the app: Django's X_FRAME_OPTIONS / xframe_options_* decorators may
    # deliberately relax this for some views; DENY applies where the app sets nothing.
    frame_options {
      frame_option = "DENY"
      override     = false
    }

    referrer_policy {
      referrer_policy = "strict-origin-when-cross-origin"
      override        = false
    }
  }
}

resource "aws_cloudfront_distribution" "this" {
  # checkov:skip=CKV_AWS_68: No WAF web ACL by default: a web ACL costs a fixed monthly fee plus per-request charges; attach one outside this module when the threat model needs it.
  # checkov:skip=CKV2_AWS_47: Same as CKV_AWS_68: no WAF web ACL (and so no Log4j managed rule) is attached by this module.
  # checkov:skip=CKV_AWS_86: Standard access logs need a log bucket with ACLs enabled and cost storage; not enabled by default in this template.
  # checkov:skip=CKV_AWS_310: Each path has a single origin (one ALB, one bucket); there is no secondary origin to fail over to.
  # checkov:skip=CKV_AWS_374: The application is meant to be reachable worldwide; no geo restriction.
  # checkov:skip=CKV_AWS_305: The default behaviour goes to Django, which routes "/" itself; a default root object only applies to S3-style origins.
  enabled         = true
  is_ipv6_enabled = true
  http_version    = "http2and3"
  price_class     = var.price_class
  aliases         = var.aliases
  comment         = substr("Django app and static files (${var.bucket_id})", 0, 128)

  origin {
    origin_id                = local.s3_origin_id
    domain_name              = var.bucket_regional_domain_name
    origin_access_control_id = aws_cloudfront_origin_access_control.this.id
  }

  origin {
    origin_id   = local.alb_origin_id
    domain_name = var.alb_origin_domain

    custom_origin_config {
      http_port              = 80
      https_port             = 443
      origin_protocol_policy = var.alb_origin_protocol_policy
      origin_ssl_protocols   = ["TLSv1.2"]
    }
  }

  # Static files: immutable collectstatic output, cached aggressively at the edge.
  ordered_cache_behavior {
    path_pattern               = var.static_path_pattern
    target_origin_id           = local.s3_origin_id
    allowed_methods            = ["GET", "HEAD", "OPTIONS"]
    cached_methods             = ["GET", "HEAD"]
    cache_policy_id            = data.aws_cloudfront_cache_policy.caching_optimized.id
    response_headers_policy_id = aws_cloudfront_response_headers_policy.security.id
    viewer_protocol_policy     = "redirect-to-https"
    compress                   = true
  }

  # Everything else is the Django app: dynamic, per-user, so never cached, and every
  # method, cookie, query string and header (see local.origin_request_policy_name) is
  # passed on.
  default_cache_behavior {
    target_origin_id           = local.alb_origin_id
    allowed_methods            = ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"]
    cached_methods             = ["GET", "HEAD"]
    cache_policy_id            = data.aws_cloudfront_cache_policy.caching_disabled.id
    origin_request_policy_id   = data.aws_cloudfront_origin_request_policy.app.id
    response_headers_policy_id = aws_cloudfront_response_headers_policy.security.id
    viewer_protocol_policy     = "redirect-to-https"
    compress                   = true
  }

  viewer_certificate {
    acm_certificate_arn      = var.certificate_arn
    ssl_support_method       = "sni-only"
    minimum_protocol_version = "TLSv1.2_2021"
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }
}

# Written here rather than in AWS_S3_Static because it needs the distribution ARN.
data "aws_iam_policy_document" "bucket" {
  # Only this distribution (not any CloudFront distribution) may read objects.
  statement {
    sid       = "AllowCloudFrontRead"
    effect    = "Allow"
    actions   = ["s3:GetObject"]
    resources = ["${var.bucket_arn}/*"]

    principals {
      type        = "Service"
      identifiers = ["cloudfront.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "AWS:SourceArn"
      values   = [aws_cloudfront_distribution.this.arn]
    }
  }

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [var.bucket_arn, "${var.bucket_arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "static" {
  bucket = var.bucket_id
  policy = data.aws_iam_policy_document.bucket.json
}
