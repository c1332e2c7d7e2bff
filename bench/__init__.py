"""Benchmarks that print numbers; run each as a script or with ``python -m bench.<name>``."""
