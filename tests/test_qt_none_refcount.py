"""PySide6 6.12.0 on CPython < 3.12 drops a reference to None on every void Qt call and aborts after
~5,000 of them (DESIGN.md, "Desktop notes"). The dependency marker keeps that pair out; this test
keeps the marker honest by making 20,000 void calls in a child process, which would abort."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

CHILD = """
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication([])
label = QLabel()
for i in range(20_000):
    label.setText(str(i))      # returns None
    label.resize(10 + i % 7, 10)  # returns None
print("survived", flush=True)
"""


def test_twenty_thousand_void_qt_calls_do_not_abort() -> None:
    pytest.importorskip("PySide6")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run(
        [sys.executable, "-c", CHILD],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "survived" in proc.stdout


def test_installed_pyside_is_not_the_crashing_pair() -> None:
    from importlib.metadata import version

    if sys.version_info < (3, 12):
        assert version("pyside6-essentials") != "6.12.0"
        assert version("pyside6-addons") != "6.12.0"
    assert version("pyside6-essentials") == version("pyside6-addons")
