"""The hub: spawns every sidecar, brokers requests to it over ZeroMQ, and brings back what fails.

A library with no Qt. Public API: Hub, ServiceSpec and the request errors.
"""
