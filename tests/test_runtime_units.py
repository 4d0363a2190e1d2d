"""The runtime's in-process pieces: method registration, describe, stdin token reading, limits."""

from __future__ import annotations

import os
import resource
import threading

import pytest

from sidecars import protocol
from sidecars._runtime import process
from sidecars.runtime import EXIT_CONFIG, BadRequest, Sidecar, report_progress


def test_methods_register_and_describe_lists_them_with_their_docs() -> None:
    sidecar = Sidecar("demo")

    @sidecar.method("total")
    def total(params: dict[str, object]) -> dict[str, object]:
        """Add up the amounts.

        More text that describe leaves out."""
        return {}

    @sidecar.method("quiet")
    def quiet(params: dict[str, object]) -> dict[str, object]:
        return {}

    described = sidecar.describe()
    assert described["service"] == "demo"
    assert described["protocol"] == protocol.VERSION
    assert described["methods"] == ["describe", "quiet", "total"]
    assert described["docs"]["total"] == "Add up the amounts."
    assert described["docs"]["quiet"] == ""
    assert total({}) == {}  # the decorator hands the function back unchanged


def test_describe_is_reserved_and_names_are_checked() -> None:
    sidecar = Sidecar("demo")
    with pytest.raises(ValueError):
        sidecar.method("describe")
    for bad in ("", "x" * 129):
        with pytest.raises(ValueError):
            Sidecar(bad)


def test_report_progress_outside_a_method_does_nothing() -> None:
    report_progress()  # must not raise on the main thread
    errors: list[BaseException] = []

    def other() -> None:
        try:
            report_progress()
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=other)
    thread.start()
    thread.join(timeout=10)
    assert errors == []


def test_exports_for_model_sidecars() -> None:
    assert EXIT_CONFIG == protocol.EXIT_CONFIG == 78
    assert issubclass(BadRequest, Exception)


def _pipe_with(data: bytes, close: bool = True) -> int:
    read_end, write_end = os.pipe()
    os.write(write_end, data)
    if close:
        os.close(write_end)
    return read_end


@pytest.mark.parametrize(
    ("data", "token"),
    [
        (b"abc\n", "abc"),
        (b"  spaced \r\n", "spaced"),
        (b"first\nsecond\n", "first"),
        (b"\n", ""),
        (b"\xff\xfe\n", "\ufffd\ufffd"),
    ],
)
def test_read_token_takes_the_first_line(data: bytes, token: str) -> None:
    fd = _pipe_with(data)
    try:
        assert process.read_token(fd) == token
    finally:
        os.close(fd)


@pytest.mark.parametrize("data", [b"", b"no newline before eof"])
def test_read_token_is_none_when_stdin_closes_first(data: bytes) -> None:
    fd = _pipe_with(data)
    try:
        assert process.read_token(fd) is None
    finally:
        os.close(fd)


def test_read_token_stops_at_4_kib_of_garbage() -> None:
    read_end, write_end = os.pipe()
    os.write(write_end, b"x" * 5000)  # no newline, and the pipe stays open: must not hang
    try:
        token = process.read_token(read_end)
        assert token is not None and len(token) <= 5000
    finally:
        os.close(read_end)
        os.close(write_end)


def test_watch_for_eof_calls_back_when_the_writer_goes() -> None:
    read_end, write_end = os.pipe()
    fired = threading.Event()
    thread = process.watch_for_eof(fired.set, read_end)
    os.write(write_end, b"ignored chatter")
    assert not fired.wait(0.05)
    os.close(write_end)
    assert fired.wait(10)
    thread.join(timeout=10)
    os.close(read_end)


def test_env_helpers_ignore_nonsense(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FINCAST_TEST_INT", "12")
    assert process.env_int("FINCAST_TEST_INT") == 12
    monkeypatch.setenv("FINCAST_TEST_INT", "twelve")
    assert process.env_int("FINCAST_TEST_INT") is None
    monkeypatch.delenv("FINCAST_TEST_INT")
    assert process.env_int("FINCAST_TEST_INT") is None
    monkeypatch.setenv("FINCAST_TEST_FLOAT", "0.25")
    assert process.env_float("FINCAST_TEST_FLOAT", 1.0) == 0.25
    for bad in ("-1", "0", "nan?", ""):
        monkeypatch.setenv("FINCAST_TEST_FLOAT", bad)
        assert process.env_float("FINCAST_TEST_FLOAT", 1.0) == 1.0


def test_limit_memory_only_lowers_and_ignores_nothing() -> None:
    before = resource.getrlimit(resource.RLIMIT_AS)
    process.limit_memory(None)
    process.limit_memory(0)
    process.limit_memory(-5)
    assert resource.getrlimit(resource.RLIMIT_AS) == before


def test_parent_checks() -> None:
    assert process.parent_is(None)
    assert process.parent_is(os.getppid())
    assert not process.parent_is(os.getppid() + 100_000)
    assert process.rss_mb() > 1
