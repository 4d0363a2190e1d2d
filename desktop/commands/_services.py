"""Shared by `fincast forecast` and `fincast advise`: run a hub with just the services needed for
one forecaster -> advisor round, and stop it again. Imports the hub only when called."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from data.ledger import Ledger
    from desktop.forecasting import Outcome

READY_TIMEOUT_S = 60.0


def forecast_outcome(
    ledger: Ledger, services: tuple[str, ...], *, with_advice: bool, months: int = 3
) -> Outcome:
    """Start `services`, run desktop.forecasting.run against `ledger`, stop them."""
    from desktop import forecasting
    from supervisor import Hub, ServiceSpec

    if ledger.count() == 0:
        # Nothing to send: no process needs starting to say so.
        return forecasting.run(None, ledger, ledger.path, with_advice=with_advice)
    with Hub([ServiceSpec(name) for name in services]) as hub:
        hub.wait_ready(READY_TIMEOUT_S)  # if one never comes up, its request says why
        return forecasting.run(
            hub, ledger, ledger.path, with_advice=with_advice, horizon_months=months
        )
