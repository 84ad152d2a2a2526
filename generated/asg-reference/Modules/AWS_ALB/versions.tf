terraform {
  required_version = ">= 1.5.0"

  required_providers {
    aws = {
      # Valid on provider 5.x and 6.x: 5.80.0 is the oldest release with every argument used
      # here (Aurora Serverless v2 scaling down to 0 ACUs); nothing is specific to one major.
      source  = "hashicorp/aws"
      version = ">= 5.80.0, < 7.0.0"
    }
  }
}
