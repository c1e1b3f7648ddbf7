module "rds" {
  source = "github.com/ministryofjustice/cloud-platform-terraform-rds-instance?ref=9.2.0"

  db_engine         = "postgres"
  db_engine_version = "16"
  db_instance_class = "db.t4g.medium"

  deletion_protection        = var.deletion_protection
  snapshot_identifier        = "rds:payments-prod-2026-10-02-03-10"
  enable_rds_auto_start_stop = true

  namespace     = var.namespace
  is_production = var.is_production
}

module "read_replica" {
  source = "github.com/ministryofjustice/cloud-platform-terraform-rds-instance?ref=9.2.0"

  replicate_source_db        = module.rds.db_identifier
  db_backup_retention_period = 0

  namespace     = var.namespace
  is_production = var.is_production
}
