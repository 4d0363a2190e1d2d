"""The categorizer as a real sidecar process behind a real hub: the four methods, bad params as
bad_request, hostile input answered, and the model store living in the app's data directory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from supervisor import Hub, RemoteError, ServiceSpec

TIMEOUT = 120.0

pytestmark = pytest.mark.slow  # starts a sidecar that imports scikit-learn


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("categorizer-hub")


@pytest.fixture(scope="module")
def hub(home: Path) -> Iterator[Hub]:
    """One hub with the categorizer for this module; its model store lives under `home`."""
    spec = ServiceSpec("categorizer", env={"FINCAST_HOME": str(home)})
    with Hub([spec], config_path=home / "services.toml", log_dir=home / "logs") as started:
        assert started.wait_ready(TIMEOUT), started.status()
        yield started


def ask(hub: Hub, method: str, params: dict[str, Any]) -> dict[str, Any]:
    return hub.request("categorizer", method, params, timeout=TIMEOUT).result(timeout=TIMEOUT * 2)


LABELED = [
    {
        "date": "2024-01-02",
        "description": "TESCO STORES 32",
        "amount": "-23.10",
        "category": "Food",
    },
    {"date": "2024-01-03", "description": "SHELL 88 LEEDS", "amount": "-60.00", "category": "Car"},
    {"date": "2024-01-04", "description": "TESCO STORES 11", "amount": "-8.00", "category": "Food"},
    {"date": "2024-01-05", "description": "BP 102", "amount": "-55.50", "category": "Car"},
]


def test_describe_lists_the_methods(hub: Hub) -> None:
    methods = ask(hub, "describe", {})["methods"]
    assert {"train", "predict", "versions", "rollback"} <= set(methods)


def test_builtin_model_then_train_then_rollback(hub: Hub, home: Path) -> None:
    first = ask(
        hub, "predict", {"transactions": [{"description": "SQ *STARBUCKS", "amount": "-4"}]}
    )
    (pred,) = first["predictions"]
    assert pred["category"] == "Coffee"
    assert 0 < pred["confidence"] <= 1 and pred["reasons"]
    builtin = first["model_version"]
    trained = ask(hub, "train", {"transactions": LABELED})
    assert trained["n_samples"] == 4 and trained["classes"] == ["Car", "Food"]
    assert (home / "data" / "models" / "categorizer" / trained["model_version"]).is_dir()
    after = ask(hub, "predict", {"transactions": [{"description": "TESCO 9", "amount": "-3"}]})
    assert after["model_version"] == trained["model_version"]
    assert after["predictions"][0]["category"] == "Food"
    versions = ask(hub, "versions", {})
    assert versions["current"] == trained["model_version"]
    assert [v["model_version"] for v in versions["versions"]][:1] == [builtin]
    assert ask(hub, "rollback", {"model_version": builtin})["model_version"] == builtin
    again = ask(
        hub, "predict", {"transactions": [{"description": "SQ *STARBUCKS", "amount": "-4"}]}
    )
    assert again["model_version"] == builtin


@pytest.mark.parametrize(
    ("method", "params", "message"),
    [
        ("predict", {}, "params need 'transactions'"),
        ("predict", {"transactions": [{"description": 7}]}, "description must be text"),
        ("train", {"transactions": [{"description": "x"}]}, "no category"),
        ("rollback", {"model_version": "v999999"}, "no model version"),
    ],
)
def test_bad_params_are_bad_request(
    hub: Hub, method: str, params: dict[str, Any], message: str
) -> None:
    with pytest.raises(RemoteError, match=message) as info:
        ask(hub, method, params)
    assert getattr(info.value, "code", "bad_request") == "bad_request"


def test_hostile_input_is_answered(hub: Hub) -> None:
    out = ask(
        hub,
        "predict",
        {
            "transactions": [
                {"description": "", "amount": ""},
                {"description": "B" * 100_000, "amount": "-1"},
                {"description": "caf\\xe9 \u00e9\u00e8 \u202e", "amount": "1e308"},
                {"description": "UNKNOWN CATEGORY ZONE", "amount": "-5", "category": "Nope"},
            ]
        },
    )
    assert len(out["predictions"]) == 4
    with pytest.raises(RemoteError, match="send at most"):
        ask(hub, "predict", {"transactions": [{"description": "x", "amount": "1"}] * 20_001})
    # The sidecar is still serving after all of that.
    assert ask(hub, "predict", {"transactions": []})["predictions"] == []


def test_sidecar_loads_its_model_at_start_before_any_request(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    import time

    fresh = tmp_path_factory.mktemp("categorizer-warm")
    spec = ServiceSpec("categorizer", env={"FINCAST_HOME": str(fresh)})
    builtin = fresh / "data" / "models" / "categorizer" / "v000001"
    with Hub([spec], config_path=fresh / "services.toml", log_dir=fresh / "logs") as started:
        assert started.wait_ready(TIMEOUT), started.status()
        deadline = time.monotonic() + TIMEOUT
        while not builtin.is_dir() and time.monotonic() < deadline:
            time.sleep(0.05)
        # No request was sent: the warm-up at start stored (and loaded) the built-in model.
        assert builtin.is_dir()
        first = ask(
            started, "predict", {"transactions": [{"description": "SHELL 8", "amount": "-9"}]}
        )
        assert first["model_version"] == "v000001"
