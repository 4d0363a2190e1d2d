"""Starting the desktop: a ledger that cannot be opened is one clear line and exit 1 (before any
window); `make run`'s preflight names the missing system packages instead of crashing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop import app, preflight


def test_a_directory_is_not_a_ledger(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert app.run(tmp_path) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("fincast: ")
    assert "directory" in err


def test_a_foreign_file_is_not_a_ledger(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "notes.sqlite"
    path.write_bytes(b"this is not sqlite at all" * 100)
    assert app.run(path) == 1
    err = capsys.readouterr().err
    assert err.startswith("fincast: ") and err.count("\n") == 1
    assert path.read_bytes().startswith(b"this is not sqlite")  # left as it was


def test_preflight_passes_offscreen() -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run(
        [sys.executable, "-m", "desktop.preflight"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""


def test_preflight_without_a_display_says_what_to_do() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["QT_QPA_PLATFORM"] = ""
    proc = subprocess.run(
        [sys.executable, "-m", "desktop.preflight"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if sys.platform.startswith("linux"):
        assert proc.returncode == 1
        # Either the plugin's libraries are missing (named, with the apt-get line), or they are
        # all there and it is the missing display that is explained.
        assert "sudo apt-get install" in proc.stderr or "no display" in proc.stderr
        assert "Traceback" not in proc.stderr


def test_library_names_map_to_debian_packages() -> None:
    assert preflight.packages_for(["libxcb-cursor.so.0", "libxcb-icccm.so.4", "libEGL.so.1"]) == [
        "libegl1",
        "libxcb-cursor0",
        "libxcb-icccm4",
    ]
    assert preflight.packages_for(["libunknown.so.9"]) == ["libunknown.so.9"]


def test_on_a_screen_a_refusal_is_also_a_dialog(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QMessageBox

    shown: list[tuple[str, str]] = []
    # Offscreen stands in for a screen here; the dialog itself is recorded, not shown.
    monkeypatch.setattr(app, "screen_available", lambda: True)
    monkeypatch.setattr(
        QMessageBox, "critical", lambda _parent, title, text: shown.append((title, text))
    )
    assert app.run(tmp_path) == 1
    err = capsys.readouterr().err
    assert err.startswith("fincast: ") and err.count("\n") == 1
    [(title, text)] = shown
    assert title == "Fincast cannot start"
    assert text == f"{tmp_path} is a directory, not a ledger file."


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"QT_QPA_PLATFORM": "offscreen", "DISPLAY": ":0"}, False),
        ({"QT_QPA_PLATFORM": "minimal:enable_fonts"}, False),
        ({"QT_QPA_PLATFORM": "", "DISPLAY": ":0"}, True),
        ({"QT_QPA_PLATFORM": "", "WAYLAND_DISPLAY": "wayland-0"}, True),
        ({"QT_QPA_PLATFORM": ""}, False),  # ssh with no display: no QApplication at all
    ],
)
def test_a_dialog_is_tried_only_where_a_screen_can_show_it(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], expected: bool
) -> None:
    if not sys.platform.startswith("linux"):
        pytest.skip("the display variables are Linux's")
    for name in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert app.screen_available() is expected


def test_without_a_screen_a_refusal_is_one_line_and_no_qt(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["QT_QPA_PLATFORM"] = ""
    proc = subprocess.run(
        [sys.executable, "-m", "desktop.cli", "--db", str(tmp_path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 1
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("fincast: ")
