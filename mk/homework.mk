# Homework (Otter-Grader): `make homework` regenerates, from the masters in homework/source/,
#   homework/student/<name>/     the student notebooks and their public tests (committed)
#   homework/autograder/<name>/  the autograder notebooks, hidden tests and Gradescope zips
#                                (git-ignored: they contain the solutions)
# Every master's reference solution is checked against all its tests on the way.
# `make homework HW=hw05` regenerates only the masters whose name contains "hw05";
# `make homework HW_ARGS="--source DIR --output OUT"` builds masters kept elsewhere.

HW ?=
HW_ARGS ?=

.PHONY: homework homework-clean

homework: $(STAMP)
	$(PY) homework/build.py $(HW_ARGS) $(HW)

homework-clean:
	rm -rf homework/autograder
