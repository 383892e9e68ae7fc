"""Build the HTML book at most once per test run, and serve it on localhost to Chromium.

:func:`shared_build` returns the result of one ``jupyter-book build . --all -W -n --keep-going``
into a folder named after the run (``PYTEST_XDIST_TESTRUNUID``, which all workers of one
``pytest -n N`` run share): the first caller builds while holding a file lock, every later caller
(another worker, another test) waits for the lock and reuses the result. ``RNNBOOK_BOOK_HTML``
(a folder holding ``index.html``) skips the build and uses that folder instead, e.g.
``make book && RNNBOOK_BOOK_HTML=_build/html pytest -m browser`` (what ``make browser-test`` does).

:func:`serve` serves a built book on ``127.0.0.1``, and ``CHROMIUM``/``CHROMIUM_ARGS`` say how
Debian's Chromium is started headless with no background traffic; the browser tests and
``book_pdf.py`` share them.
"""

from __future__ import annotations

import fcntl
import functools
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

#: The book's source folder (``RNNBOOK_BOOK_SOURCE`` points the tests at another one).
ROOT = Path(os.environ.get("RNNBOOK_BOOK_SOURCE") or Path(__file__).resolve().parents[2]).resolve()
BUILD_FLAGS = ["--all", "-W", "-n", "--keep-going"]
#: Debian's Chromium; Playwright never downloads a browser of its own here.
CHROMIUM = Path(os.environ.get("RNNBOOK_CHROMIUM", "/usr/bin/chromium"))
#: Headless, and no background requests (this machine's network is closed to them).
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
_PREFIX = "rnnbook-book-"
_MAX_AGE_S = 6 * 3600  # leftovers of earlier runs older than this are removed


@dataclass(frozen=True)
class BookBuild:
    """The outcome of one book build: exit code, full log and the HTML folder."""

    returncode: int
    log: str
    html: Path


def _run_key() -> str:
    return os.environ.get("PYTEST_XDIST_TESTRUNUID") or f"pid{os.getpid()}"


def _jupyter_book() -> str:
    script = Path(sys.executable).parent / "jupyter-book"
    found = str(script) if script.exists() else shutil.which("jupyter-book")
    if found is None:
        raise RuntimeError("jupyter-book is not installed: pip install -r requirements.txt")
    return found


def _remove_old_builds(base: Path, keep: Path) -> None:
    now = time.time()
    for old in base.glob(f"{_PREFIX}*"):
        if old != keep and old.is_dir() and now - old.stat().st_mtime > _MAX_AGE_S:
            shutil.rmtree(old, ignore_errors=True)


def shared_build(source: Path = ROOT) -> BookBuild:
    """The book of ``source`` built once for this test run (see the module docstring)."""
    given = os.environ.get("RNNBOOK_BOOK_HTML")
    if given:
        html = Path(given).resolve()
        if not (html / "index.html").is_file():
            raise RuntimeError(f"RNNBOOK_BOOK_HTML={given} holds no index.html: run `make book`")
        return BookBuild(0, f"(using the build in {html})", html)

    base = Path(tempfile.gettempdir())
    out = base / f"{_PREFIX}{_run_key()}"
    out.mkdir(exist_ok=True)
    result_file = out / "result.json"
    with open(out / "build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one builder; the others wait here, then reuse
        try:
            if not result_file.is_file():
                _remove_old_builds(base, out)
                env = dict(os.environ)
                env.pop("MPLBACKEND", None)  # figures come from the kernel's inline backend
                proc = subprocess.run(
                    [_jupyter_book(), "build", str(source), "--path-output", str(out / "book"),
                     *BUILD_FLAGS],
                    cwd=source, env=env, capture_output=True, text=True, timeout=3600)
                result_file.write_text(json.dumps(
                    {"returncode": proc.returncode, "log": proc.stdout + proc.stderr}))
            result = json.loads(result_file.read_text())
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return BookBuild(result["returncode"], result["log"], out / "book" / "_build" / "html")


def toc_documents(root: Path = ROOT) -> list[str]:
    """Every document of the jb-book ``_toc.yml`` (root first), without suffix, e.g. ``book/intro``."""
    import yaml

    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    docs = [toc["root"]]

    def walk(entries: list[dict]) -> None:
        for entry in entries:
            if "file" in entry:
                docs.append(entry["file"])
            for key in ("sections", "chapters", "parts"):
                walk(entry.get(key, []))

    walk(toc.get("parts", []) + toc.get("chapters", []))
    return [str(Path(d).with_suffix("")) for d in docs]


def is_notebook(doc: str, root: Path = ROOT) -> bool:
    """True if the document is a notebook (a chapter with launch and download buttons)."""
    return (root / f"{doc}.ipynb").is_file()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def serve(directory: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    """Serve ``directory`` on 127.0.0.1 in a daemon thread; return the server and its base URL.

    Stop it with ``server.shutdown(); server.server_close()``.
    """
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"
