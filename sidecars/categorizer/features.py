"""Feature extraction for the categorizer: one transaction -> a bag of named features.

Words and word pairs of the normalized payee and of the raw description, character n-grams of the
payee (so "Tesco Stores" and "Tesco Express" share evidence), the short numbers that stand alone in
the description (codes such as a merchant category code "/5411" or an account's last four digits,
which banks repeat row after row), and the amount's sign and size.
Feature names are human-readable because they double as the "reasons" a prediction gives.
Pure Python + numpy/scipy; never imports scikit-learn (prediction must not pay for it).
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
from scipy import sparse

from data.payee import normalize_payee, strip_zeroed_dates

# Descriptions beyond this are truncated: real ones are < 200 characters, and a 100 KB one must not
# cost 100 KB of n-grams.
MAX_TEXT = 300
# Character n-gram lengths over each payee word. Measured on the labeled sets: (3, 4) scored
# exactly as (3, 4, 5) on all three and trains ~30% faster (fewer non-zeros per row).
CHAR_NGRAMS = (3, 4)
_WORD_RE = re.compile(r"[^\W\d_][\w&'.\-]*|\d+", re.UNICODE)
# A code: 3 to 6 digits standing alone, not part of a word ("ref123", "01apr23"), of a longer run
# (references, card and account numbers), or of a date, time or amount ("21-11-2024", "9.50",
# "1,234"). Real bank strings carry such codes as their only merchant signal: Indian UPI rows end
# in the merchant category code ("/5411" a grocer, "/0000" a person). Every other number is folded
# to zeros (see fold), so a code is kept beside the folded text, after CODES_MARK.
# The pattern starts with its first digit (the lookbehinds check what stands before it) so the
# regex engine skips to digits: half the time of leading lookbehinds over a 10k-row batch.
_CODE_RE = re.compile(r"[0-9](?<!\w[0-9])(?<![0-9][-/.:,][0-9])[0-9]{2,5}(?!\w)(?![-/.:,][0-9])")
# Years are dates, not codes: "2024" drifts with time.
_YEAR_RE = re.compile(r"(?:19|20)[0-9][0-9]")
# Separates a folded text from its codes; removed from the text itself first.
CODES_MARK = "\x00"


class Row(NamedTuple):
    """What the model sees of one transaction (a named tuple: built 10k times per request)."""

    description: str
    amount: float


def _words(text: str) -> list[str]:
    return [w for w in map(_word, _WORD_RE.findall(text.lower())) if w]


@lru_cache(maxsize=100_000)
def _word(raw: str) -> str:
    """One token as a feature word, or "" to leave it out (cached: statements repeat words)."""
    w = raw.strip(".'-")
    # Reference numbers and card digits are noise; short numbers (store sizes, "7") are kept
    # only as their length so "24" and "31" look alike.
    if w and not w.isalpha() and any(ch.isdigit() for ch in w):
        digits = sum(ch.isdigit() for ch in w)
        if digits >= 3 or w.isdigit():
            return ""
    return w


# Lower case and every digit a 0 in one pass. bytes.translate on ASCII text (nearly every bank
# description) is ~6x faster than str.translate; other text takes the str path.
_DIGITS_TO_ZERO = str.maketrans("123456789", "000000000")
_ASCII_FOLD = bytes.maketrans(
    b"123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", b"000000000abcdefghijklmnopqrstuvwxyz"
)


def _codes(matches: Iterable[str]) -> str:
    return " ".join(c for c in matches if not _YEAR_RE.fullmatch(c))


@lru_cache(maxsize=100_000)
def fold(description: str) -> str:
    """The description as the model reads it: truncated, lower case, every digit a 0, dates and
    card numbers gone, then its codes (see _CODE_RE) after CODES_MARK. Which card, date or
    reference a row names says nothing about its category, and rows that differ only there (most
    of a statement) then share their features and one cache entry. (Every feature is lower case
    anyway.)"""
    text = description[:MAX_TEXT]
    if CODES_MARK in text:
        text = text.replace(CODES_MARK, " ")
    codes = _codes(_CODE_RE.findall(text))
    if text.isascii():
        text = text.encode().translate(_ASCII_FOLD).decode()
    else:
        text = text.lower().translate(_DIGITS_TO_ZERO)
    return _without_dates(text) + (CODES_MARK + codes if codes else "")


def fold_many(descriptions: Sequence[str]) -> list[str]:
    """`fold` of every description, in order. ASCII batches (nearly every statement) are lowered
    and zeroed in one bytes.translate over all of them joined: a 10k-row request of new text then
    costs one C pass instead of 10k calls (measured ~4x faster than mapping `fold`)."""
    texts = descriptions
    if max(map(len, texts), default=0) > MAX_TEXT:
        texts = [t[:MAX_TEXT] for t in texts]
    joined = "\n".join(texts)
    # A description holding the separator or the codes mark (or any non-ASCII text) takes the
    # one-by-one path.
    if (
        not texts
        or not joined.isascii()
        or joined.count("\n") != len(texts) - 1
        or CODES_MARK in joined
    ):
        return list(map(fold, descriptions))
    zeroed = joined.encode().translate(_ASCII_FOLD).decode().split("\n")
    out = list(map(_without_dates, zeroed))
    # Codes found in one regex pass over the whole batch, each given to its row by where it starts.
    found = [(m.start(), m.group()) for m in _CODE_RE.finditer(joined)]
    if found:
        newlines = np.flatnonzero(np.frombuffer(joined.encode(), dtype=np.uint8) == 10)
        rows = np.searchsorted(newlines, [start for start, _ in found]).tolist()
        by_row: dict[int, list[str]] = {}
        for row, (_, code) in zip(rows, found, strict=True):
            by_row.setdefault(row, []).append(code)
        for row, matches in by_row.items():
            codes = _codes(matches)
            if codes:
                out[row] += CODES_MARK + codes
    return out


@lru_cache(maxsize=100_000)
def _without_dates(zeroed: str) -> str:
    # Cached apart from fold(): rows that differ only in their digits (dates, references) reach
    # here as one string, so the regex runs once for all of them.
    return strip_zeroed_dates(zeroed)


def keep_codes(folded: Sequence[str], known: frozenset[str]) -> list[str]:
    """Each folded text with only the `known` codes (those a model learned). A code no model
    learned is a reference or a store number, noise like the digits fold zeroes; dropping it keeps
    rows that differ only there on one cache entry, as before codes were read."""
    out = list(folded)
    for i, text in enumerate(out):
        if CODES_MARK in text:
            body, _, codes = text.partition(CODES_MARK)
            kept = " ".join(c for c in codes.split() if c in known)
            out[i] = body + CODES_MARK + kept if kept else body
    return out


def text_features(description: str) -> tuple[str, ...]:
    """Text features of one description."""
    return _text_features(fold(description))


@lru_cache(maxsize=200_000)
def _text_features(description: str) -> tuple[str, ...]:
    description, _, codes = description.partition(CODES_MARK)
    dw = _words(description)
    # List comprehensions, not generators fed to extend(): this runs for every new text.
    feats = ["w:" + w for w in dw]
    feats += [f"w:{a} {b}" for a, b in itertools.pairwise(dw)]
    if codes:
        feats += ["n:" + c for c in codes.split()]
    out = _payee_features(normalize_payee(description)) + tuple(feats)
    return out or ("empty-text",)


@lru_cache(maxsize=100_000)
def _payee_features(payee: str) -> tuple[str, ...]:
    """The features of one normalized payee (cached apart: many descriptions share a payee)."""
    pw = _words(payee)
    feats = ["p:" + w for w in pw]
    feats += [f"p:{a} {b}" for a, b in itertools.pairwise(pw)]
    if pw:
        feats.append("P:" + " ".join(pw[:4]))
    # char_wb-style n-grams of each payee word: robust to truncation ("Woolworths" / "Woolwort").
    for w in pw[:8]:
        feats += _char_ngrams(w)
    return tuple(feats)


@lru_cache(maxsize=100_000)
def _char_ngrams(word: str) -> tuple[str, ...]:
    """The character n-gram features of one payee word (cached: merchants share words)."""
    padded = f" {word} "
    return tuple("c:" + padded[i : i + n] for n in CHAR_NGRAMS for i in range(len(padded) - n + 1))


@lru_cache(maxsize=65_536)
def amount_features(amount: float) -> tuple[str, ...]:
    """Sign, order of magnitude (half-decades) and roundness of the amount."""
    if not math.isfinite(amount):
        return ("amount:unknown",)
    size = abs(amount)
    bucket = int(math.log10(size) * 2) if size >= 1 else -1
    return _amount_names(amount < 0, bucket, size >= 1 and size == int(size))


@lru_cache(maxsize=1024)
def _amount_names(out: bool, bucket: int, whole: bool) -> tuple[str, ...]:
    sign = "out" if out else "in"
    label = "<1" if bucket < 0 else f"{10 ** (bucket / 2):.0f}+"
    names = (f"amount:{sign}", f"amount:{sign} ~{label}")
    return (*names, f"amount:{sign} round") if whole else names


RowKey = tuple[str, tuple[str, ...]]


def row_key(row: Row) -> RowKey:
    """What decides a row's features, cheap to hash: its folded text and its amount features."""
    return fold(row.description), amount_features(row.amount)


