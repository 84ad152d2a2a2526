# Alias records pointing the application's name at its load balancer or CloudFront
# distribution. Alias (not CNAME) records work at the zone apex, cost nothing per
# query and follow the target's IP changes automatically.

locals {
  # One record per address family; AAAA only when the target is dual-stack.
  record_types = var.create_ipv6 ? toset(["A", "AAAA"]) : toset(["A"])
}

resource "aws_route53_record" "this" {
  for_each = local.record_types

  zone_id = var.zone_id
  name    = var.name
  type    = each.key

  alias {
    name                   = var.alias_dns_name
    zone_id                = var.alias_zone_id
    evaluate_target_health = var.evaluate_target_health
  }
}
