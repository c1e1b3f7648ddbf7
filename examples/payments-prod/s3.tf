module "receipts" {
  source = "github.com/ministryofjustice/cloud-platform-terraform-s3-bucket?ref=aws-backups"

  namespace     = var.namespace
  is_production = var.is_production
}
