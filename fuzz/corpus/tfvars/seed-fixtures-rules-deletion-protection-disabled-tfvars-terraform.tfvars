# Overrides the defaults in variables.tf.
deletion_protection = false
aurora_protection   = false
replica_protection  = false
