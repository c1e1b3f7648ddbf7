variable "enabled" {
  type    = bool
  default = false
}

# A versioning resource that is not created does not version anything.
resource "aws_s3_bucket" "companion_not_created" { # expect: s3-versioning-disabled
  bucket = "not-created"
}

resource "aws_s3_bucket_versioning" "companion_not_created" {
  count  = var.enabled ? 1 : 0
  bucket = aws_s3_bucket.companion_not_created.id
  versioning_configuration {
    status = "Enabled"
  }
}

# Linked through for_each over the buckets and each.value.
resource "aws_s3_bucket" "many" {
  for_each = toset(["x", "y"])
  bucket   = each.key
}

resource "aws_s3_bucket_versioning" "many" {
  for_each = aws_s3_bucket.many
  bucket   = each.value.id
  versioning_configuration {
    status = "Enabled"
  }
}
