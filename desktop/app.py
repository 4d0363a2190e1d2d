"""Start the desktop: check the ledger opens, show the window, then bring the sidecars up behind it.

`run(db)` is what `fincast` calls (lazily, so the CLI never imports Qt). The window appears before
any sidecar starts; a ledger that cannot be opened is one clear line on stderr and exit 1.
"""

from __future__ import annotations

import gc
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


def open_check(db: Path) -> str | None:
    """None when the ledger at `db` opens (creating it if new), else one sentence why not."""
    from data.ledger import Ledger, LedgerError

    try:
        Ledger.open(db).close()
    except LedgerError as exc:
        return str(exc)
    except OSError as exc:
        return f"cannot open the ledger {db}: {exc.strerror or exc}"
    return None


def create(db: Path | None = None, hub_factory: Callable[[], Any] | None = None) -> Any:
    """Build (but do not show) the main window for `db`; needs a QApplication."""
    from data.paths import default_ledger
    from desktop.context import AppContext
    from desktop.hub_adapter import HubAdapter
    from desktop.window import MainWindow

    use_readable_locale()
    path = db or default_ledger()
    ctx = AppContext.create(path, HubAdapter(hub_factory))
    window = MainWindow(ctx)
    keep_gui_thread_responsive()
    return window


# How long a thread may hold the GIL while another wants it (Python's default is 5 ms). Every
# call from Qt into Python (a table repaint makes ~1,000 data() calls) has to win the GIL back
# from the worker lanes; at 5 ms a repaint with one busy lane took 136-142 ms here, at 1 ms 87-118
# ms (quiet: 30-50 ms). The lanes lose a little throughput to the extra switches.
SWITCH_INTERVAL_S = 0.001


def keep_gui_thread_responsive() -> None:
    """Process-wide settings for a GUI thread that shares the GIL with worker lanes: a shorter
    GIL switch interval, and the start-up heap moved out of the cyclic collector's reach
    (gc.freeze), so a full collection, which stops every thread, walks only what came later
    (one took 159 ms in the chaos run, on a worker lane building ledger rows)."""
    sys.setswitchinterval(min(sys.getswitchinterval(), SWITCH_INTERVAL_S))
    if not gc.get_freeze_count():  # once a process: later windows' garbage stays collectable
        gc.freeze()


def use_readable_locale() -> None:
    """Keep the system locale, except the bare "C" locale (no grouping, numeric months), which
    reads badly: then format like en_US."""
    from PySide6.QtCore import QLocale

    if QLocale().language() == QLocale.Language.C:
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))


# Platforms with no one to read a dialog (tests, screenshots).
HEADLESS_PLATFORMS = ("offscreen", "minimal")


def screen_available() -> bool:
    """A dialog would reach someone: not a headless Qt platform, and on Linux a display to
    show it on (over ssh without one, making a QApplication would abort the process)."""
    if os.environ.get("QT_QPA_PLATFORM", "").split(":")[0] in HEADLESS_PLATFORMS:
        return False
    if sys.platform.startswith("linux"):
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True


def refuse(problem: str) -> int:
    """The desktop cannot start: one line on stderr, and where there is a screen a dialog too
    (started from a launcher, nobody reads stderr). Returns the exit code, 1."""
    sys.stderr.write(f"fincast: {problem}\n")
    if screen_available():
        from PySide6.QtWidgets import QApplication, QMessageBox

        app = QApplication.instance() or QApplication(["fincast"])
        assert isinstance(app, QApplication)
        QMessageBox.critical(None, "Fincast cannot start", problem[:1].upper() + problem[1:] + ".")
    return 1


def run(db: Path | None = None) -> int:
    """Open the desktop on `db` (None = the default ledger); returns the exit code."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from data.paths import default_ledger
    from desktop.instance_lock import LedgerInUse, claim

    path = db or default_ledger()
    problem = open_check(path)
    if problem is not None:
        return refuse(problem)
    try:
        lock = claim(path)  # held until this function returns, when the window has closed
    except LedgerInUse as exc:
        return refuse(str(exc))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    app = QApplication.instance() or QApplication(["fincast"])
    assert isinstance(app, QApplication)
    app.setApplicationName("Fincast")
    app.setApplicationDisplayName("Fincast")
    window = create(path)
    window.show()
    # The window paints first; the hub (and its sidecars) come up behind it.
    QTimer.singleShot(0, window.ctx.hub.start)
    try:
        return int(app.exec())
    finally:
        if lock is not None:
            lock.unlock()
