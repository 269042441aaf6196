"""Sub-commands of the `vpce-wizard` CLI; each imports its heavy modules only when it runs."""
