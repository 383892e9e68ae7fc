"""Print the built HTML book to one PDF with Debian's Chromium: no LaTeX, no network.

Every page of the table of contents is opened in headless Chromium (served from localhost, every
other request aborted), MathJax is left to finish typesetting, and the page is printed with the
theme's print style (no sidebars, no buttons, solutions shown). The pages are joined in
table-of-contents order into one PDF with a bookmark for each.

    make pdf                                         # builds the HTML book first if needed
    python tests/browser/book_pdf.py _build/html _build/pdf/rnn-book.pdf

``test_book_pdf.py`` prints the book built for the test run.
"""

from __future__ import annotations

import argparse
import io
from pathlib import Path

try:  # tests/browser as a plain folder, or run as a script
    from book_build import CHROMIUM, CHROMIUM_ARGS, serve, toc_documents
except ImportError:  # as a package
    from tests.browser.book_build import CHROMIUM, CHROMIUM_ARGS, serve, toc_documents

MARGIN = {"top": "16mm", "bottom": "16mm", "left": "15mm", "right": "15mm"}


def write_pdf(browser, site: str, out: Path) -> list[tuple[str, int]]:
    """Print every table-of-contents page of the book served at ``site`` into the PDF ``out``.

    Parameters
    ----------
    browser : playwright.sync_api.Browser
        A launched Chromium.
    site : str
        Base URL of the served HTML book, ending in ``/``.
    out : Path
        The PDF to write (its folder is created).

    Returns
    -------
    list of (str, int)
        The bookmarks written: each document's numbered title and its first page (0-based).
    """
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    bookmarks: list[tuple[str, int]] = []
    context = browser.new_context(service_workers="block")
    try:
        context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(site)
                      or r.request.url.startswith("data:") else r.abort())
        page = context.new_page()
        for doc in toc_documents():
            response = page.goto(f"{site}{doc}.html", wait_until="load")
            if response is None or not response.ok:
                raise RuntimeError(f"{doc}.html could not be loaded from {site}")
            page.evaluate("async () => { if (window.MathJax && MathJax.startup"
                          " && MathJax.startup.promise) await MathJax.startup.promise; }")
            pdf = page.pdf(format="A4", print_background=True, margin=MARGIN)
            # "4. Vanishing and exploding gradients — <book title>": keep the document's part
            bookmarks.append((page.title().split(" \u2014 ")[0].strip(), len(writer.pages)))
            for sheet in PdfReader(io.BytesIO(pdf)).pages:
                writer.add_page(sheet)
    finally:
        context.close()
    for title, first_page in bookmarks:
        writer.add_outline_item(title=title, page_number=first_page)
    writer.add_metadata({"/Title": bookmarks[0][0]})
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "wb") as f:
        writer.write(f)
    return bookmarks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("html", type=Path, help="the built HTML book (the folder of index.html)")
    parser.add_argument("out", type=Path, help="the PDF to write")
    args = parser.parse_args()
    if not (args.html / "index.html").is_file():
        parser.error(f"{args.html} holds no index.html: build the book first (make book)")
    if not CHROMIUM.exists():
        parser.error(f"{CHROMIUM} not found: apt-get install chromium (no browser is downloaded)")
    from playwright.sync_api import sync_playwright

    server, site = serve(args.html)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                bookmarks = write_pdf(browser, site, args.out)
            finally:
                browser.close()
    finally:
        server.shutdown()
        server.server_close()
    print(f"wrote {args.out}: {len(bookmarks)} documents")


if __name__ == "__main__":
    main()
