"""The categorizer's sidecar state (engine.py) called directly: params in, wire-shaped dicts out."""

from __future__ import annotations

import math
import threading

import pytest

from sidecars.categorizer.engine import (
    MAX_PREDICT,
    Categorizer,
    InputError,
    default_examples,
    parse_columns,
    parse_rows,
)
from sidecars.categorizer.features import Row
from sidecars.categorizer.store import ModelStore

LABELED = [
    {
        "date": "2024-01-02",
        "description": "TESCO STORES 3297",
        "amount": "-23.10",
        "category": "Food",
    },
    {"date": "2024-01-03", "description": "SHELL 88 LEEDS", "amount": "-60.00", "category": "Car"},
    {"date": "2024-01-04", "description": "TESCO STORES 11", "amount": "-8.00", "category": "Food"},
    {"date": "2024-01-05", "description": "BP 102", "amount": "-55.50", "category": "Car"},
]


@pytest.fixture
def categorizer(tmp_path) -> Categorizer:  # type: ignore[no-untyped-def]
    return Categorizer(ModelStore(tmp_path / "models"))


def test_defaults_file_is_rich_enough() -> None:
    examples = default_examples()
    assert len(examples) >= 300
    assert len({e.category for e in examples}) >= 20


def test_new_user_gets_the_builtin_model(categorizer: Categorizer) -> None:
    out = categorizer.predict(
        {
            "transactions": [
                {"description": "CARD PAYMENT TO TESCO STORES 3297 LONDON", "amount": "-23.10"}
            ]
        }
    )
    assert out["model_version"] == "v000001"
    (pred,) = out["predictions"]
    assert pred["category"] == "Groceries"
    assert set(pred) == {"category", "confidence", "reasons", "alternatives"}
    assert categorizer.versions({})["versions"][0]["source"] == "builtin"


def test_train_swaps_in_the_users_model(categorizer: Categorizer) -> None:
    out = categorizer.train({"transactions": LABELED})
    assert out == {
        "model_version": "v000002"
        if categorizer.store.current() == "v000002"
        else out["model_version"],
        "n_samples": 4,
        "classes": ["Car", "Food"],
        "cv_accuracy": None,
        "chosen": None,
    }
    pred = categorizer.predict(
        {"transactions": [{"description": "TESCO STORES 5", "amount": "-3"}]}
    )
    assert pred["model_version"] == out["model_version"]
    assert pred["predictions"][0]["category"] == "Food"


def test_train_with_defaults_keeps_common_categories(categorizer: Categorizer) -> None:
    out = categorizer.train({"transactions": LABELED, "include_defaults": True})
    assert {"Food", "Car", "Groceries", "Fuel"} <= set(out["classes"])


