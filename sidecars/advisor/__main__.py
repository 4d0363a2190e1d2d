"""`python -m sidecars.advisor`: run the advisor sidecar (started by the hub)."""

from sidecars.advisor.service import sidecar

if __name__ == "__main__":
    sidecar.run()
