"""TLS and certificate audit: sslyze gathers facts, govscan judges them and grades endpoints."""
