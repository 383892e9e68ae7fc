"""What every chapter notebook promises a reader: a labelled title, a Colab setup cell that
installs this repository's package, learning objectives, a summary, exercises whose solutions
are folded away, and figures with captions and alt text."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "book").glob("[0-9][0-9]_*.ipynb"))


def _config() -> dict:
    return yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _markdown(path: Path) -> str:
    return "\n".join("".join(c["source"]) for c in _cells(path) if c["cell_type"] == "markdown")


def test_there_are_nine_chapters():
    assert [p.name[:2] for p in CHAPTERS] == [f"{i:02d}" for i in range(1, 10)]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_opens_with_label_and_title(path):
    first = "".join(_cells(path)[0]["source"])
    assert re.match(r"\(ch-[a-z0-9-]+\)=\n# \S", first), first[:80]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_colab_setup_cell_installs_this_repository(path):
    """Colab opens a notebook without the repository: the second cell installs the package
    from the repository named in _config.yml (a fork changes both; this test says where)."""
    repo = _config()["repository"]
    want = f"rnnbook @ git+{repo['url']}.git@{repo['branch']}"
    cell = _cells(path)[1]
    source = "".join(cell["source"])
    assert cell["cell_type"] == "code" and "google.colab" in source
    assert want in source, f"{path.name}: setup cell should install {want!r}"
    assert "remove-cell" in cell["metadata"].get("tags", []), "hidden from the HTML book"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_has_objectives_summary_and_exercises_with_hidden_solutions(path):
    md = _markdown(path)
    assert re.search(r"learning objectives", md, re.IGNORECASE)
    assert re.search(r"^#+ Summary", md, re.MULTILINE | re.IGNORECASE)
    exercises = re.findall(r"\{exercise\}", md)
    solutions = re.findall(r"\{solution(?:-start)?\}", md)
    assert len(exercises) >= 3
    assert len(solutions) == len(exercises)
    # every solution block carries the dropdown class, which folds it until clicked
    blocks = re.findall(r"\{solution(?:-start)?\}[^\n]*\n((?::[a-z]+:[^\n]*\n)*)", md)
    assert all(":class: dropdown" in b for b in blocks), path.name


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_every_figure_cell_has_caption_name_and_alt_text(path):
    for cell in _cells(path):
        meta = cell.get("metadata", {}).get("mystnb", {})
        if "figure" in meta:
            assert meta["figure"].get("caption") and meta["figure"].get("name"), meta
            assert meta.get("image", {}).get("alt"), f"{path.name}: figure without alt text"


def test_every_chapter_label_is_unique_across_the_book():
    seen: dict[str, str] = {}
    pages = [*CHAPTERS, *(ROOT / "book").glob("*.md")]
    for page in pages:
        text = page.read_text(encoding="utf-8")
        for label in re.findall(r"\(([a-z][\w-]*)\)=", text):
            assert label not in seen, f"label {label} in {page.name} and {seen[label]}"
            seen[label] = page.name
