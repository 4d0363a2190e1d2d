"""Model sidecars: one sub-package per model, plus the wire protocol and runtime they share."""
