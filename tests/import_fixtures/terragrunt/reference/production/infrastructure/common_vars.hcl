locals {
  aws_region      = "us-east-1"
  profile         = "team-task"
  project         = "team-task"
  environment     = "production"
  account_id      = "123456789012"
  certificate_arn = "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"
}
