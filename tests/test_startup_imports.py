"""The command line starts light: no Qt, no model library and no ZeroMQ are imported by commands
that do not need them (DESIGN.md: the CLI imports no Qt and no model library at start-up)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("PySide6", "sklearn", "prophet", "pandas", "cmdstanpy", "scipy")

PROBE = """
import json, sys
from desktop import cli
try:
    code = cli.main(sys.argv[1:])
except SystemExit as exit_:
    code = exit_.code
print(json.dumps([code, sorted({m.split('.')[0] for m in sys.modules})]), file=sys.stderr)
"""


@pytest.mark.parametrize(
    "argv",
    [["--help"], ["accounts", "--db", "{db}"], ["transactions", "--db", "{db}", "--json"]],
)
def test_light_commands_import_no_heavy_library(tmp_path: Path, argv: list[str]) -> None:
    args = [a.replace("{db}", str(tmp_path / "l.sqlite")) for a in argv]
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    code, modules = json.loads(proc.stderr.strip().splitlines()[-1])
    assert code in (0, None), proc.stderr
    loaded = set(modules)
    assert argv == ["--help"] or "data" in loaded  # the command really ran
    assert not loaded & set(HEAVY), loaded & set(HEAVY)
