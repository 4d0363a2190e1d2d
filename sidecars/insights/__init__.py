"""The insights sidecar."""
