variable "protect" {
  default = false
}

# The database module is local: drlint follows the call and binds its inputs.
module "database" {
  source     = "./modules/database"
  protection = var.protect # expect: deletion-protection-disabled
  retention  = 14
}

module "protected_database" {
  source     = "./modules/database"
  protection = true
  retention  = 0 # expect: backup-retention-too-short
}
