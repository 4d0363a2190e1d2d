"""The sidecar runtime, driven by a bare ROUTER socket against a real chaos sidecar process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator

import msgspec
import pytest

from sidecars import protocol
from sidecars.protocol import (
    Disconnect,
    Heartbeat,
    Log,
    Metrics,
    Progress,
    Ready,
    Reply,
    Request,
    encode,
)
from tests.helpers.fake_hub import CHAOS, REPO, FakeHub


@pytest.fixture
def hub() -> Iterator[FakeHub]:
    h = FakeHub()
    try:
        yield h
    finally:
        h.close()


def _ready(hub: FakeHub, **kwargs: object) -> tuple[bytes, Ready, subprocess.Popen[bytes]]:
    proc = hub.start(**kwargs)  # type: ignore[arg-type]
    identity, msg = hub.expect(Ready, timeout=30)
    assert isinstance(msg, Ready)
    return identity, msg, proc


def _call(
    hub: FakeHub,
    identity: bytes,
    method: str,
    params: dict[str, object] | None = None,
    rid: str = "r1",
    service: str = "chaos",
) -> Reply:
    hub.send(
        identity,
        Request(id=rid, service=service, method=method, params=params or {}, deadline_ms=5000),
    )
    _, reply = hub.expect(Reply)
    assert isinstance(reply, Reply)
    assert reply.id == rid
    return reply


def _error_code(reply: Reply) -> str:
    assert not reply.ok and reply.error is not None
    return reply.error.code


def test_ready_carries_the_token_from_stdin_and_the_methods(hub: FakeHub) -> None:
    _, ready, proc = _ready(hub, token="secret-123")
    assert ready.token == "secret-123"
    assert ready.service == "chaos"
    assert ready.pid == proc.pid
    assert {"echo", "sleep", "crash", "hang", "describe"} <= set(ready.methods)


def test_echo_and_describe(hub: FakeHub) -> None:
    identity, _, proc = _ready(hub)
    reply = _call(hub, identity, "echo", {"amount": "-12.50", "n": [1, 2]})
    assert reply.ok and reply.result == {"amount": "-12.50", "n": [1, 2]}
    described = _call(hub, identity, "describe", rid="d")
    assert described.result is not None
    assert described.result["service"] == "chaos"
    assert described.result["pid"] == proc.pid
    assert described.result["protocol"] == protocol.VERSION
    assert "echo" in described.result["methods"]
    assert described.result["docs"]["echo"] == "Answer the params unchanged."


def test_errors_are_answered_with_their_codes_and_the_sidecar_lives_on(hub: FakeHub) -> None:
    identity, _, proc = _ready(hub)
    assert _error_code(_call(hub, identity, "nope", rid="a")) == protocol.UNKNOWN_METHOD
    assert (
        _error_code(_call(hub, identity, "echo", rid="b", service="other")) == protocol.BAD_REQUEST
    )
    failed = _call(hub, identity, "fail", {"message": "kaboom"}, rid="c")
    assert _error_code(failed) == protocol.INTERNAL
    assert failed.error is not None and "kaboom" in failed.error.message
    rejected = _call(hub, identity, "reject", {"message": "need rows"}, rid="d")
    assert _error_code(rejected) == protocol.BAD_REQUEST
    assert rejected.error is not None and rejected.error.message == "need rows"
    too_big = _call(hub, identity, "big", {"mb": 17}, rid="e")
    assert _error_code(too_big) == protocol.INTERNAL
    assert _call(hub, identity, "echo", {"still": "here"}, rid="f").result == {"still": "here"}
    assert proc.poll() is None


@pytest.mark.parametrize(
    "frame",
    [
        b"",
        b"\xc1garbage",
        os.urandom(64),
        msgspec.msgpack.encode({"kind": "REQUEST", "v": 1, "id": 5}),
        msgspec.msgpack.encode([1, 2, 3]),
        b"\xdb" + (2**31).to_bytes(4, "big"),  # a str header claiming 2 GiB
    ],
)
def test_bad_frames_never_kill_the_sidecar(hub: FakeHub, frame: bytes) -> None:
    identity, _, proc = _ready(hub)
    hub.send(identity, frame)
    hub.router.send_multipart([identity, b"two", b"frames"])
    assert _call(hub, identity, "echo", {"ok": 1}).result == {"ok": 1}
    assert proc.poll() is None


def test_a_bad_request_that_names_its_id_is_answered(hub: FakeHub) -> None:
    identity, _, _ = _ready(hub)
    frame = msgspec.msgpack.encode(
        {
            "kind": "REQUEST",
            "v": 1,
            "id": "bad-1",
            "service": "chaos",
            "method": "echo",
            "params": "not a map",
            "deadline_ms": 10,
        }
    )
    hub.send(identity, frame)
    _, reply = hub.expect(Reply)
    assert isinstance(reply, Reply) and reply.id == "bad-1"
    assert _error_code(reply) == protocol.BAD_REQUEST


def test_a_wrong_version_request_is_answered_with_version(hub: FakeHub) -> None:
    identity, _, _ = _ready(hub)
    frame = msgspec.msgpack.encode(
        {
            "kind": "REQUEST",
            "v": 2,
            "id": "v2",
            "service": "chaos",
            "method": "echo",
            "params": {},
            "deadline_ms": 10,
        }
    )
    hub.send(identity, frame)
    _, reply = hub.expect(Reply)
    assert isinstance(reply, Reply) and reply.id == "v2"
    assert _error_code(reply) == protocol.VERSION_MISMATCH


def test_an_oversized_frame_is_refused_and_the_sidecar_lives_on(hub: FakeHub) -> None:
    identity, _, proc = _ready(hub)
    hub.send(identity, b"\xc4" + b"x" * (protocol.MAX_FRAME + 1))
    assert _call(hub, identity, "echo", {"after": "big"}).result == {"after": "big"}
    assert proc.poll() is None


def test_heartbeats_go_on_while_a_method_hangs(hub: FakeHub) -> None:
    identity, _, proc = _ready(hub, env={protocol.ENV_HEARTBEAT_S: "0.2"})
    hub.send(identity, Request(id="h", service="chaos", method="hang", params={}, deadline_ms=100))
    beats = 0
    deadline = time.monotonic() + 10
    while beats < 3 and time.monotonic() < deadline:
        hub.send(identity, Heartbeat())
        _, msg = hub.recv(timeout=5)
        assert not isinstance(msg, Reply), "a hung method must not answer"
        beats += isinstance(msg, Heartbeat)
    assert beats == 3
    # The second worker still serves while the first is stuck.
    assert _call(hub, identity, "echo", {"x": 1}).result == {"x": 1}
    assert proc.poll() is None


def test_a_short_request_is_answered_beside_a_long_one(hub: FakeHub) -> None:
    # The long method runs in place on the loop's thread; a standby takes the loop over.
    identity, _, _ = _ready(hub)
    sleep = {"seconds": 1.0}
    hub.send(
        identity,
        Request(id="long", service="chaos", method="sleep", params=sleep, deadline_ms=9000),
    )
    hub.send(
        identity,
        Request(id="short", service="chaos", method="echo", params={"k": 1}, deadline_ms=9000),
    )
    _, first = hub.expect(Reply)
    _, second = hub.expect(Reply)
    assert isinstance(first, Reply) and isinstance(second, Reply)
    assert (first.id, first.result) == ("short", {"k": 1})
    assert (second.id, second.result) == ("long", {"slept": 1.0})


def test_more_requests_than_workers_wait_their_turn_and_all_answer(hub: FakeHub) -> None:
    identity, _, _ = _ready(hub)
    ids = [f"s{n}" for n in range(5)]
    for rid in ids:
        params = {"seconds": 0.2}
        hub.send(
            identity,
            Request(id=rid, service="chaos", method="sleep", params=params, deadline_ms=9000),
        )
    hub.send(identity, Request(id="e", service="chaos", method="echo", params={}, deadline_ms=9000))
    got = {}
    for _ in range(len(ids) + 1):
        _, reply = hub.expect(Reply)
        assert isinstance(reply, Reply) and reply.ok
        got[reply.id] = reply.result
    assert set(got) == {*ids, "e"}
    assert all(got[rid] == {"slept": 0.2} for rid in ids)


def test_a_method_that_hangs_after_a_quiet_spell_still_lets_the_loop_go_on(hub: FakeHub) -> None:
    # After a second with nothing run in place the standby thread sleeps until woken: the next
    # method must wake it, or a hang would stop the heartbeats.
    identity, _, proc = _ready(hub, env={protocol.ENV_HEARTBEAT_S: "0.4"})
    for _ in range(4):  # ~1.6 s of quiet, paced by the sidecar's own heartbeats
        hub.send(identity, Heartbeat())
        hub.expect(Heartbeat, timeout=5)
    hub.send(identity, Request(id="h", service="chaos", method="hang", params={}, deadline_ms=100))
    for _ in range(3):
        hub.send(identity, Heartbeat())
        hub.expect(Heartbeat, timeout=5)
    assert _call(hub, identity, "echo", {"x": 2}).result == {"x": 2}
    assert proc.poll() is None


def test_long_work_reports_progress_before_its_reply(hub: FakeHub) -> None:
    identity, _, _ = _ready(hub)
    hub.send(
        identity,
        Request(
            id="p",
            service="chaos",
            method="sleep",
            params={"seconds": 0.7, "progress": True},
            deadline_ms=300,
        ),
    )
    progress = 0
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        _, msg = hub.recv(timeout=5)
        if isinstance(msg, Progress):
            assert msg.id == "p"
            progress += 1
        elif isinstance(msg, Reply):
            assert msg.ok and msg.result == {"slept": 0.7}
            break
    assert progress >= 2


def test_metrics_are_sent(hub: FakeHub) -> None:
    identity, _, _ = _ready(hub, env={protocol.ENV_HEARTBEAT_S: "0.1"})
    hub.send(identity, Heartbeat())
    _, metrics = hub.expect(Metrics)
    assert isinstance(metrics, Metrics) and metrics.rss_mb > 1


def test_warnings_reach_the_hub_as_log_messages(hub: FakeHub) -> None:
    identity, _, _ = _ready(hub, env={protocol.ENV_HEARTBEAT_S: "0.1"})
    hub.send(identity, b"garbage")
    _, msg = hub.expect(Log)
    assert isinstance(msg, Log) and msg.level == "warning" and "bad message" in msg.message


def test_disconnect_finishes_work_refuses_new_work_and_exits_cleanly(hub: FakeHub) -> None:
    identity, _, proc = _ready(hub)
    hub.send(
        identity,
        Request(
            id="slow", service="chaos", method="sleep", params={"seconds": 0.5}, deadline_ms=5000
        ),
    )
    hub.send(identity, Disconnect(reason="test stop"))
    refused = _call(hub, identity, "echo", rid="late")
    assert _error_code(refused) == protocol.UNAVAILABLE
    _, finished = hub.expect(Reply)
    assert isinstance(finished, Reply) and finished.id == "slow" and finished.ok
    _, bye = hub.expect(Disconnect)
    assert isinstance(bye, Disconnect) and bye.reason == "test stop"
    assert proc.wait(timeout=10) == protocol.EXIT_OK


def test_stdin_eof_means_the_parent_is_gone(hub: FakeHub) -> None:
    _, _, proc = _ready(hub)
    assert proc.stdin is not None
    proc.stdin.close()
    assert proc.wait(timeout=10) == protocol.EXIT_PARENT_GONE


def test_hub_silence_ends_the_sidecar(hub: FakeHub) -> None:
    identity, _, proc = _ready(hub, env={protocol.ENV_HEARTBEAT_S: "0.1"})
    hub.send(identity, Heartbeat())  # heard once, then silence
    assert proc.wait(timeout=10) == protocol.EXIT_PARENT_GONE
    assert "no word from the hub" in hub.log_text()


def test_a_recorded_parent_that_is_not_the_parent_ends_it_at_once(hub: FakeHub) -> None:
    proc = hub.start(env={protocol.ENV_PARENT_PID: str(os.getpid() + 100_000)})
    assert proc.wait(timeout=30) == protocol.EXIT_PARENT_GONE


def test_no_endpoint_is_a_config_error(hub: FakeHub) -> None:
    proc = hub.start(env={protocol.ENV_ENDPOINT: ""})
    assert proc.wait(timeout=30) == protocol.EXIT_CONFIG


def test_stdin_closed_before_the_token_ends_it(hub: FakeHub) -> None:
    proc = hub.start(token="no-newline-follows", newline=False)
    assert proc.stdin is not None
    proc.stdin.close()
    code = proc.wait(timeout=30)
    # The token line is incomplete, so no READY: the sidecar leaves without serving.
    assert code == protocol.EXIT_PARENT_GONE
    with pytest.raises(TimeoutError):
        hub.recv(timeout=0.2)


def test_crash_exits_with_its_code(hub: FakeHub) -> None:
    identity, _, proc = _ready(hub)
    hub.send(
        identity,
        Request(id="c", service="chaos", method="crash", params={"code": 7}, deadline_ms=1000),
    )
    assert proc.wait(timeout=10) == 7


def test_memory_limit_turns_a_hog_into_an_error_not_a_death(hub: FakeHub) -> None:
    identity, _, proc = _ready(hub, env={protocol.ENV_MEMORY_LIMIT_MB: "600"})
    hogged = _call(hub, identity, "memory_hog", {"mb": 2000}, rid="hog")
    assert _error_code(hogged) == protocol.INTERNAL
    assert hogged.error is not None and "MemoryError" in hogged.error.message
    assert _call(hub, identity, "memory_hog", {"mb": 10}, rid="small").ok
    assert proc.poll() is None


def test_sigterm_ends_it(hub: FakeHub) -> None:
    _, _, proc = _ready(hub)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=10) == -signal.SIGTERM


def test_frames_are_single_msgpack_maps(hub: FakeHub) -> None:
    # What another language's hub would see: one frame, a map with kind and v.
    hub.start()
    _identity, frame = hub.router.recv_multipart() if hub.router.poll(30_000) else (b"", b"")
    raw = msgspec.msgpack.decode(frame)
    assert raw["kind"] == "READY" and raw["v"] == 1
    assert encode(Heartbeat()) == msgspec.msgpack.encode({"kind": "HEARTBEAT", "v": 1})


def test_a_token_in_the_environment_replaces_stdin(hub: FakeHub) -> None:
    # As under another process manager: stdin is /dev/null (EOF at once), the token is in env.
    env = {
        **os.environ,
        protocol.ENV_ENDPOINT: hub.endpoint,
        protocol.ENV_TOKEN: "from-env",
        "PYTHONPATH": str(REPO),
        protocol.ENV_HEARTBEAT_S: "0.2",
    }
    env.pop(protocol.ENV_PARENT_PID, None)
    proc = subprocess.Popen(
        [sys.executable, "-m", CHAOS],
        stdin=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
        start_new_session=True,
    )
    hub.procs.append(proc)
    identity, ready = hub.expect(Ready, timeout=30)
    assert isinstance(ready, Ready) and ready.token == "from-env"
    env_seen = _call(hub, identity, "env", {"keys": [protocol.ENV_TOKEN]}).result
    assert env_seen == {"env": {protocol.ENV_TOKEN: None}}  # not passed on to what it starts
    assert proc.poll() is None
