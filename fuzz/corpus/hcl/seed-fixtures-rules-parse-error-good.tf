# A good file beside broken ones is still checked.
module "rds" { # expect: deletion-protection-disabled
  source = "github.com/ministryofjustice/cloud-platform-terraform-rds-instance?ref=9.2.0"
}
