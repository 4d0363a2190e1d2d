"""`fincast ...` run in-process for tests: its exit code, stdout and stderr, and the check that a
refusal is the one clear line the command line promises."""

from __future__ import annotations

import pytest

from desktop import cli


def run(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    """`fincast *argv`: (exit code, stdout, stderr)."""
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def refused(code: int, out: str, err: str) -> str:
    """Assert a user error (exit 1, nothing on stdout, one 'fincast: ...' line, no traceback);
    returns that line."""
    assert code == 1, (out, err)
    assert out == "" and "Traceback" not in err
    assert err.count("\n") == 1 and err.startswith("fincast: "), err
    return err
