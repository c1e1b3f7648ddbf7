module "s3" {
  source = "github.com/ministryofjustice/cloud-platform-terraform-s3-bucket?ref=5.3.0"
  versioning = true
  tags = { a = "b"
} # expect: parse-error
