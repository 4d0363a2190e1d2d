"""The ledger: SQLite schema and migrations, CSV import, rules and queries.

Imports no Qt, no ZeroMQ and no model library: the CLI, the desktop and the tests all stand on it.
"""