def key_features(key: RowKey) -> tuple[str, ...]:
    """Every feature of a row, from its key."""
    return _text_features(key[0]) + key[1]


def prime(folded_texts: Iterable[str]) -> None:
    """Compute and cache the features of already-folded texts (a model's training texts)."""
    for text in folded_texts:
        _text_features(text)


def clear_cache() -> None:
    """Forget cached features (benchmarks measure cold prediction with it)."""
    fold.cache_clear()
    _without_dates.cache_clear()
    _text_features.cache_clear()
    _payee_features.cache_clear()
    _word.cache_clear()
    _char_ngrams.cache_clear()
    normalize_payee.cache_clear()
    amount_features.cache_clear()
    word_ngrams.cache_clear()


def row_features(row: Row) -> tuple[str, ...]:
    """Every feature of one transaction."""
    return key_features(row_key(row))


class Vocabulary:
    """Feature name -> column, with idf weights; built at training, frozen for prediction."""

    def __init__(self, names: Sequence[str], idf: npt.NDArray[np.float64]) -> None:
        self.names = list(names)
        self.index = {name: i for i, name in enumerate(self.names)}
        self.idf = np.asarray(idf, dtype=np.float64)

    @classmethod
    def fit(
        cls,
        docs: Sequence[tuple[str, ...]],
        counts: Sequence[float] | npt.NDArray[np.float64] | None = None,
        char_min_df: int = 1,
        number_min_df: int = 1,
    ) -> Vocabulary:
        """Learn the vocabulary and smooth idf from training documents (`counts`: how many rows
        each document stands for). Character n-grams seen in fewer than `char_min_df` rows, and
        codes (n:) in fewer than `number_min_df`, are left out (words never are: one example of a
        merchant must be enough to learn it)."""
        weights = [1.0] * len(docs) if counts is None else [float(c) for c in counts]
        df: dict[str, float] = {}
        for doc, w in zip(docs, weights, strict=True):
            for f in set(doc):
                df[f] = df.get(f, 0.0) + w
        least = {"c:": char_min_df, "n:": number_min_df}
        names = sorted(f for f, c in df.items() if c >= least.get(f[:2], 0))
        n = sum(weights)
        idf = np.array([math.log((1 + n) / (1 + df[f])) + 1.0 for f in names], dtype=np.float64)
        return cls(names, idf)

    def counts(self, docs: Iterable[tuple[str, ...]]) -> Any:
        """A CSR matrix of how often each known feature stands in each document."""
        # One C-level pass over every feature name (map + fromiter) instead of a Python loop per
        # document: this is most of what predicting a new statement costs.
        docs = docs if isinstance(docs, list) else list(docs)
        n_docs = len(docs)
        lens = np.fromiter(map(len, docs), dtype=np.int64, count=n_docs)
        flat = list(itertools.chain.from_iterable(docs))
        cols = np.fromiter(
            map(self.index.get, flat, itertools.repeat(-1)), dtype=np.int64, count=len(flat)
        )
        keep = cols >= 0
        # The rows are already in order: build the CSR arrays directly (no COO detour), then
        # merge a feature repeated in one document into one entry holding its count.
        rows = np.repeat(np.arange(n_docs, dtype=np.int64), lens)
        indptr = np.zeros(n_docs + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows[keep], minlength=n_docs), out=indptr[1:])
        x = sparse.csr_matrix(
            (np.ones(int(indptr[-1])), cols[keep], indptr), shape=(n_docs, len(self.names))
        )
        x.sum_duplicates()
        return x

    def transform(self, docs: Iterable[tuple[str, ...]]) -> Any:
        """A CSR matrix of binary-tf * idf features, each row L2-normalized."""
        x = self.counts(docs)
        n_docs = x.shape[0]
        x.data = self.idf[x.indices]  # binary tf: a count becomes the feature's idf
        per_row = np.diff(x.indptr)
        norms = np.sqrt(
            np.bincount(np.repeat(np.arange(n_docs), per_row), x.data**2, minlength=n_docs)
        )
        norms[norms == 0] = 1.0
        x.data /= np.repeat(norms, per_row)
        return x


# The word model's tokens (see model.train's choice): scikit-learn CountVectorizer's default, two
# or more word characters, as smart_importer reads a narration.
_TOKEN_RE = re.compile(r"(?u)\b\w\w+\b")
WORD_NGRAMS = 3


@lru_cache(maxsize=100_000)
def word_ngrams(folded: str) -> tuple[str, ...]:
    """The word model's features of one folded text: every word 1- to 3-gram, repeats kept (it
    counts them). Codes are left out: the folded words already carry them as zeros."""
    tokens = _TOKEN_RE.findall(folded.partition(CODES_MARK)[0])
    feats = []
    for n in range(1, WORD_NGRAMS + 1):
        feats += ["g:" + " ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]
    return tuple(feats) or ("empty-text",)


class CountVocabulary(Vocabulary):
    """Feature name -> column for the word model: raw counts, no idf, no normalization (what
    smart_importer's CountVectorizer gives its LinearSVC; measured: binary L2-normalized rows
    lost 1-3 rows of 91 on the Indian UPI set)."""

    def transform(self, docs: Iterable[tuple[str, ...]]) -> Any:
        """A CSR matrix of raw counts (a repeated n-gram counts again)."""
        return self.counts(docs)
