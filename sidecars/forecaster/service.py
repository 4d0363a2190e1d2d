"""The forecaster sidecar's methods: `forecast` (see engine.py for what it answers).

Bad params become bad_request with one clear sentence; long Prophet runs report progress so their
deadline stretches. This module must never open the ledger or keep anything but the result cache.
"""

from __future__ import annotations

from typing import Any

from sidecars.forecaster.engine import Forecaster
from sidecars.forecaster.monthly import InputError
from sidecars.runtime import BadRequest, Sidecar, report_progress

sidecar = Sidecar("forecaster")
_forecaster = Forecaster()


@sidecar.method("forecast")
def forecast(params: dict[str, Any]) -> dict[str, Any]:
    """Spending per category, total spending and net cash flow, `horizon_months` ahead."""
    try:
        return _forecaster.forecast(params, progress=report_progress)
    except InputError as exc:
        raise BadRequest(str(exc)) from None
