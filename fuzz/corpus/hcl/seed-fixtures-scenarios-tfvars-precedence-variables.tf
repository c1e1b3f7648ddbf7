variable "deletion_protection" {
  type    = bool
  default = true
}

variable "retention" {
  type    = number
  default = 7
}

variable "snapshot" {
  default = ""
}
