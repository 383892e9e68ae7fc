# Build the book and run the tests in a local virtual environment (.venv).
#
#   make book    build the HTML book (every notebook executed, zero warnings allowed)
#   make test    lint, then run every test: the package, the notebooks and the book build
#   make bench   run the benchmark scripts in benchmarks/ (they print timings; nothing is asserted)
#   make clean   remove build output and caches (keeps .venv; `make distclean` removes it too)

SHELL := /bin/bash
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

# Figures are captured by the notebooks' inline backend. A non-interactive backend set in the
# caller's environment (for example MPLBACKEND=Agg) would silently remove them from the book.
unexport MPLBACKEND

# One BLAS thread per process: the book's matrices are small, and with two cores shared by
# pytest workers and notebook kernels, threaded BLAS only contends (an LSTM step ran 20x slower).
export OPENBLAS_NUM_THREADS ?= 1
export OMP_NUM_THREADS ?= 1
export MKL_NUM_THREADS ?= 1

VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.requirements-installed
PYTEST_WORKERS ?= 2
JB_FLAGS := -W -n --keep-going

.PHONY: help book test lint bench clean distclean strip-notebooks

help:
	@echo "make book    build the HTML book into _build/html (open _build/html/index.html)"
	@echo "make test    run ruff and the whole test suite (notebooks and book build included)"
	@echo "make bench   run every benchmark script in benchmarks/"
	@echo "make clean   remove build output and caches; make distclean also removes .venv"
	@echo "make strip-notebooks   remove outputs and execution counts from book/ notebooks"

# The virtual environment: python3.11 if present, otherwise python3 if it is 3.10 or newer.
$(PY):
	@py="$$(command -v python3.11 || command -v python3 || true)"; \
	if [ -z "$$py" ]; then \
	  echo "error: no python3.11 or python3 on PATH; install Python 3.11" >&2; exit 1; fi; \
	if ! "$$py" -c 'import sys; sys.exit(sys.version_info < (3, 10))'; then \
	  echo "error: $$py is $$("$$py" -V 2>&1); Python 3.10 or newer is needed (3.11 recommended)" >&2; \
	  exit 1; fi; \
	echo "Creating $(VENV) with $$py ($$("$$py" -V 2>&1))"; \
	if ! "$$py" -m venv $(VENV); then \
	  rm -rf $(VENV); \
	  echo "error: '$$py -m venv' failed; on Debian/Ubuntu: apt-get install python3-venv" >&2; \
	  exit 1; fi

# (Re)install only when a requirements file or the package metadata changes.
$(STAMP): requirements.txt requirements-dev.txt pyproject.toml | $(PY)
	$(PY) -m pip install --disable-pip-version-check --progress-bar off -r requirements-dev.txt
	@touch $@

book: $(STAMP)
	$(VENV)/bin/jupyter-book build . --all $(JB_FLAGS)
	@echo
	@echo "The book is built. Open it in a browser:"
	@echo "    $(CURDIR)/_build/html/index.html"

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks book

test: lint
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadgroup

bench: $(STAMP)
	@set -e; shopt -s nullglob; scripts=(benchmarks/*.py); \
	if [ $${#scripts[@]} -eq 0 ]; then echo "no benchmark scripts in benchmarks/"; fi; \
	for script in "$${scripts[@]}"; do \
	  echo "== $$script"; \
	  $(PY) "$$script"; \
	done

strip-notebooks: $(STAMP)
	$(PY) tests/test_notebooks_clean.py --fix

clean:
	rm -rf _build .pytest_cache .hypothesis .ruff_cache .jupyter_cache
	find . -path ./$(VENV) -prune -o \( -name __pycache__ -o -name .ipynb_checkpoints \
	  -o -name '*.egg-info' \) -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)

# Further targets (homework, browser tests) live in mk/*.mk.
-include mk/*.mk
