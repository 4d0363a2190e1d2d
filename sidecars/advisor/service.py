"""The advisor sidecar's method: `safe_to_save` (see safe.py for how the amount is worked out).

A separate small process so that a fault in the riskiest advice never touches the other services.
This module must never open the ledger or ask the forecaster itself: the caller brings the forecast.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sidecars.advisor.safe import AdviceInputError, safe_to_save
from sidecars.runtime import BadRequest, Sidecar

sidecar = Sidecar("advisor")


@sidecar.method("safe_to_save")
def safe_to_save_method(params: dict[str, Any]) -> dict[str, Any]:
    """A cautious amount to set aside this month, with its reasons and warnings."""
    today = params.get("today")
    try:
        day = dt.date.fromisoformat(today) if isinstance(today, str) else dt.date.today()
    except ValueError:
        raise BadRequest(f"today: not an ISO date: {str(today)[:40]!r}") from None
    try:
        return safe_to_save(params, today=day).to_json()
    except AdviceInputError as exc:
        raise BadRequest(str(exc)) from None
