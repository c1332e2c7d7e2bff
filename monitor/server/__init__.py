"""The daemon's HTTP server: /metrics, health endpoints and the API."""
