"""The advisor sidecar."""
