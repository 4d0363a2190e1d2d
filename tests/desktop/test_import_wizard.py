"""The import wizard on the importer's staged API: recognised layout, preview, mapping change,
account choice, progress, result and undo; bad files are explained in the page, never a dialog."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from data.ledger import Ledger


def _stage(qtbot: Any, make_window: Any, db: Path, path: Path) -> Any:
    window = make_window(db)
    wizard = window.importing
    window.open_files([path])
    qtbot.waitUntil(
        lambda: wizard.staged is not None or "cannot be imported" in wizard.review_message.text(),
        timeout=15_000,
    )
    return window, wizard


def test_preview_import_result_and_undo(
    qtbot: Any, make_window: Any, ledger_path: Path, tmp_path: Path, write_statement: Any
) -> None:
    path = write_statement(tmp_path / "bank.csv", 120)
    window, wizard = _stage(qtbot, make_window, ledger_path, path)
    assert wizard.stack.currentIndex() == 1
    assert "Date" in wizard.recognised.text()
    assert wizard.preview_table.rowCount() == 50  # the importer's preview limit
    assert wizard.errors.isHidden()
    wizard.account.setCurrentText("Everyday")
    wizard.currency.setCurrentText("EUR")
    assert wizard.import_button.isEnabled()
    with qtbot.waitSignal(window.ctx.events.changed, timeout=30_000):
        qtbot.mouseClick(wizard.import_button, Qt.MouseButton.LeftButton)
    assert wizard.stack.currentIndex() == 3
    assert "Imported 120 transactions" in wizard.result_label.text()
    with Ledger.open(ledger_path) as ledger:
        assert ledger.count() == 120
        assert ledger.account("Everyday").currency == "EUR"
    qtbot.mouseClick(wizard.undo_import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "undone" in wizard.undo_import_button.text(), timeout=10_000)
    with Ledger.open(ledger_path) as ledger:
        assert ledger.count() == 0


def test_importing_the_same_file_twice_lists_duplicates(
    qtbot: Any, make_window: Any, ledger_path: Path, tmp_path: Path, write_statement: Any
) -> None:
    path = write_statement(tmp_path / "bank.csv", 40)
    with Ledger.open(ledger_path) as ledger:
        ledger.import_file(path, "Everyday", currency="USD")
    _window, wizard = _stage(qtbot, make_window, ledger_path, path)
    assert wizard.account.currentText() == "Everyday"  # remembered for this layout
    qtbot.mouseClick(wizard.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.stack.currentIndex() == 3, timeout=30_000)
    assert "40 were already in the ledger" in wizard.result_label.text()


def test_a_mapping_change_redoes_the_preview(
    qtbot: Any, make_window: Any, ledger_path: Path, tmp_path: Path, write_statement: Any
) -> None:
    path = write_statement(tmp_path / "bank.csv", 10)
    _window, wizard = _stage(qtbot, make_window, ledger_path, path)
    before = wizard.preview_table.item(0, 2).text()
    wizard.description_column.setCurrentText("Date")  # a silly choice, but the user's
    staged = wizard.staged
    wizard._apply_mapping()
    qtbot.waitUntil(lambda: wizard.staged is not staged, timeout=10_000)
    assert wizard.preview_table.item(0, 2).text() != before


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("empty.csv", b""),
        ("binary.csv", bytes(range(256)) * 40),
        ("truncated.csv", b"Date,Description,Amount\n2024-01-02,SHOP,-1"),
        (
            "latin1.csv",
            "Date,Description,Amount\n2024-01-02,CAF\xc9 R\xc9MI,-4.50\n".encode("latin-1"),
        ),
        ("garbage.csv", b"\x00\x01\x02" * 1000),
    ],
)
def test_hostile_files_are_explained_in_the_page(
    qtbot: Any, make_window: Any, ledger_path: Path, tmp_path: Path, name: str, content: bytes
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    _window, wizard = _stage(qtbot, make_window, ledger_path, path)
    if wizard.staged is None:
        assert wizard.review_message.text().startswith("This file cannot be imported: ")
        assert not wizard.import_button.isEnabled()
    else:  # readable after all (e.g. latin-1): it previews, and nothing is stored yet
        assert wizard.preview_table.rowCount() + wizard.errors.count() >= 1
    with Ledger.open(ledger_path) as ledger:
        assert ledger.count() == 0


def test_a_missing_file_is_explained(
    qtbot: Any, make_window: Any, ledger_path: Path, tmp_path: Path
) -> None:
    _window, wizard = _stage(qtbot, make_window, ledger_path, tmp_path / "gone.csv")
    assert "cannot be imported" in wizard.review_message.text()


def test_no_account_no_import(
    qtbot: Any, make_window: Any, ledger_path: Path, tmp_path: Path, write_statement: Any
) -> None:
    path = write_statement(tmp_path / "bank.csv", 5)
    _window, wizard = _stage(qtbot, make_window, ledger_path, path)
    wizard.account.setCurrentText("")
    wizard.commit()
    assert "Choose an account" in wizard.review_message.text()
    assert wizard.stack.currentIndex() == 1


def _ambiguous_statement(path: Path) -> Path:
    # Day and month both 1-9, listed in no date order either way: only the user can tell.
    pairs = [(d, m) for d in range(1, 10) for m in range(1, 4)]
    random.Random(5).shuffle(pairs)
    rows = ["Date,Description,Amount"] + [f"0{d}/0{m}/2024,SHOP {d}{m},-{d}.{m}0" for d, m in pairs]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def _set_locale(monkeypatch: pytest.MonkeyPatch, lang: str) -> None:
    for name in ("LC_ALL", "LC_TIME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", lang)


def test_an_ambiguous_date_order_is_asked_and_answered(
    qtbot: Any, make_window: Any, ledger_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _set_locale(monkeypatch, "C.UTF-8")  # a locale that says nothing of date order
    path = _ambiguous_statement(tmp_path / "ambiguous.csv")
    _window, wizard = _stage(qtbot, make_window, ledger_path, path)
    assert wizard.staged.detection.questions
    assert wizard.questions_box.isVisibleTo(wizard)
    assert not wizard.import_button.isEnabled()
    assert "Answer the questions" in wizard.review_message.text()
    combo = wizard.questions_form.itemAt(0, wizard.questions_form.ItemRole.FieldRole).widget()
    staged = wizard.staged
    combo.setCurrentIndex(1)  # the first choice offered
    qtbot.waitUntil(lambda: wizard.staged is not staged, timeout=10_000)
    assert not wizard.staged.detection.questions
    wizard.account.setCurrentText("Ambiguous")
    assert wizard.import_button.isEnabled()


@pytest.mark.parametrize(
    ("lang", "first"), [("en_GB.UTF-8", "2024-01-02"), ("en_US.UTF-8", "2024-02-01")]
)
def test_the_users_locale_settles_what_the_file_cannot(
    qtbot: Any,
    make_window: Any,
    ledger_path: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    lang: str,
    first: str,
) -> None:
    _set_locale(monkeypatch, lang)
    path = _ambiguous_statement(tmp_path / "ambiguous.csv")
    _window, wizard = _stage(qtbot, make_window, ledger_path, path)
    assert not wizard.staged.detection.questions
    # 02/01/2024 is the 2nd of January to a British reader and the 1st of February to an American.
    dates = {row.date.isoformat() for row in wizard.staged.preview.rows}
    assert first in dates


def test_a_bad_row_past_the_preview_refuses_the_whole_file(
    qtbot: Any, make_window: Any, ledger_path: Path, tmp_path: Path, write_statement: Any
) -> None:
    path = write_statement(tmp_path / "bank.csv", 120)
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[100] = "2024-13-45,BROKEN ROW,-1.00"  # line 101 of the file: past the 50-row preview
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _window, wizard = _stage(qtbot, make_window, ledger_path, path)
    wizard.account.setCurrentText("Everyday")
    wizard.commit()
    qtbot.waitUntil(lambda: "Nothing was imported" in wizard.review_message.text(), timeout=30_000)
    assert wizard.stack.currentIndex() == 1
    assert any("line 101" in wizard.errors.item(i).text() for i in range(wizard.errors.count()))
    with Ledger.open(ledger_path) as ledger:
        assert ledger.count() == 0


def test_the_result_groups_thousands_in_the_persons_locale(
    qtbot: Any, make_window: Any, ledger_path: Path, tmp_path: Path, write_statement: Any
) -> None:
    from PySide6.QtCore import QLocale

    path = write_statement(tmp_path / "bank.csv", 1_200)
    before = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom))
    try:
        window, wizard = _stage(qtbot, make_window, ledger_path, path)
        wizard.account.setCurrentText("Everyday")
        with qtbot.waitSignal(window.ctx.events.changed, timeout=30_000):
            qtbot.mouseClick(wizard.import_button, Qt.MouseButton.LeftButton)
        assert "Imported 1,200 transactions" in wizard.result_label.text()
        qtbot.mouseClick(wizard.done_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: wizard.batches.count() == 1, timeout=10_000)
        assert "1,200 imported, 0 duplicates" in wizard.batches.item(0).text()  # and in the list
    finally:
        QLocale.setDefault(before)
