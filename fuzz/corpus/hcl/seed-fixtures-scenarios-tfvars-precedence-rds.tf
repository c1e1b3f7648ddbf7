module "rds" {
  source                     = "github.com/ministryofjustice/cloud-platform-terraform-rds-instance?ref=9.2.0"
  deletion_protection        = var.deletion_protection # expect: deletion-protection-disabled
  db_backup_retention_period = var.retention # expect: backup-retention-too-short
  snapshot_identifier        = var.snapshot # expect: snapshot-identifier-lingering
}
