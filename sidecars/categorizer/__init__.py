"""The categorizer sidecar."""
