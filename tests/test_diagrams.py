"""Tests of rnnbook.diagrams: the layouts of the task patterns and the drawings built from them."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch  # noqa: E402

from rnnbook import diagrams  # noqa: E402


@pytest.fixture
def ax():
    fig, axis = plt.subplots()
    yield axis
    plt.close(fig)


EXPECTED = {  # pattern: (columns, input columns, output columns)
    "one_to_one": (1, (0,), (0,)),
    "one_to_many": (3, (0,), (0, 1, 2)),
    "many_to_one": (3, (0, 1, 2), (2,)),
    "many_to_many": (3, (0, 1, 2), (0, 1, 2)),
    "encoder_decoder": (7, (0, 1, 2), (3, 4, 5, 6)),
}


@pytest.mark.parametrize("pattern", diagrams.PATTERNS)
def test_default_layouts(pattern: str) -> None:
    lay = diagrams.task_pattern_layout(pattern)
    steps, ins, outs = EXPECTED[pattern]
    assert (lay.n_steps, lay.inputs, lay.outputs) == (steps, ins, outs)
    assert lay.links == tuple((i, i + 1) for i in range(steps - 1))
    assert lay.n_encoder == (3 if pattern == "encoder_decoder" else steps)


def test_layout_lengths() -> None:
    assert diagrams.task_pattern_layout("many_to_one", n_in=5).inputs == (0, 1, 2, 3, 4)
    assert diagrams.task_pattern_layout("many_to_one", n_in=5).outputs == (4,)
    ed = diagrams.task_pattern_layout("encoder_decoder", n_in=2, n_out=5)
    assert ed.n_steps == 7 and ed.outputs == (2, 3, 4, 5, 6)
    assert diagrams.task_pattern_layout("one_to_many", n_out=6).outputs == tuple(range(6))


@pytest.mark.parametrize("kwargs", [
    {"pattern": "two_to_one"},
    {"pattern": "one_to_one", "n_in": 2},
    {"pattern": "one_to_many", "n_in": 3},
    {"pattern": "many_to_one", "n_out": 2},
    {"pattern": "many_to_many", "n_in": 3, "n_out": 4},
    {"pattern": "encoder_decoder", "n_in": 0},
])
def test_layout_rejects_bad_arguments(kwargs: dict) -> None:
    with pytest.raises(ValueError):
        diagrams.task_pattern_layout(**kwargs)


@pytest.mark.parametrize("pattern", diagrams.PATTERNS)
def test_drawing_matches_layout(ax, pattern: str) -> None:
    drawn = diagrams.draw_task_pattern(ax, pattern)
    lay = drawn["layout"][0]
    assert len(drawn["hidden"]) == lay.n_steps
    assert len(drawn["inputs"]) == len(lay.inputs)
    assert len(drawn["outputs"]) == len(lay.outputs)
    assert len(drawn["arrows"]) == len(lay.inputs) + len(lay.outputs) + len(lay.links)
    boxes = [p for p in ax.patches if isinstance(p, FancyBboxPatch)]
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    assert len(boxes) == lay.n_steps + len(lay.inputs) + len(lay.outputs)
    assert len(arrows) == len(drawn["arrows"])
    assert ax.get_title() == lay.title
    # every box lies inside the visible area
    x0, x1 = ax.get_xlim()
    for box in boxes:
        assert x0 <= box.get_x() and box.get_x() + box.get_width() <= x1


def test_custom_labels_are_drawn(ax) -> None:
    diagrams.draw_task_pattern(ax, "many_to_one", input_labels=["great", "movie", "!"],
                               output_labels=["positive"])
    texts = {t.get_text() for t in ax.texts}
    assert {"great", "movie", "!", "positive"} <= texts


def test_labels_of_wrong_length_and_bad_axes(ax) -> None:
    with pytest.raises(ValueError, match="input_labels"):
        diagrams.draw_task_pattern(ax, "many_to_one", input_labels=["a", "b"])
    with pytest.raises(TypeError):
        diagrams.draw_task_pattern("not an axes", "many_to_one")
    with pytest.raises(TypeError):
        diagrams.draw_unrolled_rnn(None)


@pytest.mark.parametrize("T, folded", [(1, False), (4, True), (6, False)])
def test_unrolled_rnn(ax, T: int, folded: bool) -> None:
    drawn = diagrams.draw_unrolled_rnn(ax, T=T, folded=folded)
    extra = 1 if folded else 0
    assert len(drawn["cells"]) == T + 1 + extra          # h_0 .. h_T (+ the folded cell)
    assert len(drawn["inputs"]) == len(drawn["outputs"]) == T + extra
    assert len(drawn["arrows"]) == 3 * T + 3 * extra
    labels = [t.get_text() for t in drawn["weight_labels"]]
    # the same three matrices at every step: parameter sharing
    assert labels.count("$W_{xh}$") == T and labels.count("$W_{hy}$") == T
    assert labels.count("$W_{hh}$") == T + extra


def test_unrolled_rejects_bad_T(ax) -> None:
    with pytest.raises(ValueError):
        diagrams.draw_unrolled_rnn(ax, T=0)
    with pytest.raises(TypeError):
        diagrams.draw_unrolled_rnn(ax, T=2.5)
