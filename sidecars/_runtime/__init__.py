"""Pieces of the sidecar runtime that are not its public face: parent watch and process limits.

Nothing here is imported by model code; use sidecars.runtime.
"""
