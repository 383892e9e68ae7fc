"""Time a full build of the HTML book, notebooks executed, into a temporary folder.

    python benchmarks/book_build.py            # or: make bench

Prints the wall-clock seconds of ``jupyter-book build --all -W -n --keep-going`` and the
per-notebook execution times that myst-nb recorded. It measures; it never asserts on time.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def jupyter_book() -> str:
    script = Path(sys.executable).parent / "jupyter-book"
    return str(script) if script.exists() else (shutil.which("jupyter-book") or "jupyter-book")


def execution_table(html: Path) -> list[tuple[str, str]]:
    """(notebook, seconds) from the book's execution-statistics page, as myst-nb recorded them."""
    page = html / "book" / "execution-stats.html"
    if not page.is_file():
        return []
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", page.read_text(encoding="utf-8"), flags=re.S):
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td.*?</td>", row, re.S)]
        if len(cells) >= 4:
            rows.append((cells[0], cells[3]))
    return rows


def main() -> int:
    env = dict(os.environ)
    env.pop("MPLBACKEND", None)
    with tempfile.TemporaryDirectory(prefix="rnnbook-bench-") as out:
        cmd = [jupyter_book(), "build", str(ROOT), "--path-output", out, "--all"]
        cmd += ["-W", "-n", "--keep-going"]
        start = time.perf_counter()
        proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        if proc.returncode != 0:
            print((proc.stdout + proc.stderr)[-5000:], file=sys.stderr)
            print(f"book build FAILED after {seconds:.1f} s", file=sys.stderr)
            return proc.returncode
        html = Path(out, "_build", "html")
        pages = sorted(html.rglob("*.html"))
        print(f"book build: {seconds:.1f} s  ({len(pages)} HTML pages, {os.cpu_count()} CPUs)")
        for notebook, run_time in execution_table(html):
            print(f"  {notebook}: {run_time} s to execute")
    return 0


if __name__ == "__main__":
    sys.exit(main())
