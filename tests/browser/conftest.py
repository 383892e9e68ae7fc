"""Fixtures of the browser tests: the built book served on localhost, and Chromium with no network.

* ``book_html``: the built HTML book (built once per test run, see ``book_build.py``);
* ``site``: an ``http.server`` thread serving it on ``127.0.0.1`` (a free port);
* ``browser``: Debian's Chromium (``/usr/bin/chromium``) driven by Playwright. Playwright never
  downloads a browser of its own here. Without Chromium the tests are skipped, except in CI
  (``CI=true``), where a missing browser fails them;
* ``open_page``: opens a URL in a fresh page where every request to a host other than the local
  server is aborted and recorded, and console errors, page errors and failed requests are
  collected, so a test can assert that the page needs no network and logs no error.

Every test in this folder is marked ``browser``: ``pytest -m "not browser"`` leaves them out.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

try:  # tests/browser as a plain folder (pytest's default "prepend" import mode)
    from book_build import CHROMIUM, CHROMIUM_ARGS, serve, shared_build
except ImportError:  # as a package
    from tests.browser.book_build import CHROMIUM, CHROMIUM_ARGS, serve, shared_build

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "browser: drives the built HTML book in headless Chromium (slow)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)
            # with `pytest -n N --dist loadgroup` they all run on one worker, one book build
            item.add_marker(pytest.mark.xdist_group("book-build"))


@pytest.fixture(scope="session")
def chromium() -> Path:
    """The Chromium executable, or a skip (outside CI) / failure (in CI) without it."""
    if not CHROMIUM.exists():
        message = (f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium); "
                   "the browser tests never download a browser")
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        message = "playwright is not installed: pip install -r requirements-dev.txt"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return CHROMIUM


@pytest.fixture(scope="session")
def book_html() -> Path:
    """The built HTML book (built once per run, shared by the xdist workers)."""
    result = shared_build()
    if result.returncode != 0:
        pytest.fail("the book did not build (see test_book_build.py for the full log):\n"
                    + result.log[-5000:], pytrace=False)
    return result.html


@pytest.fixture(scope="session")
def site(book_html: Path) -> Iterator[str]:
    """Base URL (ending in /) of the built book served on localhost."""
    server, url = serve(book_html)
    yield url
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser(chromium: Path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        yield b
        b.close()


@dataclass
class PageLog:
    """What happened while a page loaded."""

    blocked: list[str] = field(default_factory=list)   # requests to other hosts (aborted)
    failed: list[str] = field(default_factory=list)    # local requests that failed or gave >= 400
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        return ([f"blocked non-local request: {u}" for u in self.blocked]
                + [f"failed request: {u}" for u in self.failed]
                + [f"console error: {m}" for m in self.console_errors]
                + [f"page error: {m}" for m in self.page_errors])


@pytest.fixture
def open_page(browser) -> Iterator[Callable]:
    """``open_page(url) -> (page, log)``: load ``url`` with the network cut off but for localhost."""
    contexts = []

    def _open(url: str, settle_ms: int = 300):
        origin = url.split("/", 3)[:3]
        local = "/".join(origin) + "/"
        context = browser.new_context(viewport={"width": 1280, "height": 900},
                                      service_workers="block")
        contexts.append(context)
        page = context.new_page()
        log = PageLog()

        def route(r):
            if r.request.url.startswith(local) or r.request.url.startswith("data:"):
                r.continue_()
            else:
                log.blocked.append(r.request.url)
                r.abort()

        page.route("**/*", route)
        page.on("console", lambda m: log.console_errors.append(m.text) if m.type == "error"
                else None)
        page.on("pageerror", lambda e: log.page_errors.append(str(e)))
        page.on("requestfailed", lambda r: None if r.url in log.blocked
                else log.failed.append(f"{r.url} ({r.failure})"))
        page.on("response", lambda r: log.failed.append(f"{r.url} (HTTP {r.status})")
                if r.status >= 400 else None)
        page.goto(url, wait_until="load")
        page.wait_for_load_state("networkidle")
        if settle_ms:
            page.wait_for_timeout(settle_ms)
        return page, log

    yield _open
    for context in contexts:
        context.close()
