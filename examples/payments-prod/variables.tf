variable "is_production" {
  default = "true"
}

variable "namespace" {
  default = "payments-prod"
}

# Lifted for last month's restore (runbook step 1) and never set back.
variable "deletion_protection" {
  default = false
}
