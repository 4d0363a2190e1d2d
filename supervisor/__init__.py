"""The hub: spawns every sidecar, brokers requests to it over ZeroMQ, and brings it back when it fails.

A library with no Qt. Public API: Hub, ServiceSpec and the request errors.
"""
