# Overrides the defaults in variables.tf: this folder is production.
is_production              = "true"
enable_rds_auto_start_stop = true
reporting_auto_start_stop  = true
