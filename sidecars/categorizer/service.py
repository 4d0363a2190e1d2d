"""The categorizer sidecar's methods: train, predict, versions, rollback (see engine.py).

Bad params become bad_request with one clear sentence. This module must never open the ledger; the
requests carry every transaction it needs.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from sidecars.categorizer.engine import Categorizer, InputError
from sidecars.runtime import BadRequest, Sidecar, report_progress

log = logging.getLogger("sidecars.categorizer")
sidecar = Sidecar("categorizer")
_categorizer = Categorizer()


def warm_up_in_background() -> threading.Thread:
    """Start loading the model beside the runtime's start-up (READY is not delayed by it)."""

    def run() -> None:
        try:
            seconds = _categorizer.warm_up()
        except Exception:  # a broken store is reported by the first request that needs it
            log.exception("categorizer: warm-up failed")
        else:
            log.info("categorizer: warm in %.3f s", seconds)

    thread = threading.Thread(target=run, name="categorizer-warm-up", daemon=True)
    thread.start()
    return thread


@sidecar.method("predict")
def predict(params: dict[str, Any]) -> dict[str, Any]:
    """Category, calibrated confidence, reasons and alternatives for each transaction."""
    try:
        return _categorizer.predict(params)
    except InputError as exc:
        raise BadRequest(str(exc)) from None


@sidecar.method("train")
def train(params: dict[str, Any]) -> dict[str, Any]:
    """Learn from labeled transactions; the new model version is used from then on."""
    try:
        return _categorizer.train(params, progress=report_progress)
    except InputError as exc:
        raise BadRequest(str(exc)) from None


@sidecar.method("versions")
def versions(params: dict[str, Any]) -> dict[str, Any]:
    """The kept model versions, oldest first, with the current one marked."""
    return _categorizer.versions(params)


@sidecar.method("rollback")
def rollback(params: dict[str, Any]) -> dict[str, Any]:
    """Return to an earlier model version."""
    try:
        return _categorizer.rollback(params)
    except InputError as exc:
        raise BadRequest(str(exc)) from None
