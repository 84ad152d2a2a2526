# Secret values are generated here and exist only in AWS (Parameter Store, encrypted with KMS)
# and in the encrypted S3 Terraform state, never in a generated or committed file. The
# application reads them at start-up (e.g. ECS "secrets" valueFrom the parameter ARN).

resource "random_password" "this" {
  for_each = var.parameters

  length  = each.value.length
  special = true
  # Only characters with no meaning in dotenv files, POSIX shell assignments, globs or
  # %-interpolation (no ! # $ % * ? ^ quotes or spaces), so the value never needs quoting.
  override_special = "-_=+@:."
  min_upper        = 1
  min_lower        = 1
  min_numeric      = 1
}

resource "aws_ssm_parameter" "this" {
  # checkov:skip=CKV_AWS_337: a customer-managed key is optional (var.kms_key_id); values are always SecureString, encrypted by default with the AWS-managed aws/ssm key, which needs no key policy and has no monthly cost
  for_each = var.parameters

  name        = each.key
  description = each.value.description
  type        = "SecureString"
  tier        = "Standard"
  key_id      = var.kms_key_id
  value       = random_password.this[each.key].result

  lifecycle {
    # The generated value is only the initial one: a value rotated by hand in Parameter Store
    # must not be reset by the next apply.
    ignore_changes = [value]
  }
}
