"""Prophet as a candidate: it is backtested like the baselines, and its chatter (and cmdstanpy's)
never reaches the console."""

from __future__ import annotations

import numpy as np
import pytest

from sidecars.forecaster import prophet_model
from sidecars.forecaster.backtest import BACKTEST_ORIGINS, forecast_series


@pytest.mark.slow  # imports Prophet (~1.5 s) and makes a dozen cmdstan fits
def test_prophet_is_scored_quietly_and_memoised(capfd: pytest.CaptureFixture[str]) -> None:
    months = np.arange(36)
    y = 400 + 5 * months + 120 * np.sin(2 * np.pi * months / 12)
    y += np.random.default_rng(3).normal(0, 10, 36)
    fits = []
    result = forecast_series(
        y,
        24000,
        3,
        nonnegative=True,
        extra=(prophet_model.METHOD,),
        progress=lambda: fits.append(1),
    )
    assert result.backtest is not None and "prophet" in result.backtest["mae"]
    # Trend plus a yearly wave: clearly and consistently better than the smoothed level.
    assert result.method == "prophet"
    assert len(fits) == BACKTEST_ORIGINS  # progress reported once per backtest fit
    for p in result.points:
        assert p.lower95 <= p.lower <= p.yhat <= p.upper <= p.upper95
    captured = capfd.readouterr()
    assert captured.out == "" and captured.err == ""
    # The same prefix again is answered from the memo, not refitted.
    before = prophet_model.predict(y[:30], 24000, 2)
    again = prophet_model.predict(y[:30], 24000, 2)
    assert np.array_equal(before, again)
