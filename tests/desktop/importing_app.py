"""A Fincast window (offscreen, no sidecars) that imports one statement and says so: run as
`python -m tests.desktop.importing_app LEDGER STATEMENT ACCOUNT`. It prints "importing" once the
import's progress has moved, then keeps running until it is killed (the test kills it -9)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> int:
    """Start the import and report its first progress on stdout."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from desktop import app

    db, statement, account = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
    qapp = QApplication.instance() or QApplication([])
    window = app.create(db, None)
    window.show()
    wizard = window.importing
    window.open_files([statement])
    said = []

    def step() -> None:
        if wizard.stack.currentIndex() == 1 and wizard.staged is not None and not said:
            wizard.account.setCurrentText(account)
            if wizard.import_button.isEnabled():
                wizard.import_button.click()
                said.append("clicked")
        elif wizard.progress.value() > 0 and len(said) == 1:
            said.append("importing")
            print("importing", flush=True)

    timer = QTimer()
    timer.timeout.connect(step)
    timer.start(20)
    return qapp.exec()


if __name__ == "__main__":
    sys.exit(main())
