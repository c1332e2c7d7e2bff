"""The live figures: the recompute job, the immutable snapshot and its
Prometheus exposition (docs/architecture.md, steps 6-7)."""
