"""Helpers for tests, benchmarks and demos: synthetic Kazakh personal data with valid checksums."""
