"""The categorizer's pure model and store: small inline data, exact expected outputs."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from sidecars.categorizer.features import (
    Row,
    Vocabulary,
    amount_features,
    fold,
    fold_many,
    text_features,
)
from sidecars.categorizer.model import Example, describe_feature, train
from sidecars.categorizer.store import KEEP, ModelStore, StoreError

TINY = [
    Example("CARD PAYMENT TO TESCO STORES 3297 LONDON", -23.10, "Groceries"),
    Example("TESCO STORES 1234 LEEDS", -41.00, "Groceries"),
    Example("SAINSBURYS S/MKTS 0042", -18.20, "Groceries"),
    Example("SHELL PETROL 88 BRISTOL", -60.00, "Fuel"),
    Example("BP CONNECT 102 MANCHESTER", -55.50, "Fuel"),
    Example("ACME LTD SALARY", 2500.00, "Income"),
    Example("ACME LTD SALARY NOV", 2500.00, "Income"),
    Example("NETFLIX.COM", -9.99, "Subscriptions"),  # a class with one example
]


def test_text_features_are_named_and_stable() -> None:
    feats = text_features("CARD PAYMENT TO TESCO STORES 3297 LONDON")
    assert "p:tesco" in feats
    assert "p:tesco stores" in feats
    assert "P:tesco stores" in feats
    assert "w:3297" not in feats  # store numbers are noise
    assert "c: tes" in feats


def test_descriptions_of_one_payee_share_its_features() -> None:
    a = text_features("CARD PAYMENT TO TESCO STORES 3297 LONDON")
    b = text_features("TESCO STORES 11 LEEDS")
    payee = {f for f in a if f[:2] in ("p:", "P:", "c:")}
    assert payee == {f for f in b if f[:2] in ("p:", "P:", "c:")}
    assert {"p:tesco", "p:stores", "p:tesco stores", "P:tesco stores", "c: te"} <= payee
    assert "w:london" in a and "w:london" not in b
    assert text_features("") == ("empty-text",)


def test_amount_features() -> None:
    assert amount_features(-23.10) == ("amount:out", "amount:out ~10+")
    assert amount_features(2500.0) == ("amount:in", "amount:in ~1000+", "amount:in round")
    assert amount_features(math.nan) == ("amount:unknown",)
    assert amount_features(0.5) == ("amount:in", "amount:in ~<1")


def test_vocabulary_rows_are_unit_length_and_ignore_unknown() -> None:
    vocab = Vocabulary.fit([("a", "b"), ("a",)])
    x = vocab.transform([("a", "b"), ("zzz",), ()])
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    assert norms.tolist() == pytest.approx([1.0, 0.0, 0.0])


def test_vocabulary_counts_a_repeated_feature_once() -> None:
    vocab = Vocabulary.fit([("a", "b"), ("a",)])
    twice = vocab.transform([("a", "a", "b")]).toarray()
    once = vocab.transform([("a", "b")]).toarray()
    assert twice.tolist() == once.tolist()


def test_one_liblinear_call_fits_what_a_model_per_class_fits() -> None:
    from sklearn.linear_model import LogisticRegression

    from sidecars.categorizer import model as m

    docs = [text_features(e.description) + amount_features(e.amount) for e in TINY]
    vocab = Vocabulary.fit(docs)
    x = vocab.transform(docs)
    labels = np.array([e.category for e in TINY])
    classes = sorted(set(labels.tolist()))
    weights = np.arange(1.0, len(TINY) + 1.0)
    fitted = m._fit_all(x, labels, classes, weights)
    assert fitted is not None  # the fast path is taken with this scikit-learn
    coef, intercept = fitted
    for k, cls in enumerate(classes):
        one = LogisticRegression(C=m.C, solver="liblinear", max_iter=m.MAX_ITER, tol=m.TOL)
        one.fit(x, labels == cls, sample_weight=weights)
        assert coef[k] == pytest.approx(one.coef_[0], abs=1e-6)
        assert intercept[k] == pytest.approx(one.intercept_[0], abs=1e-6)


def test_learns_tiny_set() -> None:
    model = train(TINY)
    assert model.classes == ["Fuel", "Groceries", "Income", "Subscriptions"]
    preds = model.predict(
        [
            Row("TESCO STORES 9999 GLASGOW", -12.0),
            Row("SHELL 77 LEEDS", -70.0),
            Row("ACME LTD SALARY DEC", 2500.0),
            Row("NETFLIX.COM", -9.99),
        ]
    )
    assert [p.category for p in preds] == ["Groceries", "Fuel", "Income", "Subscriptions"]
    for p in preds:
        assert 0.0 <= p.confidence <= 1.0
        assert p.reasons
        probs = [p.confidence] + [a[1] for a in p.alternatives]
        assert probs == sorted(probs, reverse=True)
        assert sum(probs) <= 1.0 + 1e-9
    assert any('"tesco' in r for r in preds[0].reasons)
    assert len(preds[0].reasons) == len({r.split(" ")[-1] for r in preds[0].reasons})


def test_two_classes_softmax_matches_binary() -> None:
    model = train([Example("TESCO", -5, "Groceries"), Example("SHELL", -50, "Fuel")])
    (p,) = model.predict([Row("TESCO", -5)])
    assert p.category == "Groceries"
    assert p.alternatives[0][0] == "Fuel"
    assert p.confidence + p.alternatives[0][1] == pytest.approx(1.0)


def test_one_class_training_set() -> None:
    model = train([Example("TESCO", -5, "Groceries")] * 3)
    (p,) = model.predict([Row("anything at all", 10)])
    assert p.category == "Groceries"
    assert p.confidence == pytest.approx(4 / 5)  # rule of succession, not a false certainty
    assert p.reasons == ["the only category learned so far"]
    assert p.alternatives == []


def test_no_examples_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="no labeled transactions"):
        train([])


def test_unfamiliar_text_still_has_a_reason() -> None:
    model = train(TINY)
    (p,) = model.predict([Row("", math.nan)])
    assert p.reasons == ["no familiar words; the most likely category overall"]


def test_holdout_accuracy_recorded() -> None:
    examples = [Example(f"TESCO STORES {i}", -10, "Groceries") for i in range(15)] + [
        Example(f"SHELL {i}", -50, "Fuel") for i in range(15)
    ]
    examples.sort(key=lambda e: e.description)
    model = train(examples)
    assert model.meta["n_samples"] == 30
    assert model.meta["cv_accuracy"] is None or 0.0 <= model.meta["cv_accuracy"] <= 1.0
    assert train(TINY).meta["cv_accuracy"] is None  # too few to say


def test_describe_feature() -> None:
    assert describe_feature("p:tesco") == 'payee word "tesco"'
    assert describe_feature("amount:out ~10+") == "amount out ~10+"


def test_hostile_rows_predict() -> None:
    model = train(TINY)
    rows = [
        Row("X" * 100_000, -1.0),
        Row("\udcff\udcfe TESCO", -5.0),
        Row("\x00\x01\x02", math.inf),
        Row("TESCO STORES", 1e300),
    ]
    preds = model.predict(rows)
    assert len(preds) == 4
    assert preds[1].category == "Groceries"


@pytest.mark.slow
def test_200k_rows_in_process() -> None:
    model = train(TINY)
    rows = [Row(f"SHOP {i % 5000} TESCO", -float(i % 300)) for i in range(200_000)]
    preds = model.predict(rows)
    assert len(preds) == 200_000
    assert {p.category for p in preds} <= set(model.classes)


def test_store_roundtrip_versions_and_rollback(tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = ModelStore(tmp_path / "m")
    assert store.current() is None
    with pytest.raises(StoreError, match="no categorizer model"):
        store.load()
    first = train(TINY)
    v1 = store.save(first)
    assert v1 == "v000001"
    second = train(TINY[:4])
    v2 = store.save(second)
    assert store.current() == v2
    loaded = store.load()
    assert loaded.classes == second.classes
    rows = [Row("TESCO STORES 9", -3.0), Row("SHELL", -40.0)]
    assert [p.confidence for p in loaded.predict(rows)] == pytest.approx(
        [p.confidence for p in second.predict(rows)]
    )
    store.rollback(v1)
    assert store.current() == v1
    assert store.load().classes == first.classes
    assert [v["model_version"] for v in store.versions()] == [v1, v2]
    with pytest.raises(StoreError, match="no model version"):
        store.rollback("../../etc")


def test_store_keeps_the_last_few(tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = ModelStore(tmp_path)
    model = train(TINY[:4])
    names = [store.save(model) for _ in range(KEEP + 2)]
    kept = [v["model_version"] for v in store.versions()]
    assert kept == names[-KEEP:]


def test_store_refuses_damaged_version(tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = ModelStore(tmp_path)
    name = store.save(train(TINY))
    meta = json.loads((tmp_path / name / "meta.json").read_text())
    meta["vocabulary"] = meta["vocabulary"][:-1]
    (tmp_path / name / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(StoreError, match="damaged"):
        store.load()
    (tmp_path / name / "weights.npz").write_bytes(b"not numpy")
    with pytest.raises(StoreError, match="damaged"):
        store.load()


def test_model_keeps_its_folded_training_texts(tmp_path) -> None:  # type: ignore[no-untyped-def]
    model = train(TINY)
    # Folded: lower case, digits as 0, store numbers kept as 0s, one entry per distinct text.
    assert model.texts[:2] == [
        "card payment to tesco stores 0000 london",
        "tesco stores 0000 leeds",
    ]
    assert len(model.texts) == len(TINY)
    again = train([*TINY, Example("TESCO STORES 5678 LEEDS", -9.0, "Groceries")])
    assert again.texts == model.texts  # a known text with other digits is not a new one
    store = ModelStore(tmp_path)
    name = store.save(model)
    assert store.load().texts == model.texts
    (tmp_path / name / "texts.json").write_text("{not json")
    assert store.load().texts == []  # only used for warming: the model itself still loads
    (tmp_path / name / "texts.json").unlink()
    assert store.load().classes == model.classes


def test_fold_many_folds_as_fold_does() -> None:
    texts = ["POS PURCHASE TESCO 12 OCT", "Netflix.com 4471", "", "x" * 400]
    texts.append("A 12-2024 /5411 B 0042")
    assert fold_many(texts) == [
        "pos purchase tesco  ",
        "netflix.com 0000\x004471",
        "",
        "x" * 300,
        "a 00-0000 /0000 b 0000\x005411 0042",
    ]
    assert fold_many(texts) == [fold(t) for t in texts]
    # Text the batch path cannot take (non-ASCII, its own separator) is folded one by one.
    odd = ["CAF\u00c9 NOIR 12", "LINE\nBREAK 7", "TESCO 1"]
    assert fold_many(odd) == ["caf\u00e9 noir 00", "line\nbreak 0", "tesco 0"]
    assert fold_many([]) == []


def test_vocabulary_with_no_documents_and_unknown_features() -> None:
    vocab = Vocabulary.fit([("a", "b")])
    assert vocab.transform([]).shape == (0, 2)
    x = vocab.transform([("zzz", "a", "a"), ()])
    assert x.toarray().tolist() == [[1.0, 0.0], [0.0, 0.0]]


def test_predictions_are_remembered_and_warmed_exactly() -> None:
    model = train(TINY)
    rows = [Row("TESCO STORES 4321 YORK", -12.0), Row("SHELL 77 LEEDS", -70.0)]
    first = model.predict(rows)
    again = model.predict([Row("TESCO STORES 8765 YORK", -15.0)])
    assert again[0] is first[0]  # same folded text and amount features: one remembered answer
    model.clear_cache()
    fresh = model.predict(rows)
    assert fresh == first and fresh[0] is not first[0]
    # Warming with the training keys gives exactly the answers predicting would.
    warmed = train(TINY)
    assert warmed.keys[:2] == [
        ("card payment to tesco stores 0000 london", ("amount:out", "amount:out ~10+")),
        ("tesco stores 0000 leeds", ("amount:out", "amount:out ~32+", "amount:out round")),
    ]
    warmed.warm(warmed.keys)
    cold = train(TINY)
    training_rows = [Row(e.description, e.amount) for e in TINY]
    assert warmed.predict(training_rows) == cold.predict(training_rows)


def test_store_keeps_the_training_keys(tmp_path) -> None:  # type: ignore[no-untyped-def]
    model = train(TINY)
    store = ModelStore(tmp_path)
    name = store.save(model)
    assert store.load().keys == model.keys
    (tmp_path / name / "keys.json").write_text('[["tesco", ["amount:out"]], ["bad", 3], 7]')
    assert store.load().keys == [("tesco", ("amount:out",))]  # malformed entries are skipped
    (tmp_path / name / "keys.json").unlink()  # a version saved before keys were kept
    assert store.load().keys == [] and store.load().classes == model.classes


def _upi(ref: int, code: str) -> str:
    # An Indian UPI row: the same bank text, a new reference each time, and at the end the
    # merchant category code (/5411 a grocer, /0000 a person).
    return f"FEDERAL BANK - XX 3299 UPIOUT/{ref}/ Paid via /{code}"


def test_a_recurring_code_tells_apart_rows_that_differ_only_there() -> None:
    examples = [
        Example(_upi(432264216150 + i, code), -10.0, category)
        for i in range(3)
        for code, category in (("5411", "Shopping"), ("0000", "Money Transfer"))
    ]
    model = train(examples, holdout=False)
    assert {"n:5411", "n:0000", "n:3299"} <= set(model.vocabulary.names)
    new = [Row(_upi(468847024071, "5411"), -10.0), Row(_upi(468847024072, "0000"), -10.0)]
    shop, person = model.predict(new)
    assert (shop.category, person.category) == ("Shopping", "Money Transfer")
    assert shop.reasons[0] == 'number "5411"' and person.reasons[0] == 'number "0000"'
    assert shop.confidence > 0.7 and person.confidence > 0.7


def test_codes_are_short_numbers_standing_alone() -> None:
    text = "PAYMENT REF 83900332 ON 21-11-2024 2024 9.50 1,234 /0000 ref123 01APR23 XX 3299 0864"
    folded = fold(text)
    body, mark, codes = folded.partition("\x00")
    # Not codes: a long reference, a date, a year, an amount, numbers inside words.
    assert (mark, codes) == ("\x00", "0000 3299 0864")
    assert not any(ch in body for ch in "123456789")
    assert fold_many([text, "TESCO 12"]) == [folded, "tesco 00"]
    # The mark inside a description is only a space.
    assert fold("A\x00B 123") == "a b 000\x00123"


def test_a_number_seen_in_one_training_row_is_no_feature() -> None:
    model = train([*TINY, Example("SAINSBURYS S/MKTS 0042 LEEDS", -7.0, "Groceries")])
    names = set(model.vocabulary.names)
    assert "n:0042" in names  # two rows: a code
    assert "n:3297" not in names and "n:1234" not in names  # one row each: store numbers
    assert model.known_codes() == frozenset({"0042"})
    # The rows' keys keep only the codes the model learned.
    assert "card payment to tesco stores 0000 london" in model.texts
    assert "sainsburys s/mkts 0000\x000042" in model.texts
