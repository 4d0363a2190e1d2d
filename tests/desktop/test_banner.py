"""A page's service banner appears inside its page, never as a window of its own (which would
flash on screen and take activation, and with it keyboard shortcuts, from the main window)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QWidget


class _WindowsShown(QObject):
    """Records every top-level widget that is shown."""

    def __init__(self) -> None:
        super().__init__()
        self.shown: list[str] = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Show and isinstance(watched, QWidget) and watched.isWindow():
            self.shown.append(watched.objectName() or type(watched).__name__)
        return False


def test_banners_of_pages_built_while_services_are_down_stay_in_their_pages(
    qtbot: Any, make_window: Any, ledger_path: Path, no_supervisor: Any
) -> None:
    window = make_window(ledger_path, no_supervisor)
    qtbot.waitUntil(lambda: not window.ctx.hub.health("categorizer").ok, timeout=10_000)
    spy = _WindowsShown()
    app = QApplication.instance()
    assert app is not None
    app.installEventFilter(spy)
    try:
        for name in ("Transactions", "Forecast", "Insights"):
            window.show_page(name)
            banner = window.pages[name].banner
            qtbot.waitUntil(lambda b=banner: "unavailable" in b.text, timeout=10_000)
            assert banner.isVisible() and not banner.isWindow()
            assert banner.window() is window
    finally:
        app.removeEventFilter(spy)
    assert spy.shown == []
