"""The wire protocol between the hub and its sidecars (v1): typed messages, one MessagePack frame.

Every message is a msgspec Struct tagged by ``kind`` and carrying ``v`` (the protocol version).
A DEALER (sidecar) sends ``[payload]``; the hub's ROUTER sees ``[identity, payload]``. ``decode``
turns any bytes into a typed message or raises ``ProtocolError`` - nothing else - so a bad frame
can be logged and answered, never crash a peer. docs/protocol.md describes it for other languages.

This module must never import the runtime, the hub, the desktop or the ledger: both sides share it.
"""

from __future__ import annotations

from typing import Annotated, Any, Final

import msgspec

VERSION: Final = 1
"""The protocol version every message carries in ``v``."""

MAX_FRAME: Final = 16 * 1024 * 1024
"""Largest frame either side accepts or sends (16 MiB): enough for a few hundred thousand rows."""

# Error codes (Reply.error.code).
BAD_REQUEST: Final = "bad_request"
UNKNOWN_METHOD: Final = "unknown_method"
VERSION_MISMATCH: Final = "version"
UNAVAILABLE: Final = "unavailable"
DEADLINE: Final = "deadline"
INTERNAL: Final = "internal"
ERROR_CODES: Final = frozenset(
    {BAD_REQUEST, UNKNOWN_METHOD, VERSION_MISMATCH, UNAVAILABLE, DEADLINE, INTERNAL}
)

# Process contract between the spawner and a sidecar (see docs/protocol.md).
ENV_ENDPOINT: Final = "FINCAST_HUB_ENDPOINT"
ENV_SERVICE: Final = "FINCAST_SERVICE"
ENV_REPLICA: Final = "FINCAST_REPLICA"
ENV_PARENT_PID: Final = "FINCAST_PARENT_PID"
ENV_MEMORY_LIMIT_MB: Final = "FINCAST_MEMORY_LIMIT_MB"
ENV_NICE: Final = "FINCAST_NICE"  # lower the CPU priority by this much: models yield to the GUI
ENV_HEARTBEAT_S: Final = "FINCAST_HEARTBEAT_S"
ENV_TOKEN: Final = "FINCAST_TOKEN"  # noqa: S105 - the name of a variable, not a secret
"""Only for sidecars run by another process manager: the token, instead of stdin's first line."""

EXIT_OK: Final = 0
EXIT_CONFIG: Final = 78
"""A sidecar that exits with this code (EX_CONFIG) cannot work as configured: do not restart it."""
EXIT_PARENT_GONE: Final = 75
"""The sidecar exited because its parent (the hub's process) went away (EX_TEMPFAIL)."""

HEARTBEAT_S: Final = 1.0
"""Default heartbeat interval, both ways."""
HEARTBEAT_LIVENESS: Final = 3
"""Missed heartbeats after which a peer is considered dead."""

# Bounds that keep a hostile frame from costing much after it passed MAX_FRAME.
_Name = Annotated[str, msgspec.Meta(min_length=1, max_length=128)]
_Id = Annotated[str, msgspec.Meta(min_length=1, max_length=128)]
_Text = Annotated[str, msgspec.Meta(max_length=64 * 1024)]
_Token = Annotated[str, msgspec.Meta(max_length=256)]


class _Base(msgspec.Struct, frozen=True, tag_field="kind", kw_only=True):
    v: int = VERSION


class Ready(_Base, frozen=True, tag="READY"):
    """Sidecar -> hub: connected and able to serve ``methods``; ``token`` proves who launched it."""

    service: _Name
    token: _Token
    pid: int
    methods: list[_Name]
    replica: int = 0


class Request(_Base, frozen=True, tag="REQUEST"):
    """Hub -> sidecar: run ``method``; ``deadline_ms`` is the time budget from receipt."""

    id: _Id
    service: _Name
    method: _Name
    params: dict[str, Any]
    deadline_ms: Annotated[int, msgspec.Meta(ge=0)]


class Error(msgspec.Struct, frozen=True, kw_only=True):
    """Why a request failed: ``code`` is one of ERROR_CODES (others are read as ``internal``)."""

    code: _Name
    message: _Text = ""


class Reply(_Base, frozen=True, tag="REPLY"):
    """Sidecar -> hub: the outcome of request ``id``; exactly one of ``result`` / ``error``."""

    id: _Id
    ok: bool
    result: dict[str, Any] | None = None
    error: Error | None = None

    def __post_init__(self) -> None:
        if self.ok and (self.result is None or self.error is not None):
            raise ValueError("an ok reply carries a result and no error")
        if not self.ok and (self.error is None or self.result is not None):
            raise ValueError("a failed reply carries an error and no result")


