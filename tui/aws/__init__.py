"""The AWS side of vpce-wizard: boto3 only, never textual; the CLI and the wizard call the same functions."""
