"""The wire protocol: every message round-trips; any bad frame is a ProtocolError, never more."""

from __future__ import annotations

import contextlib

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sidecars import protocol
from sidecars.protocol import (
    MAX_FRAME,
    Disconnect,
    Error,
    Heartbeat,
    Log,
    Metrics,
    Progress,
    ProtocolError,
    Ready,
    Reply,
    Request,
    decode,
    encode,
)

SAMPLES = [
    Ready(service="echo", token="t0k3n", pid=4242, methods=["echo", "describe"], replica=1),
    Request(
        id="r-1", service="echo", method="echo", params={"a": [1, 2.5, "x", None]}, deadline_ms=5000
    ),
    Reply(id="r-1", ok=True, result={"amount": "-12.50", "score": 0.25}),
    Reply(id="r-2", ok=False, error=Error(code=protocol.BAD_REQUEST, message="no 'rows'")),
    Progress(id="r-3"),
    Heartbeat(),
    Disconnect(reason="stopping"),
    Log(level="warning", message="model file is old"),
    Metrics(rss_mb=81.5, cpu_s=1.25, inflight=1, served=10),
]


def _raw(**fields: object) -> bytes:
    return msgspec.msgpack.encode(fields)


def _req(**fields: object) -> bytes:
    """A raw REQUEST map with every field valid unless overridden (None removes a field)."""
    base: dict[str, object] = {
        "kind": "REQUEST",
        "v": 1,
        "id": "x",
        "service": "s",
        "method": "m",
        "params": {},
        "deadline_ms": 1,
    }
    base.update(fields)
    return _raw(**{k: v for k, v in base.items() if v is not None})


def _bad(data: bytes) -> ProtocolError:
    with pytest.raises(ProtocolError) as info:
        decode(data)
    return info.value


@pytest.mark.parametrize("msg", SAMPLES, ids=lambda m: type(m).__name__)
def test_every_kind_round_trips(msg: protocol.Message) -> None:
    data = encode(msg)
    assert decode(data) == msg
    assert msgspec.msgpack.decode(data)["v"] == 1


def test_kind_tags_are_the_documented_names() -> None:
    tags = {msgspec.msgpack.decode(encode(m))["kind"] for m in SAMPLES}
    assert tags == set(protocol.KINDS)


def test_a_frame_from_another_language_decodes() -> None:
    # A plain msgpack map with the documented keys, in any order, is a valid message.
    data = _raw(deadline_ms=10, params={}, method="m", service="s", id="7", kind="REQUEST", v=1)
    assert decode(data) == Request(id="7", service="s", method="m", params={}, deadline_ms=10)


def test_unknown_extra_fields_are_ignored() -> None:
    assert decode(_raw(kind="PROGRESS", v=1, id="9", note="later field")) == Progress(id="9")


def test_wrong_version_is_a_version_error_with_the_request_id() -> None:
    err = _bad(_req(v=2, id="r-5"))
    assert err.code == protocol.VERSION_MISMATCH
    assert err.request_id == "r-5"


def test_a_version_that_is_not_an_integer_is_a_version_error() -> None:
    err = _bad(_raw(kind="READY", v="1", service="s", token="t", pid=1, methods=[]))
    assert err.code == protocol.VERSION_MISMATCH


def test_wrong_version_with_an_unknown_shape_is_still_a_version_error() -> None:
    err = _bad(_raw(kind="SOMETHING_NEW", v=7, id="r-6"))
    assert err.code == protocol.VERSION_MISMATCH


