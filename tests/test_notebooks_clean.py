"""The book's notebooks are committed clean: no outputs, no execution counts, valid nbformat 4.

Outputs belong to the build (every notebook is executed when the book is built), not to the
repository: they bloat diffs and go stale. Clean the notebooks with

    make strip-notebooks            # or: python tests/test_notebooks_clean.py --fix [PATHS...]
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
KERNEL_NAME = "python3"

# Metadata that Jupyter front ends or executors write and that depends on a run, not on the source.
RUN_METADATA_NOTEBOOK = ("widgets",)
RUN_METADATA_CELL = ("execution", "collapsed", "scrolled", "ExecuteTime")


def book_notebooks(root: Path = ROOT) -> list[Path]:
    """The notebooks under ``book/`` that are (or are about to be) committed.

    In a git work tree these are the tracked files plus the untracked ones that ``.gitignore`` does
    not exclude; elsewhere (a tarball, say) every ``book/**/*.ipynb`` outside checkpoint folders.
    """
    try:
        out = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z", "--", "book"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        paths = {root / p for p in out.split("\0") if p.endswith(".ipynb")}
        return sorted(p for p in paths if p.exists())
    except (OSError, subprocess.CalledProcessError):
        return sorted(p for p in (root / "book").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def notebook_problems(path: Path) -> list[str]:
    """Everything that keeps the notebook at ``path`` from being committed; empty if it is clean."""
    try:
        nb = nbformat.read(path, as_version=nbformat.NO_CONVERT)
    except Exception as exc:  # unreadable JSON or not a notebook at all
        return [f"cannot be read as a notebook: {exc}"]

    problems = []
    if nb.get("nbformat") != 4:
        problems.append(f"is nbformat {nb.get('nbformat')}, expected 4")
    else:
        try:
            nbformat.validate(nb)
        except nbformat.ValidationError as exc:
            problems.append(f"is not valid nbformat 4: {str(exc).splitlines()[0]}")

    kernelspec = nb.get("metadata", {}).get("kernelspec", {})
    if kernelspec.get("name") != KERNEL_NAME:
        problems.append(
            f"kernelspec name is {kernelspec.get('name')!r}, expected {KERNEL_NAME!r} (metadata.kernelspec)"
        )
    if kernelspec.get("language", "python") != "python":
        problems.append(f"kernelspec language is {kernelspec.get('language')!r}, expected 'python'")
    for key in RUN_METADATA_NOTEBOOK:
        if key in nb.get("metadata", {}):
            problems.append(f"notebook metadata has run-time key {key!r}")

    for index, cell in enumerate(nb.get("cells", [])):
        where = f"cell {index} ({cell.get('cell_type')})"
        if cell.get("cell_type") == "code":
            if cell.get("outputs"):
                problems.append(f"{where} has {len(cell['outputs'])} output(s)")
            if cell.get("execution_count") is not None:
                problems.append(f"{where} has execution_count {cell['execution_count']}")
        for key in RUN_METADATA_CELL:
            if key in cell.get("metadata", {}):
                problems.append(f"{where} metadata has run-time key {key!r}")
    return problems


def strip_notebook(path: Path) -> bool:
    """Remove outputs, execution counts and run-time metadata in place; True if the file changed."""
    nb = nbformat.read(path, as_version=4)
    before = nbformat.writes(nb)
    for key in RUN_METADATA_NOTEBOOK:
        nb.metadata.pop(key, None)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        for key in RUN_METADATA_CELL:
            cell.metadata.pop(key, None)
    after = nbformat.writes(nb)
    if after != before:
        path.write_text(after + "\n", encoding="utf-8")
    return after != before


NOTEBOOKS = book_notebooks()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.relative_to(ROOT).as_posix() for p in NOTEBOOKS])
def test_committed_notebook_is_clean(path: Path) -> None:
    problems = notebook_problems(path)
    assert not problems, (
        f"{path.relative_to(ROOT)} is not clean (run `make strip-notebooks`):\n  " + "\n  ".join(problems)
    )


def test_notebooks_are_found_under_book() -> None:
    # Every notebook the parametrised test checks is a real notebook in book/.
    on_disk = {p for p in BOOK.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts}
    assert set(NOTEBOOKS) <= on_disk


def _write(path: Path, nb: nbformat.NotebookNode) -> Path:
    nbformat.write(nb, path)
    return path


def _clean_notebook() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
    }
    nb.cells = [
        nbformat.v4.new_markdown_cell("# A chapter"),
        nbformat.v4.new_code_cell("import numpy as np\nnp.arange(3)"),
    ]
    return nb


def test_checker_accepts_a_clean_notebook(tmp_path: Path) -> None:
    assert notebook_problems(_write(tmp_path / "clean.ipynb", _clean_notebook())) == []


def test_checker_rejects_outputs_and_execution_counts(tmp_path: Path) -> None:
    nb = _clean_notebook()
    code = nb.cells[1]
    code.execution_count = 1
    result = {"text/plain": "array([0, 1, 2])"}
    code.outputs = [nbformat.v4.new_output("execute_result", result, execution_count=1)]
    code.metadata["execution"] = {"iopub.status.idle": "2026-01-01T00:00:00Z"}
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {}}
    problems = notebook_problems(_write(tmp_path / "dirty.ipynb", nb))
    text = "\n".join(problems)
    assert "1 output(s)" in text
    assert "execution_count 1" in text
    assert "'execution'" in text
    assert "'widgets'" in text

    # ... and the fixer makes it clean, leaving the source alone.
    assert strip_notebook(tmp_path / "dirty.ipynb")
    assert notebook_problems(tmp_path / "dirty.ipynb") == []
    cleaned = nbformat.read(tmp_path / "dirty.ipynb", as_version=4)
    assert cleaned.cells[1].source == "import numpy as np\nnp.arange(3)"
    assert not strip_notebook(tmp_path / "dirty.ipynb")


def test_checker_rejects_a_stream_output_alone(tmp_path: Path) -> None:
    nb = _clean_notebook()
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", name="stdout", text="hi\n")]
    problems = notebook_problems(_write(tmp_path / "stream.ipynb", nb))
    assert problems == ["cell 1 (code) has 1 output(s)"]


def test_checker_rejects_wrong_kernel_and_old_format(tmp_path: Path) -> None:
    nb = _clean_notebook()
    nb.metadata["kernelspec"] = {"name": "ir", "display_name": "R", "language": "R"}
    problems = notebook_problems(_write(tmp_path / "r.ipynb", nb))
    assert any("kernelspec name is 'ir'" in p for p in problems)

    nb = _clean_notebook()
    del nb.metadata["kernelspec"]
    problems = notebook_problems(_write(tmp_path / "nokernel.ipynb", nb))
    assert any("kernelspec name is None" in p for p in problems)

    v3 = tmp_path / "v3.ipynb"
    v3.write_text('{"nbformat": 3, "nbformat_minor": 0, "metadata": {}, "worksheets": []}')
    assert any("nbformat 3" in p for p in notebook_problems(v3))

    broken = tmp_path / "broken.ipynb"
    broken.write_text("{not json")
    assert notebook_problems(broken)[0].startswith("cannot be read as a notebook")


def test_checker_rejects_invalid_nbformat(tmp_path: Path) -> None:
    nb = _clean_notebook()
    nb.cells[0]["cell_type"] = "nonsense"
    path = tmp_path / "invalid.ipynb"
    path.write_text(json.dumps(nb))
    assert any("not valid nbformat 4" in p for p in notebook_problems(path))


def test_git_listing_includes_untracked_notebooks(tmp_path: Path) -> None:
    """A new, not yet committed notebook is checked too (git repo), and so is a plain folder."""
    (tmp_path / "book" / "sub").mkdir(parents=True)
    _write(tmp_path / "book" / "sub" / "ch.ipynb", _clean_notebook())
    (tmp_path / "book" / "notes.md").write_text("# notes\n")
    assert book_notebooks(tmp_path) == [tmp_path / "book" / "sub" / "ch.ipynb"]  # no git repo
    try:
        subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("git is not available")
    (tmp_path / ".gitignore").write_text(".ipynb_checkpoints/\n")
    (tmp_path / "book" / ".ipynb_checkpoints").mkdir()
    _write(tmp_path / "book" / ".ipynb_checkpoints" / "ch-checkpoint.ipynb", _clean_notebook())
    assert book_notebooks(tmp_path) == [tmp_path / "book" / "sub" / "ch.ipynb"]


def main(argv: list[str]) -> int:
    """``--fix [PATHS]``: strip notebooks (default: all of book/); without it, report problems."""
    fix = "--fix" in argv
    paths = [Path(a).resolve() for a in argv if a != "--fix"] or book_notebooks()
    status = 0
    for path in paths:
        if fix:
            if strip_notebook(path):
                print(f"stripped {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
        else:
            for problem in notebook_problems(path):
                print(f"{path}: {problem}")
                status = 1
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
