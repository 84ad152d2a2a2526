# Secret values are generated here and exist only in AWS (Parameter Store, encrypted with KMS)
# and in the encrypted S3 Terraform state, never in a generated or committed file. The
# application reads them at start-up (e.g. ECS "secrets" valueFrom the parameter ARN).

# The initial values come from Secrets Manager's GetRandomPassword, so the module needs no
# provider but AWS (hashicorp/random would be one more provider to install and mirror). A data
# source is read again on every plan and returns a new value each time; that causes no diff
# because the parameter ignores later changes to its value (below): only the value read when a
# parameter is created is ever written to Parameter Store.
data "aws_secretsmanager_random_password" "this" {
  for_each = var.parameters

  password_length            = each.value.length
  require_each_included_type = true
  # Only characters with no meaning in dotenv files, POSIX shell assignments, globs or
  # %-interpolation: of the punctuation set, only - _ = + @ : . remain, so the value never
  # needs quoting.
  exclude_characters = "!\"#$%&'()*,/;<>?[\\]^`{|}~"
}

resource "aws_ssm_parameter" "this" {
  # checkov:skip=CKV_AWS_337: a customer-managed key is optional (var.kms_key_id); values are always SecureString, encrypted by default with the AWS-managed aws/ssm key, which needs no key policy and has no monthly cost
  for_each = var.parameters

  name        = each.key
  description = each.value.description
  type        = "SecureString"
  tier        = "Standard"
  key_id      = var.kms_key_id
  value       = data.aws_secretsmanager_random_password.this[each.key].random_password

  lifecycle {
    # The generated value is only the initial one: a value rotated by hand in Parameter Store
    # must not be reset by the next apply.
    ignore_changes = [value]
  }
}
