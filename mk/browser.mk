# Browser tests of the built HTML book (headless Debian Chromium driven by Playwright), and the PDF.
#
#   make browser-test   build the book into _build/html, then run only tests/browser against it
#   make pdf            build the book, then print it to _build/pdf/rnn-book.pdf with Chromium
#
# `make test` runs the browser tests too (they live in tests/ and build the book once per run
# into a temporary folder shared by the pytest-xdist workers); this target reuses _build/html.
# Chromium comes from the system (`apt-get install chromium`, done by .ci/run); Playwright is
# never asked to download a browser. PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD makes sure of it.

export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

.PHONY: browser-test pdf

browser-test: book
	RNNBOOK_BOOK_HTML=$(CURDIR)/_build/html $(PY) -m pytest tests/browser -m browser -p no:cacheprovider

pdf: book
	$(PY) tests/browser/book_pdf.py _build/html _build/pdf/rnn-book.pdf
