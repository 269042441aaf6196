"""vpce-wizard: build, check and safely apply VPC endpoint policies."""

__version__ = "0.1.0"
