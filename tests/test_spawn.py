"""Starting sidecars plainly and from the zygote: token, env, logs, exit codes, groups, orphans."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psutil
import pytest

from sidecars import protocol
from sidecars.protocol import Disconnect, Ready, Reply, Request
from supervisor.spawn import Child, Launch, PlainSpawner, Spawner, make_spawner
from supervisor.zygote import ZygoteSpawner
from tests.helpers.fake_hub import CHAOS, REPO, FakeHub

KINDS = ["plain", "zygote"]


@pytest.fixture
def hub() -> Iterator[FakeHub]:
    h = FakeHub()
    try:
        yield h
    finally:
        h.close()


@pytest.fixture(scope="module")
def zygote() -> Iterator[ZygoteSpawner]:
    spawner = ZygoteSpawner(restart_min_s=0)
    assert spawner.wait_ready(120), spawner.zygote_info
    try:
        yield spawner
    finally:
        spawner.close()


@pytest.fixture
def spawner(request: pytest.FixtureRequest) -> Iterator[Spawner]:
    if request.param == "zygote":
        yield request.getfixturevalue("zygote")
        return
    plain = PlainSpawner()
    try:
        yield plain
    finally:
        plain.close()


def _launch(hub: FakeHub, replica: int = 0, module: str = CHAOS, **kwargs: object) -> Launch:
    env = {"PYTHONPATH": str(REPO), "CHAOS_SERVICE": "chaos", **kwargs.pop("env", {})}  # type: ignore[dict-item]
    return Launch(
        service="chaos",
        replica=replica,
        module=module,
        env=env,
        token=f"token-{replica}",
        endpoint=hub.endpoint,
        log_path=hub.dir / f"replica-{replica}.log",
        **kwargs,  # type: ignore[arg-type]
    )


def _started(hub: FakeHub, spawner: Spawner, launch: Launch) -> tuple[Child, bytes, Ready]:
    child = spawner.launch(launch)
    identity, ready = hub.expect(Ready, timeout=60)
    assert isinstance(ready, Ready)
    return child, identity, ready


def _call(
    hub: FakeHub, identity: bytes, method: str, params: dict[str, object] | None = None
) -> Reply:
    hub.send(
        identity,
        Request(id="q", service="chaos", method=method, params=params or {}, deadline_ms=10_000),
    )
    _, reply = hub.expect(Reply, timeout=30)
    assert isinstance(reply, Reply)
    return reply


def _exit_code(child: Child, timeout: float = 20.0) -> tuple[int | None, list[int]]:
    """The code on_exit delivers, waiting with a deadline."""
    seen: list[int] = []
    child.on_exit(seen.append)
    deadline = time.monotonic() + timeout
    while not seen and time.monotonic() < deadline:
        time.sleep(0.02)
    return child.exit_code(), seen


def _gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def _wait_gone(pids: list[int], timeout: float = 15.0) -> list[int]:
    deadline = time.monotonic() + timeout
    alive = list(pids)
    while alive and time.monotonic() < deadline:
        alive = [pid for pid in alive if not _gone(pid)]
        if alive:
            time.sleep(0.05)
    return alive


def _wait_for(predicate: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


@pytest.mark.parametrize("spawner", KINDS, indirect=True)
def test_token_and_environment_reach_the_child(hub: FakeHub, spawner: Spawner) -> None:
    launch = _launch(hub, replica=3, env={"EXTRA_SETTING": "42"}, memory_limit_mb=4000)
    child, identity, ready = _started(hub, spawner, launch)
    assert ready.token == "token-3"
    assert ready.pid == child.pid
    assert ready.replica == 3
    env = _call(hub, identity, "env").result
    assert env is not None
    seen = env["env"]
    assert seen["EXTRA_SETTING"] == "42"
    assert seen[protocol.ENV_ENDPOINT] == hub.endpoint
    assert seen[protocol.ENV_SERVICE] == "chaos"
    assert seen[protocol.ENV_REPLICA] == "3"
    assert seen[protocol.ENV_MEMORY_LIMIT_MB] == "4000"
    assert seen["PYTHONUNBUFFERED"] == "1"
    ids = _call(hub, identity, "pid").result
    assert ids is not None and ids["pgid"] == child.pid  # its own session and process group
    child.kill()
    assert _exit_code(child)[0] == -signal.SIGKILL


@pytest.mark.parametrize("spawner", KINDS, indirect=True)
def test_stdout_and_stderr_go_to_the_log_file(hub: FakeHub, spawner: Spawner) -> None:
    launch = _launch(hub)
    child, identity, _ = _started(hub, spawner, launch)
    assert _call(hub, identity, "say", {"stdout": "to-out-123", "stderr": "to-err-456"}).ok
    assert _wait_for(lambda: "to-err-456" in launch.log_path.read_text(errors="replace"))
    # Unbuffered: both lines are there while the child still runs.
    text = launch.log_path.read_text(errors="replace")
    assert "to-out-123" in text and "READY sent" in text
    assert child.exit_code() is None
    child.kill()


@pytest.mark.parametrize("spawner", KINDS, indirect=True)
@pytest.mark.parametrize(
    ("how", "expected"),
    [
        ("crash", 7),
        ("disconnect", 0),
        ("kill", -signal.SIGKILL),
        ("terminate", -signal.SIGTERM),
    ],
)
def test_on_exit_reports_the_exit_code(
    hub: FakeHub, spawner: Spawner, how: str, expected: int
) -> None:
    child, identity, _ = _started(hub, spawner, _launch(hub))
    if how == "crash":
        hub.send(
            identity,
            Request(id="c", service="chaos", method="crash", params={"code": 7}, deadline_ms=1000),
        )
    elif how == "disconnect":
        hub.send(identity, Disconnect(reason="done"))
    elif how == "kill":
        child.kill()
    else:
        child.terminate()
    code, seen = _exit_code(child)
    assert code == expected
    assert seen == [expected]
    late: list[int] = []
    child.on_exit(late.append)  # registered after death: called at once, once
    assert late == [expected]


@pytest.mark.parametrize("spawner", KINDS, indirect=True)
def test_config_error_exit_code_is_reported(hub: FakeHub, spawner: Spawner) -> None:
    child = spawner.launch(_launch(hub, env={"CHAOS_EXIT_AT_START": str(protocol.EXIT_CONFIG)}))
    assert _exit_code(child)[0] == protocol.EXIT_CONFIG


@pytest.mark.parametrize("spawner", KINDS, indirect=True)
def test_a_missing_module_exits_non_zero(hub: FakeHub, spawner: Spawner) -> None:
    child = spawner.launch(_launch(hub, module="no_such_module_for_fincast"))
    code, _ = _exit_code(child)
    assert code == 1
    assert _wait_for(lambda: "No module named" in Path(hub.dir / "replica-0.log").read_text())


@pytest.mark.parametrize("spawner", KINDS, indirect=True)
def test_kill_takes_the_whole_process_group(hub: FakeHub, spawner: Spawner) -> None:
    child, identity, _ = _started(hub, spawner, _launch(hub))
    reply = _call(hub, identity, "grandchild")
    assert reply.result is not None
    grandchild = int(reply.result["pid"])
    assert not _gone(grandchild)
    child.kill()
    assert _wait_gone([child.pid, grandchild]) == []


@pytest.mark.parametrize("spawner", KINDS, indirect=True)
def test_memory_limit_is_applied(hub: FakeHub, spawner: Spawner) -> None:
    child, identity, _ = _started(hub, spawner, _launch(hub, memory_limit_mb=700))
    hog = _call(hub, identity, "memory_hog", {"mb": 2000})
    assert not hog.ok and hog.error is not None and "MemoryError" in hog.error.message
    assert child.exit_code() is None
    child.kill()


@pytest.mark.parametrize("spawner", KINDS, indirect=True)
def test_the_child_runs_below_our_cpu_priority(hub: FakeHub, spawner: Spawner) -> None:
    child, _, _ = _started(hub, spawner, _launch(hub, nice=7))
    ours = os.getpriority(os.PRIO_PROCESS, 0)
    # READY comes after the runtime lowered its priority, so this is the settled value.
    assert os.getpriority(os.PRIO_PROCESS, child.pid) == min(ours + 7, 19)
    child.kill()


@pytest.mark.parametrize("spawner", KINDS, indirect=True)
def test_a_module_found_only_through_the_launch_pythonpath(
    hub: FakeHub, spawner: Spawner, tmp_path: Path
) -> None:
    (tmp_path / "fincast_extra_sidecar.py").write_text(
        "from tests.helpers.chaos_sidecar import sidecar\nsidecar.run()\n"
    )
    launch = _launch(
        hub,
        module="fincast_extra_sidecar",
        env={"PYTHONPATH": os.pathsep.join([str(tmp_path), str(REPO)])},
    )
    child, _, ready = _started(hub, spawner, launch)
    assert ready.pid == child.pid
    child.kill()


def test_a_closed_spawner_refuses_to_launch(hub: FakeHub) -> None:
    plain = PlainSpawner()
    plain.close()
    with pytest.raises(OSError):
        plain.launch(_launch(hub))


def test_make_spawner_gives_a_zygote_on_linux_and_plain_when_asked() -> None:
    plain = make_spawner(prefer_zygote=False)
    assert isinstance(plain, PlainSpawner)
    plain.close()
    if sys.platform.startswith("linux"):
        forked = make_spawner(prefer_zygote=True, preload=["json"])
        try:
            assert isinstance(forked, ZygoteSpawner)
            assert forked.wait_ready(120)
            assert "json" in forked.zygote_info["preloaded"]
        finally:
            forked.close()


def test_zygote_preloads_without_threads_and_reports_failures() -> None:
    spawner = ZygoteSpawner(preload=("numpy", "no_such_module_for_fincast"))
    try:
        assert spawner.wait_ready(120)
        info = spawner.zygote_info
        assert info["threads"] == 1  # numpy imported, yet no BLAS pool started
        assert "numpy" in info["preloaded"]
        assert "no_such_module_for_fincast" in info["failed"]
    finally:
        spawner.close()


@pytest.mark.slow
def test_the_default_services_preloads_all_import_in_a_single_threaded_zygote() -> None:
    # A module that failed or started a thread would cost every restart its import time again
    # (or disable the zygote), silently: this is where it shows.
    from supervisor.spec import default_specs

    wanted = tuple(dict.fromkeys(m for spec in default_specs() for m in spec.preload))
    spawner = ZygoteSpawner(preload=wanted)
    try:
        assert spawner.wait_ready(300)
        info = spawner.zygote_info
        assert info["failed"] == {}
        assert set(wanted) <= set(info["preloaded"])
        assert info["threads"] == 1
    finally:
        spawner.close()


def test_zygote_death_kills_its_children_reports_them_and_falls_back(hub: FakeHub) -> None:
    spawner = ZygoteSpawner(restart_min_s=0)
    try:
        assert spawner.wait_ready(120)
        zygote_pid = spawner.zygote_pid
        assert zygote_pid is not None
        child, _, _ = _started(hub, spawner, _launch(hub))
        assert spawner.launched["zygote"] == 1
        os.kill(zygote_pid, signal.SIGKILL)
        assert _exit_code(child)[0] == -signal.SIGKILL
        assert _wait_gone([child.pid]) == []
        assert _wait_for(lambda: spawner.zygote_pid is None)
        # The next launch still works: plain spawn, while a new zygote starts.
        second, _, ready = _started(hub, spawner, _launch(hub, replica=1))
        assert ready.token == "token-1"
        assert spawner.launched["plain"] == 1
        assert spawner.wait_ready(120)
        assert spawner.zygote_pid not in (None, zygote_pid)
        third, _, _ = _started(hub, spawner, _launch(hub, replica=2))
        assert spawner.launched["zygote"] == 2
        for c in (second, third):
            c.kill()
    finally:
        spawner.close()


_ORPHAN_PARENT = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from supervisor.spawn import Launch, PlainSpawner
    from supervisor.zygote import ZygoteSpawner
    kind, endpoint, log_dir = sys.argv[1:4]
    spawner = ZygoteSpawner() if kind == "zygote" else PlainSpawner()
    if kind == "zygote":
        assert spawner.wait_ready(120)
        print("zygote", spawner.zygote_pid, flush=True)
    for n in range(2):
        child = spawner.launch(Launch(
            service="chaos", replica=n, module="tests.helpers.chaos_sidecar",
            env={"CHAOS_SERVICE": "chaos"}, token=f"t{n}", endpoint=endpoint,
            log_path=Path(log_dir) / f"orphan-{n}.log"))
        print("child", child.pid, flush=True)
    print("done", flush=True)
    time.sleep(600)
    """
)


@pytest.mark.parametrize("kind", KINDS)
def test_a_sigkilled_parent_leaves_no_child_behind(hub: FakeHub, kind: str) -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c", _ORPHAN_PARENT, kind, hub.endpoint, str(hub.dir)],
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        cwd=REPO,
    )
    try:
        pids: list[int] = []
        assert parent.stdout is not None
        for raw in parent.stdout:
            word, *rest = raw.decode().split()
            if word == "done":
                break
            pids.append(int(rest[0]))
        for _ in range(2):
            hub.expect(Ready, timeout=60)  # both fully up, heartbeating
        parent.kill()
        parent.wait(timeout=10)
        assert _wait_gone(pids) == []
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait(timeout=10)
        if parent.stdout is not None:
            parent.stdout.close()
