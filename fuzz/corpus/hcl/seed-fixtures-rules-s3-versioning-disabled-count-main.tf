# A block that is not created is not checked; one created twice is reported once.
variable "enabled" {
  type    = bool
  default = false
}

# Raw buckets without any versioning.
resource "aws_s3_bucket" "count_zero" {
  count  = 0
  bucket = "zero"
}

# enabled is false, so count is 0.
resource "aws_s3_bucket" "count_disabled" {
  count  = var.enabled ? 1 : 0
  bucket = "disabled"
}

module "count_two" {
  count      = 2
  source     = "github.com/ministryofjustice/cloud-platform-terraform-s3-bucket?ref=5.3.0"
  versioning = false # expect: s3-versioning-disabled
}

module "for_each_empty" {
  for_each = {}
  source   = "github.com/ministryofjustice/cloud-platform-terraform-s3-bucket?ref=5.3.0"
}
