module "no_reason" {
  source              = "github.com/ministryofjustice/cloud-platform-terraform-rds-instance?ref=9.2.0"
  /* drlint:ignore deletion-protection-disabled */ # expect: suppression-without-reason
  deletion_protection = false
}

module "empty_reason" {
  source              = "github.com/ministryofjustice/cloud-platform-terraform-rds-instance?ref=9.2.0"
  /* drlint:ignore deletion-protection-disabled -- */ # expect: suppression-without-reason
  deletion_protection = false
}

module "with_reason" {
  source              = "github.com/ministryofjustice/cloud-platform-terraform-rds-instance?ref=9.2.0"
  deletion_protection = false # drlint:ignore deletion-protection-disabled -- restore of INC-7 in progress
}
