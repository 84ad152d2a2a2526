variable "name" {
  type        = string
  description = "Name of the queue; its dead-letter queue is named `<name>-dlq`."
}

variable "consumer_role_arn" {
  type        = string
  description = "IAM role that sends, receives and deletes the queue's messages (the app's task role)."
}

variable "visibility_timeout_seconds" {
  type        = number
  description = "How long a received message stays hidden from other consumers."
  default     = 60
}

variable "max_receive_count" {
  type        = number
  description = "Receives before a message moves to the dead-letter queue."
  default     = 5
}
