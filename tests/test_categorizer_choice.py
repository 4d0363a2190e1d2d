"""The categorizer's choice between our features and a word model (model.train): small inline
data where one of them clearly cannot learn the categories, so the choice is known in advance."""

from __future__ import annotations

import itertools
import json

import pytest

from sidecars.categorizer.engine import Categorizer
from sidecars.categorizer.features import Row
from sidecars.categorizer.model import CHOOSE_MIN_ROWS, Example, train
from sidecars.categorizer.store import ModelStore

# Three words at the end of a constant payee; the category is the parity of how many are the
# second of their pair. Word pairs cannot express a parity of three (no sum of pair scores does),
# the whole-payee feature only sees the constant prefix, and the amount is constant: only the
# word model's 3-grams can learn it.
TRIPLES = list(itertools.product(("north", "south"), ("red", "blue"), ("cat", "dog")))


def parity(triple: tuple[str, ...]) -> str:
    odd = sum(w in ("south", "blue", "dog") for w in triple) % 2
    return "Odd" if odd else "Even"


def text(triple: tuple[str, ...]) -> str:
    return "SHOP ONE TWO THREE " + " ".join(triple).upper()


def parity_examples(n: int) -> list[Example]:
    order = [TRIPLES[(i * 3) % 8] for i in range(8)] * (n // 8 + 1)
    return [Example(text(t), -10.0, parity(t)) for t in order[:n]]


def sign_examples(n: int) -> list[Example]:
    """One text for every row; only the amount's sign tells the category (the word model reads
    no amount)."""
    return [
        Example("TRANSFER", 100.0, "Income") if i % 2 else Example("TRANSFER", -100.0, "Savings")
        for i in range(n)
    ]


def test_the_word_model_is_chosen_where_only_word_triples_tell() -> None:
    model = train(parity_examples(200))
    assert model.meta["chosen"] == "words"
    assert model.meta["choice"]["holdout_rows"] == 60
    assert model.meta["choice"]["words"] == 60
    assert model.meta["choice"]["features"] <= 40
    assert model.meta["cv_accuracy"] == 1.0
    preds = model.predict([Row(text(t), -10.0) for t in TRIPLES])
    assert [p.category for p in preds] == [parity(t) for t in TRIPLES]
    for t, p in zip(TRIPLES, preds, strict=True):
        # Scaled on 60 held-out rows all right: confident, but never certain (rule of succession).
        assert 0.9 < p.confidence < 1.0
        assert p.reasons[0] == f'words "{" ".join(t)}"'
        assert [c for c, _ in p.alternatives] == ["Odd" if parity(t) == "Even" else "Even"]
        assert p.confidence + sum(pr for _, pr in p.alternatives) == pytest.approx(1.0)


def test_our_features_are_kept_where_the_amount_tells() -> None:
    model = train(sign_examples(200))
    assert model.meta["chosen"] == "features"
    assert model.meta["choice"] == {
        "chosen": "features",
        "holdout_rows": 60,
        "features": 60,
        "words": 30,
    }
    preds = model.predict([Row("TRANSFER", 250.0), Row("TRANSFER", -250.0)])
    assert [p.category for p in preds] == ["Income", "Savings"]


def test_no_choice_with_few_rows_or_one_class() -> None:
    few = train(parity_examples(CHOOSE_MIN_ROWS - 1))
    assert few.meta["chosen"] is None and few.meta["choice"] is None
    assert not few.reads_words()
    one = train([Example(f"SHOP {i}", -5.0, "Food") for i in range(200)])
    assert one.meta["chosen"] is None
    assert one.predict([Row("SHOP 3", -5.0)])[0].confidence == pytest.approx(201 / 202)
    # Enough rows, but the older 70% hold one class: nothing to compare the models on.
    late = [Example("A", -1.0, "X")] * 150 + [Example("B", -1.0, "Y")] * 50
    assert train(late).meta["chosen"] is None


def test_a_word_model_is_stored_loaded_and_rolled_back(tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = ModelStore(tmp_path)
    ours = train(sign_examples(200))
    words = train(parity_examples(200))
    v1, v2 = store.save(ours), store.save(words)
    rows = [Row(text(t), -10.0) for t in TRIPLES]
    loaded = store.load()
    assert loaded.reads_words()
    got, want = loaded.predict(rows), words.predict(rows)
    assert [p.category for p in got] == [p.category for p in want]
    assert [p.confidence for p in got] == pytest.approx([p.confidence for p in want])
    assert [p.reasons for p in got] == [p.reasons for p in want]
    loaded.warm(loaded.keys)  # the warm keys are what its predictions ask for
    assert len(loaded._answers) == len(loaded.keys) == 8
    assert not store.rollback(v1).reads_words()
    assert store.rollback(v2).reads_words()


def test_a_version_saved_before_the_choice_still_loads(tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = ModelStore(tmp_path)
    model = train(sign_examples(200))
    name = store.save(model)
    meta = json.loads((tmp_path / name / "meta.json").read_text())
    for key in ("chosen", "choice", "features"):
        meta.pop(key, None)
    (tmp_path / name / "meta.json").write_text(json.dumps(meta))
    loaded = store.load()
    assert not loaded.reads_words()
    assert loaded.predict([Row("TRANSFER", 9.0)])[0].category == "Income"


def test_train_reply_says_which_model(tmp_path) -> None:  # type: ignore[no-untyped-def]
    categorizer = Categorizer(ModelStore(tmp_path))
    params = {
        "transactions": [
            {
                "date": "2024-01-01",
                "description": e.description,
                "amount": "-10.00",
                "category": e.category,
            }
            for e in parity_examples(200)
        ]
    }
    out = categorizer.train(params)
    assert out["chosen"] == "words"
    assert out["cv_accuracy"] == 1.0
    reply = categorizer.predict(
        {"transactions": [{"description": text(TRIPLES[1]), "amount": "-1"}]}
    )
    pred = reply["predictions"][0]
    assert pred["category"] == parity(TRIPLES[1])
    assert pred["reasons"] and pred["alternatives"][0]["category"] == "Even"
    assert 0.9 < pred["confidence"] < 1.0
    assert categorizer.warm_up() >= 0.0


def test_the_choice_reads_only_the_newest_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    from sidecars.categorizer import model as model_module

    monkeypatch.setattr(model_module, "CHOOSE_MAX_ROWS", 200)
    model = train(parity_examples(400))
    assert model.meta["choice"]["holdout_rows"] == 60
    assert model.meta["n_samples"] == 400
    assert model.meta["class_counts"] == {"Even": 200, "Odd": 200}  # the kept model saw every row
