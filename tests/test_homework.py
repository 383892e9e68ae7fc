"""The Otter-Grader homework in homework/: masters, generated student copies, autograders.

For every master ``homework/source/hwNN_*.ipynb`` (one test each, so ``pytest -n 2`` runs two
assignments at a time):

* ``otter assign`` generates the student and autograder versions in a temporary directory;
* ``otter run`` grades the autograder notebook (the reference solution): full marks on every
  autograded question, hidden tests included;
* the blank student copy fails every test, public and hidden;
* every planted common mistake of :data:`MISTAKES` passes the question's public tests and fails
  a hidden one;
* the committed student copy (``homework/student/<name>/``) equals the regenerated one;
* no student file holds a solution, a hidden test, a solution marker or a reference value;
* the committed student copy, executed in a temporary copy, runs its public checks.

Nothing is written under the repository and nothing is downloaded (``PIP_NO_INDEX``).
"""

from __future__ import annotations

import importlib.util
import inspect
import json
import numbers
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
HOMEWORK = ROOT / "homework"

_spec = importlib.util.spec_from_file_location("homework_build", HOMEWORK / "build.py")
build = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build)

#: One assignment per chapter 2-8 and one for the applications chapter.
EXPECTED = [
    "hw02_vanilla_rnn",
    "hw03_bptt",
    "hw04_vanishing_gradients",
    "hw05_lstm",
    "hw06_gru",
    "hw07_deep_bidirectional",
    "hw08_seq2seq",
    "hw09_applications",
]

#: Planted common mistakes: (question, text of the reference solution, replacement). Each one
#: must pass the question's public tests (it has the right form) and fail a hidden test.
MISTAKES: dict[str, list[tuple[str, str, str]]] = {
    "hw02_vanilla_rnn": [
        ("q1", " + b_h)  # SOLUTION", ")  # SOLUTION"),                      # missing bias
        ("q1", "W_hh @ h1 + b_h", "W_hh.T @ h1 + b_h"),                     # transposed W_hh
        ("q2", "n_cell = n * d + n * n + n", "n_cell = n * d + n * n"),     # bias not counted
        ("q4", 'Y)[0]  # SOLUTION', 'Y)[0] / np.log(2)  # SOLUTION'),        # bits, not nats
    ],
    "hw03_bptt": [
        ("q1", "(1 - h2**2) * (h1 + w * dh1_dw)", "(1 - h2**2) * h1"),     # last step only
        ("q2", "db_h = dz.sum(axis=0)", "db_h = dz.mean(axis=0)"),          # batch mean, not sum
        ("q3", "norm_full = np.linalg.norm(g_full)", "norm_full = np.linalg.norm(g_full, 2)"),
    ],
    "hw04_vanishing_gradients": [
        ("q1", 'gamma = get_activation("sigmoid").gamma', "gamma = 1.0"),  # tanh's gamma
        ("q1", "sigma = spectral_norm(W_hh)", "sigma = spectral_radius(W_hh)"),
        ("q2", "np.ceil(", "np.floor("),                                    # rounded the wrong way
        ("q3", "(1.0 - h_t**2)[:, None] * W_hh", "W_hh * (1.0 - h_t**2)[None, :]"),  # columns
        ("q4", "[0, 19]", "[0, 20]"),                                        # lag off by one
    ],
    "hw05_lstm": [
        ("q1", "np.tanh(a[2]), sig(a[3])", "sig(a[2]), sig(a[3])"),         # sigmoid candidate
        ("q1", "i, f, g, o = sig(a[0]), sig(a[1]), np.tanh(a[2]), sig(a[3])",
         "i, f, o, g = sig(a[0]), sig(a[1]), sig(a[2]), np.tanh(a[3])"),    # gate order i,f,o,g
        ("q2", "n_lstm = 4 * (n * d + n * n + n)", "n_lstm = 4 * (n * d + n * n)"),  # no biases
        ("q3", "return (dc + dh * o * (1.0 - np.tanh(c) ** 2)) * f", "return dc * f"),
    ],
    "hw06_gru": [
        ("q1", "h_old = z * h_prev + (1 - z) * h_tilde", "h_old = (1 - z) * h_prev + z * h_tilde"),
        ("q2", "n_after = n_before + n", "n_after = n_before"),             # forgot b_hn
    ],
    "hw07_deep_bidirectional": [
        ("q1", 'count_params("lstm", 2 * n, n)', 'count_params("lstm", n, n)'),  # input n, not 2n
        ("q2", "params_bwd).H[::-1]", "params_bwd).H"),                     # not flipped back
        ("q4", "keep_value = 1 / (1 - 0.25)", "keep_value = 1 - 0.25"),     # not inverted
    ],
    "hw08_seq2seq": [
        ("q1", "(score + float(lp[y]), prefix + (y,))", "(float(lp[y]), prefix + (y,))"),
        ("q3", "np.argmax(logprobs / lengths)", "np.argmax(logprobs * lengths)"),
        ("q4", "W_a @ s + U_a @ h", "W_a.T @ s + U_a @ h"),                 # transposed weight
    ],
    "hw09_applications": [
        ("q1", 'ppl = perplexity(nll, "nats")', "ppl = 2 ** nll"),         # base 2 with nats
        ("q2", "p_cold = temperature_probs(logits, 0.5)", "p_cold = temperature_probs(logits, 2.0)"),
        ("q3", "rmse_value = rmse(y_true, y_pred)", "rmse_value = np.mean((y_true - y_pred) ** 2)"),
        ("q4", "y = series[w:w + N, None]", "y = series[w - 1:w - 1 + N, None]"),  # off by one
    ],
}

MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "# SOLUTION", "BEGIN TEST CONFIG", "hidden: true",
           "# BEGIN QUESTION", "# BEGIN TESTS", "ASSIGNMENT CONFIG", "Model answer")


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------
def master_path(name: str) -> Path:
    return HOMEWORK / "source" / f"{name}.ipynb"


def read_nb(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def raw_config(cell: nbformat.NotebookNode) -> str:
    return cell.source.strip() if cell.cell_type == "raw" else ""


def questions(nb: nbformat.NotebookNode) -> list[dict]:
    """The question configs of a master (``# BEGIN QUESTION`` raw cells), parsed as YAML."""
    import yaml

    out = []
    for cell in nb.cells:
        src = raw_config(cell)
        if src.startswith("# BEGIN QUESTION"):
            out.append(yaml.safe_load(src.split("\n", 1)[1]))
    return out


def solution_texts(nb: nbformat.NotebookNode) -> list[str]:
    """The lines of the master that must never reach a student: solution code and model answers."""
    texts, in_solution = [], False
    for cell in nb.cells:
        src = raw_config(cell)
        if src in ("# BEGIN SOLUTION", "# END SOLUTION"):
            in_solution = src == "# BEGIN SOLUTION"
            continue
        lines = cell.source.splitlines()
        if in_solution and cell.cell_type == "markdown":  # a model answer
            texts += [ln.strip() for ln in lines]
        elif cell.cell_type == "code":
            block = False
            for ln in lines:
                if ln.strip().endswith("# BEGIN SOLUTION"):
                    block = True
                elif ln.strip().endswith("# END SOLUTION"):
                    block = False
                elif block or ln.rstrip().endswith("# SOLUTION"):
                    texts.append(ln.split("# SOLUTION")[0].strip())
    # Short or generic lines ("return h", "import numpy as np") may legitimately appear elsewhere.
    generic = {"import numpy as np", "def test", "assert"}
    return [t for t in texts if len(t) >= 16 and not any(t.startswith(g) for g in generic)
            and not t.startswith(("#", '"""', "def "))]


def hidden_test_functions(nb: nbformat.NotebookNode) -> list[str]:
    """Names of the master's hidden test functions."""
    names = []
    for cell in nb.cells:
        if cell.cell_type == "code" and "BEGIN TEST CONFIG" in cell.source and \
                re.search(r"^hidden:\s*true", cell.source, re.M):
            names += re.findall(r"^def (\w+)\(", cell.source, re.M)
    return names


def student_files(directory: Path) -> dict[Path, str]:
    return {p: p.read_text(encoding="utf-8") for p in sorted(directory.rglob("*"))
            if p.is_file() and ".ipynb_checkpoints" not in p.parts}


def run_notebook_in_process(nb: nbformat.NotebookNode, replace: tuple[str, str] | None = None,
                            errors_ok: bool = False) -> dict:
    """Execute a notebook's code cells in a fresh namespace (otter's own cells skipped).

    ``replace`` plants a mistake (a text substitution) first; with ``errors_ok`` a cell that
    raises (a blank answer ``...`` used later) is skipped, as a student's notebook would be.
    """
    env: dict = {"__name__": "__homework__"}
    hit = replace is None
    for cell in nb.cells:
        if cell.cell_type != "code" or "otter" in cell.source or "grader." in cell.source:
            continue
        src = cell.source
        if replace is not None and replace[0] in src:
            src, hit = src.replace(replace[0], replace[1]), True
        try:
            exec(compile(src, "<homework cell>", "exec"), env)  # noqa: S102
        except Exception:
            if not errors_ok:
                raise
    assert hit, f"planted mistake {replace[0]!r} no longer matches the reference solution"
    return env


def run_test_file(path: Path, env: dict) -> list[tuple[bool, bool]]:
    """Run one otter test file against ``env``; return (hidden, passed) for each test case."""
    from otter.test_files.exception_test import ExceptionTestFile

    tf = ExceptionTestFile.from_file(str(path))
    tf.run(env)
    return [(r.test_case.hidden, r.passed) for r in tf.test_case_results]


def otter_run(submission: Path, autograder_zip: Path, out: Path) -> dict[str, tuple[float, float]]:
    """Grade a notebook with ``otter run``; return {question: (score, max_score)}."""
    out.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(
        [sys.executable, "-m", "otter", "run", "--no-logo", "-a", str(autograder_zip),
         "-o", str(out), str(submission)],
        cwd=out, env=build.otter_env(), capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    results = json.loads((out / "results.json").read_text())
    return {t["name"]: (t["score"], t["max_score"]) for t in results["tests"] if "score" in t}


def reference_values(env: dict, test_files: list[Path]) -> list[str]:
    """Printed forms of the reference answers (the arguments of the tests), to scan for."""
    from otter.test_files.exception_test import ExceptionTestFile

    names = set()
    for path in test_files:
        for tc in ExceptionTestFile.from_file(str(path)).test_cases:
            names |= set(inspect.signature(tc.body.test_func).parameters)
    values = []
    for name in sorted(names):
        value = env.get(name)
        if isinstance(value, bool) or callable(value) or value is None:
            continue
        if isinstance(value, numbers.Integral) and abs(value) >= 1000:
            values.append(str(value))
        elif isinstance(value, (numbers.Real, np.ndarray)):
            arr = np.asarray(value, dtype=float).ravel()
            values += [f"{x:.4f}" for x in arr[:20]
                       if np.isfinite(x) and abs(x - round(x, 2)) > 1e-4]
    return values


# ---------------------------------------------------------------------------
# fast checks of the sources and the committed student copies
# ---------------------------------------------------------------------------
def test_one_master_per_chapter():
    assert [p.stem for p in build.masters()] == EXPECTED


@pytest.mark.parametrize("name", EXPECTED)
def test_master_structure(name):
    nb = read_nb(master_path(name))
    qs = questions(nb)
    assert 4 <= len(qs) <= 8, f"{name} has {len(qs)} questions"
    assert any(q.get("manual") for q in qs), "at least one question is graded by hand"
    assert sum(not q.get("manual") for q in qs) >= 3, "most questions are autograded"
    assert [q["name"] for q in qs] == [f"q{i}" for i in range(1, len(qs) + 1)]
    if name == "hw03_bptt":
        assert "gradcheck" in "".join(c.source for c in nb.cells), "a gradient-check question"
    for cell in nb.cells:  # masters are committed clean, like the book's notebooks
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert hidden_test_functions(nb), "every assignment has hidden tests"


@pytest.mark.parametrize("name", EXPECTED)
def test_committed_student_copy_has_no_solution(name):
    nb = read_nb(master_path(name))
    files = student_files(HOMEWORK / "student" / name)
    assert HOMEWORK / "student" / name / f"{name}.ipynb" in files, "run `make homework`"
    assert_clean(files, nb)


def assert_clean(files: dict[Path, str], master: nbformat.NotebookNode,
                 values: list[str] = ()) -> None:
    forbidden = [(m, "marker") for m in MARKERS]
    forbidden += [(t, "solution line") for t in solution_texts(master)]
    forbidden += [(f"def {f}(", "hidden test") for f in hidden_test_functions(master)]
    forbidden += [(v, "reference value") for v in values]
    for path, text in files.items():
        for needle, kind in forbidden:
            assert needle not in text, f"{path.name} contains a {kind}: {needle!r}"
        if path.suffix == ".py":
            assert "hidden=True" not in text, f"{path} is a hidden test"


def test_scan_catches_a_leak(tmp_path):
    """The scan is not a tautology: a solution line or a hidden test in a student file fails it."""
    nb = read_nb(master_path(EXPECTED[0]))
    leaked = solution_texts(nb)[0]
    with pytest.raises(AssertionError, match="solution line"):
        assert_clean({tmp_path / "x.ipynb": f"print(1)\n{leaked}\n"}, nb)
    with pytest.raises(AssertionError, match="hidden"):
        assert_clean({tmp_path / "q1.py": "@test_case(points=None, hidden=True)\n"}, nb)


def repository() -> tuple[str, str, str]:
    """(url, owner/name, branch) of the book's repository, from _config.yml."""
    import yaml

    repo = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["repository"]
    url = repo["url"].rstrip("/")
    return url, url.split("github.com/")[1], repo.get("branch", "main")


def test_book_page_lists_every_assignment():
    """The page links every student notebook on Binder and Colab, at the configured repository."""
    url, slug, branch = repository()
    page = (ROOT / "book" / "homework.md").read_text(encoding="utf-8")
    assert page.startswith("(app-homework)=")
    for name in EXPECTED:
        path = f"homework/student/{name}/{name}.ipynb"
        assert f"https://mybinder.org/v2/gh/{slug}/{branch}?labpath={path}" in page, name
        assert f"https://colab.research.google.com/github/{slug}/blob/{branch}/{path}" in page, name
        assert f"{url}/tree/{branch}/homework/student/{name}" in page, name


@pytest.mark.parametrize("name", EXPECTED)
def test_links_follow_the_configured_repository(name):
    """Colab's setup cell and the Gradescope requirements install from the book's repository."""
    url, _, branch = repository()
    setup = read_nb(master_path(name)).cells[2].source
    assert f'REPO = "{url}"' in setup and f"homework/student/{name}" in setup
    assert f'otter.Notebook("{name}.ipynb")' in setup
    reqs = (HOMEWORK / "source" / "requirements-autograder.txt").read_text(encoding="utf-8")
    assert f"git+{url}.git@{branch}" in reqs


# ---------------------------------------------------------------------------
# the full round trip, one assignment per test
# ---------------------------------------------------------------------------
@pytest.mark.notebooks  # slow: left out by `pytest -m "not notebooks and not book"`
@pytest.mark.parametrize("name", EXPECTED)
def test_assignment_round_trip(name, tmp_path):
    master = master_path(name)
    student_dir, ag_dir = build.assign(master, tmp_path / "out", run_tests=False)
    ag_zip = build.autograder_zip(ag_dir)
    ag_nb = read_nb(ag_dir / f"{name}.ipynb")
    master_nb = read_nb(master)
    n_auto = sum(not q.get("manual") for q in questions(master_nb))

    # 1. the reference solution gets full marks, hidden tests included
    scores = otter_run(ag_dir / f"{name}.ipynb", ag_zip, tmp_path / "run-solution")
    assert len(scores) == n_auto
    assert all(score == top for score, top in scores.values()), scores

    # 2. the blank student copy fails every test, public and hidden (run in-process: quicker
    #    than a second `otter run`, with the same test files)
    blank = run_notebook_in_process(read_nb(student_dir / f"{name}.ipynb"), errors_ok=True)
    for test_file in sorted((ag_dir / "tests").glob("q*.py")):
        results = run_test_file(test_file, blank)
        assert results and not any(passed for _, passed in results), test_file.name

    # 3. the committed student copy is the generated one
    committed = HOMEWORK / "student" / name
    gen_files = {p.relative_to(student_dir): t for p, t in student_files(student_dir).items()}
    com_files = {p.relative_to(committed): t for p, t in student_files(committed).items()}
    assert sorted(gen_files) == sorted(com_files), "student copy out of date: run `make homework`"
    for rel, text in gen_files.items():
        if rel.suffix == ".ipynb":
            gen = [(c.cell_type, c.source) for c in nbformat.reads(text, 4).cells]
            com = [(c.cell_type, c.source) for c in nbformat.reads(com_files[rel], 4).cells]
            assert gen == com, f"{rel} is out of date: run `make homework`"
        else:
            assert text == com_files[rel], f"{rel} is out of date: run `make homework`"

    # 4. no solution, hidden test, marker or reference value in any student file
    env = run_notebook_in_process(ag_nb)
    values = reference_values(env, sorted((ag_dir / "tests").glob("q*.py")))
    assert_clean(student_files(student_dir), master_nb, values)
    assert_clean(student_files(committed), master_nb, values)

    # 5. the public tests shipped to students pass on the reference solution
    for test_file in sorted((committed / "tests").glob("q*.py")):
        results = run_test_file(test_file, env)
        assert results and all(not hidden and passed for hidden, passed in results), test_file.name

    # 6. each planted mistake passes the public tests and fails a hidden one
    for question, old, new in MISTAKES.get(name, []):
        wrong = run_notebook_in_process(ag_nb, (old, new))
        results = run_test_file(ag_dir / "tests" / f"{question}.py", wrong)
        assert all(passed for hidden, passed in results if not hidden), (question, new)
        assert not all(passed for hidden, passed in results if hidden), (question, new)

    # 7. the committed student copy, from a clean copy, runs its public checks without errors
    work = tmp_path / "fresh" / name
    shutil.copytree(committed, work)
    nb = read_nb(work / f"{name}.ipynb")
    nb.cells = [c for c in nb.cells if "grader.export(" not in c.source]
    from nbclient import NotebookClient

    NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(work)}}).execute()
    checks = [c for c in nb.cells if c.cell_type == "code" and "grader.check(" in c.source]
    assert len(checks) == n_auto
    for cell in checks:
        assert not [o for o in cell.outputs if o.output_type == "error"], cell.source
        assert cell.outputs, f"{cell.source} printed nothing"
