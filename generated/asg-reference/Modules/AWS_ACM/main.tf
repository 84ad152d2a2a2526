# Public ACM certificate, validated through DNS records in Route 53.
#
# DNS validation (rather than e-mail) lets ACM renew the certificate automatically
# for as long as the validation CNAMEs stay in the zone.

# The certificate is requested in the provider's region. The CloudFront certificate's unit
# (CloudFront only accepts certificates from us-east-1) runs this module with its provider in
# us-east-1; a provider-level region works on provider 5.x and 6.x alike, unlike 6.x's
# per-resource `region` argument.
resource "aws_acm_certificate" "this" {
  domain_name               = var.domain_name
  subject_alternative_names = var.subject_alternative_names
  validation_method         = "DNS"
  key_algorithm             = "RSA_2048"

  options {
    # Certificate Transparency logging is on by default; keeping it explicit
    # because browsers reject certificates that were not logged.
    certificate_transparency_logging_preference = "ENABLED"
  }

  # A certificate in use by a listener/distribution cannot be deleted, so the
  # replacement must exist (and be attached) before the old one goes away.
  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_route53_record" "validation" {
  # Keyed by domain name (known at plan time), not by the record values, which are
  # only known after the certificate is requested.
  for_each = {
    for dvo in aws_acm_certificate.this.domain_validation_options : dvo.domain_name => {
      name   = dvo.resource_record_name
      type   = dvo.resource_record_type
      record = dvo.resource_record_value
    }
  }

  zone_id = var.zone_id
  name    = each.value.name
  type    = each.value.type
  records = [each.value.record]
  ttl     = 60

  # A wildcard and its apex share one validation record; the same record may also
  # survive from a previous certificate for the same name.
  allow_overwrite = true
}

resource "aws_acm_certificate_validation" "this" {
  certificate_arn         = aws_acm_certificate.this.arn
  validation_record_fqdns = [for record in aws_route53_record.validation : record.fqdn]
}
