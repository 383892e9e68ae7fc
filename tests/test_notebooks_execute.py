"""Every notebook of the book runs top to bottom without error, as a student would run it.

One test per notebook, so ``pytest -n 2`` runs two notebooks at a time and a failure names its
notebook, cell and traceback. The notebooks run with nbmake's runner (nbclient underneath) in their
own folder, on the ``python3`` kernel of the interpreter running pytest, with the same per-cell
timeout as the book build. Deselect them with ``pytest -m "not notebooks"``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from nbmake.nb_run import NotebookRun

try:  # tests/ as a plain folder (pytest's default "prepend" import mode)
    from test_notebooks_clean import ROOT, book_notebooks
except ImportError:  # tests/ as a package
    from tests.test_notebooks_clean import ROOT, book_notebooks

CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
CELL_TIMEOUT = int(CONFIG["execute"]["timeout"])

NOTEBOOKS = book_notebooks()


def strip_ansi(text: str) -> str:
    """Tracebacks come coloured; CI logs read better without the escape codes."""
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


@pytest.mark.notebooks
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.relative_to(ROOT).as_posix() for p in NOTEBOOKS])
def test_notebook_executes(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The kernel inherits the environment: a non-inline backend would hide every figure.
    monkeypatch.delenv("MPLBACKEND", raising=False)
    result = NotebookRun(path, default_timeout=CELL_TIMEOUT, kernel="python3").execute()
    if result.error is not None:
        err = result.error
        pytest.fail(
            f"{path.relative_to(ROOT)}: cell {err.failing_cell_index} failed: "
            f"{strip_ansi(err.summary)}\n\n{strip_ansi(err.trace)}",
            pytrace=False,
        )
