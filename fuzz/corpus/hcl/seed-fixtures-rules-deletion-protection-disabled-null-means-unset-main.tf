variable "environment" {
  default = "dev"
}

# `null` means "not set" to Terraform: the default (false) applies.
resource "aws_db_instance" "conditional_null" {
  identifier              = "db"
  backup_retention_period = 7
  deletion_protection     = var.environment == "prod" ? true : null # expect: deletion-protection-disabled
}

module "explicit_null" {
  source              = "github.com/ministryofjustice/cloud-platform-terraform-rds-instance?ref=9.2.0"
  deletion_protection = null # expect: deletion-protection-disabled
}
