"""The probe path: scheduling, running a probe, recording its result, and
the probe-level metrics (docs/architecture.md, steps 1-4)."""
