"""Operating the platform: liveness, readiness and metrics for Prometheus (docs/operations.md)."""
