"""Data files shipped with vpce-wizard (JSON Schema, bucket catalog, services, regions)."""
