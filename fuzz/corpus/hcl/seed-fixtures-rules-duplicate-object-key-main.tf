provider "aws" {
  default_tags {
    tags = {
      source-code   = "github.com/ministryofjustice/cloud-platform-environments"
      owner         = "team"
      source-code   = "github.com/ministryofjustice/cloud-platform-environments" # expect: duplicate-object-key
    }
  }
}

locals {
  # Terraform keeps the last value: versioning is false.
  settings = {
    "versioning" = true
    "versioning" = false # expect: duplicate-object-key
  }
}

module "s3" {
  source     = "github.com/ministryofjustice/cloud-platform-terraform-s3-bucket?ref=5.3.0"
  versioning = local.settings["versioning"] # expect: s3-versioning-disabled
}
