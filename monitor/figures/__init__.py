"""From stored evidence to figures: the evidence of a span and the
FigureMaker that the live snapshot and the monthly report share (docs/rules.md)."""
