"""`python -m sidecars.categorizer`: run the categorizer sidecar (started by the hub)."""

from sidecars.categorizer.service import sidecar, warm_up_in_background

if __name__ == "__main__":
    # The model loads while the runtime connects, so the first prediction finds it ready.
    warm_up_in_background()
    sidecar.run()
