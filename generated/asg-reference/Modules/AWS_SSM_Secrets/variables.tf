variable "parameters" {
  type = map(object({
    description = string
    length      = optional(number, 50)
  }))
  description = "Secrets to generate, keyed by full Parameter Store name (e.g. \"team-task-production_SECRET_KEY\"): a description and the length of the random value (default 50)."

  validation {
    # Parameter Store names: letters, digits and . - _ /; a hierarchical name starts with "/";
    # names starting with "aws" or "ssm" are reserved.
    condition = alltrue([
      for name in keys(var.parameters) :
      can(regex("^(/[A-Za-z0-9_.-]+)+$|^[A-Za-z0-9_.-]+$", name)) && length(name) <= 1011 && !can(regex("^/?(?i:aws|ssm)", name))
    ])
    error_message = "Every key of parameters must be a valid Parameter Store name: letters, digits, '.', '-', '_' and '/', a name with '/' starting with '/', at most 1011 characters, not starting with \"aws\" or \"ssm\"."
  }

  validation {
    condition     = alltrue([for p in values(var.parameters) : p.length >= 16 && p.length <= 4096 && floor(p.length) == p.length])
    error_message = "Every length in parameters must be a whole number between 16 (enough entropy) and 4096 (the Standard tier's value size limit)."
  }

  validation {
    condition     = alltrue([for p in values(var.parameters) : length(trimspace(p.description)) > 0 && length(p.description) <= 1024])
    error_message = "Every description in parameters must be non-empty and at most 1024 characters."
  }
}

variable "kms_key_id" {
  type        = string
  description = "ID, alias or ARN of the KMS key encrypting the SecureString values. null uses the account's AWS-managed aws/ssm key."
  default     = null
}
