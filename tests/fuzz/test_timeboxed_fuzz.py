"""Time-boxed fuzzing of the two doors hostile bytes come through: the CSV importer and the wire
decoder. `make fuzz` runs these for FUZZ_SECONDS each (a short setting by default); in the normal
suite they run one round. Hypothesis mutates real exports (byte flips, truncation, inserted
delimiters, quotes and encodings) and random MessagePack; the only acceptable outcomes are parsed
rows, RowErrors, ImportProblem, or ProtocolError. Anything else is a finding: shrink it, and add the
minimal input as a regression test beside the stage it broke (tests/test_import_*.py,
tests/test_protocol.py)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from itertools import islice
from pathlib import Path

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from data.importer import ImportProblem, ParsedRow, RowError, detect, iter_rows
from sidecars import protocol

FUZZ_SECONDS = float(os.environ.get("FUZZ_SECONDS", "0"))
SHARED_SAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "samples" / "bank-csv"

# A few inline statements keep the importer fuzz meaningful where ../shared is absent.
SEEDS: list[bytes] = [
    b"Date,Description,Amount,Balance\n2024-01-02,COFFEE,-3.50,96.50\n2024-01-03,PAY,100.00,196.50\n",
    "Buchungstag;Verwendungszweck;Betrag\n02.01.2024;Miete;-1.200,00\n03.01.2024;Gehalt;2.500,00\n".encode(
        "cp1252"
    ),
    b"\xff\xfeD\x00a\x00t\x00e\x00,\x00A\x00m\x00o\x00u\x00n\x00t\x00\n\x00",
    b"01/02/2024\tTESCO\t12.00\t\n02/02/2024\tSALARY\t\t1000.00\n",
]
if SHARED_SAMPLES.is_dir():
    SEEDS += [p.read_bytes()[:20_000] for p in sorted(SHARED_SAMPLES.glob("*.csv"))[:40]]

INSERTS = [
    b",",
    b";",
    b"\t",
    b'"',
    b"\n",
    b"\r\n",
    b"\x00",
    b"\xe9",
    b"-",
    b"(",
    b"1.234,56",
    b"\xef\xbb\xbf",
]


@st.composite
def mutated_statements(draw: st.DrawFn) -> bytes:
    """A real statement with a few random edits, or plain random bytes."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=2048))
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 6))):
        if not data:
            break
        pos = draw(st.integers(0, len(data) - 1))
        op = draw(st.integers(0, 3))
        if op == 0:
            data[pos] = draw(st.integers(0, 255))
        elif op == 1:
            data[pos:pos] = draw(st.sampled_from(INSERTS))
        elif op == 2:
            del data[pos : pos + draw(st.integers(1, 64))]
        else:
            data = data[:pos]
    return bytes(data)


def consume(data: bytes) -> None:
    """Detect and parse as the ledger would; bounded so that a huge mutation stays quick."""
    try:
        for item in islice(iter_rows(detect(data)), 5_000):
            assert isinstance(item, ParsedRow | RowError)
            if isinstance(item, RowError):
                assert item.line >= 1 and item.reason
    except ImportProblem as problem:
        assert str(problem).strip(), "an ImportProblem must say what is wrong"


@st.composite
def wire_frames(draw: st.DrawFn) -> bytes:
    """Random bytes, or MessagePack maps that look like messages with wrong or missing fields."""
    if draw(st.booleans()):
        return draw(st.binary(max_size=1024))
    keys = st.sampled_from(
        [
            "kind",
            "v",
            "id",
            "service",
            "method",
            "params",
            "deadline_ms",
            "ok",
            "result",
            "error",
            "token",
            "pid",
            "methods",
            "code",
            "message",
            "x",
        ]
    )
    leaves = (
        st.none()
        | st.booleans()
        | st.integers(-(2**63), 2**63 - 1)
        | st.floats()
        | st.text(max_size=20)
    )
    values = st.recursive(
        leaves,
        lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=5), c, max_size=3),
        max_leaves=8,
    )
    body = draw(
        st.dictionaries(
            keys,
            values
            | st.sampled_from(
                [
                    "request",
                    "reply",
                    "ready",
                    "heartbeat",
                    "progress",
                    "disconnect",
                    "log",
                    "metrics",
                    1,
                ]
            ),
            max_size=8,
        )
    )
    return msgspec.msgpack.encode(body)


def decode_only_raises_protocol_error(frame: bytes) -> None:
    try:
        protocol.decode(frame)
    except protocol.ProtocolError as error:
        assert error.code in protocol.ERROR_CODES


def run_for(seconds: float, round_: Callable[[], None]) -> int:
    """Run hypothesis rounds until `seconds` have passed (at least one round); returns the count."""
    rounds = 0
    deadline = time.monotonic() + seconds
    while rounds == 0 or time.monotonic() < deadline:
        round_()
        rounds += 1
    return rounds


@pytest.mark.parametrize("target", ["importer", "wire"])
def test_fuzz_target_only_fails_cleanly(target: str) -> None:
    if target == "importer":

        @settings(max_examples=25 if not FUZZ_SECONDS else 300, deadline=None, database=None)
        @given(mutated_statements())
        def round_(data: bytes) -> None:
            consume(data)

    else:

        @settings(max_examples=100 if not FUZZ_SECONDS else 2000, deadline=None, database=None)
        @given(wire_frames())
        def round_(data: bytes) -> None:
            decode_only_raises_protocol_error(data)

    rounds = run_for(FUZZ_SECONDS, round_)
    print(f"{target}: {rounds} round(s) of fuzzing, budget {FUZZ_SECONDS:g} s")
