"""The insights sidecar: recurring payments and subscriptions, and anomalies worth a word.

Pure logic lives in small modules that tests call directly (records, grouping, cadence,
recurring, robust, anomalies); service.py registers the methods; ``python -m sidecars.insights``
serves them. It never imports the ledger, the hub or the desktop.
"""
