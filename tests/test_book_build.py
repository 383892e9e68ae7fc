"""The HTML book builds from the sources with ``-W -n --keep-going``: no warning, no failing cell.

The build goes to a temporary folder (``--path-output``), so it never touches ``_build/`` of
a working copy, and it is shared with the browser tests: one build per test run. The slow tests
are marked ``book``; deselect them with ``pytest -m "not book"``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from browser.book_build import BUILD_FLAGS, _jupyter_book, shared_build, toc_documents

ROOT = Path(__file__).resolve().parents[1]


def build(source: Path, output: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.pop("MPLBACKEND", None)  # figures come from the kernel's inline backend
    return subprocess.run(
        [_jupyter_book(), "build", str(source), "--path-output", str(output), *BUILD_FLAGS],
        cwd=source,
        env=env,
        capture_output=True,
        text=True,
        timeout=3600,
    )


def read_yaml(name: str) -> dict:
    return yaml.safe_load((ROOT / name).read_text(encoding="utf-8"))


def test_config_is_valid_for_jupyter_book() -> None:
    from jupyter_book.config import validate_yaml

    config = read_yaml("_config.yml")
    validate_yaml(config, raise_on_errors=True)
    assert config["execute"]["execute_notebooks"] == "force"
    assert config["execute"]["raise_on_error"] is True
    assert config["execute"]["allow_errors"] is False


def test_every_toc_entry_exists() -> None:
    toc = read_yaml("_toc.yml")
    assert toc["format"] == "jb-book"
    for doc in toc_documents(ROOT):
        candidates = [ROOT / f"{doc}{suffix}" for suffix in (".md", ".ipynb")]
        assert any(c.exists() for c in candidates), f"_toc.yml names {doc}, which does not exist"


def test_every_book_notebook_is_in_the_toc() -> None:
    """`only_build_toc_files` drops a page missing from _toc.yml silently: catch it here."""
    in_toc = set(toc_documents(ROOT))
    notebooks = [p for p in (ROOT / "book").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts]
    missing = sorted(
        p.relative_to(ROOT).with_suffix("").as_posix()
        for p in notebooks
        if p.relative_to(ROOT).with_suffix("").as_posix() not in in_toc
    )
    assert not missing, f"notebooks not listed in _toc.yml: {missing}"


def test_bibliography_file_exists() -> None:
    for bib in read_yaml("_config.yml")["bibtex_bibfiles"]:
        assert (ROOT / bib).is_file(), bib


@pytest.mark.book
@pytest.mark.xdist_group("book-build")
def test_book_builds_without_warnings() -> None:
    """One build per test run, shared with the browser tests (tests/browser/book_build.py)."""
    result = shared_build()
    assert result.returncode == 0, f"jupyter-book build failed:\n{result.log[-20000:]}"

    html = result.html
    assert (html / "index.html").is_file()
    for doc in toc_documents(ROOT):
        assert (html / f"{doc}.html").is_file(), f"no page for {doc}"
    intro = (html / "book" / "intro.html").read_text(encoding="utf-8")
    assert "Recurrent Neural Networks" in intro
    # Every entry of the .bib files is listed on the references page (`:all:`).
    entries = sum(
        len(re.findall(r"^@\w+\{", (ROOT / bib).read_text(encoding="utf-8"), flags=re.M))
        for bib in read_yaml("_config.yml")["bibtex_bibfiles"]
    )
    references = (html / "book" / "references.html").read_text(encoding="utf-8")
    assert references.count('class="citation"') == entries


@pytest.mark.book
@pytest.mark.xdist_group("book-build")
def test_executed_chapters_show_no_warning_error_or_nan() -> None:
    """What a reader sees under the code cells: no stderr (warnings), no error, no NaN or inf.

    A RuntimeWarning from numpy or a library's DeprecationWarning would be printed into the page
    (``stderr_output: show``); this reads the notebooks as the build executed them.
    """
    result = shared_build()
    assert result.returncode == 0, "the book did not build (see test_book_builds_without_warnings)"
    executed = sorted((result.html.parent / "jupyter_execute").rglob("*.ipynb"))
    assert len(executed) == sum((ROOT / f"{d}.ipynb").is_file() for d in toc_documents(ROOT))
    bad = re.compile(r"\b(nan|inf)\b|Warning|Traceback", re.IGNORECASE)
    problems = []
    for path in executed:
        for index, cell in enumerate(json.loads(path.read_text(encoding="utf-8"))["cells"]):
            for out in cell.get("outputs", []):
                where = f"{path.name}, cell {index}"
                if out["output_type"] == "error" or out.get("name") == "stderr":
                    problems.append(f"{where}: {out['output_type']} {out.get('name', '')}")
                    continue
                text = out.get("text") or out.get("data", {}).get("text/plain", "")
                text = "".join(text) if isinstance(text, list) else text
                if match := bad.search(text):
                    problems.append(f"{where}: {match.group(0)!r} in {text[:160]!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.book
def test_a_failing_cell_fails_the_build(tmp_path: Path) -> None:
    """The book's own configuration turns an exception in a notebook into a failed build."""
    source = tmp_path / "src"
    (source / "book").mkdir(parents=True)
    shutil.copy(ROOT / "_config.yml", source / "_config.yml")
    for bib in read_yaml("_config.yml")["bibtex_bibfiles"]:
        (source / bib).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / bib, source / bib)
    (source / "_toc.yml").write_text(
        "format: jb-book\nroot: book/intro\nchapters:\n  - file: book/broken\n", encoding="utf-8"
    )
    (source / "book" / "intro.md").write_text("# Intro\n", encoding="utf-8")
    notebook = {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3"}},
        "cells": [
            {"id": "a", "cell_type": "markdown", "metadata": {}, "source": "# Broken"},
            {
                "id": "b",
                "cell_type": "code",
                "metadata": {},
                "execution_count": None,
                "outputs": [],
                "source": "1 / 0",
            },
        ],
    }
    (source / "book" / "broken.ipynb").write_text(json.dumps(notebook), encoding="utf-8")

    proc = build(source, tmp_path / "out")
    assert proc.returncode != 0
    assert "ZeroDivisionError" in proc.stdout + proc.stderr
