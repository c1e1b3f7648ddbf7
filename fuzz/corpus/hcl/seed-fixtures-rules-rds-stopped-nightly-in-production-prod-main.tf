variable "is_production" {
  default = "true"
}

module "rds" {
  source                     = "github.com/ministryofjustice/cloud-platform-terraform-rds-instance?ref=9.2.0"
  deletion_protection        = true
  enable_rds_auto_start_stop = true # expect: rds-stopped-nightly-in-production
  is_production              = var.is_production
}

module "rds_always_on" {
  source                     = "github.com/ministryofjustice/cloud-platform-terraform-rds-instance?ref=9.2.0"
  deletion_protection        = true
  enable_rds_auto_start_stop = false
  is_production              = var.is_production
}
