# terraform.tfvars turns protection off; a later auto.tfvars.json sets retention.
deletion_protection = false
retention           = 1