class Progress(_Base, frozen=True, tag="PROGRESS"):
    """Sidecar -> hub: request ``id`` is still being worked on; restart its deadline."""

    id: _Id


class Heartbeat(_Base, frozen=True, tag="HEARTBEAT"):
    """Either way, every HEARTBEAT_S: I am alive."""


class Disconnect(_Base, frozen=True, tag="DISCONNECT"):
    """Hub -> sidecar: finish and exit. Sidecar -> hub: I am leaving."""

    reason: _Text = ""


class Log(_Base, frozen=True, tag="LOG"):
    """Sidecar -> hub: a log line worth showing as an event (stderr still goes to the log file)."""

    level: Annotated[str, msgspec.Meta(max_length=16)]
    message: _Text


class Metrics(_Base, frozen=True, tag="METRICS"):
    """Sidecar -> hub: resource use and work counters, sent now and then."""

    rss_mb: float
    cpu_s: float = 0.0
    inflight: int = 0
    served: int = 0


Message = Ready | Request | Reply | Progress | Heartbeat | Disconnect | Log | Metrics
KINDS: Final = (
    "READY",
    "REQUEST",
    "REPLY",
    "PROGRESS",
    "HEARTBEAT",
    "DISCONNECT",
    "LOG",
    "METRICS",
)


class ProtocolError(Exception):
    """A frame that is not a valid v1 message; ``request_id`` is set when the frame names one."""

    def __init__(self, code: str, message: str, request_id: str | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.request_id = request_id


class _Head(msgspec.Struct):
    """The few fields read leniently from a frame that failed strict decoding."""

    v: Any = None
    kind: Any = None
    id: Any = None


# msgspec reports bad UTF-8 as UnicodeDecodeError (a ValueError), deep nesting as RecursionError.
_DECODE_FAILURES = (msgspec.DecodeError, ValueError, RecursionError, MemoryError)


def _enc_hook(obj: Any) -> Any:
    # numpy scalars and arrays (what model code tends to return) become plain numbers and lists.
    tolist = getattr(obj, "tolist", None)
    if callable(tolist):
        return tolist()
    raise TypeError(f"cannot send a {type(obj).__name__}")


_encoder = msgspec.msgpack.Encoder(enc_hook=_enc_hook)
_decoder: msgspec.msgpack.Decoder[Message] = msgspec.msgpack.Decoder(Message)
_head_decoder = msgspec.msgpack.Decoder(_Head)


def encode(msg: Message) -> bytes:
    """Serialize one message; ProtocolError(bad_request) if it would exceed MAX_FRAME."""
    try:
        data = _encoder.encode(msg)
    except (TypeError, ValueError, OverflowError) as exc:
        raise ProtocolError(BAD_REQUEST, f"cannot encode {type(msg).__name__}: {exc}") from exc
    if len(data) > MAX_FRAME:
        raise ProtocolError(
            BAD_REQUEST,
            f"{type(msg).__name__} is {len(data)} bytes, over the {MAX_FRAME}-byte frame limit",
            getattr(msg, "id", None),
        )
    return data


def decode(data: bytes | bytearray | memoryview) -> Message:
    """Parse one frame strictly; any problem raises ProtocolError (code bad_request or version)."""
    size = len(data)
    if size > MAX_FRAME:
        raise ProtocolError(
            BAD_REQUEST, f"frame of {size} bytes is over the {MAX_FRAME}-byte limit"
        )
    try:
        msg = _decoder.decode(data)
    except _DECODE_FAILURES as exc:
        head = _peek(data)
        if head.v is not None and head.v != VERSION:
            raise _version_error(head.v, _str_id(head.id)) from None
        raise ProtocolError(BAD_REQUEST, f"malformed frame: {exc}", _str_id(head.id)) from None
    if msg.v != VERSION:
        raise _version_error(msg.v, getattr(msg, "id", None))
    return msg


def _peek(data: bytes | bytearray | memoryview) -> _Head:
    try:
        return _head_decoder.decode(data)
    except _DECODE_FAILURES:
        return _Head()


def _str_id(value: object) -> str | None:
    return value if isinstance(value, str) and 0 < len(value) <= 128 else None


def _version_error(v: object, request_id: str | None) -> ProtocolError:
    shown = repr(v)[:32]
    return ProtocolError(
        VERSION_MISMATCH,
        f"protocol version {shown} is not supported (this side speaks {VERSION})",
        request_id,
    )


def error_reply(request_id: str, code: str, message: str) -> Reply:
    """A failed Reply, with the message cut to what the frame allows."""
    return Reply(id=request_id, ok=False, error=Error(code=code, message=message[: 64 * 1024]))


def ok_reply(request_id: str, result: dict[str, Any]) -> Reply:
    """A successful Reply."""
    return Reply(id=request_id, ok=True, result=result)
