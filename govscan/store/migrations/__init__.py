"""Alembic migrations of the findings database (run on open: an upgrade never loses findings)."""
