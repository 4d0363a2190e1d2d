"""The forecaster sidecar."""
