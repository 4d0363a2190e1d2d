"""`python -m sidecars.categorizer`: run the categorizer sidecar (started by the hub)."""

from sidecars.categorizer.service import sidecar

if __name__ == "__main__":
    sidecar.run()
