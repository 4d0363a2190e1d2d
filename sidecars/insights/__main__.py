"""`python -m sidecars.insights`: run the insights sidecar (the hub starts it; see C4)."""

from sidecars.insights.service import sidecar

if __name__ == "__main__":
    sidecar.run()