@pytest.mark.parametrize(
    ("frame", "why"),
    [
        (b"", "empty"),
        (b"\xc1", "reserved opcode"),
        (b"\x93\x01\x02\x03", "array instead of map"),
        (_raw(kind="NOPE", v=1, id="x"), "unknown kind"),
        (_raw(v=1, id="x"), "no kind"),
        (_req(params=None), "missing params"),
        (_req(params=[]), "params not a map"),
        (_req(deadline_ms=-1), "negative deadline"),
        (_req(deadline_ms="5"), "string deadline"),
        (_req(id=""), "empty id"),
        (
            _req(id="x" * 129),
            "long id",
        ),
        (_raw(kind="REPLY", v=1, id="x", ok=True), "ok reply without result"),
        (_raw(kind="REPLY", v=1, id="x", ok=False, result={}), "failed reply without error"),
        (_raw(kind="REPLY", v=1, id="x", ok=True, result={}, error={"code": "internal"}), "both"),
        (encode(Heartbeat()) + b"\x00", "trailing bytes"),
    ],
)
def test_malformed_frames_are_bad_requests(frame: bytes, why: str) -> None:
    assert _bad(frame).code == protocol.BAD_REQUEST, why


def test_bad_request_keeps_the_id_when_the_frame_names_one() -> None:
    err = _bad(_req(id="r-8", deadline_ms="x"))
    assert err.request_id == "r-8"


@pytest.mark.parametrize("cut", [1, 5, 20, -1])
def test_truncated_frames_are_bad_requests(cut: int) -> None:
    data = encode(SAMPLES[1])
    assert _bad(data[:cut]).code == protocol.BAD_REQUEST


def test_oversized_frame_is_refused_before_parsing() -> None:
    big = _req(id="big", params={"x": "a" * MAX_FRAME})
    err = _bad(big)
    assert err.code == protocol.BAD_REQUEST
    assert "limit" in err.message


def test_encoding_an_oversized_message_fails_with_its_id() -> None:
    with pytest.raises(ProtocolError) as info:
        encode(Reply(id="huge", ok=True, result={"blob": "a" * MAX_FRAME}))
    assert info.value.request_id == "huge"


def test_deep_nesting_is_refused_not_a_crash() -> None:
    head = _req(id="d", params=None)
    # Re-open the map with one more key, params, holding a million nested one-element arrays.
    frame = (
        bytes([head[0] + 1])
        + head[1:]
        + msgspec.msgpack.encode("params")
        + b"\x81\xa1a"
        + b"\x91" * 1_000_000
        + b"\xc0"
    )
    assert _bad(frame).code == protocol.BAD_REQUEST


def test_unencodable_params_are_a_protocol_error() -> None:
    with pytest.raises(ProtocolError):
        encode(Request(id="x", service="s", method="m", params={"f": object()}, deadline_ms=1))


@given(st.binary(max_size=512))
def test_random_bytes_never_raise_anything_but_protocol_error(data: bytes) -> None:
    try:
        msg = decode(data)
    except ProtocolError as exc:
        assert exc.code in protocol.ERROR_CODES
    else:
        assert isinstance(msg, protocol.Message)


_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**64 - 1)
    | st.floats(allow_nan=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


_FIELDS = ["kind", "v", "id", "service", "method", "params", "deadline_ms", "ok", "result", "error"]


@given(
    st.dictionaries(
        st.sampled_from(
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
            ]
        ),
        _json,
    )
)
def test_random_maps_with_real_keys_never_raise_anything_but_protocol_error(
    fields: dict[str, object],
) -> None:
    with contextlib.suppress(ProtocolError):
        decode(msgspec.msgpack.encode(fields))


@given(
    st.text(min_size=1, max_size=128),
    st.dictionaries(st.text(max_size=10), _json, max_size=5),
    st.integers(0, 2**31),
)
def test_requests_round_trip(request_id: str, params: dict[str, object], deadline: int) -> None:
    msg = Request(id=request_id, service="svc", method="m", params=params, deadline_ms=deadline)
    assert decode(encode(msg)) == msg


@given(st.integers(0, len(encode(SAMPLES[1])) - 1), st.integers(0, 255))
def test_single_byte_corruption_never_escapes(pos: int, value: int) -> None:
    data = bytearray(encode(SAMPLES[1]))
    data[pos] = value
    with contextlib.suppress(ProtocolError):
        decode(bytes(data))


def test_error_reply_cuts_long_messages() -> None:
    reply = protocol.error_reply("x", protocol.INTERNAL, "boom" * 50_000)
    assert decode(encode(reply)) == reply
    assert reply.error is not None and len(reply.error.message) == 64 * 1024
