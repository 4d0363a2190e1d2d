"""`python -m sidecars.forecaster`: run the forecaster sidecar (started by the hub)."""

from sidecars.forecaster.service import sidecar

if __name__ == "__main__":
    sidecar.run()
