"""Regenerate the student and autograder versions of every homework master with Otter Assign.

    python homework/build.py              # all masters in homework/source/
    python homework/build.py hw05_lstm    # only the masters whose name contains "hw05_lstm"
    python homework/build.py --source DIR --output OUT   # masters kept elsewhere (private)

For each master ``homework/source/hwNN_topic.ipynb`` this runs ``otter assign`` in a temporary
directory (which also runs every test against the reference solutions and stops on a failure),
then copies

* the student version to ``homework/student/hwNN_topic/`` (the notebook without solutions, and
  ``tests/`` with the public tests only): committed, linked from the book, opened by Binder;
* the autograder version to ``homework/autograder/hwNN_topic/`` (the notebook with solutions,
  all tests including the hidden ones, and ``hwNN_topic-autograder.zip`` for Gradescope or
  ``otter run``): git-ignored, never published.

Nothing here uses the network (the zip's requirements are installed by Gradescope, not here).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat

HOMEWORK = Path(__file__).resolve().parent
SOURCE = HOMEWORK / "source"
STUDENT = HOMEWORK / "student"
AUTOGRADER = HOMEWORK / "autograder"


def masters(pattern: str = "", source: Path = SOURCE) -> list[Path]:
    """The master notebooks ``<source>/hw*.ipynb`` whose name contains ``pattern``."""
    return sorted(p for p in Path(source).glob("hw*.ipynb") if pattern in p.stem)


def otter_env() -> dict[str, str]:
    """Environment for Otter: no pip index (nothing may be downloaded), no inherited backend."""
    env = dict(os.environ, PIP_NO_INDEX="1", PYTHONWARNINGS="ignore")
    env.pop("MPLBACKEND", None)
    return env


def assign(master: Path, result: Path, run_tests: bool = True) -> tuple[Path, Path]:
    """Run ``otter assign master result``; return the ``student`` and ``autograder`` directories."""
    cmd = [sys.executable, "-m", "otter", "assign", "-v", str(master), str(result)]
    if not run_tests:
        cmd.insert(5, "--no-run-tests")
    proc = subprocess.run(cmd, cwd=master.parent, env=otter_env(), capture_output=True, text=True)
    out = proc.stdout + proc.stderr
    if proc.returncode != 0 or (run_tests and "All autograder tests passed" not in out):
        raise RuntimeError(f"otter assign failed for {master.name}:\n{out}")
    return result / "student", result / "autograder"


def autograder_zip(autograder_dir: Path) -> Path:
    """The (single) autograder zip that ``otter assign`` wrote, whatever its timestamp."""
    zips = sorted(autograder_dir.glob("*-autograder*.zip"))
    if len(zips) != 1:
        raise RuntimeError(f"expected one autograder zip in {autograder_dir}, found {zips}")
    return zips[0]


def stable_cell_ids(path: Path) -> None:
    """Give the cells of a generated notebook ids derived from their position and content.

    ``otter assign`` draws fresh random ids for the cells it adds (the checks), so without this
    every regeneration would change the committed student notebooks.
    """
    nb = nbformat.read(path, as_version=4)
    for index, cell in enumerate(nb.cells):
        digest = hashlib.sha1(f"{index}\0{cell.cell_type}\0{cell.source}".encode()).hexdigest()
        cell["id"] = digest[:8]
    nbformat.write(nb, path)


def build(master: Path, run_tests: bool = True, output: Path = HOMEWORK) -> None:
    """Regenerate ``<output>/student/<name>/`` and ``<output>/autograder/<name>/`` for one master."""
    name = master.stem
    student_dest, ag_dest = Path(output) / "student" / name, Path(output) / "autograder" / name
    with tempfile.TemporaryDirectory(prefix=f"{name}-") as tmp:
        student, autograder = assign(master, Path(tmp) / "out", run_tests)
        for src, dest in ((student, student_dest), (autograder, ag_dest)):
            if dest.exists():
                shutil.rmtree(dest)
            shutil.copytree(src, dest)
    for notebook in (student_dest / f"{name}.ipynb", ag_dest / f"{name}.ipynb"):
        stable_cell_ids(notebook)
    zip_path = autograder_zip(ag_dest)
    zip_path = zip_path.rename(ag_dest / f"{name}-autograder.zip")
    print(f"{name}: student -> {student_dest}, autograder -> {zip_path}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pattern", nargs="?", default="", help="only masters whose name contains this")
    parser.add_argument("--no-run-tests", action="store_true",
                        help="skip running the tests against the reference solutions (faster)")
    parser.add_argument("--source", type=Path, default=SOURCE,
                        help="folder of master notebooks (default: homework/source; a teacher's "
                             "private variants can live elsewhere)")
    parser.add_argument("--output", type=Path, default=HOMEWORK,
                        help="where student/ and autograder/ are written (default: homework/)")
    args = parser.parse_args(argv)
    found = masters(args.pattern, args.source)
    if not found:
        print(f"no master notebook in {args.source} matches {args.pattern!r}", file=sys.stderr)
        return 1
    for master in found:
        build(master.resolve(), run_tests=not args.no_run_tests, output=args.output.resolve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