def test_versions_and_rollback(categorizer: Categorizer) -> None:
    first = categorizer.train({"transactions": LABELED})["model_version"]
    second = categorizer.train({"transactions": LABELED[:2]})["model_version"]
    listed = categorizer.versions({})
    assert listed["current"] == second
    back = categorizer.rollback({"model_version": first})
    assert back == {"model_version": first, "classes": ["Car", "Food"]}
    assert categorizer.predict({"transactions": []}) == {"model_version": first, "predictions": []}
    with pytest.raises(InputError, match="no model version 'v999999'"):
        categorizer.rollback({"model_version": "v999999"})
    with pytest.raises(InputError, match="needs 'model_version'"):
        categorizer.rollback({})


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "params need 'transactions'"),
        ({"transactions": "nope"}, "params need 'transactions'"),
        ({"transactions": [1]}, "transaction 0 is not an object"),
        ({"transactions": [{"description": 5, "amount": "1"}]}, "description must be text"),
        ({"transactions": [{"description": "x", "amount": "ten"}]}, "is not a number"),
        ({"transactions": [{"description": "x", "amount": [1]}]}, "amount must be a decimal"),
    ],
)
def test_bad_predict_params(categorizer: Categorizer, params: dict, message: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(InputError, match=message):
        categorizer.predict(params)


def test_bad_train_params(categorizer: Categorizer) -> None:
    with pytest.raises(InputError, match="no category"):
        categorizer.train({"transactions": [{"description": "x", "amount": "1"}]})
    with pytest.raises(InputError, match="no labeled transactions"):
        categorizer.train({"transactions": []})
    with pytest.raises(InputError, match="over 200 characters"):
        categorizer.train({"transactions": [{"description": "x", "category": "c" * 201}]})


def test_hostile_predict_inputs(categorizer: Categorizer) -> None:
    out = categorizer.predict(
        {
            "transactions": [
                {"description": "", "amount": ""},
                {"description": "A" * 100_000, "amount": "-1.00"},
                {"description": "caf\udce9 \udcff NERO", "amount": "-3.20"},
                {"amount": None, "unknown_field": {"x": 1}},
                {"description": "TESCO", "amount": "nan"},
            ]
        }
    )
    assert len(out["predictions"]) == 5
    for p in out["predictions"]:
        assert 0.0 <= p["confidence"] <= 1.0 and p["reasons"]


def test_too_many_rows_is_a_clear_error(categorizer: Categorizer) -> None:
    rows = [{"description": "x", "amount": "1"}] * (MAX_PREDICT + 1)
    with pytest.raises(InputError, match=f"send at most {MAX_PREDICT} per request"):
        categorizer.predict({"transactions": rows})
    big = [{"description": "x", "amount": "1", "category": "c"}] * 200_000
    with pytest.raises(InputError, match="send at most"):
        categorizer.train({"transactions": big})


@pytest.mark.slow
def test_predict_serves_while_training(categorizer: Categorizer) -> None:
    categorizer.model()
    many = [
        {"description": f"SHOP {i} TESCO", "amount": "-1", "category": f"c{i % 30}"}
        for i in range(3000)
    ]
    done = threading.Event()

    def fit() -> None:
        categorizer.train({"transactions": many})
        done.set()

    worker = threading.Thread(target=fit)
    worker.start()
    served = 0
    while not done.is_set() and served < 10_000:
        out = categorizer.predict({"transactions": [{"description": "TESCO", "amount": "-1"}]})
        assert out["predictions"][0]["category"]
        served += 1
    worker.join(timeout=600)
    assert not worker.is_alive()
    assert served >= 1


def test_warm_up_loads_the_model_that_requests_then_use(categorizer: Categorizer) -> None:
    assert categorizer.store.current() is None
    assert categorizer.warm_up() >= 0.0
    assert categorizer.store.current() == "v000001"  # the built-in model, stored once
    out = categorizer.predict({"transactions": [{"description": "SHELL 88", "amount": "-40"}]})
    assert out["model_version"] == "v000001"
    assert [v["model_version"] for v in categorizer.versions({})["versions"]] == ["v000001"]


def test_concurrent_first_requests_share_one_load(categorizer: Categorizer) -> None:
    got: list[object] = []
    threads = [threading.Thread(target=lambda: got.append(categorizer.model())) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert len(got) == 4 and all(m is got[0] for m in got)
    assert len(categorizer.versions({})["versions"]) == 1


def test_amounts_parse_in_the_forms_banks_send() -> None:
    rows = parse_rows(
        {
            "transactions": [
                {"description": "a", "amount": "1,234.50"},
                {"description": "b", "amount": " -3.20 "},
                {"description": "c", "amount": 7},
                {"description": "d", "amount": "inf"},
                {"description": "caf\u00e9 \udcff", "amount": -1.5},
            ]
        }
    )
    assert [r.amount for r in rows[:3]] == [1234.5, -3.2, 7.0]
    assert math.isnan(rows[3].amount)
    assert rows[4] == rows[4].__class__("caf\u00e9 ", -1.5)  # the lone surrogate is dropped
    with pytest.raises(InputError, match="transaction 0: amount '12 EUR' is not a number"):
        parse_rows({"transactions": [{"description": "x", "amount": "12 EUR"}]})


def test_identical_rows_get_identical_answers(categorizer: Categorizer) -> None:
    row = {"description": "CARD PAYMENT TO TESCO STORES 3297", "amount": "-5"}
    other = {"description": "SHELL 88 LEEDS", "amount": "-60"}
    out = categorizer.predict({"transactions": [row, other, dict(row)]})["predictions"]
    assert out[0] == out[2] and out[0]["category"] != out[1]["category"]


def test_collection_pauses_during_requests_and_resumes_after() -> None:
    import gc

    from sidecars.categorizer.gc_pause import gc_paused

    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():  # nested (or a second request at the same time)
            assert not gc.isenabled()
        assert not gc.isenabled()  # still one request running
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()  # a pause never turns on what someone else turned off
    finally:
        gc.enable()
    with pytest.raises(RuntimeError), gc_paused():
        raise RuntimeError("a request that fails")
    assert gc.isenabled()


def test_warm_up_computes_the_features_of_known_merchants(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from sidecars.categorizer import features

    Categorizer(ModelStore(tmp_path / "models")).train({"transactions": LABELED})
    restarted = Categorizer(ModelStore(tmp_path / "models"))  # as a new sidecar process would
    features.clear_cache()
    restarted.warm_up()
    before = features._text_features.cache_info().hits
    # A known merchant with a new store number, read as a model reads it: a code it never learned
    # is left out of the row's key (keep_codes).
    (known,) = features.keep_codes([features.fold("TESCO STORES 4455")], frozenset())
    features.key_features((known, ()))
    assert features._text_features.cache_info().hits == before + 1
    features.text_features("NEVER SEEN MERCHANT")
    assert features._text_features.cache_info().hits == before + 1


def test_usual_and_unusual_requests_parse_alike() -> None:
    usual = [{"description": "TESCO 12", "amount": "-3.20"}, {"description": "BP", "amount": 7}]
    assert parse_columns({"transactions": usual}) == (["TESCO 12", "BP"], [-3.2, 7.0])
    # One unusual row sends the whole request through the row-by-row checks, with the same result
    # for the usual rows.
    mixed = [*usual, {"description": None, "amount": ""}, {"description": "x", "amount": "1,5"}]
    texts, amounts = parse_columns({"transactions": mixed})
    assert texts == ["TESCO 12", "BP", "", "x"]
    assert amounts[:2] == [-3.2, 7.0] and math.isnan(amounts[2]) and amounts[3] == 15.0
    texts, amounts = parse_columns({"transactions": [{"description": "A", "amount": "-inf"}]})
    assert texts == ["A"] and math.isnan(amounts[0])
    with pytest.raises(InputError, match="transaction 1: amount must be a decimal"):
        parse_columns({"transactions": [*usual[:1], {"description": "x", "amount": True}]})
    with pytest.raises(InputError, match="transaction 2: description must be text, not int"):
        parse_columns({"transactions": [*usual, {"description": 5}]})


def test_replies_are_built_once_and_follow_the_model_in_use(categorizer: Categorizer) -> None:
    row = {"description": "TESCO STORES 3297", "amount": "-5"}
    first = categorizer.predict({"transactions": [row]})["predictions"][0]
    again = categorizer.predict({"transactions": [dict(row, description="TESCO STORES 4410")]})
    assert again["predictions"][0] is first  # the same remembered answer, the same reply
    categorizer.train({"transactions": LABELED})
    after = categorizer.predict({"transactions": [row]})["predictions"][0]
    assert after is not first and after["category"] == "Food"


def test_warm_up_predicts_the_training_keys(tmp_path) -> None:  # type: ignore[no-untyped-def]
    Categorizer(ModelStore(tmp_path / "models")).train({"transactions": LABELED})
    restarted = Categorizer(ModelStore(tmp_path / "models"))
    restarted.warm_up()
    model = restarted.model()
    remembered = [model._answers[key] for key in model.keys]
    assert [p.category for p in remembered] == ["Food", "Car", "Food", "Car"]
    # A known merchant at a familiar amount with a new store number is answered from memory.
    (p,) = model.predict([Row("TESCO STORES 5555", -23.99)])
    assert p is remembered[0]


def test_a_users_label_of_a_payee_outranks_the_builtin_rows_of_it(
    categorizer: Categorizer,
) -> None:
    """One correction of a payee the built-in examples know under another category: with the
    defaults' rows of that payee left out, the user's category comes back sure enough to be set
    (the desktop's threshold), not as a mere suggestion; other payees keep the defaults."""
    from desktop.categorizing import CONFIDENCE_THRESHOLD

    own = {"date": "2024-01-01", "description": "NETFLIX.COM", "amount": "-9.99"}
    categorizer.train(
        {"transactions": [{**own, "category": "Entertainment"}], "include_defaults": True}
    )
    [netflix, tesco] = categorizer.predict(
        {
            "transactions": [
                {"date": "2024-02-01", "description": "NETFLIX.COM", "amount": "-9.99"},
                {"date": "2024-02-02", "description": "TESCO STORES 3297", "amount": "-41.20"},
            ]
        }
    )["predictions"]
    assert netflix["category"] == "Entertainment"
    assert netflix["confidence"] >= CONFIDENCE_THRESHOLD
    assert tesco["category"] == "Groceries"
