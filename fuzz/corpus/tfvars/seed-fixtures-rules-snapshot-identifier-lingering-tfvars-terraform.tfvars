# Overrides the defaults in variables.tf.
snapshot_identifier = "rds:payments-2026-01-15-03-10"
old_snapshot        = "rds:payments-2026-01-15-03-10"
