"""Benchmarks run by hand (``python -m benchmarks.NAME``); see README.md here."""
