"""AWS sub-commands (apply, rollback, backups, audit, sandbox): registered by the AWS layer's work."""


def register(subparsers, add_connection_options) -> None:
    """Add the AWS sub-commands to the top-level parser."""
