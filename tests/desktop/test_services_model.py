"""The Services page says which categorizer model serves: its version, when it was trained,
from how many rows, and how well it did; a retrain after a correction shows as a new version.
Before, nothing on the page said so (audit 8, L4; audit 9). Real window, real hub, real
categorizer sidecar (its `versions` method), real ledger."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from data.ledger import Ledger, TxFilter
from desktop import categorizing
from desktop.views import services
from tests.desktop.categorizer_window import open_window, start_categorizer


@pytest.mark.slow
def test_the_services_page_names_the_model_and_its_retrain(
    qtbot: Any, make_window: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("sklearn")
    monkeypatch.setattr(categorizing, "RETRAIN_DEBOUNCE_S", 0.2)
    monkeypatch.setattr(services, "MODEL_EVERY_S", 0.2)
    window, db = open_window(make_window, tmp_path)
    window.show_page("Services")
    line = window.services.model_line
    assert "down" in line.text() or "asking" in line.text()  # said before the sidecar is up
    start_categorizer(qtbot, window)
    qtbot.waitUntil(lambda: "version 1," in line.text(), timeout=60_000)
    assert "built-in examples" in line.text() and "trained " in line.text(), line.text()

    with Ledger.open(db) as ledger:
        row = ledger.transactions(TxFilter(text="quillsby"), limit=1)[0]
    window.show_page("Transactions")
    window.transactions.set_category([row], "Web hosting")
    window.show_page("Services")
    qtbot.waitUntil(lambda: "version 2," in line.text(), timeout=60_000)
    text = line.text()
    assert "your categorized transactions" in text and "1 earlier version kept" in text, text


def test_the_model_sentence_reads_a_versions_reply() -> None:
    reply = {
        "current": "v000007",
        "versions": [
            {"model_version": "v000006", "current": False},
            {
                "model_version": "v000007",
                "created": "2026-12-07T11:56:00Z",
                "n_samples": 1774,
                "classes": 15,
                "cv_accuracy": 0.83,
                "source": "user",
                "current": True,
            },
        ],
    }
    text = services.model_sentence(reply)
    assert text.startswith("Categorizer model: version 7, trained ")
    assert "from 1,774 rows (your categorized transactions), 15 categories" in text
    assert "right on 83% of the rows held out" in text and "1 earlier version kept." in text
    assert "none trained yet" in services.model_sentence({"versions": []})
    one = {"versions": [{"model_version": "v000002", "classes": 1, "current": True}]}
    assert services.model_sentence(one) == "Categorizer model: version 2, 1 category."
