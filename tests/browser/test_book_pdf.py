"""The PDF of the book (``make pdf``): every page of the table of contents, in order, typeset."""

from __future__ import annotations

from pathlib import Path

import pytest

try:
    from book_build import toc_documents
    from book_pdf import write_pdf
except ImportError:
    from tests.browser.book_build import toc_documents
    from tests.browser.book_pdf import write_pdf


@pytest.fixture(scope="module")
def book_pdf(browser, site: str, tmp_path_factory) -> tuple[Path, list[tuple[str, int]]]:
    out = tmp_path_factory.mktemp("pdf") / "rnn-book.pdf"
    return out, write_pdf(browser, site, out)


def test_pdf_has_every_document_in_order_with_bookmarks(book_pdf) -> None:
    from pypdf import PdfReader

    out, bookmarks = book_pdf
    reader = PdfReader(out)
    assert len(bookmarks) == len(toc_documents())
    starts = [page for _, page in bookmarks]
    assert starts == sorted(starts) and len(set(starts)) == len(starts), starts
    assert len(reader.pages) > starts[-1]
    titles = [o.title for o in reader.outline]
    assert titles == [title for title, _ in bookmarks]
    # chapters keep their numbers, as in the HTML book
    assert "4. Vanishing and exploding gradients" in titles


def test_pdf_text_is_typeset(book_pdf) -> None:
    """Each document's first page carries its title; no unrendered display math reaches the paper.

    (Code cells may hold TeX, e.g. ``rf"\\frac{{dL}}..."``, so only ``$$`` is looked for; the HTML
    tests check MathJax itself.)
    """
    from pypdf import PdfReader

    out, bookmarks = book_pdf
    reader = PdfReader(out)
    for title, first in bookmarks:
        text = " ".join(reader.pages[first].extract_text().split())
        name = title.split(". ", 1)[-1]
        assert name in text, f"{title!r} not on its first page {first}: {text[:200]!r}"
    full = " ".join(page.extract_text() for page in reader.pages)
    assert "$$" not in full, "raw display math in the PDF"
