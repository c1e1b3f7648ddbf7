# loaded before zz.auto.tfvars.json (lexical order), after terraform.tfvars
retention = 30
snapshot  = "rds:restore-2026-11-01"
